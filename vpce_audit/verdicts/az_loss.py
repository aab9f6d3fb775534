"""If this AZ fails: the impact of losing each Availability Zone, found by re-running the verdict engines on a
view of the Inventory in which that AZ's components are gone.

For every AZ ID in scope (per region: an AZ ID names the same physical AZ in every account, so one loss hits
every scanned account of the region at once) the simulation builds a *view*: a dataclasses.replace copy of the
Inventory with filtered maps. Its `derived` starts empty, so the DNS engine and the AZ coverage verdict build
their own indexes for the view and answer as they would for an estate where that AZ does not exist. No separate
rule set decides what breaks: the engines do; the components below only remove things and then say which of
their removals explains a difference between the real verdict and the view's.

Components (LOSS_COMPONENTS, in the order their explanations are preferred):
  resolver-endpoint  Resolver endpoint addresses in the AZ stop answering (an address's AZ is its subnet's,
                     found by CIDR: the model has no subnet for them); DHCP option sets drop them, so clients
                     fall over to the remaining servers, or have none
  zonal-record       the endpoint's zonal DNS names for the AZ fail: a record aliasing one becomes dangling
  static-ip-record   literal IPs of ENIs in the AZ no longer answer; the part of the answer left is reported
  endpoint-eni       endpoint ENIs in the AZ stop answering (AWS drops them from the endpoint's own names)
  nat                zonal NAT gateways in the AZ are gone (regional ones keep serving the other AZs): routes
                     to them become blackholes and the subnets using them have their egress re-derived; clients
                     whose DNS bypasses the endpoint (the service's names resolve to its public addresses)
                     lose the service where their default route went through one (az_loss_routes.py)
  gwlb-endpoint      Gateway Load Balancer endpoints in the AZ are gone: routes to them become blackholes, so
                     the packet-path engine fails a hop through one, and bypassing clients whose default route
                     went through one lose the service (az_loss_routes.py)
  tgw-attachment,    transit gateway VPC attachment subnets in the AZ carry nothing; the packet-path engine is
  packet-path        re-run on the view, so what the DNS answer still names may no longer be reachable from a
                     client AZ (e.g. the ENIs left are in AZs the hub attachment does not cover)
Gateway endpoints are regional: unaffected.

The clients judged are the VPCs on the endpoint's DNS path that reach it. A VPC on that path whose default names
resolve publicly instead (it bypasses the endpoint) is asked about only by the components marked
`judges_bypass` (NAT gateways, GWLB endpoints: what carries its public path), and is listed only when one of
them finds an impact: such a VPC is a client of the service, not of the endpoint.

Cost: one index (AzLossIndex) is built once; each AZ's view re-runs the engines only for the endpoints that
have something in that AZ, or whose client VPCs ask a Resolver address in it, and starts from what the loss
cannot change: the record targets that name no endpoint (dns/targets.py: inherit_targets) and the subnet paths
(network_path.py: inherit_pairs) of a view whose routing is the Inventory's, within a VPC only when transit
gateway attachments changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any, Protocol

from vpce_audit.apis import Api
from vpce_audit.dns.candidates import endpoint_private_names
from vpce_audit.dns.forwarding import forward_targets, rule_clients
from vpce_audit.dns.kinds import Mode, Outcome
from vpce_audit.dns.names import zonal_az_name
from vpce_audit.dns.path import VpcPath, dns_path
from vpce_audit.dns.resolve import resolve
from vpce_audit.dns.resolver import resolver_context
from vpce_audit.dns.targets import endpoint_ips, inherit_targets
from vpce_audit.model.cidr import holds_ip
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Egress, Endpoint, EndpointType
from vpce_audit.verdicts.coverage import KNOWN, AzCoverage, az_coverage
from vpce_audit.verdicts.network_path import AzPath, PathStatus, VpcNetPath, inherit_pairs, network_path


class Component(StrEnum):
    """What, in the lost AZ, takes a service from clients elsewhere."""

    RESOLVER_ENDPOINT = "resolver-endpoint"
    ZONAL_RECORD = "zonal-record"
    STATIC_IP_RECORD = "static-ip-record"
    ENDPOINT_ENI = "endpoint-eni"
    TGW_ATTACHMENT = "tgw-attachment"  # the packet path fails at an attachment
    PACKET_PATH = "packet-path"  # the packet path fails elsewhere once the AZ's ENIs are gone
    DNS_PATH = "dns-path"  # the DNS engine's view differs and no component claims why (never expected)
    # Route-table components (az_loss_routes.py): what a client's route points to is gone with the AZ.
    NAT_GATEWAY = "nat"
    GWLB_ENDPOINT = "gwlb-endpoint"


class Impact(StrEnum):
    UNAFFECTED = "unaffected"
    DEGRADED = "degraded"  # some addresses in the answer no longer answer
    LOST = "lost"


_RANK = {Impact.UNAFFECTED: 0, Impact.DEGRADED: 1, Impact.LOST: 2}


@dataclass(frozen=True, slots=True, order=True)
class LostAz:
    region: str
    az_id: str


# What a view may change and still route packets exactly as the Inventory does.
_NETWORK_NEUTRAL = frozenset({"enis", "endpoints", "dhcp_options"})


@dataclass
class ViewEdit:
    """The changes the components make to one Inventory for one lost AZ, and what each removed. Maps are
    copied on first change, so an AZ that holds nothing costs nothing."""

    inv: Inventory
    lost: LostAz
    index: AzLossIndex
    fields: dict[str, dict[Any, Any]] = field(default_factory=dict)
    nested: dict[str, dict[str, dict[Any, Any]]] = field(default_factory=dict)  # "dns" / "network" -> maps
    removed: dict[Component, set[str]] = field(default_factory=dict)
    endpoints: set[str] = field(default_factory=set)  # endpoints whose verdicts the changes may alter

    def mapping(self, name: str) -> dict[Any, Any]:
        if name not in self.fields:
            self.fields[name] = dict(getattr(self.inv, name))
        return self.fields[name]

    def dns_mapping(self, name: str) -> dict[Any, Any]:
        return self.nested_mapping("dns", name)

    def nested_mapping(self, section: str, name: str) -> dict[Any, Any]:
        maps = self.nested.setdefault(section, {})
        if name not in maps:
            maps[name] = dict(getattr(getattr(self.inv, section), name))
        return maps[name]

    def remove(self, component: Component, *ids: str) -> None:
        self.removed.setdefault(component, set()).update(ids)

    def routing_unchanged(self) -> bool:
        """The view's subnets, route tables, NACLs and network section are the Inventory's own, but for transit
        gateway attachment subnets: the changes took only those, endpoints' ENIs and names, Resolver addresses
        and DHCP servers away."""
        network = set(self.nested.get("network", ()))
        return (
            set(self.fields) <= _NETWORK_NEUTRAL
            and set(self.nested) <= {"dns", "network"}
            and network <= {"attachments"}
        )

    def removed_of(self, component: Component) -> frozenset[str]:
        return frozenset(self.removed.get(component, ()))

    def build(self) -> Inventory:
        changes: dict[str, Any] = dict(self.fields)
        if "enis" in changes:
            changes["endpoint_enis"] = frozenset(e for e in self.inv.endpoint_enis if e in changes["enis"])
        for section, maps in self.nested.items():
            old = getattr(self.inv, section)
            stored_section = vars(old)
            kept_section = {f.name: stored_section[f.name] for f in fields(old) if f.name not in maps}
            changes[section] = type(old)(**kept_section, **maps)
        # Unchanged fields are carried over from the instance's storage, not read: handing a map to the view is
        # not depending on it (the view's engines read what they need, and the catalogue probe sees those reads).
        stored = vars(self.inv)
        kept = {f.name: stored[f.name] for f in fields(Inventory) if f.init and f.name not in changes}
        return type(self.inv)(**kept, **changes)


@dataclass(frozen=True, slots=True)
class Case:
    """One client VPC's workloads in one surviving AZ, of one endpoint, before the loss and in the view. Per
    workload AZ because a packet-path component's answer differs by the client's AZ (its attachment subnet,
    its inspection endpoint); the DNS components answer alike for every AZ of a VPC."""

    lost: LostAz
    endpoint: Endpoint  # as in the real Inventory
    workload_az_id: str
    before: VpcPath
    after: VpcPath | None  # the same VPC's path in the view
    coverage_before: AzCoverage
    coverage_after: AzCoverage
    inv: Inventory
    view: Inventory
    edit: ViewEdit
    # The packet path from this VPC's workloads in this AZ, before and in the view (None: not a client there)
    net_before: AzPath | None = None
    net_after: AzPath | None = None


@dataclass(frozen=True, slots=True)
class Effect:
    impact: Impact
    component: Component
    usable_fraction: float  # of the endpoint's addresses in the DNS answer, those still usable
    evidence: tuple[str, ...]  # the chain, from the lost AZ to the client
    consequence_of: tuple[str, ...] = ()  # set by components that know it better than _CONSEQUENCE's rules


class LossComponent(Protocol):
    """One kind of thing an AZ holds. `apply` removes this AZ's share of it from the view; `assess` says
    whether, for one client VPC, its removal explains a loss or degradation the engines found. A component may
    also set `judges_bypass = True`: it is then asked about VPCs whose DNS bypasses the endpoint too."""

    kind: Component

    def apply(self, edit: ViewEdit) -> None: ...

    def assess(self, case: Case) -> Effect | None: ...


LOSS_COMPONENTS: list[LossComponent] = []


def register(component: LossComponent, *, before: Component | None = None) -> LossComponent:
    """Add a component: the simulation applies it to every view and asks it about every client. `before`
    places it ahead of the component of that kind: where two explain a loss alike, the first is preferred.
    A component with `judges_bypass = True` is also asked about VPCs whose DNS bypasses the endpoint."""
    kinds = [c.kind for c in LOSS_COMPONENTS]
    LOSS_COMPONENTS.insert(kinds.index(before) if before in kinds else len(kinds), component)
    return component


# --- the index, built once --------------------------------------------------------------------------------


class AzLossIndex:
    """Where everything an AZ loss removes lives, by (region, AZ ID), and which endpoints each VPC is a
    client of: built once per Inventory, so a view only touches what its AZ holds."""

    __slots__ = (
        "attachments_by_az",
        "az_ids",
        "az_name_to_id",
        "clients_of_vpc",
        "endpoints_of_vpc",
        "enis_by_az",
        "inbound_by_az",
        "rule_targets",
        "vpcs_by_server",
    )

    def __init__(self, inv: Inventory) -> None:
        self.az_ids: set[LostAz] = set()
        self.az_name_to_id: dict[tuple[str, str, str], str] = {}  # (account, region, AZ name) -> AZ ID
        for s in inv.subnets.values():
            if s.az_id:
                self.az_ids.add(LostAz(s.region, s.az_id))
                self.az_name_to_id[(s.account_id, s.region, s.az_name)] = s.az_id
        # endpoint ENIs by AZ: (endpoint id, ENI id)
        self.enis_by_az: dict[LostAz, list[tuple[str, str]]] = {}
        for ep in inv.endpoints_of(EndpointType.INTERFACE):
            for e in ep.eni_ids:
                eni = inv.enis.get(e)
                if eni is not None and eni.az_id:
                    self.enis_by_az.setdefault(LostAz(ep.region, eni.az_id), []).append((ep.id, e))
        # Resolver endpoint addresses by AZ: the model has no subnet for them, so the subnet of the host VPC
        # whose CIDR holds the address decides.
        self.inbound_by_az: dict[LostAz, list[tuple[str, str]]] = {}
        by_vpc: dict[str, list[str]] = {}
        for s_id, s in inv.subnets.items():
            by_vpc.setdefault(s.vpc_id, []).append(s_id)
        for rep_id, rep in sorted(inv.dns.resolver_endpoints.items()):
            for ip in rep.ips or ():
                subnet = next(
                    (inv.subnets[s] for s in by_vpc.get(rep.vpc_id, ()) if holds_ip(ip, (inv.subnets[s].cidr,))), None
                )
                if subnet is not None and subnet.az_id:
                    self.inbound_by_az.setdefault(LostAz(subnet.region, subnet.az_id), []).append((rep_id, ip))
        self.vpcs_by_server: dict[str, set[str]] = {}  # address -> VPCs whose DHCP options name it
        for vpc in inv.vpcs.values():
            options = inv.dhcp_options.get(vpc.dhcp_options_id)
            for server in options.dns_servers if options else ():
                self.vpcs_by_server.setdefault(server, set()).add(vpc.id)
        # ... and the addresses the forwarding rules associated with a VPC send its queries to: a spoke through
        # forwarding asks the hub's inbound endpoint there, not its DHCP servers
        self.rule_targets: dict[str, set[str]] = {}  # VPC -> those addresses
        for rule_id, vpcs in rule_clients(inv).items():
            for target in forward_targets(inv, inv.dns.rules[rule_id]):
                self.vpcs_by_server.setdefault(target.ip, set()).update(vpcs)
                for vpc_id in vpcs:
                    self.rule_targets.setdefault(vpc_id, set()).add(target.ip)
        self.clients_of_vpc: dict[str, set[str]] = {}  # VPC -> interface endpoints whose DNS path lists it
        self.endpoints_of_vpc: dict[str, set[str]] = {}  # VPC -> its own interface endpoints
        for ep in inv.endpoints_of(EndpointType.INTERFACE):
            self.endpoints_of_vpc.setdefault(ep.vpc_id, set()).add(ep.id)
            for path in dns_path(inv, ep).vpcs:
                self.clients_of_vpc.setdefault(path.vpc_id, set()).add(ep.id)
        # transit gateway VPC attachment subnets by AZ: (attachment id, subnet id)
        self.attachments_by_az: dict[LostAz, list[tuple[str, str]]] = {}
        for att in inv.network.attachments.values():
            for s_id in att.subnet_ids or ():
                subnet = inv.subnets.get(s_id)
                if subnet is not None and subnet.az_id:
                    self.attachments_by_az.setdefault(LostAz(subnet.region, subnet.az_id), []).append((att.id, s_id))

    @classmethod
    def of(cls, inv: Inventory) -> AzLossIndex:
        return inv.derived.of(cls, lambda: cls(inv))


# --- the components available on main ---------------------------------------------------------------------


class ResolverEndpoints:
    kind = Component.RESOLVER_ENDPOINT

    def apply(self, edit: ViewEdit) -> None:
        lost = edit.index.inbound_by_az.get(edit.lost, [])
        if not lost:
            return
        gone = {ip for _, ip in lost}
        reps = edit.dns_mapping("resolver_endpoints")
        for rep_id in sorted({r for r, _ in lost}):
            rep = reps[rep_id]
            reps[rep_id] = replace(rep, ips=tuple(ip for ip in rep.ips or () if ip not in gone))
        # Clients stop getting answers from these servers: they ask the others of their option set, if any.
        options = edit.mapping("dhcp_options")
        for opt_id, opt in list(options.items()):
            if gone & set(opt.dns_servers):
                options[opt_id] = replace(opt, dns_servers=tuple(s for s in opt.dns_servers if s not in gone))
        edit.remove(self.kind, *gone)
        for ip in gone:
            for vpc in edit.index.vpcs_by_server.get(ip, ()):
                edit.endpoints.update(edit.index.clients_of_vpc.get(vpc, ()))

    def assess(self, case: Case) -> Effect | None:
        removed = case.edit.removed_of(self.kind)
        if not removed:
            return None
        vpc_id = case.before.vpc_id
        servers = set(resolver_context(case.inv, vpc_id).servers) | case.edit.index.rule_targets.get(vpc_id, set())
        asked = sorted(servers & removed)
        if not asked or _reaches(case.after):
            return None  # the remaining servers answer as before
        lost_here = case.edit.index.inbound_by_az.get(case.lost, [])
        reps = sorted({r for r, ip in lost_here if ip in asked})
        # Each endpoint wholly in the lost AZ is rslv-endpoint-single-az's finding; an endpoint that keeps
        # addresses elsewhere, which the client does not ask, is a dependency only the combination shows.
        gone = {ip for _, ip in lost_here}
        whole = all(set(case.inv.dns.resolver_endpoints[r].ips or ()) <= gone for r in reps)
        return Effect(
            Impact.LOST,
            self.kind,
            0.0,
            (
                f"{case.lost.az_id} lost: Resolver endpoint address(es) {', '.join(asked)} ({', '.join(reps)}) "
                "stop answering",
                f"{case.before.vpc_id} asks only Resolver addresses in {case.lost.az_id} "
                f"({', '.join(sorted(servers))}): {_after_reason(case)}",
            ),
            consequence_of=("rslv-endpoint-single-az",) if reps and whole else (),
        )


class ZonalRecords:
    kind = Component.ZONAL_RECORD

    def apply(self, edit: ViewEdit) -> None:
        endpoints = edit.mapping("endpoints")
        for ep_id in sorted({ep for ep, _ in edit.index.enis_by_az.get(edit.lost, [])}):
            ep = endpoints[ep_id]
            kept = []
            for entry in ep.dns_entries:
                az_name = zonal_az_name(entry.name)
                if az_name and edit.index.az_name_to_id.get((ep.account_id, ep.region, az_name)) == edit.lost.az_id:
                    edit.remove(self.kind, entry.name)
                else:
                    kept.append(entry)
            if len(kept) < len(ep.dns_entries):
                endpoints[ep_id] = replace(ep, dns_entries=tuple(kept))

    def assess(self, case: Case) -> Effect | None:
        if case.before.reach_mode is not Mode.ALIAS_ZONAL or _reaches(case.after):
            return None
        names = [n.name for n in case.before.names if n.mode is Mode.ALIAS_ZONAL]
        return Effect(
            Impact.LOST,
            self.kind,
            0.0,
            (
                f"{case.lost.az_id} lost: the zonal name(s) of {case.endpoint.id} for it fail",
                f"{', '.join(names)} in {case.before.vpc_id} alias a zonal name: every client goes to "
                f"{case.lost.az_id}; {_after_reason(case)}",
            ),
        )


class StaticIpRecords:
    kind = Component.STATIC_IP_RECORD

    def apply(self, edit: ViewEdit) -> None:
        return None  # literal IPs stop answering with their ENIs: the endpoint-eni component removes those

    def assess(self, case: Case) -> Effect | None:
        if case.before.reach_mode is not Mode.STATIC_IPS:
            return None
        ips = sorted(
            {
                ip
                for n in case.before.names
                if n.mode is Mode.STATIC_IPS
                for r in resolve(case.inv, case.before.vpc_id, n.name).records
                if r.type in ("A", "AAAA")
                for ip in r.values
            }
        )
        held = endpoint_ips(case.inv, case.endpoint)
        listed = [ip for ip in ips if ip in held]  # the endpoint's addresses in the answer
        if not listed:
            return None
        usable = [ip for ip in listed if ip in endpoint_ips(case.view, case.view.endpoints[case.endpoint.id])]
        if len(usable) == len(listed) and _reaches(case.after):
            return None
        fraction = len(usable) / len(listed)
        impact = Impact.LOST if not usable else Impact.DEGRADED
        dead = sorted(set(listed) - set(usable))
        return Effect(
            impact,
            self.kind,
            fraction,
            (
                f"{case.lost.az_id} lost: ENI address(es) {', '.join(dead)} of {case.endpoint.id} stop answering",
                f"records in {case.before.vpc_id} hold the literal IPs {', '.join(listed)}: "
                f"{len(usable)} of {len(listed)} still answer, and nothing removes the dead ones from the answer",
            ),
        )


class EndpointEnis:
    kind = Component.ENDPOINT_ENI

    def apply(self, edit: ViewEdit) -> None:
        lost = edit.index.enis_by_az.get(edit.lost, [])
        if not lost:
            return
        enis = edit.mapping("enis")
        endpoints = edit.mapping("endpoints")
        by_ep: dict[str, set[str]] = {}
        for ep_id, eni in lost:
            enis.pop(eni, None)
            by_ep.setdefault(ep_id, set()).add(eni)
        for ep_id, gone in by_ep.items():
            ep = endpoints[ep_id]
            endpoints[ep_id] = replace(ep, eni_ids=tuple(e for e in ep.eni_ids if e not in gone))
            edit.remove(self.kind, *gone)
        edit.endpoints.update(by_ep)

    def assess(self, case: Case) -> Effect | None:
        if case.before.reach_mode not in (Mode.PRIVATE_DNS, Mode.ALIAS_REGIONAL):
            return None
        if case.coverage_after.status != KNOWN or case.coverage_after.covered:
            # AWS's own names answer with the ENIs that remain: clients elsewhere still reach the endpoint
            return None
        before = sorted(case.coverage_before.covered)
        return Effect(
            Impact.LOST,
            self.kind,
            0.0,
            (
                f"{case.lost.az_id} lost: {case.endpoint.id} has ENIs only in {', '.join(before)}",
                f"clients of {case.before.vpc_id} ({case.before.reach_mode}) have no ENI left to reach",
            ),
        )


class PacketPath:
    """Transit gateway attachment subnets in the AZ carry nothing; with the AZ's ENIs gone too (EndpointEnis),
    the packet-path engine decides what a client AZ can still reach. Registered last: where a DNS component
    explains a loss, its explanation is preferred."""

    kind = Component.TGW_ATTACHMENT

    def apply(self, edit: ViewEdit) -> None:
        lost = edit.index.attachments_by_az.get(edit.lost, [])
        if not lost:
            return
        gone = {s for _, s in lost}
        attachments = edit.nested_mapping("network", "attachments")
        for att_id in sorted({a for a, _ in lost}):
            att = attachments[att_id]
            attachments[att_id] = replace(att, subnet_ids=tuple(s for s in att.subnet_ids or () if s not in gone))
            edit.remove(self.kind, att_id)
            vpc = att.resource_id
            edit.endpoints.update(edit.index.endpoints_of_vpc.get(vpc, ()), edit.index.clients_of_vpc.get(vpc, ()))

    def assess(self, case: Case) -> Effect | None:
        before, after = case.net_before, case.net_after
        if before is None or after is None or before.status not in (PathStatus.REACHABLE, PathStatus.DEGRADED):
            return None  # not judged, or nothing reachable to lose
        if after.status is PathStatus.UNREACHABLE:
            impact = Impact.LOST
        elif after.status is PathStatus.DEGRADED and before.status is PathStatus.REACHABLE:
            impact = Impact.DEGRADED
        else:
            return None
        failed = [h for r in after.results if r.ok is False for h in r.path.failed]
        failed_before = {h.check for r in before.results if r.ok is False for h in r.path.failed}
        checks = {h.check for h in failed}
        # A consequence only when every failure in the view is one a check already reports before the loss.
        consequence = tuple(sorted(checks)) if checks and "" not in checks and checks <= failed_before else ()
        kind = self.kind if any("attachment" in h.hop for h in failed) else Component.PACKET_PATH
        enis = {r.eni_id for r in before.results}
        usable = {r.eni_id for r in after.results if r.ok is True}
        shown = sorted({f"{h.hop}: {h.detail}" for h in failed})
        return Effect(
            impact,
            kind,
            len(usable & enis) / len(enis) if enis else 0.0,
            (
                f"{case.lost.az_id} lost: its endpoint ENIs and transit gateway attachment subnets are gone",
                f"from {case.before.vpc_id} in {case.workload_az_id} the packet path is {after.status} "
                f"(was {before.status}): "
                + "; ".join(shown[:3])
                + (f" (+{len(shown) - 3} more)" if len(shown) > 3 else ""),
            ),
            consequence_of=consequence,
        )


for _component in (ResolverEndpoints(), ZonalRecords(), StaticIpRecords(), EndpointEnis(), PacketPath()):
    register(_component)


# --- the simulation ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AzLossEntry:
    """One (client VPC, surviving workload AZ, endpoint) under the loss of one AZ."""

    lost: LostAz
    vpc_id: str
    account_id: str  # the client VPC's ("" when not audited)
    workload_az_id: str
    endpoint: Endpoint
    impact: Impact
    component: Component | None = None
    usable_fraction: float = 1.0
    evidence: tuple[str, ...] = ()
    # the client's workload subnets in that AZ have no route out: no public fallback (None: routes not collected)
    isolated: bool | None = False
    consequence_of: tuple[str, ...] = ()  # single-component checks whose condition this loss follows from

    @property
    def service(self) -> str:
        return self.endpoint.service_name

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "vpc_id": self.vpc_id,
            "account_id": self.account_id,
            "workload_az_id": self.workload_az_id,
            "endpoint_id": self.endpoint.id,
            "service_name": self.service,
            "impact": self.impact.value,
            "usable_fraction": round(self.usable_fraction, 4),
        }
        if self.component is not None:
            doc |= {
                "component": self.component.value,
                "evidence": list(self.evidence),
                "consequence_of": list(self.consequence_of),
                "isolated": self.isolated,
            }
        return doc


@dataclass(frozen=True, slots=True)
class AzLossResult:
    losses: Mapping[LostAz, tuple[AzLossEntry, ...]]

    def impacted(self) -> Iterable[AzLossEntry]:
        for lost in sorted(self.losses):
            yield from (e for e in self.losses[lost] if e.impact is not Impact.UNAFFECTED)

    def to_dict(self) -> list[dict[str, Any]]:
        out = []
        for lost in sorted(self.losses):
            entries = self.losses[lost]
            counts = {i.value: sum(e.impact is i for e in entries) for i in Impact}
            out.append(
                {
                    "region": lost.region,
                    "az_id": lost.az_id,
                    "counts": counts,
                    "entries": [e.to_dict() for e in entries],
                }
            )
        return out


def simulate(inv: Inventory) -> AzLossResult:
    """The loss of every AZ ID in scope, computed once per Inventory."""
    return inv.derived.of(AzLossResult, lambda: _simulate(inv))


def _simulate(inv: Inventory) -> AzLossResult:
    index = AzLossIndex.of(inv)
    losses: dict[LostAz, tuple[AzLossEntry, ...]] = {}
    for lost in sorted(index.az_ids):
        edit = ViewEdit(inv, lost, index)
        for component in LOSS_COMPONENTS:
            component.apply(edit)
        if not edit.endpoints:
            losses[lost] = ()
            continue
        _narrow_zones(inv, edit)
        view = edit.build()
        inherit_targets(inv, view)  # the components take ENIs and names away, never add: most records stay
        if edit.routing_unchanged():
            # Subnet-to-subnet paths are the same (which ENIs remain is what differs), but for those through
            # a transit gateway when attachments were taken away.
            inherit_pairs(inv, view, local_only="network" in edit.nested)
        entries: list[AzLossEntry] = []
        for ep_id in sorted(edit.endpoints):
            ep = inv.endpoints[ep_id]
            if ep.type is EndpointType.INTERFACE and ep.available:
                entries.extend(_judge(inv, view, edit, ep))
        losses[lost] = tuple(entries)
    return AzLossResult(losses)


def _narrow_zones(inv: Inventory, edit: ViewEdit) -> None:
    """Give the view only the private zones the re-judged endpoints' answers can come from: those associated
    with their client VPCs or with the VPCs whose resolver answers them (a zone leading to an endpoint is
    associated with its clients). The engines then build their record index for these alone, not for every
    zone of the estate once per AZ; no answer for these endpoints changes."""
    vpcs: set[str] = set()
    for ep_id in edit.endpoints:
        for path in dns_path(inv, inv.endpoints[ep_id]).vpcs:
            vpcs.add(path.vpc_id)
            resolver_vpc = resolver_context(inv, path.vpc_id).resolver_vpc_id
            if resolver_vpc:
                vpcs.add(resolver_vpc)
    zones = inv.dns.zones
    wanted = {z for v in vpcs for z in inv.dns.zones_by_vpc.get(v, ()) if z in zones}
    edit.nested.setdefault("dns", {})["zones"] = {z: zones[z] for z in sorted(wanted)}


def _reaches(path: VpcPath | None) -> bool:
    return path is not None and path.reach_mode is not None


def _after_reason(case: Case) -> str:
    if case.after is None:
        return "in the view the VPC no longer reaches the endpoint"
    return f"in the view its DNS path is {case.after.mode}: {case.after.reason}"


def public_names(inv: Inventory, ep: Endpoint, path: VpcPath) -> tuple[str, ...]:
    """The service's default names that resolve, in the path's VPC, to the service's public addresses: its
    clients bypass the endpoint and reach the service through their default route."""
    defaults = set(endpoint_private_names(inv, ep) or ())
    return tuple(n.name for n in path.names if n.name in defaults and n.evidence.get("outcome") == Outcome.PUBLIC)


def _judge(inv: Inventory, view: Inventory, edit: ViewEdit, ep: Endpoint) -> Iterable[AzLossEntry]:
    view_ep = view.endpoints[ep.id]
    after_paths = {v.vpc_id: v for v in dns_path(view, view_ep).vpcs}
    cov_before, cov_after = az_coverage(inv, ep), az_coverage(view, view_ep)
    net_before, net_after = _net_paths(inv, ep), _net_paths(view, view_ep)
    bypassing = [c for c in LOSS_COMPONENTS if getattr(c, "judges_bypass", False)]
    for before in dns_path(inv, ep).vpcs:
        if not before.account_id:
            continue  # not a client we know: nothing it has can be lost
        reaching = _reaches(before)
        if reaching:
            asked = LOSS_COMPONENTS
        elif bypassing and public_names(inv, ep, before):
            asked = bypassing  # a client of the service, not of the endpoint: only its public path can fail
        else:
            continue
        after = after_paths.get(before.vpc_id)
        for az in sorted(inv.workload_az_ids(before.vpc_id) - {edit.lost.az_id}):
            key = (before.vpc_id, az)
            case = Case(
                edit.lost,
                ep,
                az,
                before,
                after,
                cov_before,
                cov_after,
                inv,
                view,
                edit,
                _az_path(net_before, key),
                _az_path(net_after, key),
            )
            effects = [e for c in asked if (e := c.assess(case)) is not None]
            if not effects and reaching and not _reaches(after):
                effects = [Effect(Impact.LOST, Component.DNS_PATH, 0.0, (_after_reason(case),))]
            if not effects:
                if reaching:
                    yield AzLossEntry(edit.lost, before.vpc_id, before.account_id, az, ep, Impact.UNAFFECTED)
                continue
            effect = max(effects, key=lambda e: _RANK[e.impact])
            yield AzLossEntry(
                edit.lost,
                before.vpc_id,
                before.account_id,
                az,
                ep,
                effect.impact,
                effect.component,
                effect.usable_fraction,
                effect.evidence,
                isolated=_isolated(inv, before.vpc_id, az),
                consequence_of=effect.consequence_of or _consequence_of(effect.component, cov_before, edit.lost),
            )


def _net_paths(inv: Inventory, ep: Endpoint) -> dict[str, VpcNetPath]:
    """Client VPC -> the packet paths from its workloads to the endpoint's ENIs."""
    return {v.vpc_id: v for v in network_path(inv, ep).vpcs}


def _az_path(paths: Mapping[str, VpcNetPath], key: tuple[str, str]) -> AzPath | None:
    """The path from one (client VPC, AZ ID), built alone: a VPC's other AZs are not asked for."""
    vpc = paths.get(key[0])
    return None if vpc is None else vpc.az(key[1])


def _isolated(inv: Inventory, vpc_id: str, az_id: str) -> bool | None:
    """Every workload subnet of the VPC in that AZ has no default route out: nothing to fall back to. None when
    its route tables were not collected: the severity cannot be told."""
    vpc = inv.vpcs[vpc_id]
    if not inv.has(vpc.account_id, vpc.region, Api.DESCRIBE_ROUTE_TABLES):
        return None
    subnets = [s for s in inv.workload_subnets.get(vpc_id, ()) if s in inv.subnets and inv.subnets[s].az_id == az_id]
    return bool(subnets) and all(inv.egress.get(s) is Egress.ISOLATED for s in subnets)


_CONSEQUENCE: dict[Component, Callable[[AzCoverage, LostAz], tuple[str, ...]]] = {
    Component.ENDPOINT_ENI: lambda cov, lost: ("az-single",) if cov.covered == frozenset({lost.az_id}) else (),
    Component.ZONAL_RECORD: lambda cov, lost: ("phz-zonal-alias",),
    Component.STATIC_IP_RECORD: lambda cov, lost: ("phz-static-ips",),
}


def _consequence_of(component: Component, cov: AzCoverage, lost: LostAz) -> tuple[str, ...]:
    rule = _CONSEQUENCE.get(component)
    return rule(cov, lost) if rule else ()


# The route-table components (NAT gateways, Gateway Load Balancer endpoints) live in their own module and
# register themselves ahead of the packet path; imported last, once everything they use here exists.
from vpce_audit.verdicts import az_loss_routes as _az_loss_routes  # noqa: E402,F401
