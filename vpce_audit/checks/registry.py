"""The check registry: the one piece of global state. A check is a pure function Inventory -> Findings."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Endpoint

CheckFunc = Callable[[Inventory], Iterator[Finding]]


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    severity: Severity  # the default; a finding may carry its own
    title: str
    severities: str  # how severity is decided, for the catalogue
    description: str
    remediation: str
    func: CheckFunc

    def run(self, inv: Inventory) -> list[Finding]:
        return [
            replace(
                f,
                check_id=self.id,
                title=self.title,
                severity=f.severity or self.severity,
                remediation=f.remediation or self.remediation,
            )
            for f in self.func(inv)
        ]


REGISTRY: dict[str, Check] = {}


def check(
    check_id: str, *, severity: Severity, title: str, remediation: str, severities: str = ""
) -> Callable[[CheckFunc], CheckFunc]:
    def register(func: CheckFunc) -> CheckFunc:
        if check_id in REGISTRY:
            raise ValueError(f"duplicate check id {check_id}")
        REGISTRY[check_id] = Check(
            id=check_id,
            severity=severity,
            title=title,
            severities=severities or str(severity),
            description=" ".join((func.__doc__ or "").split()),
            remediation=remediation,
            func=func,
        )
        return func

    return register


def run_checks(inv: Inventory, check_ids: Iterable[str] | None = None) -> list[Finding]:
    ids = sorted(REGISTRY) if check_ids is None else sorted(set(check_ids))
    findings = [f for cid in ids for f in REGISTRY[cid].run(inv)]
    return sorted(findings, key=Finding.sort_key)


def about(ep: Endpoint, message: str, **fields: Any) -> Finding:
    """A finding whose resource is this endpoint."""
    return Finding(
        account_id=ep.account_id, region=ep.region, vpc_id=ep.vpc_id, resource_id=ep.id, message=message, **fields
    )
