"""Gateway endpoints (S3, DynamoDB): the route-table path every workload subnet must take."""

from __future__ import annotations

from collections.abc import Iterator

from vpce_audit.apis import Api
from vpce_audit.checks.registry import about, check
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
    severity=Severity.HIGH,
    title="Workload subnets bypass the gateway endpoint",
    severities="high if the subnets are isolated, medium for nat or tgw, low for public",
    remediation="Associate the subnets' route table with the gateway endpoint.",
)
def gw_rt_gap(inv: Inventory) -> Iterator[Finding]:
    """Only subnets whose effective route table (explicit association, else the VPC's main table) is
    associated with the endpoint use it; the rest follow their default route or fail."""
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
    severity=Severity.HIGH,
    title="Gateway endpoint route missing or blackholed",
    severities="high when the prefix-list route is missing, critical when it is a blackhole",
    remediation="Disassociate and re-associate the route table with the endpoint so AWS recreates the route.",
)
def gw_route_missing(inv: Inventory) -> Iterator[Finding]:
    """The endpoint names the route table, but traffic follows routes: without an active prefix-list route
    to the endpoint, the association does nothing."""
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
                related_ids=(rt_id,),
                evidence={
                    "route_table_id": rt_id,
                    "route_state": state,
                    "destination": route.destination if route else "",
                },
            )


@check(
    "gw-more-specific-route",
    severity=Severity.MEDIUM,
    title="More specific route overrides the gateway endpoint",
    remediation="Remove the CIDR route or narrow it so it no longer covers the service's prefix list.",
)
def gw_more_specific_route(inv: Inventory) -> Iterator[Finding]:
    """Longest prefix wins: a CIDR route equal to or inside one of the service's prefix-list ranges steers
    that traffic to its own target instead of the endpoint."""
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
                    related_ids=(rt_id, *sorted({o["target"] for o in overrides})),
                    evidence={"route_table_id": rt_id, "prefix_list_id": pl.id, "routes": overrides},
                )
