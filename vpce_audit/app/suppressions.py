"""Accepted risks: a TOML file of entries that mark matching findings `suppressed`, each with a reason.

    [[suppression]]
    check = "az-single"                 # a check id, exactly
    resource = "vpce-0abc*"             # fnmatch pattern on the finding's resource_id
    account = "123456789012"            # optional
    region = "eu-west-1"                # optional
    key = "vpc-0spoke*"                 # optional: fnmatch pattern on the finding's key (README, "identity")
    reason = "dev VPC, one AZ by design" # required
    expires = 2027-01-31                # optional: applies through that day, then is itself reported

Entries match a finding's identity (model/findings.py), the same one the diff and the ASFF Ids use. A
suppressed finding stays in the report (so nobody loses sight of it) and carries the reason, but no longer
decides the exit code. The file is a local path or an S3 object (s3://bucket/key, read with s3:GetObject).
"""

from __future__ import annotations

import datetime as dt
import logging
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from vpce_audit.aws.clients import ClientFactory
from vpce_audit.errors import InputError, describe_exception
from vpce_audit.model.findings import Identity, Suppressed
from vpce_audit.report.model import Report

_REQUIRED = ("check", "resource", "reason")
_OPTIONAL = ("account", "region", "key", "expires")
S3_SCHEME = "s3://"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Suppression:
    check_id: str
    resource: str
    reason: str
    account_id: str | None = None
    region: str | None = None
    expires: dt.date | None = None
    key: str | None = None  # None: any key

    def active(self, today: dt.date) -> bool:
        return self.expires is None or today <= self.expires

    def matches(self, identity: Identity) -> bool:
        return (
            identity.check_id == self.check_id
            and fnmatchcase(identity.resource_id, self.resource)
            and self.account_id in (None, identity.account_id)
            and self.region in (None, identity.region)
            and (self.key is None or fnmatchcase(identity.key, self.key))
        )

    def marking(self) -> Suppressed:
        return Suppressed(self.reason, self.expires)

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"check_id": self.check_id, "resource": self.resource, "reason": self.reason}
        if self.account_id is not None:
            doc["account_id"] = self.account_id
        if self.region is not None:
            doc["region"] = self.region
        if self.key is not None:
            doc["key"] = self.key
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
    for key in ("account", "region", "key"):
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
        key=raw.get("key"),
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


def is_s3(location: str) -> bool:
    return location.startswith(S3_SCHEME)


def load_suppressions(
    location: str | Path,
    known_checks: Iterable[str] | None = None,
    *,
    option: str = "--suppressions",
    session: boto3.Session | None = None,
    region: str | None = None,
) -> tuple[Suppression, ...]:
    """Entries from a local file, or from S3 with this session (`option` names the setting in messages)."""
    where = str(location)
    if is_s3(where):
        if session is None:
            raise InputError(f"{option} {where}: reading from S3 needs AWS credentials")
        text = _read_s3(where, option, session, region)
    else:
        text = _read_file(Path(location), option)
    entries = parse_suppressions(text, where, known_checks)
    log.debug("suppressions: %d entr%s from %s", len(entries), "y" if len(entries) == 1 else "ies", where)
    return entries


def _read_file(path: Path, option: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{option} {path} is not a text file") from None
    except OSError as exc:
        raise InputError(f"cannot read {option} {path}: {exc.strerror or exc}") from None


def split_s3(location: str, option: str) -> tuple[str, str]:
    bucket, _, key = location.removeprefix(S3_SCHEME).partition("/")
    if not bucket or not key:
        raise InputError(f"{option} {location!r} is not an S3 object (s3://bucket/key)")
    return bucket, key


def _read_s3(location: str, option: str, session: boto3.Session, region: str | None) -> str:
    bucket, key = split_s3(location, option)
    # A plain read: the factory's guard lets Get* through and refuses every write.
    s3 = ClientFactory(session).client("s3", region)
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except (ClientError, BotoCoreError) as exc:
        code, message = describe_exception(exc)
        raise InputError(f"cannot read {option} {location} (s3:GetObject {code}): {message}") from None
    try:
        return bytes(body).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{option} {location} is not a text file") from None


def apply_suppressions(report: Report, entries: tuple[Suppression, ...], today: dt.date) -> Report:
    """Mark the findings an active entry matches (the first match gives the reason); list expired entries."""
    active = [s for s in entries if s.active(today)]

    def marked(identity: Identity) -> Suppressed | None:
        match = next((s for s in active if s.matches(identity)), None)
        return match.marking() if match is not None else None

    findings = tuple(replace(f, suppression=marked(f.identity())) for f in report.findings)
    expired = tuple(s.to_dict() for s in entries if not s.active(today))
    log.debug(
        "suppressions: %d of %d finding(s) accepted, %d entr%s expired",
        sum(f.suppressed for f in findings),
        len(findings),
        len(expired),
        "y" if len(expired) == 1 else "ies",
    )
    return replace(report, findings=findings, expired_suppressions=expired, suppressions_applied=True)
