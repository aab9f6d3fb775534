"""Worlds for the packet path (issue 13): hub and spoke over a transit gateway (healthy, AZ gaps, blackholes, no
route back), unrouted and one-way peered spokes, NACLs that drop (and allow first), Gateway Load Balancer
endpoints across AZs, and gateway endpoints behind NACLs. Each declares the exact check ids it raises."""

from __future__ import annotations

from moto.ec2.models import ec2_backends

from moto_fixtures.builder import AZ1, AZ2, Builder
from moto_fixtures.dns_worlds import ALL_AZS, HUB_CIDR, SPOKE_CIDR, service_name
from moto_fixtures.network import OPEN, nacl, peer, tgw_connect, tgw_route
from moto_fixtures.worlds import World, isolated_vpc, subnets_in, world


def hub_spoke(
    b: Builder,
    *,
    spoke_workload_azs: tuple[str, ...] = ALL_AZS,
    hub_admits_spoke: bool = True,
) -> dict[str, str]:
    """A hub VPC with an ssm endpoint (private DNS off) in every AZ and a spoke VPC whose zone aliases the
    endpoint's regional name; no path between them yet. Ids: hub, spoke, hub.rt, spoke.rt, ep, subnets."""
    hub = isolated_vpc(b, "hub", ALL_AZS, HUB_CIDR)
    if hub_admits_spoke:
        b.allow_ingress(hub["sg"], cidrs=[SPOKE_CIDR])
    spoke = isolated_vpc(b, "spoke", ALL_AZS, SPOKE_CIDR, workload_az_ids=spoke_workload_azs)
    ep = b.interface_endpoint(hub["vpc"], "ssm", subnets_in(hub, *ALL_AZS), [hub["sg"]], private_dns=False)
    regional, _ = b.endpoint_names(ep)
    name = service_name(b, "ssm")
    zone = b.private_zone(name, [hub["vpc"], spoke["vpc"]])
    b.records(zone, b.alias_record(name, regional))
    ids = {"hub": hub["vpc"], "spoke": spoke["vpc"], "hub.rt": hub["rt"], "spoke.rt": spoke["rt"], "ep": ep}
    ids |= {f"hub.{k}": v for k, v in hub.items() if k.startswith("subnet.")}
    ids |= {f"spoke.{k}": v for k, v in spoke.items() if k.startswith("subnet.")}
    return ids


def _subnets(ids: dict[str, str], side: str, azs: tuple[str, ...]) -> list[str]:
    return [ids[f"{side}.subnet.{az}"] for az in azs]


def over_tgw(
    b: Builder, ids: dict[str, str], hub_azs: tuple[str, ...] = ALL_AZS, spoke_azs: tuple[str, ...] = ALL_AZS
) -> dict[str, str]:
    """Connect hub and spoke through a transit gateway attached in these AZs."""
    ids |= tgw_connect(
        b,
        [
            (ids["hub"], HUB_CIDR, ids["hub.rt"], _subnets(ids, "hub", hub_azs)),
            (ids["spoke"], SPOKE_CIDR, ids["spoke.rt"], _subnets(ids, "spoke", spoke_azs)),
        ],
    )
    return ids


@world("net-tgw-hub-spoke", expect=())
def net_tgw_hub_spoke(b: Builder) -> World:
    """Healthy: the spoke reaches the hub endpoint over a transit gateway attached in every AZ on both sides,
    propagated routes both ways, default NACLs. A spoke client in AZ X reaching the ENI in AZ Y crosses AZs
    inside the transit gateway, which is normal."""
    return World("net-tgw-hub-spoke", b, ids=over_tgw(b, hub_spoke(b)))


@world("net-no-route", expect={"net-no-route"})
def net_no_route(b: Builder) -> World:
    """The spoke resolves the hub's ssm endpoint through the zone, but nothing routes it there."""
    return World("net-no-route", b, ids=hub_spoke(b))


@world("net-peer-one-way", expect={"net-no-route"})
def net_peer_one_way(b: Builder) -> World:
    """Peered, but only the spoke routes to the hub: the replies have no way back."""
    ids = hub_spoke(b)
    pcx = b.ec2.create_vpc_peering_connection(VpcId=ids["hub"], PeerVpcId=ids["spoke"])["VpcPeeringConnection"]
    ids["pcx"] = str(pcx["VpcPeeringConnectionId"])
    b.ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=ids["pcx"])
    b.route(ids["spoke.rt"], HUB_CIDR, ids["pcx"])
    return World("net-peer-one-way", b, ids=ids)


@world("net-peer-hub-spoke", expect=())
def net_peer_hub_spoke(b: Builder) -> World:
    """Healthy: peering with routes both ways."""
    ids = hub_spoke(b)
    ids["pcx"] = peer(b, ids["hub"], HUB_CIDR, ids["hub.rt"], ids["spoke"], SPOKE_CIDR, ids["spoke.rt"])
    return World("net-peer-hub-spoke", b, ids=ids)


@world("net-tgw-spoke-az-gap", expect={"net-tgw-az-gap"})
def net_tgw_spoke_az_gap(b: Builder) -> World:
    """The spoke's attachment has no subnet in use1-az6, where it runs workloads: they never reach the hub."""
    return World("net-tgw-spoke-az-gap", b, ids=over_tgw(b, hub_spoke(b), spoke_azs=(AZ1, AZ2)))


@world("net-tgw-hub-az-gap", expect={"net-tgw-az-gap"})
def net_tgw_hub_az_gap(b: Builder) -> World:
    """The hub's attachment has no subnet in use1-az6, where the endpoint has an ENI: that ENI's replies cannot
    enter the transit gateway, so a third of the spoke's calls fail (degraded)."""
    return World("net-tgw-hub-az-gap", b, ids=over_tgw(b, hub_spoke(b), hub_azs=(AZ1, AZ2)))


@world("net-tgw-empty-az", expect=())
def net_tgw_empty_az(b: Builder) -> World:
    """Near miss: the spoke's third AZ has a subnet but neither workloads nor an attachment subnet."""
    ids = hub_spoke(b, spoke_workload_azs=(AZ1, AZ2))
    return World("net-tgw-empty-az", b, ids=over_tgw(b, ids, spoke_azs=(AZ1, AZ2)))


@world("net-tgw-blackhole", expect={"net-tgw-route"})
def net_tgw_blackhole(b: Builder) -> World:
    """A static blackhole for the hub's endpoint subnet, more specific than the propagated hub route."""
    ids = over_tgw(b, hub_spoke(b))
    tgw_route(b, ids["tgw-rtb"], "10.0.0.0/20", None)
    return World("net-tgw-blackhole", b, ids=ids)


@world("net-tgw-unrelated-blackhole", expect=())
def net_tgw_unrelated_blackhole(b: Builder) -> World:
    """Near miss: a blackhole for a CIDR nobody here uses."""
    ids = over_tgw(b, hub_spoke(b))
    tgw_route(b, ids["tgw-rtb"], "192.168.0.0/16", None)
    return World("net-tgw-unrelated-blackhole", b, ids=ids)


@world("net-tgw-no-return", expect={"net-tgw-route"})
def net_tgw_no_return(b: Builder) -> World:
    """The spoke's CIDR was never propagated: the hub's replies find no route in the transit gateway."""
    ids = over_tgw(b, hub_spoke(b))
    ec2_backends[b.account_id][b.region].transit_gateways_route_tables[ids["tgw-rtb"]].routes.pop(SPOKE_CIDR)
    return World("net-tgw-no-return", b, ids=ids)


@world("net-nacl-deny", expect={"net-nacl-deny"})
def net_nacl_deny(b: Builder) -> World:
    """The endpoint subnet in use1-az1 has a NACL that denies TCP 443 in before allowing everything: that ENI
    is unreachable for every client (degraded)."""
    ids = isolated_vpc(b, "app")
    ids["ep"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, *ALL_AZS), [ids["sg"]])
    ids["acl"] = nacl(b, ids["vpc"], subnets_in(ids, AZ1), [(90, False, "deny", "6", "0.0.0.0/0", 443, 443), *OPEN])
    return World("net-nacl-deny", b, ids=ids)


@world("net-nacl-allow-first", expect=())
def net_nacl_allow_first(b: Builder) -> World:
    """Near miss: the same deny, but an allow for the VPC's CIDR comes first (first match wins)."""
    ids = isolated_vpc(b, "app")
    ids["ep"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, *ALL_AZS), [ids["sg"]])
    entries = [(80, False, "allow", "6", "10.0.0.0/16", 443, 443), (90, False, "deny", "6", "0.0.0.0/0", 443, 443)]
    ids["acl"] = nacl(b, ids["vpc"], subnets_in(ids, AZ1), [*entries, *OPEN])
    return World("net-nacl-allow-first", b, ids=ids)


# --- dedicated transit gateway subnets and their NACLs (AWS's advice: a small subnet per AZ for the attachment) --


def over_tgw_subnets(b: Builder, ids: dict[str, str]) -> dict[str, str]:
    """Connect hub and spoke through a transit gateway whose attachments sit in dedicated /28 subnets, one per
    AZ, apart from the workload and endpoint subnets (ids: <side>.tgw.<az>). The traffic then crosses the
    attachment subnets' NACLs on its way into and out of each VPC (tgw-nacls.html)."""
    attach: dict[str, list[str]] = {}
    for side, prefix in (("hub", "10.0"), ("spoke", "10.1")):
        for i, az in enumerate(ALL_AZS):
            ids[f"{side}.tgw.{az}"] = b.subnet(ids[side], az, f"{prefix}.240.{16 * i}/28", f"{side}-tgw-{az}")
            b.ec2.associate_route_table(RouteTableId=ids[f"{side}.rt"], SubnetId=ids[f"{side}.tgw.{az}"])
        attach[side] = [ids[f"{side}.tgw.{az}"] for az in ALL_AZS]
    ids |= tgw_connect(
        b,
        [
            (ids["hub"], HUB_CIDR, ids["hub.rt"], attach["hub"]),
            (ids["spoke"], SPOKE_CIDR, ids["spoke.rt"], attach["spoke"]),
        ],
    )
    return ids


@world("net-tgw-attachment-subnets", expect=())
def net_tgw_attachment_subnets(b: Builder) -> World:
    """Near miss: the attachments sit in dedicated subnets whose NACL is the VPC's default (allow all both
    ways, as AWS advises for transit gateway subnets)."""
    return World("net-tgw-attachment-subnets", b, ids=over_tgw_subnets(b, hub_spoke(b)))


# The hub's transit gateway subnet in use1-az1 refuses to send TCP 443 on into the VPC.
_HUB_TGW_DENY = (90, True, "deny", "6", "0.0.0.0/0", 443, 443)


@world("net-tgw-attachment-nacl-deny", expect={"net-nacl-deny"})
def net_tgw_attachment_nacl_deny(b: Builder) -> World:
    """The hub's attachment subnet in use1-az1 has a NACL denying TCP 443 outbound: traffic the transit gateway
    delivers there (from spoke clients in use1-az1) never reaches an endpoint subnet, so that spoke AZ is
    unreachable while the others work (high). The endpoint and workload subnets' NACLs are open."""
    ids = over_tgw_subnets(b, hub_spoke(b))
    ids["acl"] = nacl(b, ids["hub"], [ids[f"hub.tgw.{AZ1}"]], [_HUB_TGW_DENY, *OPEN])
    return World("net-tgw-attachment-nacl-deny", b, ids=ids)


@world("net-tgw-attachment-nacl-allow-first", expect=())
def net_tgw_attachment_nacl_allow_first(b: Builder) -> World:
    """Near miss: the same deny, but an allow of TCP 443 to the hub's CIDR comes first (first match wins)."""
    ids = over_tgw_subnets(b, hub_spoke(b))
    allow = (80, True, "allow", "6", HUB_CIDR, 443, 443)
    ids["acl"] = nacl(b, ids["hub"], [ids[f"hub.tgw.{AZ1}"]], [allow, _HUB_TGW_DENY, *OPEN])
    return World("net-tgw-attachment-nacl-allow-first", b, ids=ids)


@world("net-tgw-attachment-nacl-return", expect={"net-nacl-deny"})
def net_tgw_attachment_nacl_return(b: Builder) -> World:
    """The spoke's transit gateway subnets let out only TCP 443: the replies the transit gateway hands them on
    the client's ephemeral ports are dropped on their way to the workload subnets, in every AZ (critical)."""
    ids = over_tgw_subnets(b, hub_spoke(b))
    entries = [(100, False, "allow", "-1", "0.0.0.0/0", 0, 0), (100, True, "allow", "6", "0.0.0.0/0", 443, 443)]
    ids["acl"] = nacl(b, ids["spoke"], [ids[f"spoke.tgw.{az}"] for az in ALL_AZS], entries)
    return World("net-tgw-attachment-nacl-return", b, ids=ids)


@world("net-tgw-appliance-off", expect=())
def net_tgw_appliance_off(b: Builder) -> World:
    """Near miss: both attachments say ApplianceModeSupport disable and no VPC inspects the traffic (no route
    to a Gateway Load Balancer endpoint or an appliance): appliance mode matters only on an inspection VPC's
    attachment, so the path is reachable and nothing is raised."""
    ids = over_tgw(b, hub_spoke(b))
    for side in ("hub", "spoke"):
        b.ec2.modify_transit_gateway_vpc_attachment(
            TransitGatewayAttachmentId=ids[f"att.{ids[side]}"], Options={"ApplianceModeSupport": "disable"}
        )
    return World("net-tgw-appliance-off", b, ids=ids)


def _gwlb_endpoint(b: Builder, vpc: str, subnet: str) -> str:
    """A GWLB endpoint with the ENI AWS gives it (moto creates none)."""
    ep = b.ec2.create_vpc_endpoint(
        VpcId=vpc,
        VpcEndpointType="GatewayLoadBalancer",
        ServiceName=f"com.amazonaws.vpce.{b.region}.vpce-svc-0123456789abcdef0",
        SubnetIds=[subnet],
    )
    ep_id = str(ep["VpcEndpoint"]["VpcEndpointId"])
    eni = str(
        b.ec2.create_network_interface(SubnetId=subnet, Description=f"VPC Endpoint Interface {ep_id}")[
            "NetworkInterface"
        ]["NetworkInterfaceId"]
    )
    be = ec2_backends[b.account_id][b.region]
    be.enis[eni].interface_type = "gateway_load_balancer_endpoint"
    be.vpc_end_points[ep_id].network_interface_ids = [eni]
    return ep_id


def _inspected(b: Builder, routes: dict[str, str]) -> dict[str, str]:
    """A VPC with a workload subnet per AZ, each AZ on its own route table whose default route goes to the GWLB
    endpoint in the AZ `routes[az]` names; GWLB endpoints in those AZs."""
    vpc = b.vpc("10.0.0.0/16", "inspected")
    ids = {"vpc": vpc}
    for az, subnet in zip((AZ1, AZ2), b.subnets(vpc, (AZ1, AZ2)), strict=True):
        ids[f"subnet.{az}"] = subnet
        b.workload(subnet)
    ends = {az: _gwlb_endpoint(b, vpc, ids[f"subnet.{az}"]) for az in sorted(set(routes.values()))}
    for az, via in routes.items():
        rt = b.route_table(vpc, [ids[f"subnet.{az}"]], name=f"inspected-{az}")
        b.ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", VpcEndpointId=ends[via])
        ids[f"rt.{az}"] = rt
    ids |= {f"gwlbe.{az}": e for az, e in ends.items()}
    return ids


@world("gwlb-cross-az", expect={"gwlb-cross-az"})
def gwlb_cross_az(b: Builder) -> World:
    """GWLB endpoints in both AZs, but use1-az2's route table sends its traffic to use1-az1's."""
    ids = _inspected(b, {AZ1: AZ1, AZ2: AZ1})
    ids["gwlbe.az2-unused"] = _gwlb_endpoint(b, ids["vpc"], ids[f"subnet.{AZ2}"])
    return World("gwlb-cross-az", b, ids=ids)


@world("gwlb-missing-az", expect={"gwlb-missing-az"})
def gwlb_missing_az(b: Builder) -> World:
    """One GWLB endpoint, in use1-az1, inspects both AZs: use1-az2 has none of its own."""
    return World("gwlb-missing-az", b, ids=_inspected(b, {AZ1: AZ1, AZ2: AZ1}))


@world("gwlb-same-az", expect=())
def gwlb_same_az(b: Builder) -> World:
    """Near miss: each AZ routes through its own GWLB endpoint."""
    return World("gwlb-same-az", b, ids=_inspected(b, {AZ1: AZ1, AZ2: AZ2}))


@world("gw-nacl-deny", expect={"gw-nacl-deny"})
def gw_nacl_deny(b: Builder) -> World:
    """An S3 gateway endpoint on the subnets' route table, and a NACL allowing TCP 443 out only to the VPC."""
    ids = isolated_vpc(b, "app")
    ids["ep.s3"] = b.gateway_endpoint(ids["vpc"], "s3", [ids["rt"]])
    entries = [
        (100, True, "allow", "6", "10.0.0.0/16", 443, 443),
        (100, False, "allow", "-1", "0.0.0.0/0", 0, 0),
    ]
    ids["acl"] = nacl(b, ids["vpc"], subnets_in(ids, *ALL_AZS), entries)
    return World("gw-nacl-deny", b, ids=ids)


@world("sg-spoke-denied", expect={"sg-endpoint-ingress"})
def sg_spoke_denied(b: Builder) -> World:
    """The hub endpoint's group admits only the hub's CIDR: the spoke, routed over the transit gateway and
    resolving through the zone, is refused (one finding keyed by the spoke VPC)."""
    return World("sg-spoke-denied", b, ids=over_tgw(b, hub_spoke(b, hub_admits_spoke=False)))


@world("sg-unused-vpc", expect={"sg-endpoint-ingress"})
def sg_unused_vpc(b: Builder) -> World:
    """A VPC built and not used yet (no workload ENI) whose endpoint group admits only another range: its
    first client will be refused."""
    ids = isolated_vpc(b, "unused", workload_az_ids=())
    sg = b.security_group(ids["vpc"], "elsewhere", https_from=("192.168.0.0/16",))
    ids["ep"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, *ALL_AZS), [sg])
    return World("sg-unused-vpc", b, ids=ids)
