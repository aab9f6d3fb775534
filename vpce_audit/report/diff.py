"""Compare two JSON reports: which findings are new, which were resolved, which are unchanged.

Findings are matched on their identity (model/findings.py Identity: check_id, account_id, region,
resource_id and key), the same one Security Hub Ids and suppressions use. Message, severity, related ids and
evidence are never part of it: they change (a subnet added, one more AZ missing) without the problem
changing.

Reports written before findings carried a `key` are still read: where a finding on either side has no key,
findings sharing (check_id, account_id, region, resource_id) are matched as those versions did: one on each
side is the same finding, several are told apart by their related_ids.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vpce_audit.errors import InputError
from vpce_audit.model.findings import Identity, Severity

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


def identity_of(finding: Doc) -> Identity | None:
    """The finding's identity; None for a finding from a report written before findings carried a key."""
    if "key" not in finding:
        return None
    return Identity(*base_key(finding), key=str(finding["key"]))


def _related(finding: Doc) -> tuple[str, ...]:
    return tuple(sorted(str(r) for r in finding.get("related_ids") or ()))


def _order(finding: Doc) -> tuple[Any, ...]:
    return (
        _severity(finding).rank,
        *base_key(finding),
        str(finding.get("key", "")),
        _related(finding),
        str(finding.get("message", "")),
    )


def _same_identity(a: Doc, b: Doc) -> bool:
    return identity_of(a) == identity_of(b)


def _same_related(a: Doc, b: Doc) -> bool:
    return _related(a) == _related(b)


def _pair(left: list[Doc], right: list[Doc]) -> Callable[[Doc, Doc], bool]:
    """How to match findings sharing a base key: on identity when both reports carry keys, else as reports
    without keys were matched (one on each side is the same finding; several differ in related ids)."""
    if all(identity_of(f) is not None for f in (*left, *right)):
        return _same_identity
    if len(left) == 1 and len(right) == 1:
        return lambda _a, _b: True
    return _same_related


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
    for group in set(old_groups) | set(new_groups):
        left = sorted(old_groups.get(group, []), key=_order)
        right = sorted(new_groups.get(group, []), key=_order)
        same = _pair(left, right)
        for f in right:
            match = next((o for o in left if same(o, f)), None)
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
        if "key" in f and not isinstance(f["key"], str):
            raise InputError(f"{origin}: finding {i} has a key that is not a string")
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
                f["resource_id"] + (f" [{f['key']}]" if f.get("key") else ""),
                str(f.get("message", "")),
            ]
            for f in findings
        ]
        headers = ["severity", "check", "account", "region", "resource", "finding"]
        lines += [f"{title} ({len(findings)})", tabulate(rows, headers=headers, tablefmt="simple"), ""]
    return "\n".join(lines).rstrip() + "\n"
