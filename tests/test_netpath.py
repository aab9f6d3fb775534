"""Packet path (issue 13): collection (one call per resource type, one per TGW route table), the NACL evaluator
(rule order, address families, ephemeral ranges), the verdict's hop chain, unknowns (a transit gateway shared
from an account not scanned, a denied call) and the report fields. The checks' firing and near-miss worlds are
in moto_fixtures/net_worlds.py and run by tests/test_worlds.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import boto3
import pytest
from moto import mock_aws

from moto_fixtures import build_world, fake_aws_env
from moto_fixtures.network import default_tgw_route_table
from tests.conftest import REGION, audit, collect
from tests.raw_snapshot import ACCOUNT, RawPart, inventory, route, snapshot
from vpce_audit.collect.network import include_managed
from vpce_audit.model.network import NaclEntry, NetworkAcl
from vpce_audit.report.html import render_html
from vpce_audit.report.model import Report, build_report
from vpce_audit.report.table import render_table
from vpce_audit.verdicts.network_path import (
    NACL_DENY,
    TGW_AZ_GAP,
    PathIndex,
    PathStatus,
    _nacl,
    network_path,
    pair_path,
)

# --- the NACL evaluator --------------------------------------------------------------------------------------


def acl(*entries: NaclEntry) -> NetworkAcl:
    return NetworkAcl(
        "acl-1", "vpc-1", ACCOUNT, REGION, False, ("subnet-1",), tuple(sorted(entries, key=lambda e: e.rule_number))
    )


def entry(
    rule: int,
    allow: bool,
    cidr: str = "0.0.0.0/0",
    protocol: str = "6",
    ports: tuple[int, int] | None = (443, 443),
    egress: bool = False,
) -> NaclEntry:
    v6 = ":" in cidr
    return NaclEntry(
        rule,
        egress,
        allow,
        protocol,
        None if v6 else cidr,
        cidr if v6 else None,
        ports[0] if ports else None,
        ports[1] if ports else None,
    )


ALLOW_ALL = entry(100, True, protocol="-1", ports=None)
ALLOW_ALL_OUT = entry(100, True, protocol="-1", ports=None, egress=True)


def test_first_match_wins_in_rule_order() -> None:
    allow_first = acl(entry(80, True, "10.1.0.0/16"), entry(90, False), ALLOW_ALL)
    deny_first = acl(entry(80, False), entry(90, True, "10.1.0.0/16"), ALLOW_ALL)
    assert _nacl(allow_first, False, "10.1.2.0/24", False, "h").ok is True
    hop = _nacl(deny_first, False, "10.1.2.0/24", False, "h")
    assert hop.ok is False and hop.check == NACL_DENY and dict(hop.evidence)["rules"] == [80]


def test_ipv6_entries_never_apply_to_ipv4_traffic() -> None:
    assert _nacl(acl(entry(50, False, "::/0"), ALLOW_ALL), False, "10.1.0.0/24", False, "h").ok is True
    # and an IPv4 NACL with only IPv6 allows falls to the `*` deny
    assert _nacl(acl(entry(50, True, "::/0", protocol="-1", ports=None)), False, "10.1.0.0/24", False, "h").ok is False


def test_other_protocols_do_not_match_tcp_and_all_traffic_ignores_ports() -> None:
    assert _nacl(acl(entry(50, False, protocol="17", ports=(0, 65535)), ALLOW_ALL), False, "10.1.0.0/24", False, "h").ok
    # protocol -1 with a port range covers every port (AWS ignores the range)
    assert (
        _nacl(acl(entry(50, False, protocol="-1", ports=(22, 22)), ALLOW_ALL), False, "10.1.0.0/24", False, "h").ok
        is False
    )


def test_ephemeral_return_partial_and_full_denials() -> None:
    low_only = _nacl(
        acl(entry(50, False, ports=(1024, 2000), egress=True), ALLOW_ALL_OUT), True, "10.1.0.0/24", True, "h"
    )
    assert low_only.ok is True and low_only.partial and dict(low_only.evidence)["denied_ports"] == "1024-2000"
    linux = _nacl(
        acl(entry(50, False, ports=(40000, 41000), egress=True), ALLOW_ALL_OUT), True, "10.1.0.0/24", True, "h"
    )
    assert linux.ok is False
    narrow_allow = _nacl(acl(entry(50, True, ports=(1024, 65535), egress=True)), True, "10.1.0.0/24", True, "h")
    assert narrow_allow.ok is True and not narrow_allow.partial


def test_a_deny_touching_part_of_the_peer_counts_an_allow_does_not() -> None:
    assert _nacl(acl(entry(50, False, "10.1.2.0/25"), ALLOW_ALL), False, "10.1.2.0/24", False, "h").ok is False
    assert _nacl(acl(entry(50, True, "10.1.2.0/25")), False, "10.1.2.0/24", False, "h").ok is False


# --- per ENI address: an entry covering part of the endpoint subnet is judged against the ENI's own address ---

SSM_ENDPOINT = "com.amazonaws.us-east-1.ssm"


def _acl_item(acl_id: str, subnets: list[str], entries: list[dict[str, Any]], default: bool = False) -> dict[str, Any]:
    return {
        "NetworkAclId": acl_id,
        "VpcId": "vpc-1",
        "IsDefault": default,
        "Associations": [{"SubnetId": s} for s in subnets],
        "Entries": entries,
    }


def _rule(number: int, egress: bool, action: str, cidr: str, ports: tuple[int, int] | None = (443, 443)) -> Any:
    item = {"RuleNumber": number, "Protocol": "6" if ports else "-1", "RuleAction": action, "Egress": egress}
    return item | {"CidrBlock": cidr} | ({"PortRange": {"From": ports[0], "To": ports[1]}} if ports else {})


def per_address_part(client_egress: list[dict[str, Any]]) -> RawPart:
    """One VPC: clients in subnet-c (10.0.1.0/24, us-east-1a) whose NACL has `client_egress` (plus all in);
    two endpoints in subnet-e1 (10.0.0.0/24) and subnet-e2 (10.0.2.0/24): vpce-a with ENIs at 10.0.0.5 and
    10.0.2.200, vpce-b with ENIs at 10.0.0.6 and 10.0.2.7."""
    raw = RawPart()
    raw.vpc("vpc-1", "10.0.0.0/16")
    for subnet, az, cidr in (
        ("subnet-c", "us-east-1a", "10.0.1.0/24"),
        ("subnet-e1", "us-east-1a", "10.0.0.0/24"),
        ("subnet-e2", "us-east-1b", "10.0.2.0/24"),
    ):
        raw.subnet(subnet, "vpc-1", az, CidrBlock=cidr)
    raw.route_table("rtb-1", "vpc-1", ["subnet-c", "subnet-e1", "subnet-e2"])
    raw.eni("eni-w", "subnet-c", "vpc-1", PrivateIpAddress="10.0.1.10")
    for ep, ips in (("vpce-a", ("10.0.0.5", "10.0.2.200")), ("vpce-b", ("10.0.0.6", "10.0.2.7"))):
        enis = {"subnet-e1": f"eni-{ep}-1", "subnet-e2": f"eni-{ep}-2"}
        raw.interface_endpoint(ep, "vpc-1", enis, Groups=[{"GroupId": "sg-ep"}], ServiceName=SSM_ENDPOINT)
        for item, ip in zip(raw.apis["ec2:DescribeNetworkInterfaces"][-2:], ips, strict=True):
            item["PrivateIpAddress"] = ip
            item["Groups"] = [{"GroupId": "sg-ep"}]
    raw.add(
        "ec2:DescribeSecurityGroups",
        {
            "GroupId": "sg-ep",
            "GroupName": "endpoints",
            "VpcId": "vpc-1",
            "IpPermissions": [
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}
            ],
            "IpPermissionsEgress": [],
        },
    )
    raw.service(SSM_ENDPOINT)
    open_both = [_rule(100, e, "allow", "0.0.0.0/0", None) for e in (False, True)]
    raw.apis["ec2:DescribeNetworkAcls"] = [
        _acl_item("acl-default", ["subnet-e1", "subnet-e2"], open_both, default=True),
        _acl_item("acl-client", ["subnet-c"], [*client_egress, _rule(100, False, "allow", "0.0.0.0/0", None)]),
    ]
    for api in ("ec2:DescribeVpcPeeringConnections", "ec2:DescribeTransitGatewayAttachments"):
        raw.apis[api] = []
    return raw


def _eni_oks(inv: Any, ep_id: str) -> dict[str, bool | None]:
    (vpc,) = network_path(inv, inv.endpoints[ep_id]).vpcs
    return {r.eni_id: r.ok for az in vpc.azs for r in az.results}


def test_an_allow_for_part_of_the_endpoint_subnet_is_judged_for_each_eni_address() -> None:
    # TCP 443 out only to the first /28 of each endpoint subnet (then the `*` deny)
    allow = [_rule(100, True, "allow", "10.0.0.0/28"), _rule(110, True, "allow", "10.0.2.0/28")]
    raw = per_address_part([*allow, _rule(120, True, "allow", "0.0.0.0/0", (1024, 65535))])
    inv = inventory(raw)
    # vpce-a: 10.0.0.5 is inside the allowed /28, 10.0.2.200 is not
    assert _eni_oks(inv, "vpce-a") == {"eni-vpce-a-1": True, "eni-vpce-a-2": False}
    # vpce-b in the same subnets with the same groups: both its addresses allowed (nothing shared from vpce-a)
    assert _eni_oks(inv, "vpce-b") == {"eni-vpce-b-1": True, "eni-vpce-b-2": True}
    (finding,) = [f for f in build_report(snapshot(raw)).findings if f.check_id == NACL_DENY]
    assert finding.resource_id == "vpce-a" and finding.severity is not None and finding.severity.value == "high"
    (hop,) = [h for entries in finding.evidence["hops"].values() for h in entries]
    assert (hop["eni_id"], hop["hop"], hop["peer"]) == ("eni-vpce-a-2", "client-nacl-egress", "10.0.2.200/32")


def test_a_deny_for_part_of_the_endpoint_subnet_spares_the_enis_outside_it() -> None:
    deny = _rule(90, True, "deny", "10.0.0.128/25")  # the upper half of subnet-e1: neither ENI sits there
    raw = per_address_part([deny, _rule(100, True, "allow", "0.0.0.0/0", None)])
    inv = inventory(raw)
    assert set(_eni_oks(inv, "vpce-a").values()) == {True} and set(_eni_oks(inv, "vpce-b").values()) == {True}
    assert not [f for f in build_report(snapshot(raw)).findings if f.check_id.startswith("net-")]
    # judged per subnet, the same NACL denies (an entry touching part of it): the address is what decides
    index = PathIndex.of(inv)
    subnet_level = pair_path(index, inv.subnets["subnet-c"], inv.subnets["subnet-e1"], True)
    assert subnet_level.ok is False and subnet_level.per_address


# --- a transit gateway shared from an account not scanned: unknown, never a finding ---------------------------

OWNER = "999999999999"


def shared_tgw_part(owner: str = OWNER) -> RawPart:
    raw = RawPart()
    raw.vpc("vpc-hub", "10.0.0.0/16")
    raw.vpc("vpc-spoke", "10.1.0.0/16")
    raw.subnet("subnet-hub", "vpc-hub", "us-east-1a", CidrBlock="10.0.0.0/24")
    raw.subnet("subnet-spoke", "vpc-spoke", "us-east-1a", CidrBlock="10.1.0.0/24")
    raw.route_table("rtb-hub", "vpc-hub", ["subnet-hub"], [route("10.1.0.0/16", "tgw-1")])
    spoke_rt = raw.route_table("rtb-spoke", "vpc-spoke", ["subnet-spoke"], [route("10.0.0.0/16", "tgw-1")])
    spoke_rt["Routes"][0] = route("10.1.0.0/16", "local")
    for vpc, subnet in (("vpc-hub", "subnet-hub"), ("vpc-spoke", "subnet-spoke")):
        att = f"tgw-attach-{vpc}"
        raw.add(
            "ec2:DescribeTransitGatewayAttachments",
            {
                "TransitGatewayAttachmentId": att,
                "TransitGatewayId": "tgw-1",
                "TransitGatewayOwnerId": owner,
                "ResourceType": "vpc",
                "ResourceId": vpc,
                "ResourceOwnerId": ACCOUNT,
                "State": "available",
                "Association": {"TransitGatewayRouteTableId": "tgw-rtb-1", "State": "associated"},
            },
        )
        raw.add(
            "ec2:DescribeTransitGatewayVpcAttachments",
            {
                "TransitGatewayAttachmentId": att,
                "TransitGatewayId": "tgw-1",
                "VpcId": vpc,
                "SubnetIds": [subnet],
                "State": "available",
            },
        )
    for api in (
        "ec2:DescribeNetworkAcls",
        "ec2:DescribeVpcPeeringConnections",
        "ec2:DescribeTransitGatewayRouteTables",
    ):
        raw.apis.setdefault(api, [])
    for vpc, subnets in (("vpc-hub", ["subnet-hub"]), ("vpc-spoke", ["subnet-spoke"])):
        raw.add(
            "ec2:DescribeNetworkAcls",
            {
                "NetworkAclId": f"acl-{vpc}",
                "VpcId": vpc,
                "IsDefault": True,
                "Associations": [{"SubnetId": s} for s in subnets],
                "Entries": [
                    {"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "Egress": e, "CidrBlock": "0.0.0.0/0"}
                    for e in (True, False)
                ],
            },
        )
    return raw


def test_a_shared_transit_gateway_of_an_unscanned_account_is_unknown_naming_the_account() -> None:
    inv = inventory(shared_tgw_part())
    path = pair_path(PathIndex.of(inv), inv.subnets["subnet-spoke"], inv.subnets["subnet-hub"], True)
    assert path.ok is None and not path.failed
    (hop,) = [h for h in path.hops if h.ok is None]
    assert hop.hop == "client-tgw-route-table" and f"audit account {OWNER}" in hop.detail


def test_the_owner_scanned_without_its_route_tables_is_unknown_naming_the_calls() -> None:
    owner = RawPart(account_id=OWNER)
    owner.apis.clear()  # scanned, but every call failed
    inv = inventory(shared_tgw_part(), owner)
    path = pair_path(PathIndex.of(inv), inv.subnets["subnet-spoke"], inv.subnets["subnet-hub"], True)
    assert path.ok is None and "ec2:SearchTransitGatewayRoutes" in next(h for h in path.hops if h.ok is None).detail


def owned_tgw_part() -> RawPart:
    """shared_tgw_part with the transit gateway this account's own: its route table read, both CIDRs propagated.
    Each VPC's attachment sits in its one subnet (the workload's, and the endpoint's in the hub)."""
    raw = shared_tgw_part(owner=ACCOUNT)
    raw.add(
        "ec2:DescribeTransitGatewayRouteTables",
        {"TransitGatewayRouteTableId": "tgw-rtb-1", "TransitGatewayId": "tgw-1"},
    )
    raw.add(
        "ec2:SearchTransitGatewayRoutes",
        {
            "TransitGatewayRouteTableId": "tgw-rtb-1",
            "Routes": [
                {
                    "DestinationCidrBlock": c,
                    "Type": "propagated",
                    "State": "active",
                    "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": f"tgw-attach-{v}"}],
                }
                for c, v in (("10.0.0.0/16", "vpc-hub"), ("10.1.0.0/16", "vpc-spoke"))
            ],
        },
    )
    return raw


def test_an_attachment_without_a_subnet_in_the_client_az_fails_the_pair() -> None:
    raw = owned_tgw_part()
    raw.subnet("subnet-spoke-b", "vpc-spoke", "us-east-1b", CidrBlock="10.1.1.0/24")
    raw.apis["ec2:DescribeRouteTables"][1]["Associations"].append(
        {"SubnetId": "subnet-spoke-b", "Main": False, "AssociationState": {"State": "associated"}}
    )
    inv = inventory(raw)
    index = PathIndex.of(inv)
    assert pair_path(index, inv.subnets["subnet-spoke"], inv.subnets["subnet-hub"], True).ok is True
    gap = pair_path(index, inv.subnets["subnet-spoke-b"], inv.subnets["subnet-hub"], True)
    assert [h.check for h in gap.failed] == [TGW_AZ_GAP]


def _entries(raw: RawPart, acl_id: str, *entries: dict[str, Any]) -> None:
    next(a for a in raw.apis["ec2:DescribeNetworkAcls"] if a["NetworkAclId"] == acl_id)["Entries"] = list(entries)


def test_an_attachment_in_the_workload_subnet_follows_awss_same_subnet_rules() -> None:
    """tgw-nacls.html, same subnet: from the transit gateway to the instances no NACL is evaluated; from the
    instances to the transit gateway the subnet's outbound rules by destination and its inbound rules by source."""
    raw = owned_tgw_part()
    out_all = _rule(100, True, "allow", "0.0.0.0/0", None)
    # the hub refuses anything from the spoke's range in: no matter, traffic arriving from the transit gateway
    # in the attachment's own subnet crosses no NACL, and the replies leave with the hub's own address as source
    _entries(
        raw,
        "acl-vpc-hub",
        _rule(90, False, "deny", "10.1.0.0/16", None),
        _rule(100, False, "allow", "0.0.0.0/0", None),
        out_all,
    )
    # the spoke lets in only the return range, the usual rule: its own clients' calls to the transit gateway
    # (source: the spoke subnet, port 443) are refused by its inbound rules
    _entries(raw, "acl-vpc-spoke", _rule(100, False, "allow", "0.0.0.0/0", (1024, 65535)), out_all)
    inv = inventory(raw)
    path = pair_path(PathIndex.of(inv), inv.subnets["subnet-spoke"], inv.subnets["subnet-hub"], True)
    hops = {h.hop: h for h in path.hops}
    assert "endpoint-nacl-ingress" not in hops and "client-nacl-ingress-return" not in hops
    assert hops["endpoint-attachment-nacl-ingress-return"].ok is True  # the hub's own range, ephemeral ports
    (failed,) = path.failed
    assert failed.hop == "client-attachment-nacl-ingress" and failed.check == NACL_DENY
    assert "attachment subnet subnet-spoke in use1-az1 (also the workload's subnet)" in failed.detail
    assert dict(failed.evidence)["peer"] == "10.1.0.0/24" and dict(failed.evidence)["ports"] == "443"


# --- moto: collection, the verdict in the report, the renderers ---------------------------------------------


@pytest.fixture(scope="module")
def tgw_world() -> Iterator[tuple[boto3.Session, Any]]:
    """The healthy TGW hub and spoke plus a second, empty route table on its transit gateway."""
    with fake_aws_env(), mock_aws():
        session = boto3.Session(region_name=REGION)
        world = build_world("net-tgw-hub-spoke", session, REGION)
        ec2 = session.client("ec2", region_name=REGION)
        ec2.create_transit_gateway_route_table(TransitGatewayId=world.ids["tgw"])
        try:
            yield session, world
        finally:
            world.close()


def test_one_call_per_resource_type_and_one_per_tgw_route_table(tgw_world) -> None:
    session, world = tgw_world
    snapshot, factory = collect(session)
    counts = factory.counter.counts()
    (part,) = [p for p in snapshot.parts if p.region == REGION]
    tables = part.items("ec2:DescribeTransitGatewayRouteTables")  # type: ignore[arg-type]
    assert len(tables) == 2
    for api in (
        "ec2:GetTransitGatewayRouteTableAssociations",
        "ec2:GetTransitGatewayRouteTablePropagations",
        "ec2:SearchTransitGatewayRoutes",
    ):
        assert sorted(i["TransitGatewayRouteTableId"] for i in part.items(api)) == sorted(  # type: ignore[arg-type]
            t["TransitGatewayRouteTableId"] for t in tables
        )
    default = default_tgw_route_table(world.builder, world.ids["tgw"])
    routes = {i["TransitGatewayRouteTableId"]: i for i in part.items("ec2:SearchTransitGatewayRoutes")}  # type: ignore[arg-type]
    assert {r["DestinationCidrBlock"] for r in routes[default]["Routes"]} == {"10.0.0.0/16", "10.1.0.0/16"}
    for op in (
        "GetTransitGatewayRouteTableAssociations",
        "GetTransitGatewayRouteTablePropagations",
        "SearchTransitGatewayRoutes",
    ):
        assert counts[f"ec2:{op}"] == 2  # one per table, never per route or subnet
    for op in (
        "DescribeNetworkAcls",
        "DescribeVpcPeeringConnections",
        "DescribeTransitGatewayAttachments",
        "DescribeTransitGatewayVpcAttachments",
        "DescribeTransitGatewayRouteTables",
    ):
        assert counts[f"ec2:{op}"] == 1


def test_describe_network_interfaces_asks_for_managed_resources_where_the_model_has_it(tgw_world) -> None:
    session, _ = tgw_world
    ec2 = session.client("ec2", region_name=REGION)
    assert include_managed(ec2) == {"IncludeManagedResources": True}  # botocore 1.44.8 has the parameter


@pytest.fixture(scope="module")
def tgw_report(tgw_world) -> Report:
    session, _ = tgw_world
    return audit(session)


def test_healthy_tgw_hub_and_spoke_is_reachable_in_every_az_with_the_hop_chain(tgw_world, tgw_report) -> None:
    _, world = tgw_world
    assert tgw_report.findings == ()
    (verdict,) = [v for v in tgw_report.endpoints if v.endpoint.id == world.ids["ep"]]
    path = verdict.network
    assert path is not None and path.status is PathStatus.REACHABLE
    spoke = next(v for v in path.vpcs if v.vpc_id == world.ids["spoke"])
    assert spoke.via == "zone" and {a.az_id for a in spoke.azs} == {"use1-az1", "use1-az2", "use1-az6"}
    doc = verdict.to_dict()["network_path"]
    chain = next(v for v in doc["vpcs"] if v["vpc_id"] == world.ids["spoke"])["azs"][0]["hops"]
    # In packet order. The attachments sit in the workload and endpoint subnets (one per AZ): leaving a subnet
    # for the transit gateway crosses its NACL both ways, arriving from it crosses none (tgw-nacls.html), so an
    # ENI in the client's AZ is entered without a NACL hop and one in another AZ through that AZ's attachment.
    by_eni = {eni: [h["hop"] for h in hops] for eni, hops in chain.items()}
    same_az, other_az = sorted(by_eni.values(), key=len)[0], sorted(by_eni.values(), key=len)[-1]
    out = ["client-subnet", "route", "client-attachment", "client-nacl-egress", "client-attachment-nacl-ingress"]
    back = [
        "endpoint-nacl-egress-return",
        "return-route",
        "endpoint-attachment-return",
        "endpoint-attachment-nacl-ingress-return",
        "endpoint-tgw-route-return",
        "client-attachment-route-return",
    ]
    assert same_az == [*out, "client-tgw-route", "endpoint-attachment-route", *back, "security-group"]
    assert other_az == [
        *out,
        "client-tgw-route",
        "endpoint-attachment-route",
        "endpoint-attachment-nacl-egress",
        "endpoint-nacl-ingress",
        *back,
        "client-attachment-nacl-egress-return",
        "client-nacl-ingress-return",
        "security-group",
    ]


def test_degraded_az_is_marked_in_the_table_and_the_heatmap() -> None:
    with fake_aws_env(), mock_aws():
        session = boto3.Session(region_name=REGION)
        world = build_world("net-nacl-deny", session, REGION)
        try:
            report = audit(session)
        finally:
            world.close()
    (verdict,) = [v for v in report.endpoints if v.endpoint.id == world.ids["ep"]]
    assert verdict.network is not None
    assert verdict.network.by_az() == {
        "use1-az1": PathStatus.REACHABLE,
        "use1-az2": PathStatus.DEGRADED,
        "use1-az6": PathStatus.DEGRADED,
    }
    table = render_table(report, width=400)  # wide: each cell on one line
    assert "path degraded" in table and "use1-az2 degraded, use1-az6 degraded" in table
    html = render_html(report)
    assert 'data-az="use1-az2" data-state="covered" data-path="degraded"' in html
    assert 'data-az="use1-az1" data-state="covered">' in html
    (finding,) = [f for f in report.findings if f.check_id == "net-nacl-deny"]
    assert finding.severity is not None and finding.severity.value == "high"
    assert finding.evidence["az_status"] == {"use1-az1": "reachable", "use1-az2": "degraded", "use1-az6": "degraded"}


def test_without_network_acls_the_path_is_unknown_and_raises_nothing(tgw_world) -> None:
    session, world = tgw_world
    snapshot, _ = collect(session)
    part = next(p for p in snapshot.parts if p.region == REGION)
    apis = {k: v for k, v in part.apis.items() if k != "ec2:DescribeNetworkAcls"}
    reduced = replace(snapshot, parts=tuple(replace(p, apis=apis) if p is part else p for p in snapshot.parts))
    report = build_report(reduced)
    (verdict,) = [v for v in report.endpoints if v.endpoint.id == world.ids["ep"]]
    assert verdict.network is not None and verdict.network.status is PathStatus.UNKNOWN
    assert "ec2:DescribeNetworkAcls" in verdict.network.reason
    assert not [f for f in report.findings if f.check_id.startswith("net-")]
    assert network_path(report.inventory, verdict.endpoint) is verdict.network


@pytest.mark.parametrize("mode", ["enable", "disable"])
def test_appliance_mode_on_an_attachment_of_no_inspection_vpc_changes_nothing(mode: str) -> None:
    """Appliance mode matters only on an inspection VPC's attachment (none here): read, never judged."""
    raw = owned_tgw_part()
    for att in raw.apis["ec2:DescribeTransitGatewayVpcAttachments"]:
        att["Options"] = {"ApplianceModeSupport": mode}
    inv = inventory(raw)
    assert {a.appliance_mode for a in inv.network.attachments.values()} == {mode == "enable"}
    path = pair_path(PathIndex.of(inv), inv.subnets["subnet-spoke"], inv.subnets["subnet-hub"], True)
    assert path.ok is True and not path.problems


# --- the way back through an inspection appliance ------------------------------------------------------------


@pytest.mark.parametrize(("state", "ok"), [("active", None), ("blackhole", False)])
def test_a_return_route_through_a_gwlb_endpoint_is_unknown_unless_it_is_a_blackhole(
    state: str, ok: bool | None
) -> None:
    """The endpoint subnets send the clients' subnet back through a Gateway Load Balancer endpoint: beyond the
    appliance is not modelled (unknown, no finding), but a blackholed route (its endpoint deleted, or lost in
    the AZ-loss simulation) drops the replies: net-no-route."""
    raw = per_address_part([_rule(100, True, "allow", "0.0.0.0/0", None)])
    tables = raw.apis["ec2:DescribeRouteTables"]
    tables[:] = [t for t in tables if t["RouteTableId"] != "rtb-1"]
    raw.route_table("rtb-c", "vpc-1", ["subnet-c"])
    raw.route_table("rtb-e", "vpc-1", ["subnet-e1", "subnet-e2"], [route("10.0.1.0/24", "vpce-0gwlb", state)])
    inv = inventory(raw)
    assert set(_eni_oks(inv, "vpce-a").values()) == {ok}
    (vpc,) = network_path(inv, inv.endpoints["vpce-a"]).vpcs
    hops = {h.hop: h for az in vpc.azs for r in az.results for h in r.path.hops}
    assert hops["return-route"].ok is ok and "vpce-0gwlb" in str(dict(hops["return-route"].evidence)["route"])
    fired = {f.check_id for f in build_report(snapshot(raw)).findings if f.check_id.startswith("net-")}
    assert fired == ({"net-no-route"} if ok is False else set())
