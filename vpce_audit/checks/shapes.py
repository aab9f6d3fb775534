"""Endpoint shapes beyond one region and one address family (issue 15): cross-region interface endpoints and
S3 interface endpoints whose private DNS answers only a Resolver inbound endpoint."""

from __future__ import annotations

from collections.abc import Iterator

from vpce_audit.apis import Api
from vpce_audit.checks.inputs import EGRESS, ENDPOINTS, ROUTE_COVERAGE
from vpce_audit.checks.registry import Category, ResourceType, about, check
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.names import short_service_name
from vpce_audit.model.resources import Egress, Endpoint, EndpointType
from vpce_audit.verdicts.coverage import KNOWN, route_coverage

# gw-rt-gap's scale: what the subnets' default route leaves them when the gateway route is missing.
_GAP_SEVERITY = {
    Egress.ISOLATED: Severity.HIGH,
    Egress.NAT: Severity.MEDIUM,
    Egress.TGW: Severity.MEDIUM,
    Egress.PUBLIC: Severity.LOW,
}


@check(
    "ep-cross-region",
    title="Interface endpoint depends on another region",
    summary="Fires, as information, for every live interface endpoint whose ServiceRegion is not its own region "
    "(cross-region PrivateLink). Its local ENIs are still judged by az-single and az-gap against the local workload "
    "AZs; the service's AZs, which are another region's AZ IDs, are never compared with local ones, so "
    "az-service-limited does not apply to it.",
    risk="Traffic leaves the region: the endpoint works only while the hosting region and the service in it are up, "
    "and the inter-region path adds latency and data-transfer cost.",
    severity=Severity.INFO,
    severity_rule="Always info: a dependency worth knowing, nothing broken on this side.",
    remediation="Keep the cross-region dependency deliberate: use a same-region endpoint where the service is "
    "offered locally, and plan for the hosting region's outage.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-cross-region-privatelink-support.html",
        "https://docs.aws.amazon.com/vpc/latest/privatelink/create-endpoint-service.html",
    ),
    category=Category.AVAILABILITY,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=(*ENDPOINTS, Api.DESCRIBE_VPC_ENDPOINT_SERVICES),
)
def ep_cross_region(inv: Inventory) -> Iterator[Finding]:
    for ep in inv.endpoints_of(EndpointType.INTERFACE):
        if not ep.cross_region:
            continue
        service = inv.service_of(ep)
        described = service is not None and inv.has(ep.account_id, ep.region, Api.DESCRIBE_VPC_ENDPOINT_SERVICES)
        yield about(
            ep,
            f"{ep.service_name} is hosted in {ep.service_region}: clients in {ep.vpc_id} depend on that region "
            "and on the service there",
            evidence={
                "service_region": ep.service_region,
                "endpoint_region": ep.region,
                # the hosting region's AZ IDs, as DescribeVpcEndpointServices(ServiceRegions) gave them
                "service_az_ids": sorted(service.az_ids) if service is not None and described else None,
                "service_described": described,
            },
        )


def _inbound_only_s3(inv: Inventory) -> Iterator[Endpoint]:
    for ep in inv.endpoints_of(EndpointType.INTERFACE):
        if (
            ep.available
            and ep.inbound_resolver_only
            and ep.private_dns_enabled
            and short_service_name(ep.service_name, ep.service_region or ep.region) == "s3"
        ):
            yield ep


@check(
    "gw-inbound-only-rt-gap",
    title="S3 private DNS serves only on-premises, and VPC subnets lack the gateway route",
    summary="Fires, once per route table, for an available S3 interface endpoint with private DNS on and its DNS "
    "option limiting private DNS to queries through a Resolver inbound endpoint on (DnsOptions), for the workload "
    "subnets of its VPC whose effective route table "
    "holds no active route to an available S3 gateway endpoint of the VPC (none at all when the VPC has none). "
    "Route coverage is gw-rt-gap's.",
    risk="With that option the interface endpoint's private DNS answers only queries arriving through a Resolver "
    "inbound endpoint; the VPC's own clients resolve S3's public names and must take the gateway endpoint. A subnet "
    "whose route table lacks the gateway route sends them to NAT or the internet gateway, or, when isolated, nowhere.",
    severity=Severity.HIGH,
    severity_rule="By the subnets' egress posture, as gw-rt-gap: high when isolated (no path to S3), medium through "
    "a NAT gateway, transit gateway or peering (cost and a dependency), low through an internet gateway.",
    remediation="Associate the subnets' route tables with an S3 gateway endpoint (create one if the VPC has none), "
    "or turn PrivateDnsOnlyForInboundResolverEndpoint off.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html",
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DnsOptionsSpecification.html",
    ),
    category=Category.ROUTING,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=ROUTE_COVERAGE,
)
def gw_inbound_only_rt_gap(inv: Inventory) -> Iterator[Finding]:
    for ep in _inbound_only_s3(inv):
        missing_by_table = _missing_gateway_route(inv, ep)
        if missing_by_table is None:
            continue  # route coverage unknown: never a finding from data that was not there
        for rt_id, subnets in missing_by_table.items():
            posture = inv.egress.get(subnets[0], Egress.ISOLATED)
            yield about(
                ep,
                f"{ep.service_name} private DNS answers only a Resolver inbound endpoint, so VPC clients take the "
                f"S3 gateway endpoint; {len(subnets)} workload subnet(s) on route table {rt_id or '(none)'} have no "
                f"route to one and leave by their default route ({posture})",
                severity=_GAP_SEVERITY[posture],
                key=rt_id,
                related_ids=(*subnets, rt_id) if rt_id else subnets,
                evidence={
                    "why": "PrivateDnsOnlyForInboundResolverEndpoint is on: VPC clients resolve S3's public names "
                    "and reach S3 only through a gateway endpoint route",
                    "route_table_id": rt_id,
                    "subnet_ids": list(subnets),
                    "egress": str(posture),
                    "gateway_endpoint_ids": [gw.id for gw in _s3_gateways(inv, ep)],
                    "workload_assumed": ep.vpc_id in inv.workload_assumed,
                },
            )


def _s3_gateways(inv: Inventory, ep: Endpoint) -> list[Endpoint]:
    return [
        gw
        for gw in inv.endpoints_in(ep.vpc_id, EndpointType.GATEWAY)
        if gw.available and short_service_name(gw.service_name, gw.region) == "s3"
    ]


def _missing_gateway_route(inv: Inventory, ep: Endpoint) -> dict[str, tuple[str, ...]] | None:
    """Route table -> workload subnets without an active S3 gateway route; None when that is unknown."""
    # Prefix lists are read only once a gateway endpoint exists: without one, routes and workloads suffice.
    if not inv.has(ep.account_id, ep.region, *ENDPOINTS, *EGRESS):
        return None
    gateways = _s3_gateways(inv, ep)
    if not gateways:
        out: dict[str, list[str]] = {}
        for subnet in inv.workload_subnets.get(ep.vpc_id, ()):
            out.setdefault(inv.effective_route_table.get(subnet, ""), []).append(subnet)
        return {rt: tuple(sorted(s)) for rt, s in sorted(out.items())}
    cov = route_coverage(inv, gateways[0])  # judges every gateway of the service in the VPC together
    if cov.status != KNOWN:
        return None
    unrouted = set(cov.missing_subnets) - {s for subs in cov.missing_by_route_table.values() for s in subs}
    missing = {rt: list(s) for rt, s in cov.missing_by_route_table.items()}
    for subnet in sorted(unrouted):  # associated but the route is gone: gw-route-missing's cause, our effect
        missing.setdefault(inv.effective_route_table.get(subnet, ""), []).append(subnet)
    return {rt: tuple(sorted(s)) for rt, s in sorted(missing.items())}
