"""Interface endpoint AZ coverage, judged by AZ ID against where the workloads and the service are."""

from __future__ import annotations

from collections.abc import Iterator

from vpce_audit.checks.registry import about, check
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Endpoint, EndpointType
from vpce_audit.verdicts.coverage import KNOWN, AzCoverage, az_coverage


def _judged(inv: Inventory) -> Iterator[tuple[Endpoint, AzCoverage]]:
    """Available interface endpoints whose coverage is known and that have at least one ENI
    (an endpoint with none is ep-eni-missing's to report)."""
    for ep in inv.endpoints_of(EndpointType.INTERFACE):
        if not ep.available:
            continue
        cov = az_coverage(inv, ep)
        if cov.status == KNOWN and cov.covered:
            yield ep, cov


def _evidence(cov: AzCoverage) -> dict[str, object]:
    evidence = cov.to_dict()
    evidence.pop("status", None)
    return evidence


def _single(cov: AzCoverage) -> bool:
    return len(cov.covered) == 1 and len(cov.reachable) >= 2


@check(
    "az-single",
    severity=Severity.HIGH,
    title="Interface endpoint in one Availability Zone",
    remediation="Add a subnet in each workload AZ the service is offered in to the endpoint.",
)
def az_single(inv: Inventory) -> Iterator[Finding]:
    """Clients in every AZ resolve to this one AZ's ENI, so that AZ's outage removes the service for all
    of them, although the service and the workloads span two or more AZs."""
    for ep, cov in _judged(inv):
        if _single(cov):
            (only,) = cov.covered
            yield about(
                ep,
                f"{ep.service_name} has ENIs only in {only}; workloads in {', '.join(sorted(cov.missing))} "
                "lose the service with that AZ",
                evidence=_evidence(cov),
                related_ids=ep.subnet_ids,
            )


@check(
    "az-gap",
    severity=Severity.MEDIUM,
    title="Workload AZs without an endpoint ENI",
    remediation="Add a subnet in each named AZ to the endpoint.",
)
def az_gap(inv: Inventory) -> Iterator[Finding]:
    """Clients in these AZs reach an ENI in another AZ: they work, but share that AZ's fate and pay
    inter-AZ transfer."""
    for ep, cov in _judged(inv):
        if cov.missing and not _single(cov):
            yield about(
                ep,
                f"{ep.service_name} has no ENI in workload AZ(s) {', '.join(sorted(cov.missing))} "
                "where the service is offered",
                evidence=_evidence(cov),
                related_ids=ep.subnet_ids,
            )


@check(
    "az-service-limited",
    severity=Severity.INFO,
    title="Service not offered in some workload AZs",
    remediation="Nothing to fix on this side; place workloads that need the service in AZs that offer it.",
)
def az_service_limited(inv: Inventory) -> Iterator[Finding]:
    """The service has no endpoint capacity in these workload AZs, so no endpoint configuration can
    cover them; their clients always cross an AZ boundary."""
    for ep, cov in _judged(inv):
        limited = cov.workload - cov.service
        if limited:
            yield about(
                ep,
                f"{ep.service_name} is not offered in workload AZ(s) {', '.join(sorted(limited))}",
                evidence=_evidence(cov) | {"not_offered": sorted(limited)},
            )


@check(
    "az-idle",
    severity=Severity.LOW,
    title="Endpoint ENI in an AZ without workloads",
    remediation="Remove the subnet from the endpoint unless it is kept as a deliberate failover target.",
)
def az_idle(inv: Inventory) -> Iterator[Finding]:
    """Each endpoint AZ is billed by the hour; an AZ with no workload subnet serves no local client."""
    for ep, cov in _judged(inv):
        if cov.spokes_unknown:
            continue  # a spoke the scan could not see may be the client in that AZ
        idle = cov.covered - cov.workload
        if idle:
            subnets = [s for s in ep.subnet_ids if s in inv.subnets and inv.subnets[s].az_id in idle]
            yield about(
                ep,
                f"{ep.service_name} has ENIs in AZ(s) {', '.join(sorted(idle))} with no workload subnet",
                evidence=_evidence(cov) | {"idle": sorted(idle)},
                related_ids=tuple(subnets),
            )
