"""Interface endpoint AZ coverage, judged by AZ ID against where the workloads and the service are."""

from __future__ import annotations

from collections.abc import Iterator

from vpce_audit.checks.inputs import AZ_COVERAGE
from vpce_audit.checks.registry import Category, ResourceType, about, check
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Endpoint, EndpointType
from vpce_audit.verdicts.coverage import KNOWN, AzCoverage, az_coverage

# Endpoints with ENIs per subnet: interface, and (issue 15) resource and service-network endpoints.
ENI_TYPES = (EndpointType.INTERFACE, EndpointType.RESOURCE, EndpointType.SERVICE_NETWORK)


def _label(ep: Endpoint) -> str:
    """What the endpoint reaches: its service, else (Lattice endpoints) its resource configuration or network."""
    return ep.service_name or ep.resource_configuration_arn or ep.service_network_arn or f"{ep.type_raw} endpoint"


def _judged(inv: Inventory, *types: EndpointType) -> Iterator[tuple[Endpoint, AzCoverage]]:
    """Available endpoints of these types (interface ones by default) whose coverage is known and that have at
    least one ENI (an endpoint with none is ep-eni-missing's to report)."""
    for ep in inv.endpoints_of(*(types or (EndpointType.INTERFACE,))):
        if not ep.available:
            continue
        cov = az_coverage(inv, ep)
        if cov.status == KNOWN and cov.covered:
            yield ep, cov


def _evidence(cov: AzCoverage, ep: Endpoint | None = None) -> dict[str, object]:
    evidence = cov.to_dict()
    evidence.pop("status", None)
    if ep is not None and ep.type is not EndpointType.INTERFACE:
        evidence["endpoint_type"] = ep.type_raw  # a resource or service-network endpoint
    return evidence


def _single(cov: AzCoverage) -> bool:
    return len(cov.covered) == 1 and len(cov.reachable) >= 2


@check(
    "az-single",
    title="Interface endpoint in one Availability Zone",
    summary="Fires for an available interface, resource or service-network endpoint whose network interfaces sit in "
    "one AZ while two or more of its clients' AZs offer the service (for resource and service-network endpoints, "
    "which publish no service AZs: two or more workload AZs; the evidence names the endpoint type). Its clients' "
    "AZs are the workload AZs of its VPC and of every spoke VPC that reaches it through a private hosted zone; AZs "
    "are compared by AZ ID, never by name.",
    risk="Clients in every AZ resolve to this one AZ's network interface, so that AZ's outage removes the service for "
    "all of them, although the service and the workloads span two or more AZs.",
    severity=Severity.HIGH,
    severity_rule="Always high: the loss of one AZ takes the service from every client.",
    remediation="Add a subnet in each workload AZ the service is offered in to the endpoint.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html",
        "https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html",
    ),
    category=Category.AVAILABILITY,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=AZ_COVERAGE,
)
def az_single(inv: Inventory) -> Iterator[Finding]:
    for ep, cov in _judged(inv, *ENI_TYPES):
        if _single(cov):
            (only,) = cov.covered
            yield about(
                ep,
                f"{_label(ep)} has ENIs only in {only}; workloads in {', '.join(sorted(cov.missing))} "
                "lose the service with that AZ",
                evidence=_evidence(cov, ep),
                related_ids=ep.subnet_ids,
            )


@check(
    "az-gap",
    title="Workload AZs without an endpoint ENI",
    summary="Fires for an available interface, resource or service-network endpoint with no network interface in "
    "some of its clients' AZs (the workload AZs of its VPC and of spoke VPCs that reach it through a private hosted "
    "zone) where the service is offered (any workload AZ for resource and service-network endpoints), compared by AZ "
    "ID. An endpoint in one AZ while two or more such AZs exist is az-single's instead.",
    risk="Clients in those AZs reach a network interface in another AZ: they work, but share that AZ's fate and pay "
    "for inter-AZ data transfer.",
    severity=Severity.MEDIUM,
    severity_rule="Always medium: degraded (a dependency on another AZ, and its cost), not broken.",
    remediation="Add a subnet in each named AZ to the endpoint.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html",
        "https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html",
    ),
    category=Category.AVAILABILITY,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=AZ_COVERAGE,
)
def az_gap(inv: Inventory) -> Iterator[Finding]:
    for ep, cov in _judged(inv, *ENI_TYPES):
        if cov.missing and not _single(cov):
            yield about(
                ep,
                f"{_label(ep)} has no ENI in workload AZ(s) {', '.join(sorted(cov.missing))} "
                + ("where the service is offered" if cov.service_bounded else f"({ep.type_raw} endpoint)"),
                evidence=_evidence(cov, ep),
                related_ids=ep.subnet_ids,
            )


@check(
    "az-service-limited",
    title="Service not offered in some workload AZs",
    summary="Fires for an available interface endpoint when some of its clients' workload AZs are not among the AZs "
    "the service is offered in (as DescribeVpcEndpointServices reports them), compared by AZ ID.",
    risk="No endpoint configuration can cover those AZs: their clients always cross an AZ boundary to reach the "
    "service, and depend on another AZ.",
    severity=Severity.INFO,
    severity_rule="Always info: worth knowing, nothing to fix on this side.",
    remediation="Nothing to fix on this side; place workloads that need the service in AZs that offer it.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html",
        "https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html",
    ),
    category=Category.AVAILABILITY,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=AZ_COVERAGE,
)
def az_service_limited(inv: Inventory) -> Iterator[Finding]:
    for ep, cov in _judged(inv):
        if cov.service_region:
            continue  # another region's AZ IDs: no local AZ is "not offered" (ep-cross-region says so)
        limited = cov.workload - cov.service
        if limited:
            yield about(
                ep,
                f"{ep.service_name} is not offered in workload AZ(s) {', '.join(sorted(limited))}",
                evidence=_evidence(cov) | {"not_offered": sorted(limited)},
            )


@check(
    "az-idle",
    title="Endpoint ENI in an AZ without workloads",
    summary="Fires for an available interface endpoint with a network interface in an AZ where neither its VPC nor "
    "any spoke VPC reaching it through a private hosted zone has a workload subnet. Quiet when the spokes cannot all "
    "be known (an input that reveals them was not collected): an unseen spoke may be the client in that AZ.",
    risk="Each endpoint AZ is billed by the hour; an AZ with no workload serves no local client, so it adds cost "
    "without adding resilience, unless it is kept on purpose as a failover target.",
    severity=Severity.LOW,
    severity_rule="Always low: hygiene and cost.",
    remediation="Remove the subnet from the endpoint unless it is kept as a deliberate failover target.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/privatelink/interface-endpoints.html",
        "https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html",
    ),
    category=Category.AVAILABILITY,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=AZ_COVERAGE,
)
def az_idle(inv: Inventory) -> Iterator[Finding]:
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
