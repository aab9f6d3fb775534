"""If this AZ fails (verdicts/az_loss.py): the components a route table points to, zonal NAT gateways and Gateway
Load Balancer endpoints. Both are gone with their AZ; as when AWS deletes either, every route to them becomes a
blackhole in the view. Nothing else decides what breaks: the subnets using those route tables get their egress
posture re-derived from the view's table (normalize/derive.egress, as the normaliser derives it), and the
packet-path engine, re-run on the view, fails a hop through a blackholed route as it fails any blackhole.

  nat            clients whose DNS bypasses the endpoint (the service's default names resolve to its public
                 addresses in their VPC: private DNS off and no zone for the name, say) reach the service through
                 their default route. A surviving AZ whose workload subnets send 0.0.0.0/0 to a zonal NAT gateway
                 in the lost AZ loses the service (degraded when only some of its subnets do). A regional NAT
                 gateway keeps serving the other AZs and is not removed; a zonal one whose AZ is unknown cannot be
                 told and is not removed either. A VPC whose clients reach the endpoint through DNS does not
                 depend on NAT for that service: it is not asked; nor does a subnet whose table sends the
                 service's prefix list to a gateway endpoint (S3, DynamoDB).
  gwlb-endpoint  the packet path from a client AZ to the endpoint's ENIs goes through a route to a Gateway Load
                 Balancer endpoint in the lost AZ (now a blackhole), or a bypassing client's default route does.
                 The single-component checks gwlb-cross-az / gwlb-missing-az already report a workload AZ routed
                 to another AZ's GWLB endpoint: the loss is their consequence (`consequence_of`).

A return route through a GWLB endpoint is judged the same way (undecided before the loss, a blackhole after).
Not modelled: the hop after the appliance (the GWLB endpoint subnet's own default route, to a NAT gateway that
may live in a third AZ).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Egress, EndpointType, Route, RouteTable
from vpce_audit.normalize.derive import egress as derived_egress
from vpce_audit.verdicts.az_loss import (
    Case,
    Component,
    Effect,
    Impact,
    LostAz,
    ViewEdit,
    public_names,
    register,
)
from vpce_audit.verdicts.network_path import AzPath, Hop, PathStatus

DEFAULT = "0.0.0.0/0"
GONE_NAT_STATES = frozenset({"deleting", "deleted", "failed"})


class RouteLossIndex:
    """Built once per Inventory: the zonal NAT gateways and GWLB endpoints of each AZ, the route tables with an
    active route to one of them, and the subnets whose effective table each of those is."""

    __slots__ = ("gwlbes_by_az", "nats_by_az", "subnets_by_table", "tables_by_target")

    def __init__(self, inv: Inventory) -> None:
        self.nats_by_az: dict[LostAz, list[str]] = {}
        for nat in inv.nat_gateways.values():
            # Regional: spans the VPC's AZs and keeps serving the others. Zonal with no known AZ: not a guess.
            if nat.zonal and len(nat.az_ids) == 1 and nat.state not in GONE_NAT_STATES:
                self.nats_by_az.setdefault(LostAz(nat.region, next(iter(nat.az_ids))), []).append(nat.id)
        self.gwlbes_by_az: dict[LostAz, list[str]] = {}
        for ep in inv.endpoints_of(EndpointType.GATEWAY_LOAD_BALANCER):
            azs = gwlbe_azs(inv, ep.id)
            if len(azs) == 1:  # a GWLB endpoint lives in one subnet
                self.gwlbes_by_az.setdefault(LostAz(ep.region, next(iter(azs))), []).append(ep.id)
        targets = {t for ids in (*self.nats_by_az.values(), *self.gwlbes_by_az.values()) for t in ids}
        self.tables_by_target: dict[str, list[str]] = {}
        for table in inv.route_tables.values():
            for r in table.routes:
                if r.target in targets and r.state == "active":
                    self.tables_by_target.setdefault(r.target, []).append(table.id)
        wanted = {t for ts in self.tables_by_target.values() for t in ts}
        self.subnets_by_table: dict[str, list[str]] = {}
        for s, t in inv.effective_route_table.items():
            if t in wanted:
                self.subnets_by_table.setdefault(t, []).append(s)

    @classmethod
    def of(cls, inv: Inventory) -> RouteLossIndex:
        return inv.derived.of(cls, lambda: cls(inv))


def gwlbe_azs(inv: Inventory, ep_id: str) -> frozenset[str]:
    """A GWLB endpoint's AZ IDs: its ENIs', else its subnets' (as gwlb-cross-az reads them)."""
    ep = inv.endpoints[ep_id]
    return inv.endpoint_az_ids(ep) or frozenset(
        inv.subnets[s].az_id for s in ep.subnet_ids if s in inv.subnets and inv.subnets[s].az_id
    )


def _blackhole(edit: ViewEdit, gone: set[str]) -> None:
    """Every active route to what is gone becomes a blackhole in the view; the subnets using those tables get
    their egress posture re-derived, and the endpoints whose paths they may carry are re-judged."""
    index = RouteLossIndex.of(edit.inv)
    table_ids = sorted({t for g in gone for t in index.tables_by_target.get(g, ())})
    if not table_ids:
        return
    tables = edit.mapping("route_tables")
    egress = edit.mapping("egress")
    for table_id in table_ids:
        table: RouteTable = tables[table_id]
        routes = tuple(
            replace(r, state="blackhole") if r.target in gone and r.state == "active" else r for r in table.routes
        )
        tables[table_id] = table = replace(table, routes=routes)
        # VPC Block Public Access only ever takes a way out away: a table the view leaves with no way out is
        # isolated whatever BPA says, and one that keeps its default route keeps the posture normalize gave it.
        if derived_egress(table) is Egress.ISOLATED:
            for s in index.subnets_by_table.get(table_id, ()):
                egress[s] = Egress.ISOLATED
        # Its VPC's clients' paths (forward routes) and its VPC's own endpoints' (return routes) may change.
        edit.endpoints.update(
            edit.index.clients_of_vpc.get(table.vpc_id, ()), edit.index.endpoints_of_vpc.get(table.vpc_id, ())
        )


def _default_route(table: RouteTable | None) -> Route | None:
    return None if table is None else next((r for r in table.routes if r.cidr == DEFAULT), None)


def _az_subnets(inv: Inventory, vpc_id: str, az_id: str) -> list[str]:
    return [s for s in inv.workload_subnets.get(vpc_id, ()) if s in inv.subnets and inv.subnets[s].az_id == az_id]


def _egress_loss(case: Case, kind: Component, what: str) -> tuple[Effect, list[tuple[str, str, str]]] | None:
    """A bypassing client's public path: the workload subnets of its AZ whose default route went to something
    gone, and which the view's re-derived egress leaves isolated. Returns the effect and (subnet, table, target)
    of each cut subnet."""
    gone = case.edit.removed_of(kind)
    if not gone:
        return None  # asked about every client of every re-judged endpoint: the cheap test first
    names = public_names(case.inv, case.endpoint, case.before)
    if not names:
        return None
    inv, view = case.inv, case.view
    gateways = _gateway_endpoints(inv, case.before.vpc_id, case.endpoint.service_name)
    had: list[str] = []  # subnets with a way out before the loss
    cut: list[tuple[str, str, str]] = []
    for s in _az_subnets(inv, case.before.vpc_id, case.workload_az_id):
        table = inv.route_tables.get(inv.effective_route_table.get(s, ""))
        if table is not None and _through_gateway(table, gateways):
            had.append(s)  # S3 or DynamoDB by the table's gateway endpoint (regional): not the default route
            continue
        if inv.egress.get(s) in (None, Egress.ISOLATED):
            continue  # no public path to lose
        had.append(s)
        route = _default_route(table)
        if table is not None and route is not None and route.target in gone and view.egress.get(s) is Egress.ISOLATED:
            cut.append((s, table.id, route.target))
    if not cut:
        return None
    targets = sorted({t for _, _, t in cut})
    left = len(had) - len(cut)
    routes = "; ".join(f"{table} of {s} sends {DEFAULT} -> {t}" for s, table, t in cut[:3])
    more = f" (+{len(cut) - 3} more)" if len(cut) > 3 else ""
    effect = Effect(
        Impact.LOST if not left else Impact.DEGRADED,
        kind,
        left / len(had),
        (
            f"{case.lost.az_id} lost: {what} {', '.join(_placed(inv, t) for t in targets)} in {case.lost.az_id} gone",
            f"route table {routes}{more}: a blackhole in the view, so egress is isolated ({left} of {len(had)} "
            f"workload subnet(s) of {case.before.vpc_id} in {case.workload_az_id} keep a way out)",
            f"{case.before.vpc_id} resolves {', '.join(names)} to the public addresses of {case.endpoint.service_name}"
            f" (its DNS bypasses {case.endpoint.id}): its workloads reach the service only by that default route",
        ),
    )
    return effect, cut


def _placed(inv: Inventory, target: str) -> str:
    """A NAT gateway or GWLB endpoint with the subnet that places it in its AZ."""
    nat = inv.nat_gateways.get(target)
    ep = inv.endpoints.get(target)
    subnets = [nat.subnet_id] if nat is not None else list(ep.subnet_ids) if ep is not None else []
    subnets = [x for x in subnets if x]
    return f"{target} ({', '.join(subnets)})" if subnets else target


def _gateway_endpoints(inv: Inventory, vpc_id: str, service_name: str) -> frozenset[str]:
    """The VPC's gateway endpoints of the same service (S3, DynamoDB): the public addresses go their way."""
    return frozenset(e.id for e in inv.endpoints_in(vpc_id, EndpointType.GATEWAY) if e.service_name == service_name)


def _through_gateway(table: RouteTable, gateways: frozenset[str]) -> bool:
    """The table sends the service's prefix list to one of them (the route AWS adds to each associated table):
    more specific than the default route, so the service's public addresses never reach the NAT gateway."""
    return bool(gateways) and any(
        r.prefix_list_id and r.target in gateways and r.state == "active" for r in table.routes
    )


class NatGateways:
    kind = Component.NAT_GATEWAY
    judges_bypass = True

    def apply(self, edit: ViewEdit) -> None:
        gone = RouteLossIndex.of(edit.inv).nats_by_az.get(edit.lost, [])
        if not gone:
            return
        nats = edit.mapping("nat_gateways")
        for nat_id in gone:
            nats.pop(nat_id, None)
        edit.remove(self.kind, *gone)
        _blackhole(edit, set(gone))

    def assess(self, case: Case) -> Effect | None:
        found = _egress_loss(case, self.kind, "zonal NAT gateway(s)")
        return found[0] if found else None


class GwlbEndpoints:
    kind = Component.GWLB_ENDPOINT
    judges_bypass = True

    def apply(self, edit: ViewEdit) -> None:
        gone = RouteLossIndex.of(edit.inv).gwlbes_by_az.get(edit.lost, [])
        if not gone:
            return
        endpoints = edit.mapping("endpoints")
        enis = edit.mapping("enis")
        for ep_id in gone:
            ep = endpoints.pop(ep_id)
            for eni in ep.eni_ids:
                enis.pop(eni, None)
        edit.remove(self.kind, *gone)
        _blackhole(edit, set(gone))

    def assess(self, case: Case) -> Effect | None:
        gone = case.edit.removed_of(self.kind)
        if not gone:
            return None
        effects: list[Effect] = []
        path = self._packet_path(case, gone)
        if path is not None:
            effects.append(path)
        public = _egress_loss(case, self.kind, "Gateway Load Balancer endpoint(s)")
        if public is not None:
            effect, cut = public
            effects.append(replace(effect, consequence_of=_gwlb_checks(case, [(t, g) for _, t, g in cut])))
        return max(effects, key=lambda e: e.impact is Impact.LOST) if effects else None

    def _packet_path(self, case: Case, gone: frozenset[str]) -> Effect | None:
        """The packet path to the endpoint's ENIs fails, in the view, at a route to a removed GWLB endpoint.
        Before the loss such a hop is undecided (the path beyond the appliance is not modelled): the loss is
        still certain, as the route now leads nowhere."""
        before, after = case.net_before, case.net_after
        if after is None or (before is not None and before.status is PathStatus.UNREACHABLE):
            return None
        failed = [(h, t) for r in after.results if r.ok is False for h in r.path.failed if (t := _target(h)) in gone]
        if not failed:
            return None
        enis = _usable(before) if before is not None else set()
        usable = _usable(after) & enis
        tables = sorted({(str(dict(h.evidence).get("route_table_id", "")), t) for h, t in failed})
        shown = sorted({f"{h.hop}: {h.detail}" for h, _ in failed})
        return Effect(
            Impact.DEGRADED if usable else Impact.LOST,
            self.kind,
            len(usable) / len(enis) if enis else 0.0,
            (
                f"{case.lost.az_id} lost: Gateway Load Balancer endpoint(s) {', '.join(sorted({t for _, t in failed}))}"
                f" in {case.lost.az_id} gone; routes to them are blackholes",
                f"from {case.before.vpc_id} in {case.workload_az_id} the packet path to {case.endpoint.id} is "
                f"{after.status} (was {before.status if before else 'not judged'}): "
                + "; ".join(shown[:3])
                + (f" (+{len(shown) - 3} more)" if len(shown) > 3 else ""),
            ),
            consequence_of=_gwlb_checks(case, tables),
        )


def _target(hop: Hop) -> str:
    route = dict(hop.evidence).get("route")
    return str(route.get("target", "")) if isinstance(route, dict) else ""


def _usable(path: AzPath) -> set[str]:
    """ENIs no client subnet of the AZ fails to reach (undecided counts as usable: it was not known broken)."""
    results = path.results
    return {r.eni_id for r in results} - {r.eni_id for r in results if r.ok is False}


def _gwlb_checks(case: Case, tables: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """The single-component check that already reports each (route table, GWLB endpoint): the table is a
    workload subnet's of this VPC in the workload AZ, routed to a GWLB endpoint of another AZ. gwlb-cross-az
    when the VPC has an endpoint of the same service in the workload AZ, gwlb-missing-az when not. Empty when
    any failing table is not one those checks look at (a transit gateway attachment subnet's, say)."""
    inv = case.inv
    own = {inv.effective_route_table.get(s) for s in _az_subnets(inv, case.before.vpc_id, case.workload_az_id)}
    found: set[str] = set()
    for table_id, target in tables:
        ep = inv.endpoints.get(target)
        if table_id not in own or ep is None or case.workload_az_id in gwlbe_azs(inv, target):
            return ()
        local = any(
            other.service_name == ep.service_name and case.workload_az_id in inv.endpoint_az_ids(other)
            for other in inv.endpoints_in(ep.vpc_id, EndpointType.GATEWAY_LOAD_BALANCER)
        )
        found.add("gwlb-cross-az" if local else "gwlb-missing-az")
    return tuple(sorted(found))


# Ahead of the packet path: where a route to a removed GWLB endpoint explains the failure, it is named.
register(NatGateways(), before=Component.TGW_ATTACHMENT)
register(GwlbEndpoints(), before=Component.TGW_ATTACHMENT)
