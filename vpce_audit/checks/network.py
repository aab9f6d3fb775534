"""Packet-path checks (issue 13): each reads the network_path verdict (verdicts/network_path.py) and reports the
hops that fail, one finding per endpoint and client VPC; plus the Gateway Load Balancer endpoint AZ checks and
the gateway endpoint NACL check, which read route tables and NACLs directly."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from vpce_audit.checks.inputs import EGRESS, ENDPOINTS, NETWORK_PATH, PACKET, PREFIX_LISTS, ROUTE_COVERAGE
from vpce_audit.checks.registry import Category, ResourceType, about, check
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Endpoint, EndpointType
from vpce_audit.verdicts.coverage import KNOWN, route_coverage
from vpce_audit.verdicts.network_path import (
    NACL_DENY,
    NO_ROUTE,
    TGW_AZ_GAP,
    TGW_ROUTE,
    AzPath,
    EniResult,
    Hop,
    PathIndex,
    PathStatus,
    VpcNetPath,
    network_path,
)

TGW_DOC = "https://docs.aws.amazon.com/vpc/latest/tgw/tgw-vpc-attachments.html"
NACL_DOC = "https://docs.aws.amazon.com/vpc/latest/userguide/nacl-basics.html"


def path_failures(
    inv: Inventory, check_id: str
) -> Iterator[tuple[Endpoint, VpcNetPath, list[tuple[AzPath, EniResult, Hop]]]]:
    """(endpoint, client VPC path, its hops that feed `check_id`) wherever some do."""
    for ep in inv.endpoints_of(EndpointType.INTERFACE):
        for vpc in network_path(inv, ep).vpcs:
            hits = [(az, r, h) for az, r, h in vpc.failed_hops() if h.check == check_id]
            if hits:
                yield ep, vpc, hits


def _severity(vpc: VpcNetPath, hits: list[tuple[AzPath, EniResult, Hop]]) -> Severity:
    if all(h.partial for _, _, h in hits):
        return Severity.MEDIUM
    if vpc.azs and all(a.status is PathStatus.UNREACHABLE for a in vpc.azs):
        return Severity.CRITICAL
    return Severity.HIGH


def _finding(ep: Endpoint, vpc: VpcNetPath, hits: list[tuple[AzPath, EniResult, Hop]], what: str) -> Finding:
    azs = sorted({az.az_id for az, _, h in hits if not h.partial} or {az.az_id for az, _, _ in hits})
    enis = sorted({r.eni_id for _, r, _ in hits})
    details = sorted({h.detail for _, _, h in hits})
    client = "its own VPC" if vpc.via == "own" else f"client VPC {vpc.vpc_id}"
    by_az: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for az, r, h in hits:
        entry = {"client_subnet": r.client_subnet_id, "eni_id": r.eni_id, "eni_az_id": r.az_id} | h.to_dict()
        if entry not in by_az[az.az_id]:
            by_az[az.az_id].append(entry)
    return about(
        ep,
        f"{ep.service_name}: from {client}, AZ(s) {', '.join(azs)}: {what}: {'; '.join(details[:3])}"
        + (f" (and {len(details) - 3} more)" if len(details) > 3 else ""),
        severity=_severity(vpc, hits),
        related_ids=tuple(dict.fromkeys((vpc.vpc_id, *enis))),
        evidence={
            "client_vpc_id": vpc.vpc_id,
            "via": vpc.via,
            "client_status": vpc.status.value,
            "az_status": {a.az_id: a.status.value for a in vpc.azs},
            "hops": dict(sorted(by_az.items())),
        },
        key=vpc.vpc_id,
    )


_SEVERITY_RULE = (
    "Critical when every client AZ of that VPC is unreachable; high when some AZs or some of the ENIs the DNS answer "
    "names fail (a share of the calls time out)."
)


@check(
    "net-no-route",
    title="Client VPC has no route to the endpoint's network interfaces",
    summary="Fires for an interface endpoint and a VPC whose clients use it (its own VPC, or a spoke whose private "
    "zones lead to it) when the client subnet's effective route table has no route to the endpoint subnet, the "
    "longest-prefix route is a blackhole or leads to an internet or NAT gateway, the peering connection it names is "
    "not active or leads to another VPC (peering is not transitive), the hub's attachment subnet does not reach the "
    "endpoint subnet, or the route back from the endpoint subnet to the client is missing. Judged per client AZ "
    "and ENI, longest prefix first with the local route included, in the address family the client uses: the IPv6 "
    "routes toward the endpoint subnet's IPv6 block for clients calling a dual-stack or IPv6 endpoint over IPv6 "
    "(the evidence names that block), the IPv4 routes otherwise.",
    risk="The name resolves and the packets go nowhere: calls from that VPC time out.",
    severity=Severity.CRITICAL,
    severity_rule=_SEVERITY_RULE,
    remediation="Route the endpoint subnets' CIDR from the client subnets' route tables through an active peering "
    "connection or the transit gateway, and route the client CIDR back the same way from the endpoint subnets.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html",
        "https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-routing.html",
    ),
    category=Category.ROUTING,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=NETWORK_PATH,
)
def net_no_route(inv: Inventory) -> Iterator[Finding]:
    for ep, vpc, hits in path_failures(inv, NO_ROUTE):
        yield _finding(ep, vpc, hits, "no working route")


@check(
    "net-tgw-az-gap",
    title="Transit gateway attachment has no subnet in a client's or an endpoint ENI's AZ",
    summary="Fires for an interface endpoint reached over a transit gateway when the client VPC's attachment has no "
    "subnet in a client workload AZ (traffic from there never enters the transit gateway), or the endpoint VPC's "
    "attachment has no subnet in the AZ of an endpoint ENI (its replies cannot enter the transit gateway). A client "
    "in AZ X reaching an ENI in AZ Y through attachments present in both AZs is normal: the transit gateway keeps "
    "traffic in its source AZ and crosses AZs only where an attachment lacks a subnet. AZs with neither workloads "
    "nor an attachment subnet are not judged.",
    risk="AWS: resources in Availability Zones where there is no transit gateway attachment cannot reach the transit "
    "gateway. Clients in that AZ always fail, or every call that resolves to the ENI in that AZ fails.",
    severity=Severity.HIGH,
    severity_rule=_SEVERITY_RULE,
    remediation="Add a subnet in the missing AZ to the transit gateway VPC attachment (one subnet per AZ).",
    references=(TGW_DOC, "https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html"),
    category=Category.ROUTING,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=NETWORK_PATH,
)
def net_tgw_az_gap(inv: Inventory) -> Iterator[Finding]:
    for ep, vpc, hits in path_failures(inv, TGW_AZ_GAP):
        yield _finding(ep, vpc, hits, "transit gateway attachment missing an AZ")


@check(
    "net-tgw-route",
    title="Transit gateway route table has no active route between client and endpoint",
    summary="Fires for an interface endpoint reached over a transit gateway when the route table associated with the "
    "client VPC's attachment has no route to the endpoint subnet, or its longest-prefix route is a blackhole, or "
    "the table associated with the endpoint VPC's attachment has no active route back to the client subnet; also "
    "when an attachment is missing, not available, or associated with no table, or (for clients calling over IPv6) "
    "an attachment has IPv6 support disabled (not reported: unknown). A blackhole for an unrelated CIDR, "
    "or one less specific than an active route, is no finding. A transit gateway shared from an account not "
    "scanned leaves the path unknown (audit that account), never a finding.",
    risk="The transit gateway drops the packets or the replies: every call from that VPC times out.",
    severity=Severity.CRITICAL,
    severity_rule=_SEVERITY_RULE,
    remediation="Propagate (or add a static route for) the endpoint VPC's CIDR in the client attachment's route "
    "table and the client VPC's CIDR in the endpoint attachment's route table; remove the blackhole.",
    references=("https://docs.aws.amazon.com/vpc/latest/tgw/tgw-route-tables.html", TGW_DOC),
    category=Category.ROUTING,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=NETWORK_PATH,
)
def net_tgw_route(inv: Inventory) -> Iterator[Finding]:
    for ep, vpc, hits in path_failures(inv, TGW_ROUTE):
        yield _finding(ep, vpc, hits, "transit gateway route missing or blackholed")


@check(
    "net-nacl-deny",
    title="Network ACL drops traffic to the endpoint or its replies",
    summary="Fires for an interface endpoint when a network ACL of a client subnet or of an endpoint subnet drops "
    "TCP 443 toward the endpoint or the return traffic on the client's ephemeral ports; over a transit gateway also "
    "the NACL of an attachment subnet, as AWS evaluates it: traffic leaving a VPC for the transit gateway meets the "
    "attachment subnet's inbound rules (by source), traffic arriving from it the attachment subnet's outbound rules "
    "(by destination) and then the workload subnet's inbound rules, except that traffic arriving in the attachment's "
    "own subnet crosses no NACL. The transit gateway delivers a call through the endpoint VPC's attachment subnet in "
    "the client's AZ and the replies through the client VPC's attachment subnet in the ENI's AZ; the finding names "
    "the attachment subnet. Entries are evaluated in "
    "rule-number order, first match wins, each address family apart: IPv4 entries for the IPv4 path, IPv6 entries "
    "for the IPv6 path of the clients that call a dual-stack or IPv6 endpoint over IPv6 (IPv6-only subnets given "
    "AAAA records, dual-stack subnets given AAAA records only); an IPv4 deny never fails an IPv6 path nor the other "
    "way round; the `*` rule denies the rest. The ephemeral range assumed is 1024-65535: a deny touching the Linux "
    "(32768-60999) or "
    "Windows (49152-65535) range fails the hop, a deny only outside both is reported as a partial range. An entry "
    "covering only part of an endpoint subnet is judged against each ENI's own address; one covering only part of "
    "a client subnet counts when it denies, not when it allows (any client there may be refused). Client and ENI in "
    "one subnet cross no NACL.",
    risk="NACLs are stateless: a deny on either side, either direction, drops the calls from that subnet (or the "
    "replies), while DNS keeps sending clients there.",
    severity=Severity.HIGH,
    severity_rule="Critical when every client AZ of that VPC is unreachable; high when some AZs or ENIs fail; medium "
    "when only part of the ephemeral range outside the Linux and Windows ranges is denied.",
    remediation="Allow TCP 443 from the client subnets into the endpoint subnets and TCP 1024-65535 back, in both "
    "subnets' NACLs, before any deny; keep the transit gateway attachment subnets' NACLs open both ways, as AWS "
    "advises.",
    references=(
        NACL_DOC,
        "https://docs.aws.amazon.com/vpc/latest/userguide/nacl-ephemeral-ports.html",
        "https://docs.aws.amazon.com/vpc/latest/tgw/tgw-nacls.html",
    ),
    category=Category.ROUTING,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=NETWORK_PATH,
)
def net_nacl_deny(inv: Inventory) -> Iterator[Finding]:
    for ep, vpc, hits in path_failures(inv, NACL_DENY):
        yield _finding(ep, vpc, hits, "network ACL denies the path")


# --- Gateway Load Balancer endpoints in the routes of workload subnets ------------------------------------------


def _gwlb_uses(inv: Inventory) -> Iterator[tuple[Endpoint, str, str, tuple[str, ...], str]]:
    """(GWLB endpoint, route table, workload AZ, its subnets, the endpoint's AZ) for every workload AZ whose
    subnets' route tables send traffic to a GWLB endpoint of the VPC."""
    gwlbes = {ep.id: ep for ep in inv.endpoints_of(EndpointType.GATEWAY_LOAD_BALANCER)}
    if not gwlbes:
        return
    uses: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for _vpc, subnet_ids in sorted(inv.workload_subnets.items()):
        for s in subnet_ids:
            subnet = inv.subnets.get(s)
            table = inv.route_tables.get(inv.effective_route_table.get(s, ""))
            if subnet is None or table is None or not subnet.az_id:
                continue
            for route in table.routes:
                if route.target in gwlbes and route.state == "active":
                    uses[(route.target, table.id, subnet.az_id)].append(s)
    for (ep_id, rt_id, az), subnets in sorted(uses.items()):
        ep = gwlbes[ep_id]
        ep_azs = sorted(inv.endpoint_az_ids(ep) or {inv.subnets[s].az_id for s in ep.subnet_ids if s in inv.subnets})
        if ep_azs and az not in ep_azs:
            yield ep, rt_id, az, tuple(sorted(set(subnets))), ep_azs[0]


def _gwlb_in_az(inv: Inventory, ep: Endpoint, az: str) -> list[Endpoint]:
    return [
        other
        for other in inv.endpoints_in(ep.vpc_id, EndpointType.GATEWAY_LOAD_BALANCER)
        if other.service_name == ep.service_name and az in inv.endpoint_az_ids(other)
    ]


_GWLB_REFS = (
    "https://docs.aws.amazon.com/vpc/latest/userguide/gwlb-route.html",
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/gateway/getting-started.html",
)


@check(
    "gwlb-cross-az",
    title="Workload AZ routes through a Gateway Load Balancer endpoint in another AZ",
    summary="Fires, per route table and AZ, when workload subnets in one AZ have a route table sending traffic to a "
    "Gateway Load Balancer endpoint in another AZ although the VPC has an endpoint of the same service in their own "
    "AZ. A GWLB endpoint used only by subnets of its own AZ is no finding.",
    risk="Inspection crosses AZs: an outage of the endpoint's AZ takes the other AZ's traffic down with it, and "
    "cross-AZ traffic is charged.",
    severity=Severity.HIGH,
    severity_rule="Always high: one AZ's failure takes two AZs down.",
    remediation="Give each AZ's subnets a route table pointing to the Gateway Load Balancer endpoint in the same AZ.",
    references=_GWLB_REFS,
    category=Category.ROUTING,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=(*ENDPOINTS, *EGRESS),
)
def gwlb_cross_az(inv: Inventory) -> Iterator[Finding]:
    for ep, rt_id, az, subnets, ep_az in _gwlb_uses(inv):
        local = _gwlb_in_az(inv, ep, az)
        if local:
            yield about(
                ep,
                f"route table {rt_id} sends traffic of workload subnets in {az} to {ep.id} in {ep_az}, although "
                f"{local[0].id} serves {az}",
                related_ids=(rt_id, *subnets, local[0].id),
                evidence={
                    "route_table_id": rt_id,
                    "workload_az": az,
                    "endpoint_az": ep_az,
                    "subnets": list(subnets),
                    "same_az_endpoint": local[0].id,
                },
                key=f"{rt_id}/{az}",
            )


@check(
    "gwlb-missing-az",
    title="Workload AZ has no Gateway Load Balancer endpoint of its own",
    summary="Fires, per route table and AZ, when workload subnets in one AZ route traffic to a Gateway Load Balancer "
    "endpoint in another AZ and the VPC has no endpoint of that service in their AZ.",
    risk="Every flow of that AZ depends on another AZ's inspection endpoint: its outage cuts this AZ off too.",
    severity=Severity.HIGH,
    severity_rule="Always high: one AZ's failure takes two AZs down.",
    remediation="Create a Gateway Load Balancer endpoint in the AZ and route the AZ's subnets to it.",
    references=_GWLB_REFS,
    category=Category.ROUTING,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=(*ENDPOINTS, *EGRESS),
)
def gwlb_missing_az(inv: Inventory) -> Iterator[Finding]:
    for ep, rt_id, az, subnets, ep_az in _gwlb_uses(inv):
        if not _gwlb_in_az(inv, ep, az):
            yield about(
                ep,
                f"workload subnets in {az} route through {ep.id} in {ep_az} (route table {rt_id}): {az} has no "
                "Gateway Load Balancer endpoint of its own",
                related_ids=(rt_id, *subnets),
                evidence={"route_table_id": rt_id, "workload_az": az, "endpoint_az": ep_az, "subnets": list(subnets)},
                key=f"{rt_id}/{az}",
            )


# --- gateway endpoints: NACLs cannot name a prefix list ----------------------------------------------------------


@check(
    "gw-nacl-deny",
    title="Network ACL blocks the gateway endpoint's service addresses",
    summary="Fires for an available S3 or DynamoDB gateway endpoint when a workload subnet routed to it has a network "
    "ACL that denies TCP 443 out to the service's prefix-list CIDRs or the replies on ephemeral ports (1024-65535) "
    "back from them. NACL rules cannot reference prefix lists, so the CIDRs must be allowed one by one; evaluated "
    "first match wins, IPv4 only.",
    risk="The route sends the traffic to the endpoint and the subnet's NACL drops it: calls to S3 or DynamoDB from "
    "that subnet time out.",
    severity=Severity.HIGH,
    severity_rule="Critical when every routed workload subnet is blocked; high when some are.",
    remediation="Allow TCP 443 outbound to every CIDR of the service's prefix list and TCP 1024-65535 inbound from "
    "them in the subnet's NACL.",
    references=(NACL_DOC, "https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html"),
    category=Category.ROUTING,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=(*ROUTE_COVERAGE, *PREFIX_LISTS, *PACKET),
)
def gw_nacl_deny(inv: Inventory) -> Iterator[Finding]:
    index = PathIndex.of(inv)
    for ep in inv.endpoints_of(EndpointType.GATEWAY):
        if not ep.available:
            continue
        pl = inv.gateway_prefix_list(ep)
        coverage = route_coverage(inv, ep)
        if pl is None or not pl.cidrs or coverage.status != KNOWN or not coverage.covered_subnets:
            continue
        blocked: dict[str, list[dict[str, Any]]] = {}
        for s in coverage.covered_subnets:
            subnet = inv.subnets[s]
            hops = [
                hop
                for cidr in pl.cidrs
                if ":" not in cidr
                for hop in (
                    index.nacl_hop(subnet, True, cidr, False, "workload-nacl-egress"),
                    index.nacl_hop(subnet, False, cidr, True, "workload-nacl-ingress-return"),
                )
                if hop.ok is False
            ]
            if hops:
                blocked[s] = [h.to_dict() for h in hops]
        if not blocked:
            continue
        every = len(blocked) == len(coverage.covered_subnets)
        yield about(
            ep,
            f"{ep.service_name}: the network ACLs of {len(blocked)} of {len(coverage.covered_subnets)} routed workload "
            f"subnet(s) drop traffic to or from the prefix list {pl.id}: {', '.join(sorted(blocked))}",
            severity=Severity.CRITICAL if every else Severity.HIGH,
            related_ids=(pl.id, *sorted(blocked)),
            evidence={"prefix_list_id": pl.id, "prefix_list_cidrs": list(pl.cidrs), "blocked": blocked},
        )
