"""Per-AZ packet path (issue 13): for every interface endpoint, every VPC whose clients use it (its own and the
spokes its DNS path reveals) and every client AZ ID, can the packets reach the ENIs the DNS answer names, and
can the replies come back?

  reachable     every client subnet of the AZ reaches every ENI, and the replies return
  degraded      some ENIs cannot be reached or cannot answer (one AZ's ENI behind a NACL deny, an ENI in an AZ
                where the hub's transit gateway attachment has no subnet): a share of the calls fail
  unreachable   no ENI can be reached from some client subnet of the AZ
  unknown       the data to decide was not collected (the reason says which), or the path leaves what is
                modelled (an appliance, another transit gateway attachment, another region)

The hops, in the order a packet takes them (aws-network-path.md §1): the client subnet's effective route
table and its longest-prefix route to the endpoint subnet (local, peering connection, transit gateway,
Gateway Load Balancer endpoint, blackhole); over a transit gateway the client VPC's attachment (a subnet in
the client's AZ), the TGW route table associated with it and its route (static or propagated, blackhole),
the hub's attachment and its subnet's own route table; the NACLs of both subnets (TCP 443 out and in); the
endpoint's security groups; then the return: both NACLs on the ephemeral ports, the hub attachment in the
ENI's AZ, the route back in the endpoint subnet's table and in the TGW route table of the hub's attachment,
and the client VPC's attachment subnet that hands the replies back (its route table).

Transit gateway attachment subnets' NACLs, as AWS documents them (tgw-nacls.html): traffic from a VPC's
instances to the TGW meets the source subnet's outbound rules and the attachment subnet's inbound rules (by
source address; the same subnet's inbound rules when the attachment sits in it); traffic from the TGW to the
instances meets the attachment subnet's outbound rules (by destination) and the instance subnet's inbound
rules, and no NACL at all when the attachment sits in the instance subnet. The TGW keeps a flow in the AZ it
came from: a call enters the endpoint VPC through its attachment subnet in the client's AZ (another AZ's when
it has none there), the replies leave through the attachment subnet in the ENI's AZ and enter the client VPC
through its attachment subnet in that same AZ (another's when it has none there). Appliance mode
(ApplianceModeSupport) changes that choice only for an inspection VPC's attachment; paths through an
inspection VPC are `unknown` (not modelled), so the option is read and never judged: disabled on a spoke or a
hub is normal (aws-network-path.md §1.11).

Judged per (client subnet, endpoint subnet): a route or NACL entry covering only part of a subnet is read as
covering it when it denies and not when it allows (a false "reachable" is the costlier mistake). Those pair
results are kept in an index built once per Inventory and shared by every endpoint in the same subnets, so
the verdict costs dictionary lookups per endpoint, never a scan over all routes. One refinement: where a NACL
entry covering only part of the endpoint subnet made a hop fail, the pair is judged again with the ENI's own
address (a /32) in place of the endpoint subnet, and that endpoint's judgement is its own, not shared. The
client side stays the whole subnet: any address there may hold a client.

Address families, judged apart as AWS evaluates them: each client subnet's calls use the family its DNS answer
gives it (verdicts/path_family.py: IPv6 for IPv6-only subnets given AAAA records and for dual-stack subnets given
AAAA records only; IPv4 otherwise, and always for an IPv4 endpoint). An IPv6 pair is judged on the subnets' IPv6
views (PathIndex.v6: the subnet with its IPv6 block as `cidr`), so every hop reads that family alone and names
the IPv6 block in the evidence: the IPv6 routes (local, peering, transit gateway, blackhole), the IPv6 NACL
entries (IPv4 entries never apply to IPv6 traffic, nor the other way round), a transit gateway attachment's
Ipv6Support (disabled fails the hop, not reported is unknown), and the security groups' IPv6 ranges against
the client's IPv6 block. A subnet whose family's answer is unusable is left to the ipv6 checks (an IPv6-only
client reaching an IPv4 answer through DNS64 and NAT64 crosses a NAT gateway, not modelled); an IPv6-only
subnet whose record type was not reported is unknown. The pair keys carry the family, so a VPC's IPv4 and IPv6
clients of the same subnets never share a judgement.

Ephemeral ports: the client OS chooses them and is unknown, so the return path is evaluated over 1024-65535
(what ELB, NAT gateways and Lambda use). A deny that touches the Linux range (32768-60999) or the Windows
range (49152-65535) fails the hop; a deny only outside both is a partial range, reported but not a failure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.dns.path import reached_vpcs
from vpce_audit.model.cidr import network
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.network import NetworkAcl, TgwAttachment, TgwRoute, TgwRouteTable
from vpce_audit.model.resources import Endpoint, EndpointType, Route, RouteTable, Subnet
from vpce_audit.verdicts.admission import Admission, _Judge, client_groups, is_aws_service
from vpce_audit.verdicts.path_family import IPV6_TYPES, SKIP, UNKNOWN, path_family, records

HTTPS = 443
EPHEMERAL = (1024, 65535)
LINUX_EPHEMERAL = (32768, 60999)
WINDOWS_EPHEMERAL = (49152, 65535)
_TCP = frozenset({"6", "tcp"})
_OTHER_PROTOCOLS = frozenset({"17", "udp", "1", "icmp", "58", "icmpv6"})  # never match TCP

# Check ids a failing hop feeds (checks/network.py, checks/security_groups.py).
NO_ROUTE = "net-no-route"
TGW_AZ_GAP = "net-tgw-az-gap"
TGW_ROUTE = "net-tgw-route"
NACL_DENY = "net-nacl-deny"
SG_INGRESS = "sg-endpoint-ingress"

NEEDED = (Api.DESCRIBE_SUBNETS, Api.DESCRIBE_ROUTE_TABLES, Api.DESCRIBE_NETWORK_ACLS, Api.DESCRIBE_NETWORK_INTERFACES)


class PathStatus(StrEnum):
    REACHABLE = "reachable"
    DEGRADED = "degraded"
    UNREACHABLE = "unreachable"
    UNKNOWN = "unknown"


WORST_FIRST = (PathStatus.UNREACHABLE, PathStatus.DEGRADED, PathStatus.UNKNOWN, PathStatus.REACHABLE)


def worst(statuses: Iterable[PathStatus]) -> PathStatus:
    found = set(statuses)
    return next((s for s in WORST_FIRST if s in found), PathStatus.UNKNOWN)


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of the path. `ok` None: undecided (the reason says why)."""

    hop: str
    ok: bool | None
    detail: str
    check: str = ""  # the check a failure feeds
    partial: bool = False  # passes, with a caveat a check reports (NACL ephemeral range only in part)
    evidence: tuple[tuple[str, Any], ...] = ()
    # A NACL entry that decides this hop covers only part of the endpoint subnet: the ENI's own address decides.
    per_address: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"hop": self.hop, "result": _result(self.ok), "detail": self.detail}
        if self.partial:
            out["partial"] = True
        return out | dict(self.evidence)


def _result(ok: bool | None) -> str:
    return "unknown" if ok is None else "pass" if ok else "fail"


@dataclass(frozen=True, slots=True)
class PairPath:
    """Client subnet -> endpoint subnet and back: shared by every endpoint with an ENI in that subnet."""

    hops: tuple[Hop, ...]
    # Decided once when built: every endpoint sharing the pair reads them (the bench asks ~100,000 times).
    ok: bool | None = None
    problems: tuple[Hop, ...] = ()  # failed hops, and passing ones with a caveat (partial ephemeral range)
    per_address: bool = False  # judged for the whole endpoint subnet, but the ENI's own address would decide

    @classmethod
    def of(cls, hops: tuple[Hop, ...]) -> PairPath:
        ok: bool | None = True
        if any(h.ok is False for h in hops):
            ok = False
        elif any(h.ok is None for h in hops):
            ok = None
        return cls(hops, ok, tuple(h for h in hops if h.ok is False or h.partial), any(h.per_address for h in hops))

    @property
    def failed(self) -> tuple[Hop, ...]:
        return tuple(h for h in self.hops if h.ok is False)

    def to_list(self) -> list[dict[str, Any]]:
        return [h.to_dict() for h in self.hops]


@dataclass(frozen=True, slots=True)
class EniResult:
    eni_id: str
    az_id: str
    subnet_id: str
    client_subnet_id: str
    path: PairPath

    @property
    def ok(self) -> bool | None:
        return self.path.ok


@dataclass(frozen=True, slots=True)
class AzPath:
    az_id: str
    status: PathStatus
    client_subnets: tuple[str, ...]
    results: tuple[EniResult, ...]  # every (client subnet, ENI) pair of the AZ
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "az_id": self.az_id,
            "status": self.status.value,
            "client_subnets": list(self.client_subnets),
            "reachable_enis": sorted({r.eni_id for r in self.results if r.ok is True} - self._bad()),
            "failed_enis": sorted({r.eni_id for r in self.results if r.ok is False}),
        }
        if self.reason:
            out["reason"] = self.reason
        # The hop chain from the AZ's first client subnet to every ENI, and every failing pair's failed hops.
        first = self.client_subnets[0] if self.client_subnets else ""
        out["hops"] = {r.eni_id: r.path.to_list() for r in self.results if r.client_subnet_id == first}
        failures = [
            {"client_subnet": r.client_subnet_id, "eni_id": r.eni_id, "failed": [h.to_dict() for h in r.path.failed]}
            for r in self.results
            if r.ok is False and r.client_subnet_id != first
        ]
        if failures:
            out["other_failures"] = failures
        return out

    def _bad(self) -> set[str]:
        return {r.eni_id for r in self.results if r.ok is not True}


Template = tuple[tuple[str, PathStatus, tuple[str, ...], tuple[tuple[str, int, PairPath], ...]], ...]


@dataclass(frozen=True, slots=True)
class VpcNetPath:
    vpc_id: str
    account_id: str
    via: str  # own | zone
    status: PathStatus
    reason: str = ""
    caveats: bool = False  # some hop failed or carries a caveat a check reports
    # The judgement shared by every endpoint in the same subnets with the same groups, and this endpoint's
    # ENIs (id, AZ ID) in the order the template names them: `azs` is built from both only when read (the
    # renderers, the checks of a path that is not reachable), never for the thousands of healthy ones.
    template: Template = ()
    enis: tuple[tuple[str, str, str], ...] = ()

    @property
    def azs(self) -> tuple[AzPath, ...]:
        return tuple(self._az(entry) for entry in self.template)

    def az(self, az_id: str) -> AzPath | None:
        """The path from one client AZ, built alone (the AZ-loss simulation asks per workload AZ)."""
        return next((self._az(entry) for entry in self.template if entry[0] == az_id), None)

    def _az(self, entry: tuple[str, PathStatus, tuple[str, ...], tuple[tuple[str, int, PairPath], ...]]) -> AzPath:
        az_id, status, subnet_ids, pairs = entry
        enis = self.enis
        return AzPath(
            az_id,
            status,
            subnet_ids,
            tuple(EniResult(enis[i][0], enis[i][1], enis[i][2], client, path) for client, i, path in pairs),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "vpc_id": self.vpc_id,
            "account_id": self.account_id,
            "via": self.via,
            "status": self.status.value,
            "azs": [a.to_dict() for a in self.azs],
        }
        if self.reason:
            out["reason"] = self.reason
        return out

    def failed_hops(self) -> Iterable[tuple[AzPath, EniResult, Hop]]:
        if not self.caveats:  # no failed hop and no caveat anywhere
            return
        for az in self.azs:
            for r in az.results:
                for h in r.path.problems:
                    yield az, r, h


@dataclass(frozen=True, slots=True)
class NetworkPath:
    endpoint_id: str
    status: PathStatus
    vpcs: tuple[VpcNetPath, ...] = ()
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status.value, "vpcs": [v.to_dict() for v in self.vpcs]}
        if self.reason:
            out["reason"] = self.reason
        return out

    def by_az(self) -> dict[str, PathStatus]:
        """Client AZ ID -> the worst status over the VPCs that use the endpoint from it (table, heatmap)."""
        found: dict[str, list[PathStatus]] = defaultdict(list)
        for v in self.vpcs:
            for az in v.azs:
                found[az.az_id].append(az.status)
        return {az: worst(s) for az, s in sorted(found.items())}


# --- the index: built once per Inventory ------------------------------------------------------------------


class PathIndex:
    """Pair paths and the lookups behind them, kept with the Inventory (Inventory.derived)."""

    __slots__ = (
        "az_subnets",
        "by_endpoint",
        "held",
        "inv",
        "local_only",
        "local_pairs",
        "lpm",
        "missing",
        "nacl",
        "pairs",
        "sg",
        "source",
        "templates",
        "tgw_lpm",
        "v6_views",
        "with_sg",
    )

    def __init__(self, inv: Inventory) -> None:
        self.inv = inv
        # (client subnet, endpoint subnet, port known, family, endpoint address): the family keeps an IPv6
        # pair apart from the IPv4 one of the same subnets (both may be judged: a dual-stack VPC's clients differ)
        self.pairs: dict[tuple[str, str, bool, str, str], PairPath] = {}
        self.local_pairs: set[tuple[str, str, bool, str]] = set()  # pairs within one VPC (key[:4]): no attachment read
        self.source: PathIndex | None = None  # whose pairs this one reuses (inherit_pairs)
        self.local_only = False  # ... those within one VPC alone
        self.lpm: dict[tuple[str, str], Route | None] = {}
        self.tgw_lpm: dict[tuple[str, str], TgwRoute | None] = {}
        self.nacl: dict[tuple[str, bool, str, bool], Hop] = {}
        self.sg: dict[tuple[tuple[str, ...], str, str], Hop] = {}
        self.with_sg: dict[tuple[tuple[str, ...], str, str, str, str], PairPath] = {}
        self.v6_views: dict[str, Subnet | None] = {}
        self.missing: dict[tuple[str, str], str] = {}
        self.templates: dict[tuple[Any, ...], Any] = {}
        self.by_endpoint: dict[str, NetworkPath] = {}
        self.held: Any = None
        self.az_subnets: dict[str, dict[str, tuple[str, ...]]] = {}

    @classmethod
    def of(cls, inv: Inventory) -> PathIndex:
        return inv.derived.of(cls, lambda: cls(inv))

    # --- routes ---

    def route(self, table: RouteTable, dest: str) -> Route | None:
        """The longest-prefix route of `table` that holds all of `dest`, in `dest`'s family (local included: a
        more specific route to an appliance wins over it, as in AWS)."""
        key = (table.id, dest)
        if key in self.lpm:
            return self.lpm[key]
        target = network(dest)
        best: Route | None = None
        best_len = -1
        if target is not None:
            v6 = target.version == 6
            for r in table.routes:
                cidr = r.ipv6_cidr if v6 else r.cidr
                net = network(cidr) if cidr else None
                if net is None or net.version != target.version or net.prefixlen <= best_len:
                    continue
                if target.subnet_of(net):  # type: ignore[arg-type]
                    best, best_len = r, net.prefixlen
        self.lpm[key] = best
        return best

    def tgw_route(self, table: TgwRouteTable, dest: str) -> TgwRoute | None:
        key = (table.id, dest)
        if key in self.tgw_lpm:
            return self.tgw_lpm[key]
        target = network(dest)
        found = None
        if target is not None:
            for r in table.routes or ():  # longest prefix first (normalize/network.py)
                net = network(r.cidr)
                if net is not None and net.version == target.version and target.subnet_of(net):  # type: ignore[arg-type]
                    found = r
                    break
        self.tgw_lpm[key] = found
        return found

    def subnets_by_az(self, vpc_id: str) -> dict[str, tuple[str, ...]]:
        found = self.az_subnets.get(vpc_id)
        if found is None:
            groups: dict[str, list[str]] = defaultdict(list)
            for s in self.inv.workload_subnets.get(vpc_id, ()):
                subnet = self.inv.subnets.get(s)
                if subnet is not None and (subnet.cidr or subnet.ipv6_cidrs):  # path_family picks per endpoint
                    groups[subnet.az_id].append(s)
            found = self.az_subnets[vpc_id] = {az: tuple(sorted(v)) for az, v in sorted(groups.items())}
        return found

    def v6(self, subnet: Subnet) -> Subnet | None:
        """The subnet as the IPv6 path sees it: its IPv6 CIDR in `cidr` (AWS gives a subnet one), so every hop
        reads the family's block and names it in the evidence; None when it has no IPv6 CIDR."""
        found = self.v6_views.get(subnet.id, subnet)
        if found is subnet:
            found = self.v6_views[subnet.id] = replace(subnet, cidr=subnet.ipv6_cidrs[0]) if subnet.ipv6_cidrs else None
        return found

    # --- NACLs ---

    def nacl_hop(
        self, subnet: Subnet, egress: bool, peer: str, ephemeral: bool, hop: str, endpoint_peer: bool = False
    ) -> Hop:
        """`endpoint_peer`: `peer` is the endpoint side (its subnet, or one ENI's address), so an entry covering
        part of it makes the pair worth judging again per ENI address (PairPath.per_address)."""
        acl_id = self.inv.network.nacl_of_subnet.get(subnet.id)
        if acl_id is None:
            if not self.inv.has(subnet.account_id, subnet.region, Api.DESCRIBE_NETWORK_ACLS):
                return Hop(hop, None, f"network ACLs not collected in {subnet.account_id} (ec2:DescribeNetworkAcls)")
            return Hop(hop, None, f"no network ACL lists {subnet.id}")
        key = (acl_id, egress, peer, ephemeral)
        found = self.nacl.get(key)
        if found is None:
            found = self.nacl[key] = _nacl(self.inv.network.nacls[acl_id], egress, peer, ephemeral, hop)
        # One evaluation serves every hop asking the same question of the same NACL (a VPC's subnets often
        # share one): the hop keeps its own name.
        if found.hop != hop or (found.per_address and not endpoint_peer):
            found = replace(found, hop=hop, per_address=found.per_address and endpoint_peer)
        return found


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int] | None:
    low, high = max(a[0], b[0]), min(a[1], b[1])
    return (low, high) if low <= high else None


def _subtract(ranges: list[tuple[int, int]], cut: tuple[int, int]) -> list[tuple[int, int]]:
    out = []
    for low, high in ranges:
        if cut[1] < low or cut[0] > high:
            out.append((low, high))
            continue
        if low < cut[0]:
            out.append((low, cut[0] - 1))
        if cut[1] < high:
            out.append((cut[1] + 1, high))
    return out


def _relation(entry_cidr: str, peer: str) -> str:
    """How a NACL entry's CIDR meets the peer block: covers it, touches part of it, or misses it."""
    e, p = network(entry_cidr), network(peer)
    if e is None or p is None or e.version != p.version:
        return "none"
    if p.subnet_of(e):  # type: ignore[arg-type]
        return "covers"
    return "partial" if e.overlaps(p) else "none"


def _nacl(acl: NetworkAcl, egress: bool, peer: str, ephemeral: bool, hop: str) -> Hop:
    """First match wins, in rule-number order, over the ports asked (443, or the ephemeral range); the `*`
    rule denies whatever no entry decided. Only the entries of the peer's family: AWS evaluates IPv4 entries
    for IPv4 traffic and IPv6 entries for IPv6 traffic, each list in rule order, apart."""
    v6 = ":" in peer
    asked = EPHEMERAL if ephemeral else (HTTPS, HTTPS)
    remaining = [asked]
    denied: list[tuple[int, int]] = []
    deciding: list[int] = []
    straddles = False  # an entry touching only part of the peer block was in play
    for e in acl.entries:
        cidr = e.ipv6_cidr if v6 else e.cidr
        if e.egress != egress or not cidr or not remaining:
            continue
        if e.protocol in _TCP:
            ports = (e.port_from if e.port_from is not None else 0, e.port_to if e.port_to is not None else 65535)
        elif e.protocol in _OTHER_PROTOCOLS:
            continue
        else:
            ports = (0, 65535)  # -1, or a protocol other than TCP/UDP/ICMP: every port (AWS's rule)
        relation = _relation(cidr, peer)
        if relation == "none":
            continue
        hit = [o for r in remaining if (o := _overlap(r, ports))]
        if not hit:
            continue
        if relation == "partial":
            straddles = True
        if e.allow and relation == "partial":
            continue  # allows only part of the peer block: the rest falls through
        deciding.append(e.rule_number)
        if not e.allow:
            denied.extend(hit)
        remaining = _subtract(remaining, ports)
    denied.extend(remaining)  # the `*` rule
    direction = "egress" if egress else "ingress"
    ev: tuple[tuple[str, Any], ...] = (
        ("network_acl_id", acl.id),
        ("direction", direction),
        ("peer", peer),
        ("ports", f"{asked[0]}-{asked[1]}" if ephemeral else str(HTTPS)),
        ("rules", deciding),
    )
    if not denied:
        return Hop(hop, True, f"{acl.id} {direction} allows {peer}", evidence=ev)
    text = ", ".join(f"{lo}-{hi}" if lo != hi else str(lo) for lo, hi in denied)
    ev = (*ev, ("denied_ports", text))
    if ephemeral and not any(_overlap(d, LINUX_EPHEMERAL) or _overlap(d, WINDOWS_EPHEMERAL) for d in denied):
        return Hop(hop, True, f"{acl.id} {direction} denies {peer} ports {text} only", NACL_DENY, True, ev, straddles)
    return Hop(
        hop, False, f"{acl.id} {direction} denies {peer} ports {text}", NACL_DENY, evidence=ev, per_address=straddles
    )


# --- the pair path ---------------------------------------------------------------------------------------


def _table_of(inv: Inventory, subnet: Subnet) -> RouteTable | None:
    rt = inv.effective_route_table.get(subnet.id)
    return inv.route_tables.get(rt) if rt else None


def _route_ev(table: RouteTable, route: Route | None) -> tuple[tuple[str, Any], ...]:
    return (
        ("route_table_id", table.id),
        (
            "route",
            None if route is None else {"destination": route.destination, "target": route.target, "state": route.state},
        ),
    )


def pair_path(
    index: PathIndex, client: Subnet, eni_subnet: Subnet, port_known: bool, address: str = "", *, ipv6: bool = False
) -> PairPath:
    """Client subnet to endpoint subnet and back, over IPv4 or (`ipv6`) IPv6. NACL entries meet the endpoint
    side as the whole subnet, or as one ENI's `address` (a /32, a /128) where an entry covering part of the
    subnet made that matter."""
    family = "ipv6" if ipv6 else "ipv4"
    key = (client.id, eni_subnet.id, port_known, family, address)
    found = index.pairs.get(key)
    if found is None:
        source = index.source
        if source is not None and (not index.local_only or key[:4] in source.local_pairs):
            found = source.pairs.get(key)
        if found is None:
            if ipv6:
                client_v, target_v = index.v6(client), index.v6(eni_subnet)
            else:
                client_v, target_v = (client if client.cidr else None), (eni_subnet if eni_subnet.cidr else None)
            if client_v is None or target_v is None:
                lacking = client if client_v is None else eni_subnet
                fam = "IPv6" if ipv6 else "IPv4"
                hop = Hop("route", None, f"{lacking.id} has no {fam} CIDR: the path is not judged")
                found = PairPath.of((hop,))
            else:
                found = PairPath.of(tuple(_hops(index, client_v, target_v, port_known, address or target_v.cidr)))
        index.pairs[key] = found
    return found


def inherit_pairs(source: Inventory, view: Inventory, *, local_only: bool = False) -> None:
    """Let `view` reuse the subnet-to-subnet paths `source` has judged. Only for a view whose subnets, route
    tables, NACLs and network section are source's own (the AZ-loss simulation's views); `local_only`: but
    for its transit gateway attachments, which a pair within one VPC (a local route) never reads, so only
    those pairs are reused."""
    index = PathIndex.of(view)
    index.source, index.local_only = PathIndex.of(source), local_only


def _hops(index: PathIndex, client: Subnet, target: Subnet, port_known: bool, dest: str) -> Iterable[Hop]:
    """`dest`: the endpoint side as NACL entries meet it (its subnet's CIDR, or one ENI's address)."""
    inv = index.inv
    family = "ipv6" if ":" in client.cidr else "ipv4"  # an IPv6 pair is judged on the subnets' IPv6 views
    if client.id == target.id:
        index.local_pairs.add((client.id, target.id, port_known, family))
        yield Hop("route", True, f"client and endpoint share {client.id}: no route or NACL is crossed")
        return
    ev0: tuple[tuple[str, Any], ...] = (("subnet_id", client.id), ("cidr", client.cidr))
    if family == "ipv6":
        ev0 = (*ev0, ("family", family))
    yield Hop("client-subnet", True, client.id, evidence=ev0)
    table = _table_of(inv, client)
    if table is None:
        yield Hop("route", None, f"no route table known for {client.id} (ec2:DescribeRouteTables)")
        return
    route = index.route(table, target.cidr)
    ev = _route_ev(table, route)
    if route is None:
        yield Hop("route", False, f"{table.id} has no route to {target.cidr}", NO_ROUTE, evidence=ev)
        return
    if route.state != "active":
        yield Hop("route", False, f"{table.id} route {route.destination} is {route.state}", NO_ROUTE, evidence=ev)
        return
    t = route.target
    if t == "local":
        if client.vpc_id != target.vpc_id:
            yield Hop("route", False, f"{table.id} sends {target.cidr} to local", NO_ROUTE, evidence=ev)
            return
        index.local_pairs.add((client.id, target.id, port_known, family))
        yield Hop("route", True, f"{table.id} local", evidence=ev)
        yield from _nacls(index, client, target, port_known, dest)
        yield _return_local(index, client, target)
    elif t.startswith("pcx-"):
        yield Hop("route", True, f"{table.id} {route.destination} -> {t}", evidence=ev)
        yield from _peering(index, client, target, t, port_known, dest)
    elif t.startswith("tgw-") and not t.startswith("tgw-attach"):
        yield Hop("route", True, f"{table.id} {route.destination} -> {t}", evidence=ev)
        yield from _tgw(index, client, target, t, port_known, dest)
    elif t.startswith("vpce-"):
        yield Hop(
            "route",
            None,
            f"{table.id} sends {target.cidr} through {t} (inspection): the path beyond the appliance is not modelled",
            evidence=ev,
        )
    elif t.startswith(("igw-", "nat-", "eigw-")):
        yield Hop(
            "route",
            False,
            f"{table.id} sends {target.cidr} to {t}, which never reaches a private ENI",
            NO_ROUTE,
            evidence=ev,
        )
    else:
        yield Hop("route", None, f"{table.id} sends {target.cidr} to {t}: the path beyond is not modelled", evidence=ev)


def _nacls(index: PathIndex, client: Subnet, target: Subnet, port_known: bool, dest: str) -> Iterable[Hop]:
    """The four evaluations (aws-network-path.md §1.7): out of the client subnet and into the endpoint subnet
    on 443, back out of the endpoint subnet and into the client subnet on the ephemeral ports."""
    if port_known:
        yield index.nacl_hop(client, True, dest, False, "client-nacl-egress", True)
        yield index.nacl_hop(target, False, client.cidr, False, "endpoint-nacl-ingress")
    yield index.nacl_hop(target, True, client.cidr, True, "endpoint-nacl-egress-return")
    yield index.nacl_hop(client, False, dest, True, "client-nacl-ingress-return", True)


def _return_local(index: PathIndex, client: Subnet, target: Subnet) -> Hop:
    table = _table_of(index.inv, target)
    if table is None:
        return Hop("return-route", None, f"no route table known for {target.id}")
    route = index.route(table, client.cidr)
    ev = _route_ev(table, route)
    if route is not None and route.target == "local" and route.state == "active":
        return Hop("return-route", True, f"{table.id} local", evidence=ev)
    return _return_aside(table, route, client.cidr, ev) or Hop(
        "return-route", False, f"{table.id} does not route {client.cidr} back locally", NO_ROUTE, evidence=ev
    )


def _return_aside(table: RouteTable, route: Route | None, back_to: str, ev: Any) -> Hop | None:
    """The way back through an inspection appliance (active: beyond it is not modelled) or a blackhole (the
    appliance, gateway or connection behind the route is gone); None for any other route."""
    if route is None:
        return None
    if route.state != "active":
        detail = f"{table.id} route {route.destination} back to {back_to} is {route.state}"
        return Hop("return-route", False, detail, NO_ROUTE, evidence=ev)
    if route.target.startswith("vpce-"):
        detail = f"{table.id} returns {back_to} through {route.target} (inspection): beyond it is not modelled"
        return Hop("return-route", None, detail, evidence=ev)
    return None


def _peering(
    index: PathIndex, client: Subnet, target: Subnet, pcx_id: str, port_known: bool, dest: str
) -> Iterable[Hop]:
    inv = index.inv
    pcx = inv.network.peerings.get(pcx_id)
    if pcx is None:
        if not inv.has(client.account_id, client.region, Api.DESCRIBE_VPC_PEERING_CONNECTIONS):
            yield Hop("peering", None, "peering connections not collected (ec2:DescribeVpcPeeringConnections)")
        else:
            yield Hop("peering", False, f"{pcx_id} is not listed: deleted", NO_ROUTE)
        return
    ev = (("peering_id", pcx.id), ("status", pcx.status))
    if pcx.status != "active":
        yield Hop("peering", False, f"{pcx.id} is {pcx.status}", NO_ROUTE, evidence=ev)
        return
    other = pcx.other(client.vpc_id)
    if other != target.vpc_id:
        yield Hop(
            "peering",
            False,
            f"{pcx.id} leads to {other or 'another VPC'}, not {target.vpc_id}: peering is not transitive",
            NO_ROUTE,
            evidence=ev,
        )
        return
    yield Hop("peering", True, f"{pcx.id} active", evidence=ev)
    yield from _nacls(index, client, target, port_known, dest)
    table = _table_of(inv, target)
    if table is None:
        yield Hop("return-route", None, f"no route table known for {target.id}")
        return
    route = index.route(table, client.cidr)
    rev = _route_ev(table, route)
    aside = _return_aside(table, route, client.cidr, rev)
    if aside is not None:
        yield aside
    elif route is None or route.target != pcx.id:
        yield Hop(
            "return-route",
            False,
            f"{table.id} has no active route to {client.cidr} through {pcx.id}",
            NO_ROUTE,
            evidence=rev,
        )
    else:
        yield Hop("return-route", True, f"{table.id} {route.destination} -> {pcx.id}", evidence=rev)


def _attachment_azs(inv: Inventory, att: TgwAttachment) -> tuple[frozenset[str], str]:
    """AZ IDs of the attachment's subnets, or "" and why they are unknown."""
    if att.subnet_ids is None:
        return frozenset(), "attachment subnets not collected (ec2:DescribeTransitGatewayVpcAttachments)"
    unknown = [s for s in att.subnet_ids if s not in inv.subnets or not inv.subnets[s].az_id]
    if unknown:
        return frozenset(), f"AZ of attachment subnet(s) {', '.join(unknown)} unknown"
    return frozenset(inv.subnets[s].az_id for s in att.subnet_ids), ""


def _attachment(inv: Inventory, tgw_id: str, vpc: Subnet, side: str) -> tuple[TgwAttachment | None, Hop | None]:
    att_id = inv.network.vpc_attachment.get((tgw_id, vpc.vpc_id))
    if att_id is None:
        if not inv.has(vpc.account_id, vpc.region, Api.DESCRIBE_TRANSIT_GATEWAY_ATTACHMENTS):
            return None, Hop(
                f"{side}-attachment",
                None,
                "transit gateway attachments not collected (ec2:DescribeTransitGatewayAttachments)",
            )
        return None, Hop(f"{side}-attachment", False, f"{vpc.vpc_id} is not attached to {tgw_id}", TGW_ROUTE)
    att = inv.network.attachments[att_id]
    if att.state != "available":
        return None, Hop(
            f"{side}-attachment", False, f"{att.id} is {att.state}", TGW_ROUTE, evidence=(("attachment_id", att.id),)
        )
    return att, None


def _table(inv: Inventory, att: TgwAttachment, side: str, region: str) -> tuple[TgwRouteTable | None, Hop | None]:
    if not att.route_table_id:
        return None, Hop(f"{side}-tgw-route-table", False, f"{att.id} is associated with no route table", TGW_ROUTE)
    table = inv.network.tgw_route_tables.get(att.route_table_id)
    if table is None or table.routes is None:
        owner = att.tgw_owner_id
        if (owner, region) not in inv.scanned:
            # Only the owner reads a transit gateway's route tables (a RAM share shows the spoke none).
            why = f"transit gateway {att.tgw_id} belongs to account {owner}: audit account {owner} to read its routes"
        else:
            why = (
                f"route table {att.route_table_id} of {att.tgw_id} not collected in {owner} "
                "(ec2:DescribeTransitGatewayRouteTables, ec2:SearchTransitGatewayRoutes)"
            )
        return None, Hop(f"{side}-tgw-route-table", None, why)
    return table, None


def _tgw_route_hop(index: PathIndex, table: TgwRouteTable, dest: str, want: str, hop: str) -> Hop:
    route = index.tgw_route(table, dest)
    ev: tuple[tuple[str, Any], ...] = (
        ("tgw_route_table_id", table.id),
        (
            "route",
            None
            if route is None
            else {
                "destination": route.cidr,
                "type": route.type,
                "state": route.state,
                "attachments": list(route.attachment_ids),
            },
        ),
    )
    if route is None:
        if table.truncated:
            return Hop(hop, None, f"{table.id}: AWS returned only part of the routes", evidence=ev)
        return Hop(hop, False, f"{table.id} has no route to {dest}", TGW_ROUTE, evidence=ev)
    if route.state != "active":
        return Hop(hop, False, f"{table.id} route {route.cidr} is a {route.state}", TGW_ROUTE, evidence=ev)
    if want in route.attachment_ids:
        return Hop(hop, True, f"{table.id} {route.cidr} ({route.type}) -> {want}", evidence=ev)
    if not route.attachment_ids:
        return Hop(hop, None, f"{table.id} route {route.cidr} names no attachment", evidence=ev)
    return Hop(
        hop,
        None,
        f"{table.id} sends {dest} to {', '.join(route.attachment_ids)}, not {want}: the path "
        "through another attachment (inspection, peering) is not modelled",
        evidence=ev,
    )


def _tgw(index: PathIndex, client: Subnet, target: Subnet, tgw_id: str, port_known: bool, dest: str) -> Iterable[Hop]:
    """In packet order: out of the client subnet into the client VPC's attachment subnet of the client's AZ,
    the TGW route table of the client's attachment, into the hub through its attachment subnet of the client's
    AZ (another AZ's when it has none there) and on to the endpoint subnet; back out of the endpoint subnet
    through the hub attachment subnet of the ENI's AZ, the TGW route table of the hub's attachment, into the
    client VPC through its attachment subnet of the ENI's AZ (the TGW keeps a flow in the AZ it came from) and
    on to the client subnet. The NACLs are those AWS evaluates around an attachment (_leaving, _entering)."""
    inv = index.inv
    v6 = ":" in client.cidr
    catt, problem = _attachment(inv, tgw_id, client, "client")
    if catt is None:
        yield problem  # type: ignore[misc]
        return
    if v6 and catt.ipv6_support is not True:
        yield _no_ipv6(catt, "client-attachment")
        return
    c_azs, why = _attachment_azs(inv, catt)
    cev = (("attachment_id", catt.id), ("attachment_azs", sorted(c_azs)))
    if why:
        yield Hop("client-attachment", None, why, evidence=cev)
        return
    if client.az_id not in c_azs:
        yield Hop(
            "client-attachment",
            False,
            f"{catt.id} has no subnet in {client.az_id}: traffic from this AZ never enters the transit gateway",
            TGW_AZ_GAP,
            evidence=cev,
        )
        return
    yield Hop("client-attachment", True, f"{catt.id} has a subnet in {client.az_id}", evidence=cev)
    c_out = _entry_subnet(inv, catt, client.az_id)
    if port_known:
        yield index.nacl_hop(client, True, dest, False, "client-nacl-egress", True)
        if c_out is not None:
            yield _leaving(index, c_out, client, client.cidr, False, "client")
    hatt, problem = _attachment(inv, tgw_id, target, "endpoint")
    ctable, tproblem = _table(inv, catt, "client", client.region)
    if ctable is None:
        yield tproblem  # type: ignore[misc]
        return
    if hatt is None:
        yield problem  # type: ignore[misc]
        return
    if v6 and hatt.ipv6_support is not True:
        yield _no_ipv6(hatt, "endpoint-attachment")
        return
    yield _tgw_route_hop(index, ctable, target.cidr, hatt.id, "client-tgw-route")
    h_azs, why = _attachment_azs(inv, hatt)
    hev = (("attachment_id", hatt.id), ("attachment_azs", sorted(h_azs)))
    if why:
        yield Hop("endpoint-attachment", None, why, evidence=hev)
        return
    # In: the TGW delivers through the hub's subnet in the client's AZ, or any other when that AZ has none.
    entry = _entry_subnet(inv, hatt, client.az_id)
    if entry is not None:
        yield _attachment_route(index, entry, target, "endpoint-attachment-route")
    if port_known:
        yield from _entering(index, entry, target, dest, client.cidr, False, "endpoint")
    # Back: the ENI's replies enter the TGW only through a hub attachment subnet in the ENI's own AZ.
    yield index.nacl_hop(target, True, client.cidr, True, "endpoint-nacl-egress-return")
    table = _table_of(inv, target)
    if table is None:
        yield Hop("return-route", None, f"no route table known for {target.id}")
    else:
        route = index.route(table, client.cidr)
        rev = _route_ev(table, route)
        if route is None or route.target != tgw_id or route.state != "active":
            yield Hop(
                "return-route",
                False,
                f"{table.id} has no active route to {client.cidr} through {tgw_id}",
                NO_ROUTE,
                evidence=rev,
            )
        else:
            yield Hop("return-route", True, f"{table.id} {route.destination} -> {tgw_id}", evidence=rev)
    if target.az_id not in h_azs:
        yield Hop(
            "endpoint-attachment-return",
            False,
            f"{hatt.id} has no subnet in {target.az_id}, the ENI's AZ: its replies cannot reach the transit gateway",
            TGW_AZ_GAP,
            evidence=hev,
        )
    else:
        yield Hop("endpoint-attachment-return", True, f"{hatt.id} has a subnet in {target.az_id}", evidence=hev)
        h_out = _entry_subnet(inv, hatt, target.az_id)
        if h_out is not None:
            yield _leaving(index, h_out, target, dest, True, "endpoint")
    htable, tproblem = _table(inv, hatt, "endpoint", target.region)
    if htable is None:
        yield tproblem  # type: ignore[misc]
        return
    yield _tgw_route_hop(index, htable, client.cidr, catt.id, "endpoint-tgw-route-return")
    # Into the client VPC through its attachment subnet in the AZ the replies come from (the ENI's).
    c_in = _entry_subnet(inv, catt, target.az_id)
    if c_in is not None:
        yield _attachment_route(index, c_in, client, "client-attachment-route-return")
    yield from _entering(index, c_in, client, client.cidr, dest, True, "client")


def _no_ipv6(att: TgwAttachment, hop: str) -> Hop:
    """A VPC attachment carries IPv6 only with Ipv6Support enabled (tgw-vpc-attachments.html)."""
    ev = (("attachment_id", att.id), ("ipv6_support", att.ipv6_support))
    if att.ipv6_support is None:
        why = f"IPv6 support of {att.id} not reported (ec2:DescribeTransitGatewayVpcAttachments Options.Ipv6Support)"
        return Hop(hop, None, why, evidence=ev)
    return Hop(
        hop,
        False,
        f"{att.id} has IPv6 support disabled: IPv6 traffic never crosses the transit gateway there",
        TGW_ROUTE,
        evidence=ev,
    )


def _leaving(index: PathIndex, att_subnet: Subnet, workload: Subnet, source: str, ephemeral: bool, side: str) -> Hop:
    """Traffic from instances in `workload` to the transit gateway: AWS evaluates the attachment subnet's
    inbound rules against the source address (tgw-nacls.html), its outbound rules never. When the attachment
    sits in the workload subnet itself, that subnet's inbound rules are evaluated the same way, on top of its
    outbound rules (the caller's hop). `source`: the workload side's address (an ENI's, on the endpoint side)."""
    name = f"{side}-attachment-nacl-ingress{'-return' if ephemeral else ''}"
    found = index.nacl_hop(att_subnet, False, source, ephemeral, name, side == "endpoint")
    return _at_attachment(found, att_subnet, workload)


def _entering(
    index: PathIndex,
    att_subnet: Subnet | None,
    workload: Subnet,
    address: str,
    peer: str,
    ephemeral: bool,
    side: str,
) -> Iterable[Hop]:
    """Traffic from the transit gateway to instances in `workload`: the attachment subnet's outbound rules
    against the destination, then the workload subnet's inbound rules against the source. When the attachment
    sits in the workload subnet, AWS evaluates neither (tgw-nacls.html). `address`: the workload side as the
    attachment subnet's entries meet it; `peer`: the other side."""
    suffix = "-return" if ephemeral else ""
    if att_subnet is not None and att_subnet.id == workload.id:
        return
    if att_subnet is not None:
        name = f"{side}-attachment-nacl-egress{suffix}"
        hop = index.nacl_hop(att_subnet, True, address, ephemeral, name, side == "endpoint")
        yield _at_attachment(hop, att_subnet, workload)
    yield index.nacl_hop(workload, False, peer, ephemeral, f"{side}-nacl-ingress{suffix}", side == "client")


def _at_attachment(hop: Hop, att_subnet: Subnet, workload: Subnet) -> Hop:
    """The NACL hop of an attachment subnet, naming it (a finding must say which subnet to fix)."""
    same = " (also the workload's subnet)" if att_subnet.id == workload.id else ""
    return replace(
        hop,
        detail=f"attachment subnet {att_subnet.id} in {att_subnet.az_id}{same}: {hop.detail}",
        evidence=(("attachment_subnet", att_subnet.id), *hop.evidence),
    )


def _entry_subnet(inv: Inventory, att: TgwAttachment, az_id: str) -> Subnet | None:
    subnets = [inv.subnets[s] for s in att.subnet_ids or () if s in inv.subnets]
    same = [s for s in subnets if s.az_id == az_id]
    chosen = same or subnets
    return chosen[0] if chosen else None


def _attachment_route(index: PathIndex, entry: Subnet, target: Subnet, hop: str) -> Hop:
    """An attachment subnet's own route table must reach the subnet the traffic is for (local, usually)."""
    table = _table_of(index.inv, entry)
    if table is None:
        return Hop(hop, None, f"no route table known for {entry.id}")
    route = index.route(table, target.cidr)
    ev = (("attachment_subnet", entry.id), *_route_ev(table, route))
    if route is not None and route.target == "local" and route.state == "active":
        return Hop(hop, True, f"{entry.id}: {table.id} local", evidence=ev)
    if route is not None and route.state == "active":
        return Hop(
            hop,
            None,
            f"{entry.id}: {table.id} sends {target.cidr} to {route.target} (inspection?): not modelled",
            evidence=ev,
        )
    return Hop(
        hop,
        False,
        f"{entry.id}: {table.id} does not reach {target.cidr}",
        NO_ROUTE,
        evidence=ev,
    )


def _sg_hop(index: PathIndex, ep: Endpoint, client: Subnet, family: str = "") -> Hop:
    """`client` is the subnet, or its IPv6 view (the IPv6 path). `family`: the ranges that may admit it, as
    sg-endpoint-ingress judges them (admission._family): "ipv6" (the IPv6 path), "ipv4" (a dual-stack or IPv6
    endpoint's client on IPv4), "" (an IPv4 endpoint: either family counts, as before IpAddressType was read)."""
    key = (ep.group_ids, client.id, family)
    found = index.sg.get(key)
    if found is None:
        inv = index.inv
        groups = tuple(inv.security_groups[g] for g in ep.group_ids if g in inv.security_groups)
        if len(groups) != len(ep.group_ids) or not ep.group_ids:
            found = Hop("security-group", None, "endpoint security groups not collected (ec2:DescribeSecurityGroups)")
        else:
            if index.held is None:
                index.held = client_groups(inv)
            judge = _Judge(inv, index.held, client.vpc_id in inv.workload_assumed)
            verdict = judge.subnet(inv.subnets.get(client.id, client), groups, family)
            ev = (("group_ids", list(ep.group_ids)), ("by", list(verdict.sources)))
            if verdict.verdict == Admission.ADMITTED:
                found = Hop("security-group", True, f"{', '.join(ep.group_ids)} admit {client.cidr}", evidence=ev)
            elif verdict.verdict == Admission.DENIED:
                found = Hop(
                    "security-group",
                    False,
                    f"{', '.join(ep.group_ids)} do not admit TCP 443 from {client.cidr}",
                    SG_INGRESS,
                    evidence=ev,
                )
            else:
                found = Hop("security-group", None, "admission depends on what cannot be seen", evidence=ev)
        index.sg[key] = found
    return found


# --- the verdict -------------------------------------------------------------------------------------------


def network_path(inv: Inventory, ep: Endpoint) -> NetworkPath:
    index = PathIndex.of(inv)
    found = index.by_endpoint.get(ep.id)
    if found is None:
        found = index.by_endpoint[ep.id] = _network_path(index, ep)
    return found


def _missing(inv: Inventory, account: str, region: str) -> str:
    index = PathIndex.of(inv)
    found = index.missing.get((account, region))
    if found is None:
        absent = [str(a) for a in NEEDED if not inv.has(account, region, a)]
        found = index.missing[(account, region)] = "not collected: " + ", ".join(absent) if absent else ""
    return found


def _network_path(index: PathIndex, ep: Endpoint) -> NetworkPath:
    inv = index.inv
    if ep.type is not EndpointType.INTERFACE:
        return NetworkPath(ep.id, PathStatus.UNKNOWN, reason="only interface endpoints are judged")
    if not ep.available:
        return NetworkPath(
            ep.id, PathStatus.UNKNOWN, reason=f"endpoint is {ep.state or 'in no state'}: it carries no traffic"
        )
    reason = _missing(inv, ep.account_id, ep.region)
    if reason:
        return NetworkPath(ep.id, PathStatus.UNKNOWN, reason=reason)
    enis = [
        (e, inv.subnets[e.subnet_id])
        for e in (inv.enis[i] for i in ep.eni_ids if i in inv.enis)
        if e.subnet_id in inv.subnets and (inv.subnets[e.subnet_id].cidr or inv.subnets[e.subnet_id].ipv6_cidrs)
    ]
    if not enis:
        return NetworkPath(ep.id, PathStatus.UNKNOWN, reason="no network interface of the endpoint was read")
    port_known = is_aws_service(inv, ep)
    clients = [(ep.vpc_id, ep.account_id, "own")] + [
        (v.vpc_id, v.account_id, "zone") for v in reached_vpcs(inv, ep) if v.vpc_id != ep.vpc_id
    ]
    vpcs = tuple(_vpc_path(index, ep, enis, vpc, account, via, port_known) for vpc, account, via in clients)
    return NetworkPath(ep.id, worst(v.status for v in vpcs), vpcs)


def _vpc_path(
    index: PathIndex, ep: Endpoint, enis: list[Any], vpc_id: str, account: str, via: str, port_known: bool
) -> VpcNetPath:
    inv = index.inv
    vpc = inv.vpcs.get(vpc_id)
    if vpc is None:
        return VpcNetPath(vpc_id, account, via, PathStatus.UNKNOWN, reason="VPC not described")
    if vpc.region != ep.region:
        return VpcNetPath(
            vpc_id, account, via, PathStatus.UNKNOWN, reason=f"in {vpc.region}: paths between regions are not modelled"
        )
    reason = _missing(inv, vpc.account_id, vpc.region)
    if reason:
        return VpcNetPath(vpc_id, account, via, PathStatus.UNKNOWN, reason=reason)
    # Endpoints whose DNS records steer the clients to the same families share the judgement too.
    families = (ep.ip_address_type in IPV6_TYPES, records(ep)) if ep.ip_address_type in IPV6_TYPES else None
    key = (vpc_id, tuple(sub.id for _, sub in enis), ep.group_ids, port_known, families)
    found = index.templates.get(key)
    if found is None:
        found = index.templates[key] = _template(index, ep, enis, vpc_id, port_known)
    template, per_address = found
    if per_address:
        # Some pair's answer depends on the ENI's own address: this endpoint's ENIs are judged, not shared.
        template = _template(index, ep, enis, vpc_id, port_known)[0]
    if not template:
        return VpcNetPath(
            vpc_id, account, via, PathStatus.UNKNOWN, reason="no client subnet of a family the DNS answer serves"
        )
    # Endpoints in the same subnets with the same groups share the judgement; only the ENI ids differ.
    caveats = any(path.problems for _, _, _, pairs in template for _, _, path in pairs)
    return VpcNetPath(
        vpc_id,
        account,
        via,
        worst(status for _, status, _, _ in template),
        caveats=caveats,
        template=template,
        enis=tuple((eni.id, eni.az_id, sub.id) for eni, sub in enis),
    )


def _template(index: PathIndex, ep: Endpoint, enis: list[Any], vpc_id: str, port_known: bool) -> tuple[Template, bool]:
    """Per client AZ: its status, its subnets and (client subnet, ENI position, path) for every pair; and
    whether some pair was judged for its ENI's own address (then the template is this endpoint's alone)."""
    inv = index.inv
    out = []
    per_address = False
    for az_id, subnet_ids in index.subnets_by_az(vpc_id).items():
        pairs = []
        statuses = []
        judged = []
        for sid in subnet_ids:
            client = inv.subnets[sid]
            family = path_family(ep, client)  # which family this subnet's calls use (verdicts/path_family.py)
            if family == SKIP:
                continue  # no usable DNS answer, or no address of the family: the ipv6 checks report it
            judged.append(sid)
            oks = []
            v6 = family == "ipv6"
            for i, (eni, eni_subnet) in enumerate(enis):
                if family == UNKNOWN:
                    path = _UNKNOWN_FAMILY
                else:
                    path = _with_sg(index, ep, client, eni_subnet, port_known, ipv6=v6)
                    if path.per_address and (address := _address(eni, eni_subnet, v6)):
                        path = _with_sg(index, ep, client, eni_subnet, port_known, address, ipv6=v6)
                        per_address = True
                pairs.append((client.id, i, path))
                oks.append(path.ok)
            statuses.append(_status(oks))
        if judged:
            out.append((az_id, worst(statuses), tuple(judged), tuple(pairs)))
    return tuple(out), per_address


_UNKNOWN_FAMILY = PairPath.of(
    (
        Hop(
            "address-family",
            None,
            "DnsRecordIpType not reported: whether this IPv6-only subnet gets AAAA records cannot be told",
        ),
    )
)


def _address(eni: Any, subnet: Subnet, v6: bool = False) -> str:
    """The ENI's one address of the family in its subnet as a /32 (a /128), "" when it has none or several
    (judged per subnet)."""
    cidr = (subnet.ipv6_cidrs or ("",))[0] if v6 else subnet.cidr
    net = network(cidr) if cidr else None
    ips = list(eni.ipv6_ips) if v6 else [ip for ip in eni.private_ips if ":" not in ip]
    if len(ips) != 1 or net is None:
        return ""
    length = 128 if v6 else 32
    host = network(f"{ips[0]}/{length}")
    return str(host) if host is not None and host.version == net.version and host.subnet_of(net) else ""  # type: ignore[arg-type]


def _with_sg(
    index: PathIndex,
    ep: Endpoint,
    client: Subnet,
    eni_subnet: Subnet,
    port_known: bool,
    address: str = "",
    *,
    ipv6: bool = False,
) -> PairPath:
    """The pair path with the endpoint's security-group hop last, built once per (groups, pair, address,
    family). Over IPv6 the groups are judged against the client's IPv6 CIDR alone; a dual-stack or IPv6
    endpoint's IPv4 client against its IPv4 CIDR alone."""
    pair = pair_path(index, client, eni_subnet, port_known, address, ipv6=ipv6)
    if not port_known:
        return pair
    family = "ipv6" if ipv6 else "ipv4" if ep.ip_address_type in IPV6_TYPES else ""
    key = (ep.group_ids, client.id, eni_subnet.id, address, family)
    found = index.with_sg.get(key)
    if found is None:
        seen = index.v6(client) if ipv6 else client
        found = pair if seen is None else PairPath.of((*pair.hops, _sg_hop(index, ep, seen, family)))
        index.with_sg[key] = found
    return found


def _status(oks: list[bool | None]) -> PathStatus:
    if any(ok is False for ok in oks):
        return PathStatus.UNREACHABLE if all(ok is False for ok in oks) else PathStatus.DEGRADED
    return PathStatus.UNKNOWN if any(ok is None for ok in oks) else PathStatus.REACHABLE
