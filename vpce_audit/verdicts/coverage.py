"""Per-endpoint verdicts: which AZs an interface endpoint covers, which subnets reach a gateway endpoint.

Computed in one place so the checks, the table and the JSON all say the same thing; a verdict that could not
be decided says `unknown` and why, instead of guessing from partial data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Endpoint, EndpointType, Route
from vpce_audit.verdicts.spokes import spokes

UNKNOWN = "unknown"
KNOWN = "known"
# The table's and the HTML's short marker for a known verdict whose spokes may be incomplete.
SPOKES_UNKNOWN_MARK = "spokes unknown (see spokes_unknown)"


@dataclass(frozen=True, slots=True)
class AzCoverage:
    status: str
    covered: frozenset[str] = frozenset()
    workload: frozenset[str] = frozenset()
    service: frozenset[str] = frozenset()
    reason: str = ""
    workload_assumed: bool = False
    # AZs of VPCs whose clients reach this endpoint through a private hosted zone (a hub's spokes): part of
    # `workload`, so an ENI serving only spokes is not idle and a hub missing a spoke's AZ is a gap.
    spoke_workload: frozenset[str] = frozenset()
    # Non-empty when other spokes may exist (an input that reveals them was not collected, see verdicts/spokes.py):
    # `workload` is then a lower bound, so `missing` may lack AZs and an AZ that looks idle may serve spokes.
    spokes_unknown: str = ""
    # A cross-region endpoint (issue 15): the region hosting the service. `service` then holds that region's
    # AZ IDs (or nothing when they could not be read), which name other zones than ours: they never limit
    # which local AZs the endpoint should cover.
    service_region: str = ""
    # False for resource and service-network endpoints (issue 15): no service AZs are published for them, so
    # every workload AZ is one the endpoint should cover.
    service_bounded: bool = True

    @property
    def reachable(self) -> frozenset[str]:
        """Workload AZs the service is offered in: the AZs this endpoint should cover. For a cross-region
        endpoint every workload AZ: the service is reached through the local ENIs wherever it runs."""
        if self.service_region or not self.service_bounded:
            return self.workload
        return self.workload & self.service

    @property
    def missing(self) -> frozenset[str]:
        return self.reachable - self.covered

    @property
    def tolerated_az_failures(self) -> int:
        # With ENIs in k AZs, any k-1 of them can fail and clients still reach one.
        return max(len(self.covered) - 1, 0)

    def to_dict(self) -> dict[str, Any]:
        if self.status == UNKNOWN:
            return {"status": UNKNOWN, "reason": self.reason}
        return {
            "status": KNOWN,
            "covered": sorted(self.covered),
            "workload": sorted(self.workload),
            "service": sorted(self.service),
            "missing": sorted(self.missing),
            "tolerated_az_failures": self.tolerated_az_failures,
            "workload_assumed": self.workload_assumed,
        } | (
            ({"spoke_workload": sorted(self.spoke_workload)} if self.spoke_workload else {})
            | ({"spokes_unknown": self.spokes_unknown} if self.spokes_unknown else {})
            | ({"service_region": self.service_region} if self.service_region else {})
            | ({"service_bounded": False} if not self.service_bounded else {})
        )


@dataclass(frozen=True, slots=True)
class RouteCoverage:
    status: str
    covered_subnets: tuple[str, ...] = ()
    missing_subnets: tuple[str, ...] = ()
    reason: str = ""
    # route table -> workload subnets using it that miss the endpoint
    missing_by_route_table: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        if self.status == UNKNOWN:
            return {"status": UNKNOWN, "reason": self.reason}
        return {
            "status": KNOWN,
            "covered_subnets": list(self.covered_subnets),
            "missing_subnets": list(self.missing_subnets),
        }


def _missing_data(inv: Inventory, ep: Endpoint, *apis: Api) -> str:
    absent = [api for api in apis if not inv.has(ep.account_id, ep.region, api)]
    return "not collected: " + ", ".join(absent) if absent else ""


class CoverageIndex:
    """AZ coverage by endpoint, kept with the Inventory (Inventory.derived): the report and four checks ask for
    every endpoint, and the spoke part walks DNS."""

    __slots__ = ("az",)

    def __init__(self) -> None:
        self.az: dict[Endpoint, AzCoverage] = {}

    @classmethod
    def of(cls, inv: Inventory) -> CoverageIndex:
        return inv.derived.of(cls, cls)


def az_coverage(inv: Inventory, ep: Endpoint) -> AzCoverage:
    by_endpoint = CoverageIndex.of(inv).az
    found = by_endpoint.get(ep)
    if found is None:
        found = by_endpoint[ep] = _az_coverage(inv, ep)
    return found


def _az_coverage(inv: Inventory, ep: Endpoint) -> AzCoverage:
    if ep.type in (EndpointType.RESOURCE, EndpointType.SERVICE_NETWORK):
        return _lattice_coverage(inv, ep)
    if ep.cross_region:
        return _cross_region_coverage(inv, ep)
    reason = _missing_data(
        inv, ep, Api.DESCRIBE_NETWORK_INTERFACES, Api.DESCRIBE_SUBNETS, Api.DESCRIBE_VPC_ENDPOINT_SERVICES
    )
    if reason:
        return AzCoverage(UNKNOWN, reason=reason)
    service = inv.service_of(ep)
    if service is None or not service.az_ids:
        return AzCoverage(UNKNOWN, reason=f"service {ep.service_name} was not described by AWS: its AZs are unknown")
    unplaced = _without_az_id(inv, ep)
    if unplaced:
        return AzCoverage(UNKNOWN, reason="AZ ID unknown for " + ", ".join(unplaced))
    found = spokes(inv, ep)
    return AzCoverage(
        KNOWN,
        # An endpoint that is not available carries no traffic: its ENIs cover nothing.
        covered=inv.endpoint_az_ids(ep) if ep.available else frozenset(),
        workload=inv.workload_az_ids(ep.vpc_id) | found.az_ids,
        service=service.az_ids,
        workload_assumed=ep.vpc_id in inv.workload_assumed,
        spoke_workload=found.az_ids,
        spokes_unknown=found.unknown,
    )


def _lattice_coverage(inv: Inventory, ep: Endpoint) -> AzCoverage:
    """Resource and service-network endpoints: ENIs per subnet like an interface endpoint, judged against the
    VPC's workload AZs (their names are not private DNS of an AWS service, so no spoke reaches them through a
    zone this version models)."""
    reason = _missing_data(inv, ep, Api.DESCRIBE_NETWORK_INTERFACES, Api.DESCRIBE_SUBNETS)
    if reason:
        return AzCoverage(UNKNOWN, reason=reason)
    unplaced = _without_az_id(inv, ep)
    if unplaced:
        return AzCoverage(UNKNOWN, reason="AZ ID unknown for " + ", ".join(unplaced))
    return AzCoverage(
        KNOWN,
        covered=inv.endpoint_az_ids(ep) if ep.available else frozenset(),
        workload=inv.workload_az_ids(ep.vpc_id),
        workload_assumed=ep.vpc_id in inv.workload_assumed,
        service_bounded=False,
    )


def _cross_region_coverage(inv: Inventory, ep: Endpoint) -> AzCoverage:
    """The local ENIs against the local workload AZs only: the service's AZ IDs belong to its own region, so
    intersecting them with ours would compare different zones that happen to share nothing but a format."""
    reason = _missing_data(inv, ep, Api.DESCRIBE_NETWORK_INTERFACES, Api.DESCRIBE_SUBNETS)
    if reason:
        return AzCoverage(UNKNOWN, reason=reason)
    unplaced = _without_az_id(inv, ep)
    if unplaced:
        return AzCoverage(UNKNOWN, reason="AZ ID unknown for " + ", ".join(unplaced))
    service = inv.service_of(ep)
    found = spokes(inv, ep)
    return AzCoverage(
        KNOWN,
        covered=inv.endpoint_az_ids(ep) if ep.available else frozenset(),
        workload=inv.workload_az_ids(ep.vpc_id) | found.az_ids,
        service=service.az_ids if service is not None else frozenset(),
        workload_assumed=ep.vpc_id in inv.workload_assumed,
        spoke_workload=found.az_ids,
        spokes_unknown=found.unknown,
        service_region=ep.service_region,
    )


def _without_az_id(inv: Inventory, ep: Endpoint) -> list[str]:
    """Workload subnets and endpoint ENIs whose AZ ID could not be read. Judged anyway, such a subnet counts
    as a workload AZ named '' and such an ENI drops out of the covered AZs: both raise findings from data
    that was never there."""
    subnets = [s for s in inv.workload_subnets.get(ep.vpc_id, ()) if s in inv.subnets and not inv.subnets[s].az_id]
    enis = [e for e in ep.eni_ids if e in inv.enis and not inv.enis[e].az_id]
    return sorted(subnets) + sorted(enis)


def sibling_gateways(inv: Inventory, ep: Endpoint) -> list[Endpoint]:
    """Every available gateway endpoint for the same service in the VPC (ep included): any of them serves."""
    return [
        other
        for other in inv.endpoints_in(ep.vpc_id, EndpointType.GATEWAY)
        if other.service_name == ep.service_name and other.available
    ]


def gateway_route_tables(inv: Inventory, ep: Endpoint) -> frozenset[str]:
    return frozenset(rt for other in sibling_gateways(inv, ep) for rt in other.route_table_ids)


def endpoint_route(inv: Inventory, ep: Endpoint, rt_id: str) -> Route | None:
    """The prefix-list route in this table that sends the service's traffic to the endpoint, if any."""
    pl = inv.gateway_prefix_list(ep)
    for route in inv.route_tables[rt_id].routes:
        if route.target == ep.id and route.prefix_list_id and (pl is None or route.prefix_list_id == pl.id):
            return route
    return None


def route_coverage(inv: Inventory, ep: Endpoint) -> RouteCoverage:
    reason = _missing_data(inv, ep, Api.DESCRIBE_NETWORK_INTERFACES, Api.DESCRIBE_SUBNETS, Api.DESCRIBE_ROUTE_TABLES)
    if reason:
        return RouteCoverage(UNKNOWN, reason=reason)
    tables = gateway_route_tables(inv, ep)
    routed = {rt for rt in tables if rt in inv.route_tables and _routes_to_service(inv, ep, rt)}
    covered: list[str] = []
    unrouted: list[str] = []
    missing: dict[str, list[str]] = {}
    for subnet_id in inv.workload_subnets.get(ep.vpc_id, ()):
        rt = inv.effective_route_table.get(subnet_id)
        if rt in routed:
            covered.append(subnet_id)
        elif rt in tables:
            unrouted.append(subnet_id)  # associated, but the route is gone or a blackhole: gw-route-missing's
        else:
            missing.setdefault(rt or "", []).append(subnet_id)
    return RouteCoverage(
        KNOWN,
        covered_subnets=tuple(sorted(covered)),
        missing_subnets=tuple(sorted(unrouted + [s for subnets in missing.values() for s in subnets])),
        missing_by_route_table={rt: tuple(sorted(s)) for rt, s in sorted(missing.items())},
    )


def _routes_to_service(inv: Inventory, ep: Endpoint, rt_id: str) -> bool:
    """An active prefix-list route to any of the service's gateway endpoints in the VPC."""
    routes = (endpoint_route(inv, other, rt_id) for other in sibling_gateways(inv, ep))
    return any(route is not None and route.state == "active" for route in routes)
