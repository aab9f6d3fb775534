"""Findings and severities: the contract other tools key on."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for critical, 4 for info: sorts the worst first."""
        return list(Severity).index(self)

    def at_least(self, threshold: Severity) -> bool:
        return self.rank <= threshold.rank


@dataclass(frozen=True, slots=True, order=True)
class Identity:
    """What makes a finding the same finding from one run to the next: the diff matches on it, Security Hub
    updates the finding whose Id is its digest, suppressions match it.

    `key` tells apart the findings one check raises about one resource (one per route table, client VPC,
    record ...); it is "" when a check raises at most one. Everything that changes while the problem stays
    (message, severity, related ids, evidence) is left out, and so is the VPC: a zone's finding names the
    first VPC associated with it, which changes when another VPC is associated."""

    check_id: str
    account_id: str
    region: str
    resource_id: str
    key: str = ""

    def digest(self) -> str:
        """32 hex digits, stable across runs and versions as long as the identity is."""
        text = "\x1f".join((self.check_id, self.account_id, self.region, self.resource_id, self.key))
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def __str__(self) -> str:
        parts = (self.check_id, self.account_id, self.region, self.resource_id)
        return " ".join(parts) + (f" [{self.key}]" if self.key else "")


@dataclass(frozen=True, slots=True)
class Suppressed:
    """An accepted risk, as the suppression entry that matched the finding gave it."""

    reason: str
    expires: dt.date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One problem with one resource. Checks fill what they know; the runner adds id, title and defaults;
    suppressions, when given, mark the findings they accept."""

    account_id: str
    region: str
    vpc_id: str
    resource_id: str
    message: str
    severity: Severity | None = None  # None: the check's default severity
    related_ids: tuple[str, ...] = ()
    evidence: Mapping[str, Any] = field(default_factory=dict)
    remediation: str = ""
    references: tuple[str, ...] = ()  # the check's documentation URLs, filled in by the runner
    check_id: str = ""
    title: str = ""
    key: str = ""  # tells apart several findings of one check about one resource (see Identity)
    suppression: Suppressed | None = None

    def identity(self) -> Identity:
        return Identity(self.check_id, self.account_id, self.region, self.resource_id, self.key)

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None

    def sort_key(self) -> tuple[Any, ...]:
        rank = self.severity.rank if self.severity else 9
        return (
            rank,
            self.check_id,
            self.account_id,
            self.region,
            self.vpc_id,
            self.resource_id,
            self.message,
        )

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "check_id": self.check_id,
            "severity": str(self.severity),
            "title": self.title,
            "account_id": self.account_id,
            "region": self.region,
            "vpc_id": self.vpc_id,
            "resource_id": self.resource_id,
            "related_ids": sorted(set(self.related_ids)),
            "message": self.message,
            "evidence": _sorted_value(dict(self.evidence)),
            "remediation": self.remediation,
            "references": list(self.references),
            "key": self.key,
        }
        if self.suppression is not None:  # only on the findings a suppression accepted
            doc["suppressed"] = True
            doc["suppression_reason"] = self.suppression.reason
        return doc


def _sorted_value(value: Any) -> Any:
    """Deterministic JSON: sets and tuples become sorted lists, dict keys are sorted on dump."""
    if isinstance(value, dict):
        return {str(k): _sorted_value(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(_sorted_value(v) for v in value)
    if isinstance(value, list | tuple):
        return [_sorted_value(v) for v in value]
    return value
