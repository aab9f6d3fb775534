"""Compare two JSON reports: which findings are new, resolved, unchanged, or could not be compared.

Findings are matched on their identity (model/findings.py Identity: check_id, account_id, region,
resource_id and key), the same one Security Hub Ids and suppressions use. Message, severity, related ids and
evidence are never part of it: they change (a subnet added, one more AZ missing) without the problem
changing.

Missing data is never news (the one rule, `Coverage.gap`, that the CLI's diff, the Lambda's alerts and
anything that archives findings share): a finding of the old report that the new one lacks is `resolved` only
when the new report ran its check, covered its account, region and VPC, and collected in full every input the
check declares (the catalogue's `inputs`); otherwise it is `not re-checked`, with the reason. Likewise a
finding of the new report that the old one lacks is `new` only when the old report could have seen it;
otherwise it is `not checked before`. A report that does not say what it covered (written before
`scope.collected` and `scope.checks` existed) re-checked nothing as far as this rule can tell.

Reports written before findings carried a `key` are still read: where a finding on either side has no key,
findings sharing (check_id, account_id, region, resource_id) are matched as those versions did: one on each
side is the same finding, several are told apart by their related_ids.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vpce_audit import __version__
from vpce_audit.apis import Api
from vpce_audit.app.exitcodes import ExitCode
from vpce_audit.errors import InputError
from vpce_audit.model.findings import Identity, Severity
from vpce_audit.report.coverage import GLOBAL_SERVICES, part_region

REPORT_SCHEMA = "vpce-audit/report/v1"  # the same string report/model.py writes; kept here to stay import-light
DIFF_SCHEMA = "vpce-audit/diff/v1"
_KEY_FIELDS = ("check_id", "account_id", "region", "resource_id")

Doc = dict[str, Any]
BaseKey = tuple[str, str, str, str]


@dataclass(frozen=True)
class Coverage:
    """What one report judged: the checks it ran, its --vpc-id filter, and per (account, region) the APIs it
    collected in full (report/coverage.py writes them into `scope`)."""

    known: bool  # False for a report that does not say (an older version's)
    tool_version: str
    accounts: frozenset[str]
    regions: frozenset[str]
    checks: frozenset[str]
    vpc_ids: frozenset[str]
    collected: Mapping[tuple[str, str], frozenset[str]]

    @classmethod
    def of(cls, doc: Doc) -> Coverage:
        scope = doc.get("scope") if isinstance(doc.get("scope"), dict) else {}
        assert isinstance(scope, dict)
        parts, checks, inputs = scope.get("collected"), scope.get("checks"), scope.get("inputs")
        known = isinstance(parts, list) and isinstance(checks, list) and isinstance(inputs, list)
        asked = _strings(inputs)  # an input the report's version did not know was never collected
        collected = {
            (str(p.get("account_id")), str(p.get("region"))): (
                asked - _strings(p["missing"]) if isinstance(p.get("missing"), list) else frozenset()
            )
            for p in (parts if isinstance(parts, list) else ())
            if isinstance(p, dict)
        }
        return cls(
            known=known,
            tool_version=str(doc.get("tool_version") or "an older version"),
            accounts=_strings(scope.get("accounts")),
            regions=_strings(scope.get("regions")),
            checks=_strings(checks),
            vpc_ids=_strings(scope.get("vpc_ids")),
            collected=collected,
        )

    def gap(self, finding: Doc) -> str:
        """ "" when this report judged again everything the finding depends on; else why not, in one phrase."""
        check_id, account, region = str(finding["check_id"]), str(finding["account_id"]), str(finding["region"])
        scanned = (account, region) in self.collected if self.known else account in self.accounts
        if not scanned or (not self.known and region not in self.regions):
            return f"account {account} was not scanned in {region}"
        if not self.known:
            return (
                f"the report (vpce-audit {self.tool_version}) does not record which checks ran and which inputs "
                "it collected: compare with a report of this version"
            )
        if check_id not in self.checks:
            return f"check {check_id} did not run (--checks/--exclude-checks, or unknown to that version)"
        vpc = str(finding.get("vpc_id") or "")
        if self.vpc_ids and vpc not in self.vpc_ids:
            return f"VPC {vpc or '(none)'} was outside --vpc-id {','.join(sorted(self.vpc_ids))}"
        return self._missing_inputs(check_id, account, region)

    def _missing_inputs(self, check_id: str, account: str, region: str) -> str:
        from vpce_audit.checks import REGISTRY  # the catalogue: imported only when a comparison needs it

        check = REGISTRY.get(check_id)
        if check is None:
            return f"check {check_id} is unknown to vpce-audit {__version__}, which cannot tell what it reads"
        needed = set(check.inputs)
        if any(api.service in GLOBAL_SERVICES for api in needed):
            needed.add(Api.DESCRIBE_VPCS)  # Route 53 is asked about the VPCs each region's DescribeVpcs found
        missing: dict[str, list[str]] = defaultdict(list)
        for api in sorted(needed):
            where = part_region(api, region)
            if str(api) not in self.collected.get((account, where), frozenset()):
                missing[where].append(str(api))
        parts = sorted(missing.items())
        return "; ".join(f"not collected for account {account} in {where}: {', '.join(apis)}" for where, apis in parts)


def _strings(value: Any) -> frozenset[str]:
    return frozenset(str(v) for v in value) if isinstance(value, list) else frozenset()


def _with_reason(finding: Doc, reason: str) -> Doc:
    return {**finding, "reason": reason}


@dataclass(frozen=True)
class ReportDiff:
    old_generated_at: str
    new_generated_at: str
    new: tuple[Doc, ...]
    resolved: tuple[Doc, ...]
    unchanged: tuple[Doc, ...]
    # Old findings the new report could not judge again, and new ones the old report could not have seen,
    # each with a "reason" (Coverage.gap).
    not_rechecked: tuple[Doc, ...] = ()
    not_checked_before: tuple[Doc, ...] = ()
    old_errors: int = 0
    new_errors: int = 0

    @property
    def new_partial(self) -> bool:
        """The new report missed data: calls failed, or findings of the old one could not be judged again."""
        return bool(self.new_errors or self.not_rechecked)

    @property
    def complete(self) -> bool:
        """Every finding on either side was compared, and neither report missed data."""
        return not (self.not_rechecked or self.not_checked_before or self.old_errors or self.new_errors)

    def new_at_least(self, threshold: Severity | None) -> tuple[Doc, ...]:
        """New findings at or above the threshold; suppressed ones do not count (they were accepted)."""
        return at_least(self.new, threshold)

    def alerting(self, threshold: Severity | None) -> tuple[Doc, ...]:
        """What must not pass silently: new findings and those the old report could not have seen, at or above
        the threshold and not suppressed. A finding whose absence before is unknown may be new."""
        return at_least((*self.new, *self.not_checked_before), threshold)

    def exit_code(self, threshold: Severity | None) -> ExitCode:
        """1 for an alerting finding, else 3 when the comparison is partial, else 0 (README, "Exit codes")."""
        if self.alerting(threshold):
            return ExitCode.FINDINGS
        return ExitCode.OK if self.complete else ExitCode.PARTIAL

    def summary(self) -> dict[str, int]:
        return {
            "new": len(self.new),
            "resolved": len(self.resolved),
            "unchanged": len(self.unchanged),
            "not_rechecked": len(self.not_rechecked),
            "not_checked_before": len(self.not_checked_before),
        }

    def to_document(self) -> Doc:
        return {
            "schema": DIFF_SCHEMA,
            "old": {"generated_at": self.old_generated_at, "errors": self.old_errors},
            "new": {"generated_at": self.new_generated_at, "errors": self.new_errors, "partial": self.new_partial},
            "summary": self.summary(),
            "findings": {
                "new": list(self.new),
                "resolved": list(self.resolved),
                "unchanged": list(self.unchanged),
                "not_rechecked": list(self.not_rechecked),
                "not_checked_before": list(self.not_checked_before),
            },
        }


def at_least(findings: Iterable[Doc], threshold: Severity | None) -> tuple[Doc, ...]:
    if threshold is None:
        return ()
    return tuple(f for f in findings if not f.get("suppressed") and _severity(f).at_least(threshold))


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


def split_by_coverage(findings: Iterable[Doc], coverage: Coverage) -> tuple[list[Doc], list[Doc]]:
    """(the findings the report judged, the others with their "reason")."""
    judged: list[Doc] = []
    not_judged: list[Doc] = []
    for f in findings:
        reason = coverage.gap(f)
        if reason:
            not_judged.append(_with_reason(f, reason))
        else:
            judged.append(f)
    return judged, not_judged


def diff_reports(old: Doc, new: Doc) -> ReportDiff:
    added, gone, unchanged = diff_findings(old["findings"], new["findings"])
    resolved, not_rechecked = split_by_coverage(gone, Coverage.of(new))
    really_new, not_checked_before = split_by_coverage(added, Coverage.of(old))
    return ReportDiff(
        old_generated_at=str(old.get("generated_at", "")),
        new_generated_at=str(new.get("generated_at", "")),
        new=tuple(really_new),
        resolved=tuple(resolved),
        unchanged=tuple(unchanged),
        not_rechecked=tuple(not_rechecked),
        not_checked_before=tuple(not_checked_before),
        old_errors=_error_count(old),
        new_errors=_error_count(new),
    )


def _error_count(doc: Doc) -> int:
    errors = doc.get("errors")
    return len(errors) if isinstance(errors, list) else 0


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
        with path.open(encoding="utf-8") as lines:
            text = without_verdicts(lines)
    except UnicodeDecodeError:
        raise InputError(f"{path} is not a text file") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    return parse_report(text, str(path))


# Top-level sections the diff never reads, and nearly all of an organisation's report (GBs at 100,000
# endpoints): skipped while reading, so the baseline costs what its findings cost.
_UNREAD = ('  "endpoints": [', '  "az_loss": [')
_CLOSE = ("  ]", "  ],")


def without_verdicts(lines: Iterable[str]) -> str:
    """A report's text with its per-endpoint verdicts and AZ-loss matrix left out (as empty lists). Relies on
    the layout report/json.py writes: sorted keys and a two-space indent put a top-level list's opening and
    closing lines at exactly two spaces, and JSON strings escape their newlines, so no inner line looks like
    them. Text of another layout passes through whole; a section cut short stays unclosed and fails to parse."""
    kept: list[str] = []
    skipping = False
    for line in lines:
        bare = line.rstrip("\r\n")
        if skipping:
            if bare in _CLOSE:
                kept.append("]" + bare[3:] + "\n")
                skipping = False
        elif bare in _UNREAD:
            kept.append(bare)
            skipping = True
        else:
            kept.append(line)
    return "".join(kept)
