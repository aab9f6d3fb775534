"""Gateway endpoints (S3, DynamoDB): the route-table path every workload subnet must take."""

from __future__ import annotations

from collections.abc import Iterator

from vpce_audit.apis import Api
from vpce_audit.checks.inputs import ENDPOINTS, PREFIX_LISTS, ROUTE_COVERAGE
from vpce_audit.checks.registry import Category, ResourceType, about, check
from vpce_audit.model.cidr import covered_by
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Egress, Endpoint, EndpointType
from vpce_audit.verdicts.coverage import KNOWN, endpoint_route, route_coverage

_GAP_SEVERITY = {
    Egress.ISOLATED: Severity.HIGH,
    Egress.NAT: Severity.MEDIUM,
    Egress.TGW: Severity.MEDIUM,
    Egress.PUBLIC: Severity.LOW,
}
_GAP_EFFECT = {
    Egress.ISOLATED: "cannot reach the service at all",
    Egress.NAT: "reach it through the NAT path (data-processing cost, NAT AZ dependency)",
    Egress.TGW: "reach it through the transit gateway or peer (cost and a dependency on the hub)",
    Egress.PUBLIC: "reach it over the internet gateway instead",
}


def _available_gateways(inv: Inventory) -> Iterator[Endpoint]:
    return (ep for ep in inv.endpoints_of(EndpointType.GATEWAY) if ep.available)


@check(
    "gw-rt-gap",
    title="Workload subnets bypass the gateway endpoint",
    summary="Fires, once per route table, for the workload subnets of a VPC with an available S3 or DynamoDB gateway "
    "endpoint whose effective route table (the subnet's explicit association, else the VPC's main table) is not "
    "associated with an available gateway endpoint of that service holding an active route to it. Several gateway "
    "endpoints for one service in a VPC are judged together: a subnet covered by any of them is covered.",
    risk="Only subnets whose route table is associated with the endpoint use it. The others follow their default "
    "route: they pay for NAT or transit, leave over the internet gateway, or, when isolated, cannot reach the service "
    "at all.",
    severity=Severity.HIGH,
    severity_rule="By the subnets' egress posture (their route table's default route): high when isolated (no path "
    "to the service), medium through a NAT gateway, transit gateway, peering or virtual private gateway (cost and a "
    "dependency), low through an internet gateway (the public path works).",
    remediation="Associate the subnets' route table with the gateway endpoint.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html",
        "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html",
    ),
    category=Category.ROUTING,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=ROUTE_COVERAGE,
)
def gw_rt_gap(inv: Inventory) -> Iterator[Finding]:
    seen: set[tuple[str, str]] = set()
    for ep in _available_gateways(inv):
        if (ep.vpc_id, ep.service_name) in seen:
            continue  # several endpoints for one service: coverage is their union, judged once
        seen.add((ep.vpc_id, ep.service_name))
        cov = route_coverage(inv, ep)
        if cov.status != KNOWN:
            continue
        for rt_id, subnets in cov.missing_by_route_table.items():
            posture = inv.egress.get(subnets[0], Egress.ISOLATED)
            yield about(
                ep,
                f"{len(subnets)} workload subnet(s) use route table {rt_id or '(none)'}, which is not associated "
                f"with the {ep.service_name} gateway endpoint: they {_GAP_EFFECT[posture]}",
                severity=_GAP_SEVERITY[posture],
                key=rt_id,  # one finding per route table the subnets share
                related_ids=(*subnets, rt_id) if rt_id else subnets,
                evidence={
                    "route_table_id": rt_id,
                    "subnet_ids": list(subnets),
                    "egress": str(posture),
                    "endpoint_route_table_ids": list(ep.route_table_ids),
                    "workload_assumed": ep.vpc_id in inv.workload_assumed,
                },
            )


@check(
    "gw-route-missing",
    title="Gateway endpoint route missing or blackholed",
    summary="Fires for each route table an available gateway endpoint is associated with that holds no active route "
    "to the service's prefix list through the endpoint: the route is missing, or AWS reports it as a blackhole.",
    risk="The endpoint names the route table, but traffic follows routes: without an active prefix-list route the "
    "association does nothing, and traffic to the service from subnets on that table takes the default route "
    "(NAT, internet) or is dropped.",
    severity=Severity.HIGH,
    severity_rule="Critical when the route is a blackhole (traffic to the service is dropped now); high when it is "
    "missing (traffic takes another path, or none from isolated subnets).",
    remediation="Disassociate and re-associate the route table with the endpoint so AWS recreates the route.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html",
        "https://docs.aws.amazon.com/vpc/latest/userguide/route-tables-priority.html",
    ),
    category=Category.ROUTING,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=(*ENDPOINTS, Api.DESCRIBE_ROUTE_TABLES, *PREFIX_LISTS),
)
def gw_route_missing(inv: Inventory) -> Iterator[Finding]:
    for ep in _available_gateways(inv):
        if not inv.has(ep.account_id, ep.region, Api.DESCRIBE_ROUTE_TABLES):
            continue
        for rt_id in ep.route_table_ids:
            if rt_id not in inv.route_tables:
                continue
            route = endpoint_route(inv, ep, rt_id)
            if route is not None and route.state == "active":
                continue
            blackhole = route is not None and route.state == "blackhole"
            state = route.state if route else "missing"
            yield about(
                ep,
                f"route table {rt_id} is associated with the {ep.service_name} gateway endpoint but its "
                f"prefix-list route is {state}",
                severity=Severity.CRITICAL if blackhole else Severity.HIGH,
                key=rt_id,
                related_ids=(rt_id,),
                evidence={
                    "route_table_id": rt_id,
                    "route_state": state,
                    "destination": route.destination if route else "",
                },
            )


@check(
    "gw-more-specific-route",
    title="More specific route overrides the gateway endpoint",
    summary="Fires for each route table of an available gateway endpoint that holds a CIDR route, other than the "
    "local route and one to the endpoint itself, equal to or inside one of the service's prefix-list ranges.",
    risk="Longest prefix wins: that part of the service's address space goes to the route's target (an internet "
    "gateway, NAT, a transit gateway) instead of the endpoint, bypassing the endpoint and its policy and adding cost.",
    severity=Severity.MEDIUM,
    severity_rule="Always medium: the service still answers, over another path.",
    remediation="Remove the CIDR route or narrow it so it no longer covers the service's prefix list.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/route-tables-priority.html",
        "https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html",
    ),
    category=Category.ROUTING,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=(*ENDPOINTS, Api.DESCRIBE_ROUTE_TABLES, *PREFIX_LISTS),
)
def gw_more_specific_route(inv: Inventory) -> Iterator[Finding]:
    for ep in _available_gateways(inv):
        pl = inv.gateway_prefix_list(ep)
        if pl is None or not pl.cidrs:
            continue
        for rt_id in ep.route_table_ids:
            table = inv.route_tables.get(rt_id)
            if table is None:
                continue
            overrides = []
            for route in table.routes:
                if not route.cidr or route.target in (ep.id, "local"):
                    continue
                covered = covered_by(route.cidr, pl.cidrs)
                if covered:
                    overrides.append({"destination": route.cidr, "target": route.target, "inside": covered})
            if overrides:
                yield about(
                    ep,
                    f"route table {rt_id} sends "
                    + ", ".join(f"{o['destination']} to {o['target']}" for o in overrides)
                    + f", inside the {ep.service_name} prefix list, away from the gateway endpoint",
                    key=rt_id,
                    related_ids=(rt_id, *sorted({o["target"] for o in overrides})),
                    evidence={"route_table_id": rt_id, "prefix_list_id": pl.id, "routes": overrides},
                )
