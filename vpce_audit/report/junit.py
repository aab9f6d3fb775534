"""JUnit XML for CI (Jenkins, GitLab, GitHub test reporters): one test suite per check that ran.

Test cases:
- one per finding (check and resource, plus the finding's key when a check raises several about one
  resource): a <failure> when it fails the run (unsuppressed, at or above --fail-on), <skipped> with the
  reason when a suppression accepted it, passed (the finding in <system-out>) when below the threshold;
- one per scanned account and region where the check found nothing: passed, or <skipped> saying which
  inputs were not collected there (missing data is `unknown`, never a pass);
- a `collection` suite with one <error> per failed AWS call, so a partial scan is not a green build.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from vpce_audit.checks import Check
from vpce_audit.model.findings import Finding
from vpce_audit.report.context import RenderContext, missing_inputs, regional_units
from vpce_audit.report.model import Report

SUITES_NAME = "vpce-audit"
# XML 1.0 allows tab, newline and carriage return and nothing else below 0x20 (nor the two non-characters).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("?", value)


def case_name(f: Finding) -> str:
    return f"{f.account_id}/{f.region}/{f.resource_id}" + (f"#{f.key}" if f.key else "")


def _details(f: Finding) -> str:
    lines = [f.message, f"severity: {f.severity}", f"vpc: {f.vpc_id}"]
    if f.remediation:
        lines.append(f"remediation: {f.remediation}")
    lines += [f"see: {url}" for url in f.references]
    return _text("\n".join(lines))


def _case(parent: ET.Element, check: Check, name: str) -> ET.Element:
    return ET.SubElement(
        parent, "testcase", {"classname": f"{SUITES_NAME}.{check.id}", "name": _text(name), "time": "0"}
    )


def _finding_case(suite: ET.Element, check: Check, f: Finding, context: RenderContext) -> str:
    """Add the finding's test case; its outcome: failure, skipped or passed."""
    case = _case(suite, check, case_name(f))
    if f.suppression is not None:
        ET.SubElement(case, "skipped", {"message": _text(f"suppressed: {f.suppression.reason}")})
        return "skipped"
    if context.fails(f.severity, suppressed=False):
        failure = ET.SubElement(case, "failure", {"message": _text(f.message), "type": str(f.severity)})
        failure.text = _details(f)
        return "failure"
    ET.SubElement(case, "system-out").text = _details(f)
    return "passed"


def _suite(report: Report, check: Check, findings: list[Finding], context: RenderContext) -> ET.Element:
    suite = ET.Element("testsuite", {"name": check.id, "timestamp": report.generated_at[:19], "time": "0"})
    ET.SubElement(ET.SubElement(suite, "properties"), "property", {"name": "title", "value": _text(check.title)})
    outcomes = [_finding_case(suite, check, f, context) for f in findings]
    found_in = {(f.account_id, f.region) for f in findings}
    for account, region in regional_units(report.inventory):
        if (account, region) in found_in:
            continue
        case = _case(suite, check, f"{account}/{region}")
        missing = missing_inputs(report.errors, check, account, region)
        if missing:
            reason = f"not checked: {', '.join(missing)} not collected"
            ET.SubElement(case, "skipped", {"message": reason})
            outcomes.append("skipped")
        else:
            outcomes.append("passed")
    _count(suite, outcomes)
    return suite


def _count(suite: ET.Element, outcomes: list[str]) -> None:
    suite.set("tests", str(len(outcomes)))
    suite.set("failures", str(outcomes.count("failure")))
    suite.set("errors", str(outcomes.count("error")))
    suite.set("skipped", str(outcomes.count("skipped")))


def _errors_suite(report: Report) -> ET.Element:
    suite = ET.Element("testsuite", {"name": "collection", "timestamp": report.generated_at[:19], "time": "0"})
    for e in report.errors:
        case = ET.SubElement(
            suite,
            "testcase",
            {"classname": f"{SUITES_NAME}.collection", "name": f"{e.account_id}/{e.region}/{e.service}:{e.operation}"},
        )
        case.set("time", "0")
        error = ET.SubElement(case, "error", {"message": _text(f"{e.code}: {e.message}"), "type": e.code})
        error.text = _text(f"{e.service}:{e.operation} failed in {e.account_id} {e.region}: {e.code}: {e.message}")
    _count(suite, ["error"] * len(report.errors))
    return suite


def render_junit(report: Report, context: RenderContext) -> str:
    by_check: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_check[f.check_id].append(f)
    root = ET.Element("testsuites", {"name": SUITES_NAME})
    suites = [_suite(report, check, by_check.get(check.id, []), context) for check in context.checks()]
    if report.errors:
        suites.append(_errors_suite(report))
    for name in ("tests", "failures", "errors", "skipped"):
        root.set(name, str(sum(int(s.get(name, "0")) for s in suites)))
    root.set("time", "0")
    root.extend(suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
