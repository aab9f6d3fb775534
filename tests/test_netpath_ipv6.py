"""Packet path over IPv6 (issues 13 and 15): which clients call a dual-stack or IPv6 endpoint over IPv6
(verdicts/path_family.py), and their path judged in that family alone: IPv6 routes (local, peering, transit
gateway with Ipv6Support, blackhole), IPv6 NACL entries, the security groups' IPv6 ranges. An IPv4-only deny
never touches an IPv6 path and the other way round. Hand-built snapshots only (moto gives endpoint ENIs no IPv6
address, moto-5.2.5-network.md §13)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from moto_fixtures import build_world, fake_aws_env
from tests.conftest import collect
from tests.dns_raw import RESOLVER_APIS, ROUTE53_APIS, VPCE_ZONE, alias
from tests.raw_snapshot import ACCOUNT, REGION, RawPart, inventory, route, snapshot
from tests.test_netpath import owned_tgw_part
from vpce_audit.checks import run_checks
from vpce_audit.report.model import build_report
from vpce_audit.verdicts.network_path import (
    NACL_DENY,
    NO_ROUTE,
    SG_INGRESS,
    TGW_ROUTE,
    PathIndex,
    PathStatus,
    network_path,
    pair_path,
)
from vpce_audit.verdicts.path_family import SKIP, UNKNOWN, path_family

SSM = "com.amazonaws.us-east-1.ssm"
VPC6 = "2600:1f18:aa:100::/56"
E6 = "2600:1f18:aa:100::/64"  # the endpoint subnet (dual-stack), us-east-1a
C6 = "2600:1f18:aa:101::/64"  # IPv6-only clients, us-east-1b
D6 = "2600:1f18:aa:102::/64"  # dual-stack clients, us-east-1c
NET_CHECKS = ["net-no-route", "net-nacl-deny", "net-tgw-route", "sg-endpoint-ingress"]


def _rule(number: int, egress: bool, action: str, cidr: str, ports: tuple[int, int] | None = (443, 443)) -> Any:
    item = {"RuleNumber": number, "Protocol": "6" if ports else "-1", "RuleAction": action, "Egress": egress}
    key = "Ipv6CidrBlock" if ":" in cidr else "CidrBlock"
    return item | {key: cidr} | ({"PortRange": {"From": ports[0], "To": ports[1]}} if ports else {})


OPEN = [_rule(100 + v6, e, "allow", c, None) for v6, c in ((0, "0.0.0.0/0"), (1, "::/0")) for e in (False, True)]


def world(
    *,
    record_type: str | None = "dualstack",
    ip_type: str = "dualstack",
    endpoint_in: list[dict[str, Any]] = (),  # type: ignore[assignment]
    v6_client_routes: list[dict[str, Any]] = (),  # type: ignore[assignment]
    sg_v6: bool = True,
    sg_v4: bool = True,
) -> RawPart:
    """One VPC: vpce-1's ENI (10.0.0.5, 2600:1f18:aa:100::5) in dual-stack subnet-e; IPv6-only clients in
    subnet-v6 (us-east-1b, own route table rtb-v6 with `v6_client_routes`), dual-stack clients in subnet-d
    (us-east-1c). `endpoint_in`: entries put before the open ones on subnet-e's NACL."""
    raw = RawPart()
    raw.vpc("vpc-1", "10.0.0.0/16", Ipv6CidrBlockAssociationSet=[{"Ipv6CidrBlock": VPC6}])
    raw.subnet(
        "subnet-e", "vpc-1", "us-east-1a", CidrBlock="10.0.0.0/24", Ipv6CidrBlockAssociationSet=[{"Ipv6CidrBlock": E6}]
    )
    raw.subnet("subnet-v6", "vpc-1", "us-east-1b", Ipv6Native=True, Ipv6CidrBlockAssociationSet=[{"Ipv6CidrBlock": C6}])
    raw.subnet(
        "subnet-d", "vpc-1", "us-east-1c", CidrBlock="10.0.2.0/24", Ipv6CidrBlockAssociationSet=[{"Ipv6CidrBlock": D6}]
    )
    local6 = route(VPC6, "local")
    raw.route_table("rtb-1", "vpc-1", ["subnet-e", "subnet-d"], [local6], main=True)
    raw.route_table("rtb-v6", "vpc-1", ["subnet-v6"], [local6, *v6_client_routes])
    raw.eni("eni-w6", "subnet-v6", "vpc-1", Ipv6Addresses=[{"Ipv6Address": "2600:1f18:aa:101::10"}])
    raw.eni("eni-wd", "subnet-d", "vpc-1", PrivateIpAddress="10.0.2.10")
    extra: dict[str, Any] = {"IpAddressType": ip_type, "PrivateDnsEnabled": True, "ServiceName": SSM}
    if record_type is not None:
        extra["DnsOptions"] = {"DnsRecordIpType": record_type}
    raw.interface_endpoint("vpce-1", "vpc-1", {"subnet-e": "eni-e"}, Groups=[{"GroupId": "sg-ep"}], **extra)
    eni = raw.apis["ec2:DescribeNetworkInterfaces"][-1]
    eni |= {
        "PrivateIpAddress": "10.0.0.5",
        "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:aa:100::5"}],
        "Groups": [{"GroupId": "sg-ep"}],
    }
    permission: dict[str, Any] = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}
    permission["IpRanges"] = [{"CidrIp": "10.0.0.0/16"}] if sg_v4 else []
    if sg_v6:
        permission["Ipv6Ranges"] = [{"CidrIpv6": VPC6}]
    raw.add(
        "ec2:DescribeSecurityGroups",
        {
            "GroupId": "sg-ep",
            "GroupName": "endpoints",
            "VpcId": "vpc-1",
            "IpPermissions": [permission],
            "IpPermissionsEgress": [],
        },
    )
    raw.service(SSM)
    raw.apis["ec2:DescribeNetworkAcls"] = [
        _acl("acl-e", ["subnet-e"], [*endpoint_in, *OPEN]),
        _acl("acl-c", ["subnet-v6", "subnet-d"], list(OPEN)),
    ]
    for api in ("ec2:DescribeVpcPeeringConnections", "ec2:DescribeTransitGatewayAttachments"):
        raw.apis[api] = []
    return raw


def _acl(acl_id: str, subnets: list[str], entries: list[dict[str, Any]], vpc: str = "vpc-1") -> dict[str, Any]:
    return {
        "NetworkAclId": acl_id,
        "VpcId": vpc,
        "IsDefault": False,
        "Associations": [{"SubnetId": s} for s in subnets],
        "Entries": entries,
    }


def _azs(raw: RawPart) -> dict[str, PathStatus]:
    inv = inventory(raw)
    (vpc,) = network_path(inv, inv.endpoints["vpce-1"]).vpcs
    return {az.az_id: az.status for az in vpc.azs}


def _first_hops(raw: RawPart) -> dict[str, list[dict[str, Any]]]:
    """AZ ID -> the hop chain from its first client subnet to eni-e."""
    inv = inventory(raw)
    (vpc,) = network_path(inv, inv.endpoints["vpce-1"]).vpcs
    return {az.az_id: az.to_dict()["hops"]["eni-e"] for az in vpc.azs}


def _net(raw: RawPart) -> dict[str, Any]:
    return {f.check_id: f for f in run_checks(inventory(raw), NET_CHECKS)}


# --- which family each client uses -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ip_type", "record_type", "expected"),
    [
        # (IPv6-only subnet, dual-stack subnet)
        ("dualstack", "dualstack", ("ipv6", "ipv4")),
        ("dualstack", "ipv6", ("ipv6", "ipv6")),
        ("dualstack", "ipv4", (SKIP, "ipv4")),
        ("dualstack", "service-defined", (SKIP, "ipv4")),  # no AAAA on the private name
        ("dualstack", None, (UNKNOWN, "ipv4")),
        ("ipv6", None, ("ipv6", "ipv6")),
        ("ipv4", "ipv4", (SKIP, "ipv4")),
        ("", None, (SKIP, "ipv4")),
    ],
)
def test_the_family_each_client_uses_follows_the_records_it_gets(
    ip_type: str, record_type: str | None, expected: tuple[str, str]
) -> None:
    inv = inventory(world(ip_type=ip_type, record_type=record_type))
    ep = inv.endpoints["vpce-1"]
    assert (path_family(ep, inv.subnets["subnet-v6"]), path_family(ep, inv.subnets["subnet-d"])) == expected


# --- a healthy dual-stack VPC --------------------------------------------------------------------------


def test_ipv6_only_clients_are_judged_over_ipv6_and_dual_stack_ones_over_ipv4() -> None:
    raw = world()
    assert _azs(raw) == {"use1-az2": PathStatus.REACHABLE, "use1-az3": PathStatus.REACHABLE}
    hops = _first_hops(raw)
    v6, dual = hops["use1-az2"], hops["use1-az3"]
    assert v6[0]["cidr"] == C6 and v6[0]["family"] == "ipv6"
    assert {h["peer"] for h in v6 if "peer" in h} == {E6, C6}
    assert next(h for h in v6 if h["hop"] == "route")["route"]["destination"] == VPC6
    assert next(h for h in v6 if h["hop"] == "security-group")["by"] == [f"sg-ep {VPC6}"]
    assert dual[0]["cidr"] == "10.0.2.0/24" and "family" not in dual[0]
    assert next(h for h in dual if h["hop"] == "route")["route"]["destination"] == "10.0.0.0/16"
    assert not _net(raw)


def test_dual_stack_clients_with_aaaa_only_records_are_judged_over_ipv6() -> None:
    hops = _first_hops(world(record_type="ipv6"))
    assert hops["use1-az3"][0]["cidr"] == D6


def test_an_ipv4_endpoint_leaves_ipv6_only_clients_to_the_ipv6_checks() -> None:
    assert set(_azs(world(ip_type="ipv4", record_type="ipv4"))) == {"use1-az3"}


def test_record_type_not_reported_leaves_ipv6_only_clients_unknown_never_a_finding() -> None:
    raw = world(record_type=None, endpoint_in=[_rule(90, False, "deny", "::/0")])
    assert _azs(raw) == {"use1-az2": PathStatus.UNKNOWN, "use1-az3": PathStatus.REACHABLE}
    assert not _net(raw)


# --- NACLs: each family's entries apart -----------------------------------------------------------------


def test_an_ipv6_nacl_deny_cuts_the_ipv6_clients_and_names_their_ipv6_cidr() -> None:
    raw = world(endpoint_in=[_rule(90, False, "deny", "::/0")])
    assert _azs(raw) == {"use1-az2": PathStatus.UNREACHABLE, "use1-az3": PathStatus.REACHABLE}
    finding = _net(raw)[NACL_DENY]
    (hop,) = finding.evidence["hops"]["use1-az2"]
    assert (hop["hop"], hop["peer"], hop["rules"]) == ("endpoint-nacl-ingress", C6, [90])
    assert C6 in finding.message
    assert set(finding.evidence["hops"]) == {"use1-az2"}  # the IPv4 clients cross the same NACL untouched


def test_an_ipv4_nacl_deny_never_touches_the_ipv6_path() -> None:
    raw = world(endpoint_in=[_rule(90, False, "deny", "0.0.0.0/0")])
    assert _azs(raw) == {"use1-az2": PathStatus.REACHABLE, "use1-az3": PathStatus.UNREACHABLE}
    (hop,) = _net(raw)[NACL_DENY].evidence["hops"]["use1-az3"]
    assert hop["peer"] == "10.0.2.0/24"


def test_an_ipv6_allow_before_the_deny_keeps_the_path() -> None:
    raw = world(endpoint_in=[_rule(80, False, "allow", C6), _rule(90, False, "deny", "::/0")])
    assert set(_azs(raw).values()) == {PathStatus.REACHABLE}
    assert not _net(raw)


def test_an_ipv6_deny_on_the_ephemeral_return_fails_it() -> None:
    raw = world(endpoint_in=[_rule(90, True, "deny", C6, (1024, 65535))])
    assert _azs(raw)["use1-az2"] is PathStatus.UNREACHABLE
    (hop,) = _net(raw)[NACL_DENY].evidence["hops"]["use1-az2"]
    assert (hop["hop"], hop["peer"], hop["ports"]) == ("endpoint-nacl-egress-return", C6, "1024-65535")


def test_an_ipv6_entry_covering_part_of_the_endpoint_subnet_is_judged_for_the_enis_ipv6_address() -> None:
    # the clients' NACL drops replies from the upper half of the endpoint subnet's /64: the ENI (::5) is not there
    raw = world()
    raw.apis["ec2:DescribeNetworkAcls"][1]["Entries"] = [
        _rule(90, False, "deny", "2600:1f18:aa:100:8000::/65", (1024, 65535)),
        *OPEN,
    ]
    assert set(_azs(raw).values()) == {PathStatus.REACHABLE}
    inv = inventory(raw)
    index = PathIndex.of(inv)
    whole = pair_path(index, inv.subnets["subnet-v6"], inv.subnets["subnet-e"], True, ipv6=True)
    assert whole.ok is False and whole.per_address
    one = pair_path(
        index, inv.subnets["subnet-v6"], inv.subnets["subnet-e"], True, "2600:1f18:aa:100::5/128", ipv6=True
    )
    assert one.ok is True


# --- routes -------------------------------------------------------------------------------------------------


def test_an_ipv6_blackhole_to_the_endpoint_subnet_fires_net_no_route() -> None:
    raw = world(v6_client_routes=[route(E6, "tgw-1", "blackhole")])
    assert _azs(raw)["use1-az2"] is PathStatus.UNREACHABLE
    finding = _net(raw)[NO_ROUTE]
    (hop,) = finding.evidence["hops"]["use1-az2"]
    assert hop["route"] == {"destination": E6, "target": "tgw-1", "state": "blackhole"}


def test_a_blackhole_for_an_unrelated_ipv6_cidr_or_an_ipv4_one_is_quiet() -> None:
    unrelated = [route("2600:1f18:bb::/48", "tgw-1", "blackhole"), route("10.0.0.0/24", "tgw-1", "blackhole")]
    raw = world(v6_client_routes=unrelated)
    assert set(_azs(raw).values()) == {PathStatus.REACHABLE}
    assert not _net(raw)


def test_an_ipv4_blackhole_for_the_endpoint_subnet_never_fires_on_the_ipv6_path_and_vice_versa() -> None:
    raw = world()
    raw.apis["ec2:DescribeRouteTables"][0]["Routes"].append(route(E6, "tgw-1", "blackhole"))  # rtb-1: dual clients
    assert _azs(raw) == {"use1-az2": PathStatus.REACHABLE, "use1-az3": PathStatus.REACHABLE}
    raw.apis["ec2:DescribeRouteTables"][0]["Routes"].append(route("10.0.0.0/24", "tgw-1", "blackhole"))
    statuses = _azs(raw)
    assert statuses["use1-az2"] is PathStatus.REACHABLE  # its return through rtb-1 reads the IPv6 routes only
    assert statuses["use1-az3"] is PathStatus.UNREACHABLE


# --- security groups: the IPv6 ranges for the IPv6 clients -----------------------------------------------


def test_a_group_admitting_only_ipv4_refuses_the_ipv6_clients() -> None:
    raw = world(sg_v6=False)
    assert _azs(raw) == {"use1-az2": PathStatus.UNREACHABLE, "use1-az3": PathStatus.REACHABLE}
    inv = inventory(raw)
    (vpc,) = network_path(inv, inv.endpoints["vpce-1"]).vpcs
    failed = {h.check for _, _, h in vpc.failed_hops()}
    assert failed == {SG_INGRESS}
    finding = _net(raw)[SG_INGRESS]
    assert [s["subnet_id"] for s in finding.evidence["not_admitted"]] == ["subnet-v6"]


def test_a_dual_stack_client_on_aaaa_is_not_admitted_by_an_ipv4_rule() -> None:
    raw = world(sg_v6=False, record_type="ipv6")
    finding = _net(raw)[SG_INGRESS]
    assert {s["subnet_id"] for s in finding.evidence["not_admitted"]} == {"subnet-v6", "subnet-d"}


@pytest.mark.parametrize("ip_type", ["dualstack", "ipv4"])
def test_a_dual_stack_client_on_ipv4_is_admitted_by_ipv4_ranges_only_when_the_endpoint_is_dual_stack(
    ip_type: str,
) -> None:
    raw = world(sg_v4=False, ip_type=ip_type)
    statuses = _azs(raw)
    if ip_type == "dualstack":
        assert statuses["use1-az3"] is PathStatus.UNREACHABLE  # subnet-d calls over IPv4; only ::/56 admitted
        finding = _net(raw)[SG_INGRESS]
        assert [s["subnet_id"] for s in finding.evidence["not_admitted"]] == ["subnet-d"]
    else:  # an IPv4 endpoint: a range of either family admits, as before IpAddressType was read
        assert statuses == {"use1-az3": PathStatus.REACHABLE} and not _net(raw)


# --- pair keys stay apart per family ----------------------------------------------------------------------


def test_the_ipv4_and_ipv6_pairs_of_the_same_subnets_are_kept_apart() -> None:
    inv = inventory(world(endpoint_in=[_rule(90, False, "deny", "::/0")]))
    index = PathIndex.of(inv)
    client, target = inv.subnets["subnet-d"], inv.subnets["subnet-e"]
    v4 = pair_path(index, client, target, True)
    v6 = pair_path(index, client, target, True, ipv6=True)
    assert v4.ok is True and v6.ok is False
    assert {("subnet-d", "subnet-e", True, "ipv4"), ("subnet-d", "subnet-e", True, "ipv6")} <= index.local_pairs
    assert pair_path(index, client, target, True) is v4
    # an IPv6-only subnet asked for IPv4: not judged, never a finding
    assert pair_path(index, inv.subnets["subnet-v6"], target, True).ok is None


# --- peering and transit gateway over IPv6 ---------------------------------------------------------------

HUB6, SPOKE6 = "2600:1f18:cc:100::/56", "2600:1f18:dd:100::/56"


def tgw_v6_part(ipv6_support: str | None = "enable", spoke_route: bool = True) -> RawPart:
    """owned_tgw_part with IPv6: each VPC's subnet dual-stack, IPv6 local routes, the other VPC's IPv6 block
    routed to the transit gateway (the spoke's only when `spoke_route`), propagated IPv6 TGW routes, IPv6 NACL
    entries open; the attachments' Options.Ipv6Support as given (None: not reported)."""
    raw = owned_tgw_part()
    for subnet, block in (("subnet-hub", HUB6), ("subnet-spoke", SPOKE6)):
        item = next(s for s in raw.apis["ec2:DescribeSubnets"] if s["SubnetId"] == subnet)
        item["Ipv6CidrBlockAssociationSet"] = [{"Ipv6CidrBlock": block.replace("/56", "/64")}]
    hub_rt, spoke_rt = raw.apis["ec2:DescribeRouteTables"]
    hub_rt["Routes"] += [route(HUB6, "local"), route(SPOKE6, "tgw-1")]
    spoke_rt["Routes"] += [route(SPOKE6, "local")] + ([route(HUB6, "tgw-1")] if spoke_route else [])
    for acl in raw.apis["ec2:DescribeNetworkAcls"]:
        acl["Entries"] += [_rule(101, e, "allow", "::/0", None) for e in (False, True)]
    for item in raw.apis["ec2:DescribeTransitGatewayVpcAttachments"]:
        if ipv6_support is not None:
            item["Options"] = {"Ipv6Support": ipv6_support}
    (search,) = raw.apis["ec2:SearchTransitGatewayRoutes"]
    search["Routes"] += [
        {
            "DestinationCidrBlock": c,
            "Type": "propagated",
            "State": "active",
            "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": f"tgw-attach-{v}"}],
        }
        for c, v in ((HUB6, "vpc-hub"), (SPOKE6, "vpc-spoke"))
    ]
    return raw


def _tgw_pair(raw: RawPart, ipv6: bool = True) -> Any:
    inv = inventory(raw)
    return pair_path(PathIndex.of(inv), inv.subnets["subnet-spoke"], inv.subnets["subnet-hub"], True, ipv6=ipv6)


def test_ipv6_over_a_transit_gateway_with_ipv6_support_is_reachable() -> None:
    path = _tgw_pair(tgw_v6_part())
    assert path.ok is True, [h.detail for h in path.hops if h.ok is not True]
    hops = {h.hop: dict(h.evidence) for h in path.hops}
    assert hops["route"]["route"]["destination"] == HUB6
    assert hops["client-tgw-route"]["route"]["destination"] == HUB6
    assert hops["endpoint-tgw-route-return"]["route"]["destination"] == SPOKE6


def test_ipv6_support_disabled_on_an_attachment_fails_the_ipv6_path_only() -> None:
    raw = tgw_v6_part("disable")
    path = _tgw_pair(raw)
    assert [(h.hop, h.check) for h in path.failed] == [("client-attachment", TGW_ROUTE)]
    assert "IPv6 support disabled" in path.failed[0].detail
    assert _tgw_pair(raw, ipv6=False).ok is True


def test_ipv6_support_not_reported_is_unknown() -> None:
    path = _tgw_pair(tgw_v6_part(None))
    assert path.ok is None and not path.failed
    assert "Ipv6Support" in next(h.detail for h in path.hops if h.ok is None)


def test_no_ipv6_route_to_the_hub_fails_with_the_ipv6_cidr_while_ipv4_stays() -> None:
    raw = tgw_v6_part(spoke_route=False)
    path = _tgw_pair(raw)
    assert [h.check for h in path.failed] == [NO_ROUTE]
    assert HUB6.replace("/56", "/64") in path.failed[0].detail
    assert _tgw_pair(raw, ipv6=False).ok is True


def peering_part(back: bool = True) -> RawPart:
    """Two dual-stack VPCs peered (pcx-1), IPv4 and IPv6 routed both ways (vpc-b's IPv6 route back to vpc-a
    only when `back`)."""
    raw = RawPart()
    raw.vpc("vpc-a", "10.0.0.0/16")
    raw.vpc("vpc-b", "10.1.0.0/16")
    raw.subnet(
        "subnet-a",
        "vpc-a",
        "us-east-1a",
        CidrBlock="10.0.0.0/24",
        Ipv6CidrBlockAssociationSet=[{"Ipv6CidrBlock": "2600:1f18:cc:100::/64"}],
    )
    raw.subnet(
        "subnet-b",
        "vpc-b",
        "us-east-1a",
        CidrBlock="10.1.0.0/24",
        Ipv6CidrBlockAssociationSet=[{"Ipv6CidrBlock": "2600:1f18:dd:100::/64"}],
    )
    raw.route_table(
        "rtb-a", "vpc-a", ["subnet-a"], [route(HUB6, "local"), route("10.1.0.0/16", "pcx-1"), route(SPOKE6, "pcx-1")]
    )
    rt_b = raw.route_table("rtb-b", "vpc-b", ["subnet-b"], [route(SPOKE6, "local"), route("10.0.0.0/16", "pcx-1")])
    rt_b["Routes"][0] = route("10.1.0.0/16", "local")
    if back:
        rt_b["Routes"].append(route(HUB6, "pcx-1"))
    raw.apis["ec2:DescribeNetworkAcls"] = [_acl("acl-a", ["subnet-a", "subnet-b"], list(OPEN))]
    raw.apis["ec2:DescribeVpcPeeringConnections"] = [
        {
            "VpcPeeringConnectionId": "pcx-1",
            "Status": {"Code": "active"},
            "RequesterVpcInfo": {"VpcId": "vpc-a", "OwnerId": ACCOUNT, "Region": "us-east-1"},
            "AccepterVpcInfo": {"VpcId": "vpc-b", "OwnerId": ACCOUNT, "Region": "us-east-1"},
        }
    ]
    raw.apis["ec2:DescribeTransitGatewayAttachments"] = []
    return raw


@pytest.mark.parametrize("back", [True, False])
def test_ipv6_over_peering_needs_the_ipv6_route_both_ways(back: bool) -> None:
    inv = inventory(peering_part(back))
    index = PathIndex.of(inv)
    path = pair_path(index, inv.subnets["subnet-a"], inv.subnets["subnet-b"], True, ipv6=True)
    assert pair_path(index, inv.subnets["subnet-a"], inv.subnets["subnet-b"], True).ok is True
    if back:
        assert path.ok is True
    else:
        assert [(h.hop, h.check) for h in path.failed] == [("return-route", NO_ROUTE)]
        assert "2600:1f18:cc:100::/64" in path.failed[0].detail


# --- normalize: what the IPv6 path reads ------------------------------------------------------------------


def test_eni_ipv6_addresses_and_attachment_ipv6_support_are_normalized() -> None:
    inv = inventory(world())
    assert inv.enis["eni-e"].ipv6_ips == ("2600:1f18:aa:100::5",)
    assert inv.enis["eni-wd"].ipv6_ips == ()
    supports = {}
    for value in ("enable", "disable", None):
        atts = inventory(tgw_v6_part(value)).network.attachments
        supports[value] = {a.ipv6_support for a in atts.values()}
    assert supports == {"enable": {True}, "disable": {False}, None: {None}}


def test_the_report_carries_the_ipv6_hop_chain() -> None:
    report = build_report(snapshot(world(endpoint_in=[_rule(90, False, "deny", "::/0")])))
    (finding,) = [f for f in report.findings if f.check_id == NACL_DENY]
    assert finding.evidence["az_status"] == {"use1-az2": "unreachable", "use1-az3": "reachable"}


def test_the_moto_dual_stack_world_is_reachable_over_ipv6_from_its_ipv6_only_workloads() -> None:
    """moto_fixtures/shape_worlds.py ipv6-dualstack-endpoint (AWS's IPv6 default NACL entries added there):
    the IPv6-only workloads' AZs are judged over IPv6 and reachable."""
    with fake_aws_env(), mock_aws():
        session = boto3.Session(region_name=REGION)
        world = build_world("ipv6-dualstack-endpoint", session, REGION)
        try:
            snap, _ = collect(session)
        finally:
            world.close()
    report = build_report(snap)
    (verdict,) = [v for v in report.endpoints if v.endpoint.id == world.ids["ep.ssm"]]
    assert verdict.network is not None
    (vpc,) = verdict.network.vpcs
    assert {az.status for az in vpc.azs} == {PathStatus.REACHABLE} and len(vpc.azs) == 2
    first = [hops[0] for az in vpc.azs for hops in az.to_dict()["hops"].values()]
    assert {h.get("family") for h in first} == {"ipv6"}


# --- a spoke reaching a hub endpoint over IPv6 through a private zone and a transit gateway -----------------


def spoke_world(ipv6_support: str, *, sg_v6: bool = True) -> tuple[RawPart, RawPart]:
    """tgw_v6_part with the spoke's subnet IPv6-only (a workload in it), a dual-stack ssm endpoint in the hub's
    subnet admitting 443 from any address, and a private zone for the service's name associated with the spoke
    (A and AAAA aliases to the endpoint's regional name): the spoke reaches the hub's endpoint over IPv6."""
    raw = tgw_v6_part(ipv6_support)
    spoke = next(s for s in raw.apis["ec2:DescribeSubnets"] if s["SubnetId"] == "subnet-spoke")
    spoke.pop("CidrBlock")
    spoke["Ipv6Native"] = True
    raw.eni("eni-w", "subnet-spoke", "vpc-spoke", Ipv6Addresses=[{"Ipv6Address": "2600:1f18:dd:100::10"}])
    for vpc in ("vpc-hub", "vpc-spoke"):
        for attr in ("EnableDnsSupport", "EnableDnsHostnames"):
            raw.add("ec2:DescribeVpcAttribute", {"VpcId": vpc, attr: {"Value": True}})
    for api in RESOLVER_APIS:
        raw.apis[api] = []
    regional = "vpce-hub-abcd1234.ssm.us-east-1.vpce.amazonaws.com"
    raw.interface_endpoint(
        "vpce-hub",
        "vpc-hub",
        {"subnet-hub": "eni-hub"},
        ServiceName=SSM,
        Groups=[{"GroupId": "sg-hub"}],
        IpAddressType="dualstack",
        DnsOptions={"DnsRecordIpType": "dualstack"},
        PrivateDnsEnabled=False,
        DnsEntries=[{"DnsName": regional, "HostedZoneId": VPCE_ZONE}],
    )
    raw.apis["ec2:DescribeNetworkInterfaces"][-1] |= {
        "PrivateIpAddress": "10.0.0.5",
        "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:cc:100::5"}],
    }
    ranges: dict[str, Any] = {"IpRanges": [{"CidrIp": "10.0.0.0/8"}]}
    if sg_v6:
        ranges["Ipv6Ranges"] = [{"CidrIpv6": "::/0"}]
    raw.add(
        "ec2:DescribeSecurityGroups",
        {
            "GroupId": "sg-hub",
            "GroupName": "endpoints",
            "VpcId": "vpc-hub",
            "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443} | ranges],
            "IpPermissionsEgress": [],
        },
    )
    raw.service(SSM)
    glob = RawPart(ACCOUNT, "global", zones={})
    glob.apis = {api: [] for api in ROUTE53_APIS}
    name = "ssm.us-east-1.amazonaws.com"
    for vpc, zones in (("vpc-hub", []), ("vpc-spoke", [{"HostedZoneId": "ZSPOKE", "Name": f"{name}."}])):
        owner = {"OwningAccount": ACCOUNT}
        summaries = [z | {"Owner": owner} for z in zones]
        glob.add("route53:ListHostedZonesByVPC", {"VPCId": vpc, "VPCRegion": REGION, "HostedZoneSummaries": summaries})
    glob.add(
        "route53:GetHostedZone",
        {
            "HostedZone": {"Id": "/hostedzone/ZSPOKE", "Name": f"{name}.", "Config": {"PrivateZone": True}},
            "VPCs": [{"VPCRegion": REGION, "VPCId": "vpc-spoke"}],
        },
    )
    glob.add(
        "route53:ListResourceRecordSets",
        {"HostedZoneId": "ZSPOKE", "ResourceRecordSets": [alias(name, regional), alias(name, regional, "AAAA")]},
    )
    return raw, glob


@pytest.mark.parametrize("support", ["enable", "disable"])
def test_a_spoke_reaching_a_hub_endpoint_over_ipv6_needs_ipv6_support_on_the_attachments(support: str) -> None:
    report = build_report(snapshot(*spoke_world(support)))
    (verdict,) = [v for v in report.endpoints if v.endpoint.id == "vpce-hub"]
    assert verdict.network is not None
    spoke = next(v for v in verdict.network.vpcs if v.vpc_id == "vpc-spoke")
    (az,) = spoke.azs
    hops = az.to_dict()["hops"]["eni-hub"]
    assert hops[0]["cidr"] == "2600:1f18:dd:100::/64" and hops[0]["family"] == "ipv6"
    net = [f for f in report.findings if f.check_id.startswith("net-")]
    if support == "enable":
        assert az.status is PathStatus.REACHABLE and not net
    else:
        assert az.status is PathStatus.UNREACHABLE
        (finding,) = net
        assert finding.check_id == TGW_ROUTE and finding.evidence["client_vpc_id"] == "vpc-spoke"
        (hop,) = finding.evidence["hops"]["use1-az1"]
        assert hop["hop"] == "client-attachment" and hop["ipv6_support"] is False


def test_a_hub_group_admitting_only_ipv4_refuses_the_ipv6_spoke() -> None:
    raw, glob = spoke_world("enable", sg_v6=False)
    spoke_vpc = next(v for v in raw.apis["ec2:DescribeVpcs"] if v["VpcId"] == "vpc-spoke")
    spoke_vpc["Ipv6CidrBlockAssociationSet"] = [{"Ipv6CidrBlock": SPOKE6}]
    report = build_report(snapshot(raw, glob))
    (finding,) = [f for f in report.findings if f.check_id.startswith(("net-", "sg-"))]
    assert finding.check_id == SG_INGRESS and finding.evidence["spoke_vpc_id"] == "vpc-spoke"
    assert finding.evidence["not_admitted"] == ["subnet-spoke"]
    assert SPOKE6 in finding.evidence["spoke_cidrs"]
