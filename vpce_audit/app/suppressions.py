"""Accepted risks: a TOML file of entries that mark matching findings `suppressed`, each with a reason.

    [[suppression]]
    check = "az-single"                 # a check id, exactly
    resource = "vpce-0abc*"             # fnmatch pattern on the finding's resource_id
    account = "123456789012"            # optional
    region = "eu-west-1"                # optional
    reason = "dev VPC, one AZ by design" # required
    expires = 2027-01-31                # optional: applies through that day, then is itself reported

A suppressed finding stays in the report (so nobody loses sight of it) but no longer decides the exit code.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from vpce_audit.errors import InputError
from vpce_audit.model.findings import Finding
from vpce_audit.report.model import Report

_REQUIRED = ("check", "resource", "reason")
_OPTIONAL = ("account", "region", "expires")


@dataclass(frozen=True)
class Suppression:
    check_id: str
    resource: str
    reason: str
    account_id: str | None = None
    region: str | None = None
    expires: dt.date | None = None

    def active(self, today: dt.date) -> bool:
        return self.expires is None or today <= self.expires

    def matches(self, finding: Finding) -> bool:
        return (
            finding.check_id == self.check_id
            and fnmatchcase(finding.resource_id, self.resource)
            and self.account_id in (None, finding.account_id)
            and self.region in (None, finding.region)
        )

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"check_id": self.check_id, "resource": self.resource, "reason": self.reason}
        if self.account_id is not None:
            doc["account_id"] = self.account_id
        if self.region is not None:
            doc["region"] = self.region
        if self.expires is not None:
            doc["expires"] = self.expires.isoformat()
        return doc


def _expires(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):  # a TOML datetime: the day is what counts
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError(f"{where}: expires must be a date like 2027-01-31 (got {value!r})")


def _entry(raw: Any, where: str, known_checks: Iterable[str] | None) -> Suppression:
    if not isinstance(raw, dict):
        raise InputError(f"{where} is not a table")
    unknown = sorted(set(raw) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise InputError(f"{where}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(_REQUIRED + _OPTIONAL)})")
    for key in _REQUIRED:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise InputError(f"{where}: {key!r} is required and must be a non-empty string")
    for key in ("account", "region"):
        if key in raw and (not isinstance(raw[key], str) or not raw[key]):
            raise InputError(f"{where}: {key!r} must be a non-empty string")
    checks = set(known_checks) if known_checks is not None else None
    if checks is not None and raw["check"] not in checks:
        raise InputError(f"{where}: unknown check id {raw['check']!r} (see `vpce-audit checks`)")
    return Suppression(
        check_id=raw["check"],
        resource=raw["resource"],
        reason=" ".join(raw["reason"].split()),
        account_id=raw.get("account"),
        region=raw.get("region"),
        expires=_expires(raw["expires"], where) if "expires" in raw else None,
    )


def parse_suppressions(text: str, origin: str, known_checks: Iterable[str] | None = None) -> tuple[Suppression, ...]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{origin} is not valid TOML: {exc}") from None
    extra = sorted(set(data) - {"suppression"})
    if extra:
        raise InputError(f"{origin}: unknown top-level key(s) {', '.join(extra)} (expected [[suppression]] entries)")
    entries = data.get("suppression", [])
    if not isinstance(entries, list):
        raise InputError(f"{origin}: 'suppression' must be an array of tables ([[suppression]])")
    return tuple(_entry(raw, f"{origin}: suppression {i + 1}", known_checks) for i, raw in enumerate(entries))


def load_suppressions(path: Path, known_checks: Iterable[str] | None = None) -> tuple[Suppression, ...]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"--suppressions {path} is not a text file") from None
    except OSError as exc:
        raise InputError(f"cannot read --suppressions {path}: {exc.strerror or exc}") from None
    return parse_suppressions(text, str(path), known_checks)


def apply_suppressions(report: Report, entries: tuple[Suppression, ...], today: dt.date) -> Report:
    """Mark findings matched by an active entry (first match gives the reason); list expired entries."""
    active = [s for s in entries if s.active(today)]
    suppressed: dict[int, str] = {}
    for i, finding in enumerate(report.findings):
        match = next((s for s in active if s.matches(finding)), None)
        if match is not None:
            suppressed[i] = match.reason
    expired = tuple(s.to_dict() for s in entries if not s.active(today))
    return replace(report, suppressed=suppressed, expired_suppressions=expired, suppressions_applied=True)
