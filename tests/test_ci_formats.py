"""JUnit XML and Markdown for CI: validated against a pinned JUnit XML schema (tests/data/junit.xsd) and
rendered by a Markdown parser (markdown-it-py, GitHub's table syntax) whose tables are checked."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
import xmlschema
from markdown_it import MarkdownIt

from tests.conftest import REGION
from vpce_audit.cli.main import run
from vpce_audit.errors import CollectionError
from vpce_audit.model.findings import Severity, Suppressed
from vpce_audit.report.context import RenderContext
from vpce_audit.report.junit import case_name, render_junit
from vpce_audit.report.markdown import STEP_SUMMARY_LIMIT, render_markdown
from vpce_audit.report.model import Report, build_report
from vpce_audit.snapshot import load_snapshot

JUNIT_XSD = xmlschema.XMLSchema(str(Path(__file__).parent / "data" / "junit.xsd"))


@pytest.fixture(scope="module")
def report(demo_snapshot_file: Path) -> Report:
    return build_report(load_snapshot(demo_snapshot_file))


def suppress_first(report: Report, reason: str = "accepted by the platform team") -> Report:
    first = replace(report.findings[0], suppression=Suppressed(reason))
    return replace(report, findings=(first, *report.findings[1:]), suppressions_applied=True)


# --- JUnit ------------------------------------------------------------------------------------------------


def cases(xml: str) -> dict[tuple[str, str], ET.Element]:
    root = ET.fromstring(xml)
    return {(suite.get("name", ""), case.get("name", "")): case for suite in root for case in suite.iter("testcase")}


@pytest.mark.parametrize("fail_on", [Severity.HIGH, Severity.INFO, None])
def test_junit_is_valid_and_fails_what_fail_on_fails(report: Report, fail_on: Severity | None) -> None:
    report = suppress_first(report)
    xml = render_junit(report, RenderContext(fail_on))
    JUNIT_XSD.validate(xml)
    by_name = cases(xml)
    failing = [f for f in report.active_findings() if fail_on is not None and f.severity.at_least(fail_on)]
    assert int(ET.fromstring(xml).get("failures", "")) == len(failing)
    for f in report.findings:
        case = by_name[(f.check_id, case_name(f))]
        outcome = [child.tag for child in case if child.tag in {"failure", "skipped", "error"}]
        if f.suppressed:
            assert outcome == ["skipped"]
            assert case.find("skipped").get("message") == "suppressed: accepted by the platform team"
        elif f in failing:
            assert outcome == ["failure"] and case.find("failure").get("type") == str(f.severity)
        else:
            assert outcome == [] and f.message in case.findtext("system-out", "")


def test_junit_has_a_suite_per_check_and_a_passing_case_where_a_check_found_nothing(report: Report) -> None:
    xml = render_junit(report, RenderContext(Severity.HIGH, ("az-gap", "gw-route-missing")))
    root = ET.fromstring(xml)
    assert [s.get("name") for s in root] == ["az-gap", "gw-route-missing"]
    clean = cases(xml)[("gw-route-missing", f"{report.accounts[0]}/{REGION}")]
    assert list(clean) == []  # passed: no failure, no skipped
    totals = {n: sum(int(s.get(n, "0")) for s in root) for n in ("tests", "failures", "skipped")}
    assert totals == {n: int(root.get(n, "")) for n in totals}


def test_junit_a_check_whose_inputs_failed_is_skipped_not_passed(report: Report) -> None:
    account = report.accounts[0]
    denied = CollectionError(account, REGION, "ec2", "DescribeRouteTables", "AccessDenied", "no")
    xml = render_junit(replace(report, errors=(denied,)), RenderContext(Severity.HIGH, ("gw-route-missing",)))
    JUNIT_XSD.validate(xml)
    case = cases(xml)[("gw-route-missing", f"{account}/{REGION}")]
    assert case.find("skipped").get("message") == "not checked: ec2:DescribeRouteTables not collected"
    error = cases(xml)[("collection", f"{account}/{REGION}/ec2:DescribeRouteTables")].find("error")
    assert error is not None and error.get("type") == "AccessDenied"
    assert ET.fromstring(xml).get("errors") == "1"


def test_junit_survives_characters_xml_cannot_hold(report: Report) -> None:
    odd = replace(report.findings[0], message='bell \x07 <tag> & "quote" ]]>', suppression=None)
    xml = render_junit(replace(report, findings=(odd,)), RenderContext(Severity.INFO))
    JUNIT_XSD.validate(xml)
    assert cases(xml)[(odd.check_id, case_name(odd))].find("failure").get("message") == 'bell ? <tag> & "quote" ]]>'


def test_schema_rejects_a_broken_junit(report: Report) -> None:
    """The pinned schema is a real check: a case without a name or a suite without counters fails it."""
    xml = render_junit(report, RenderContext())
    assert not JUNIT_XSD.is_valid(xml.replace('tests="', 'test="', 1).replace('<testsuite name="', '<testsuite x="', 1))
    assert not JUNIT_XSD.is_valid(xml.replace("<testcase classname=", "<testcase nom=", 1))


# --- Markdown ---------------------------------------------------------------------------------------------

PARSER = MarkdownIt("commonmark").enable("table")


def tables(text: str) -> list[list[list[str]]]:
    """Every table the parser found: rows of cell texts, the header first."""
    found: list[list[list[str]]] = []
    row: list[str] | None = None
    for token in PARSER.parse(text):
        if token.type == "table_open":
            found.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            found[-1].append(row)
        elif token.type == "inline" and row is not None and token.map is not None and found:
            row.append(token.content)
        elif token.type == "table_close":
            row = None
    return found


def test_markdown_tables_render(report: Report) -> None:
    text = render_markdown(suppress_first(report), RenderContext(Severity.HIGH))
    severity, coverage, findings = tables(text)
    assert severity[0] == ["severity", "active", "suppressed"]
    assert {r[0] for r in severity[1:]} == {str(s) for s in Severity}
    suppressed = suppress_first(report)
    assert {r[0]: (int(r[1]), int(r[2])) for r in severity[1:]} == {
        s: (n, suppressed.counts()[s] - n) for s, n in suppressed.active_counts().items()
    }
    assert sum(int(r[2]) for r in severity[1:]) == suppressed.suppressed_count == 1
    vpcs = {(v.endpoint.account_id, v.endpoint.region, v.endpoint.vpc_id) for v in report.endpoints}
    assert coverage[0][:4] == ["account", "region", "VPC", "endpoints"]
    assert {tuple(r[:3]) for r in coverage[1:]} == vpcs
    assert sum(int(r[3]) for r in coverage[1:]) == len(report.endpoints)
    failing = [f for f in suppress_first(report).active_findings() if f.severity.at_least(Severity.HIGH)]
    assert findings[0] == ["severity", "check", "resource", "VPC", "finding", "remediation"]
    assert len(findings) - 1 == len(failing) and failing
    assert all(len(r) == 6 for r in findings)
    links = [t for t in PARSER.parseInline(findings[1][5])[0].children or [] if t.type == "link_open"]
    assert links and links[0].attrs["href"] == failing[0].references[0]


def test_markdown_cells_keep_their_columns(report: Report) -> None:
    odd = replace(report.findings[0], message="a | b\nc", severity=Severity.CRITICAL, suppression=None)
    text = render_markdown(replace(report, findings=(odd,)), RenderContext(Severity.HIGH))
    findings = tables(text)[-1]
    assert findings[1][4] == "a | b c" and len(findings[1]) == 6
    assert PARSER.render(text).count("a | b c") == 1  # GitHub shows the pipe, not a new column


def test_markdown_fits_the_step_summary_and_says_when_it_cut(report: Report) -> None:
    template = replace(report.findings[0], severity=Severity.CRITICAL, message="x" * 2000, suppression=None)
    many = tuple(replace(template, resource_id=f"vpce-{i:017x}") for i in range(800))
    text = render_markdown(replace(report, findings=many), RenderContext(Severity.HIGH))
    assert len(text.encode()) <= STEP_SUMMARY_LIMIT
    shown = len(tables(text)[-1]) - 1
    assert 0 < shown < len(many)
    assert f"**Truncated**: {len(many) - shown} of {len(many)} findings left out" in text
    small = render_markdown(report, RenderContext(Severity.INFO), limit=2500)
    assert len(small.encode()) <= 2500 and "Truncated" in small
    assert "Truncated" not in render_markdown(report, RenderContext(Severity.INFO))


def test_markdown_says_when_the_scan_was_partial_and_nothing_fails(report: Report) -> None:
    denied = CollectionError(report.accounts[0], REGION, "ec2", "DescribeRouteTables", "AccessDenied", "no")
    text = render_markdown(replace(report, errors=(denied,)), RenderContext(None))
    assert "no finding at or above none" in text and "**Partial scan**: 1 AWS call(s) failed" in text
    assert tables(text)[-1][1][:4] == [report.accounts[0], REGION, "ec2:DescribeRouteTables", "AccessDenied"]


# --- the CLI ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["junit", "markdown"])
def test_cli_renders_ci_formats(fmt: str, demo_snapshot_file: Path, report: Report, tmp_path: Path) -> None:
    out = tmp_path / f"report.{fmt}"
    code = run(["audit", str(demo_snapshot_file), "-o", fmt, "--output-file", str(out), "--fail-on", "medium"])
    assert code == 1  # the same exit code as every other format
    render = render_junit if fmt == "junit" else render_markdown
    assert out.read_text() == render(report, RenderContext(Severity.MEDIUM))
