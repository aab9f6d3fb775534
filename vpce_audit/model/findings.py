"""Findings and severities: the contract other tools key on."""

from __future__ import annotations

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


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One problem with one resource. Checks fill what they know; the runner adds id, title and defaults."""

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
        return {
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
        }


def _sorted_value(value: Any) -> Any:
    """Deterministic JSON: sets and tuples become sorted lists, dict keys are sorted on dump."""
    if isinstance(value, dict):
        return {str(k): _sorted_value(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(_sorted_value(v) for v in value)
    if isinstance(value, list | tuple):
        return [_sorted_value(v) for v in value]
    return value
