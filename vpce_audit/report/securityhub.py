"""The Security Hub lifecycle: import this run's findings, and close the ones a previous run exported that
this run no longer finds.

- Ids are the findings' identity digests (report/asff.py), so a re-run updates the same Security Hub finding:
  an unrelated subnet added to an endpoint whose problem stays changes its message and related ids, never
  its Id.
- Resolved: a finding in the previous report (`--previous REPORT`, the Lambda's latest.json), absent now and
  re-checked by this run, is re-imported with the same Id, `RecordState` ARCHIVED and `Compliance.Status`
  PASSED. That is what a finding provider can say through BatchImportFindings: `Workflow` belongs to the
  customer and BatchImportFindings cannot change it once the finding exists (AWS Security Hub API reference,
  BatchImportFindings), while Security Hub itself sets the workflow back to NEW should the record state
  return to ACTIVE or the compliance status leave PASSED (API_Workflow): a problem that comes back reopens.
- Not re-checked: a previous finding whose account and region this run did not scan, whose check did not
  run, whose VPC was outside --vpc-id, or whose check's declared inputs this run did not collect in full there
  is left alone (neither re-sent nor archived): absence of data is not a fix. This is the diff's rule
  (report/diff.py `Coverage.gap`, over what report/coverage.py records), so `vpce-audit diff`, the Lambda's
  alerts and Security Hub never disagree on what was resolved.
- Suppressed findings are imported with `Workflow.Status` SUPPRESSED and the reason as a note (report/asff.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vpce_audit.model.findings import Finding, Identity, Severity
from vpce_audit.report.asff import finding_ids, to_asff
from vpce_audit.report.diff import Coverage
from vpce_audit.report.model import Report

Doc = dict[str, Any]


def identity_of(doc: Doc) -> Identity:
    """A report document's finding identity (reports from before findings carried a key: key "")."""
    return Identity(
        str(doc["check_id"]),
        str(doc["account_id"]),
        str(doc["region"]),
        str(doc["resource_id"]),
        str(doc.get("key", "")),
    )


def coverage_of(report: Report) -> Coverage:
    """What this run judged, read as the diff reads the JSON report's scope."""
    return Coverage.of({"tool_version": report.tool_version, "scope": report.to_document()["scope"]})


def rechecked(doc: Doc, coverage: Coverage, check_ids: Sequence[str] | None = None) -> bool:
    """Did this run look again where the previous one found this? The diff's rule (`Coverage.gap`: account
    and region scanned, check run, VPC inside --vpc-id, the check's inputs collected in full there), and the
    check among `check_ids` when given."""
    if check_ids is not None and str(doc["check_id"]) not in check_ids:
        return False
    return not coverage.gap(doc)


def finding_from_doc(doc: Doc) -> Finding:
    """A previous report's finding, as much of it as ASFF shows."""
    try:
        severity = Severity(str(doc.get("severity")))
    except ValueError:
        severity = Severity.INFO
    return Finding(
        account_id=str(doc["account_id"]),
        region=str(doc["region"]),
        vpc_id=str(doc.get("vpc_id", "")),
        resource_id=str(doc["resource_id"]),
        message=str(doc.get("message", "")),
        severity=severity,
        related_ids=tuple(str(r) for r in doc.get("related_ids") or ()),
        remediation=str(doc.get("remediation", "")),
        references=tuple(str(r) for r in doc.get("references") or ()),
        check_id=str(doc["check_id"]),
        title=str(doc.get("title", "")),
        key=str(doc.get("key", "")),
    )


def resolved(f: Finding, generated_at: str) -> Doc:
    """The ASFF update that closes a finding: same Id, archived, passed."""
    doc = to_asff(f, f"vpce-audit/{f.account_id}/{f.region}/{f.check_id}/{f.identity().digest()}", generated_at)
    doc.pop("Workflow", None)  # the customer's: BatchImportFindings does not update it
    doc.pop("Note", None)
    doc["RecordState"] = "ARCHIVED"
    doc["Compliance"] = {"Status": "PASSED"}
    doc["Description"] = f"Resolved: no longer found by vpce-audit at {generated_at}. Was: {doc['Description']}"[:1024]
    return doc


@dataclass(frozen=True)
class Lifecycle:
    current: list[Doc]  # this run's findings, ACTIVE (suppressed ones SUPPRESSED)
    resolved: list[Doc]  # previous findings gone now: ARCHIVED, PASSED
    not_rechecked: int  # previous findings gone now that this run could not look at again: left alone


def lifecycle(report: Report, previous: Sequence[Doc] | None, check_ids: Sequence[str] | None = None) -> Lifecycle:
    ids = finding_ids(report.findings)
    current = [to_asff(f, i, report.generated_at) for f, i in zip(report.findings, ids, strict=True)]
    now = {f.identity() for f in report.findings}
    closing: list[Doc] = []
    left = 0
    seen: set[Identity] = set()
    coverage = coverage_of(report) if previous else None
    for doc in previous or ():
        identity = identity_of(doc)
        if identity in now or identity in seen:
            continue
        seen.add(identity)
        if coverage is not None and rechecked(doc, coverage, check_ids):
            closing.append(resolved(finding_from_doc(doc), report.generated_at))
        else:
            left += 1
    return Lifecycle(current, closing, left)
