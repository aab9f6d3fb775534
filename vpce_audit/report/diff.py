"""Compare two JSON reports: which findings are new, which were resolved, which are unchanged.

A finding's identity is (check_id, account_id, region, resource_id). One check may raise several findings
for one resource (a gap per client VPC, say); those differ in related_ids, so findings sharing the base key
are told apart by their related_ids. A key held by exactly one finding in each report matches whatever its
related_ids became (a gap that moved from one subnet to another is still the same gap).
The message is never part of the identity: it holds counts and names that change without the problem
changing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vpce_audit.errors import InputError
from vpce_audit.model.findings import Severity

REPORT_SCHEMA = "vpce-audit/report/v1"  # the same string report/model.py writes; kept here to stay import-light
DIFF_SCHEMA = "vpce-audit/diff/v1"
_KEY_FIELDS = ("check_id", "account_id", "region", "resource_id")

Doc = dict[str, Any]
BaseKey = tuple[str, str, str, str]


@dataclass(frozen=True)
class ReportDiff:
    old_generated_at: str
    new_generated_at: str
    new: tuple[Doc, ...]
    resolved: tuple[Doc, ...]
    unchanged: tuple[Doc, ...]

    def new_at_least(self, threshold: Severity | None) -> tuple[Doc, ...]:
        """New findings at or above the threshold; suppressed ones do not count (they were accepted)."""
        if threshold is None:
            return ()
        return tuple(f for f in self.new if not f.get("suppressed") and _severity(f).at_least(threshold))

    def to_document(self) -> Doc:
        return {
            "schema": DIFF_SCHEMA,
            "old": {"generated_at": self.old_generated_at},
            "new": {"generated_at": self.new_generated_at},
            "summary": {"new": len(self.new), "resolved": len(self.resolved), "unchanged": len(self.unchanged)},
            "findings": {
                "new": list(self.new),
                "resolved": list(self.resolved),
                "unchanged": list(self.unchanged),
            },
        }


def _severity(finding: Doc) -> Severity:
    try:
        return Severity(str(finding.get("severity")))
    except ValueError:
        return Severity.INFO


def base_key(finding: Doc) -> BaseKey:
    return (
        str(finding["check_id"]),
        str(finding["account_id"]),
        str(finding["region"]),
        str(finding["resource_id"]),
    )


def _related(finding: Doc) -> tuple[str, ...]:
    return tuple(sorted(str(r) for r in finding.get("related_ids") or ()))


def _order(finding: Doc) -> tuple[Any, ...]:
    return (_severity(finding).rank, *base_key(finding), _related(finding), str(finding.get("message", "")))


def diff_findings(old: list[Doc], new: list[Doc]) -> tuple[list[Doc], list[Doc], list[Doc]]:
    """(new, resolved, unchanged); unchanged holds the NEW report's version of each finding."""
    old_groups: dict[BaseKey, list[Doc]] = defaultdict(list)
    new_groups: dict[BaseKey, list[Doc]] = defaultdict(list)
    for f in old:
        old_groups[base_key(f)].append(f)
    for f in new:
        new_groups[base_key(f)].append(f)
    added: list[Doc] = []
    resolved: list[Doc] = []
    unchanged: list[Doc] = []
    for key in set(old_groups) | set(new_groups):
        left = sorted(old_groups.get(key, []), key=_order)
        right = sorted(new_groups.get(key, []), key=_order)
        if len(left) == 1 and len(right) == 1:  # the key alone identifies it; related ids may have moved
            unchanged.extend(right)
            continue
        for f in right:  # several findings share the key: related_ids tell them apart
            match = next((o for o in left if _related(o) == _related(f)), None)
            if match is None:
                added.append(f)
            else:
                left.remove(match)
                unchanged.append(f)
        resolved.extend(left)
    return sorted(added, key=_order), sorted(resolved, key=_order), sorted(unchanged, key=_order)


def diff_reports(old: Doc, new: Doc) -> ReportDiff:
    added, resolved, unchanged = diff_findings(old["findings"], new["findings"])
    return ReportDiff(
        old_generated_at=str(old.get("generated_at", "")),
        new_generated_at=str(new.get("generated_at", "")),
        new=tuple(added),
        resolved=tuple(resolved),
        unchanged=tuple(unchanged),
    )


def parse_report(text: str, origin: str) -> Doc:
    """A report document from JSON text, checked enough that diffing it cannot fail half way."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{origin} is not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(doc, dict) or doc.get("schema") != REPORT_SCHEMA:
        raise InputError(f'{origin} is not a vpce-audit report (no "schema": "{REPORT_SCHEMA}")')
    findings = doc.get("findings")
    if not isinstance(findings, list):
        raise InputError(f'{origin}: "findings" is not a list')
    for i, f in enumerate(findings):
        if not isinstance(f, dict) or any(not isinstance(f.get(k), str) for k in _KEY_FIELDS):
            raise InputError(f"{origin}: finding {i} lacks one of {', '.join(_KEY_FIELDS)}")
    return doc


def load_report(path: Path) -> Doc:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not a text file") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    return parse_report(text, str(path))


def render_diff_table(diff: ReportDiff) -> str:
    from tabulate import tabulate

    lines = [
        f"old report {diff.old_generated_at or '-'} -> new report {diff.new_generated_at or '-'}: "
        f"{len(diff.new)} new, {len(diff.resolved)} resolved, {len(diff.unchanged)} unchanged",
        "",
    ]
    for title, findings in (("New", diff.new), ("Resolved", diff.resolved)):
        if not findings:
            continue
        rows = [
            [
                str(f.get("severity", "")) + (" (suppressed)" if f.get("suppressed") else ""),
                f["check_id"],
                f["account_id"],
                f["region"],
                f["resource_id"],
                str(f.get("message", "")),
            ]
            for f in findings
        ]
        headers = ["severity", "check", "account", "region", "resource", "finding"]
        lines += [f"{title} ({len(findings)})", tabulate(rows, headers=headers, tablefmt="simple"), ""]
    return "\n".join(lines).rstrip() + "\n"
