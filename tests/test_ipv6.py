"""IPv6 and dual-stack (issue 15): ipv6-only-clients-ipv4-endpoint and ipv6-record-type from hand-built snapshots
(the firing and near-miss moto worlds are in moto_fixtures/shape_worlds.py, swept by tests/test_worlds.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.raw_snapshot import RawPart, inventory, route
from vpce_audit.checks import run_checks
from vpce_audit.model.findings import Severity

CHECKS = ["ipv6-only-clients-ipv4-endpoint", "ipv6-record-type"]
V6 = {"us-east-1a": "2600:1f18:1::/64", "us-east-1b": "2600:1f18:2::/64"}


def world(
    ip_type: str,
    record_type: str,
    *,
    clients: str = "ipv6-only",
    dns64: bool = False,
    nat64: bool = False,
    private_dns: bool = True,
) -> RawPart:
    raw = RawPart()
    raw.vpc("vpc-1")
    for i, (name, v6) in enumerate(V6.items()):
        raw.subnet(
            f"subnet-d{name[-1]}",
            "vpc-1",
            name,
            CidrBlock=f"10.0.{i}.0/24",
            Ipv6CidrBlockAssociationSet=[{"Ipv6CidrBlock": v6}],
        )
        extra: dict[str, Any] = {"Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": v6.replace("::", "0::")}]}
        if clients == "ipv6-only":
            extra |= {"Ipv6Native": True, "EnableDns64": dns64}
        else:
            extra |= {"CidrBlock": f"10.0.{10 + i}.0/24", "Ipv6Native": False}
            if clients == "ipv4-only":
                extra.pop("Ipv6CidrBlockAssociationSet")
        raw.subnet(f"subnet-w{name[-1]}", "vpc-1", name, **extra)
        raw.eni(f"eni-app{name[-1]}", f"subnet-w{name[-1]}", "vpc-1")
    routes = [route("64:ff9b::/96", "nat-1")] if nat64 else []
    raw.route_table("rtb-1", "vpc-1", [f"subnet-{k}{z}" for k in "dw" for z in "ab"], routes)
    raw.interface_endpoint(
        "vpce-1",
        "vpc-1",
        {"subnet-da": "eni-a", "subnet-db": "eni-b"},
        IpAddressType=ip_type,
        DnsOptions={"DnsRecordIpType": record_type},
        PrivateDnsEnabled=private_dns,
    )
    return raw


def fired(raw: RawPart) -> dict[str, Any]:
    return {f.check_id: f for f in run_checks(inventory(raw), CHECKS)}


def test_ipv6_only_clients_of_an_ipv4_endpoint_without_nat64_are_stranded():
    (f,) = fired(world("ipv4", "ipv4")).values()
    assert f.check_id == "ipv6-only-clients-ipv4-endpoint" and f.severity is Severity.HIGH
    assert f.evidence["ipv6_only_subnets_without_path"] == ["subnet-wa", "subnet-wb"]


def test_dns64_and_a_nat64_route_make_it_medium():
    (f,) = fired(world("ipv4", "ipv4", dns64=True, nat64=True)).values()
    assert f.severity is Severity.MEDIUM
    assert f.evidence["ipv6_only_subnets_through_nat64"] == ["subnet-wa", "subnet-wb"]


@pytest.mark.parametrize(("dns64", "nat64"), [(True, False), (False, True)])
def test_dns64_or_nat64_alone_is_no_path(dns64, nat64):
    assert fired(world("ipv4", "ipv4", dns64=dns64, nat64=nat64))["ipv6-only-clients-ipv4-endpoint"].severity is (
        Severity.HIGH
    )


def test_a_dual_stack_endpoint_of_the_same_service_serves_them():
    raw = world("ipv4", "ipv4")
    raw.interface_endpoint(
        "vpce-2",
        "vpc-1",
        {"subnet-da": "eni-2a"},
        IpAddressType="dualstack",
        DnsOptions={"DnsRecordIpType": "dualstack"},
    )
    assert "ipv6-only-clients-ipv4-endpoint" not in fired(raw)


@pytest.mark.parametrize(
    ("ip_type", "record_type", "clients", "private_dns", "expected"),
    [
        ("dualstack", "dualstack", "ipv6-only", True, set()),  # near-miss: served
        ("dualstack", "ipv4", "dual", True, set()),  # near-miss: dual-stack clients use A
        ("ipv4", "ipv4", "dual", True, set()),  # near-miss: IPv4 clients of an IPv4 endpoint, dual-stack VPC
        ("dualstack", "service-defined", "ipv6-only", True, {"ipv6-record-type"}),  # no AAAA on the private name
        ("dualstack", "service-defined", "ipv6-only", False, set()),  # the vpce names carry AAAA
        ("dualstack", "ipv6", "ipv4-only", True, {"ipv6-record-type"}),  # AAAA only for IPv4 clients
        ("dualstack", "ipv4", "ipv6-only", True, {"ipv6-record-type"}),
        ("dualstack", "not-specified", "ipv6-only", True, set()),  # unknown record type: not judged
        ("", "", "ipv6-only", True, set()),  # IpAddressType not reported: not judged
    ],
)
def test_record_types(ip_type, record_type, clients, private_dns, expected):
    assert set(fired(world(ip_type, record_type, clients=clients, private_dns=private_dns))) == expected


def test_nothing_without_route_tables():
    assert fired(world("ipv4", "ipv4").without("ec2:DescribeRouteTables")) == {}


def test_moto_subnets_carry_ipv6_native_and_dns64(aws):
    from moto_fixtures import Builder
    from moto_fixtures.builder import AZ1
    from moto_fixtures.shape_worlds import ipv6_vpc
    from tests.conftest import audit

    b = Builder(aws)
    try:
        ids = ipv6_vpc(b, "v6probe", dns64=True)
        inv = audit(aws).inventory
    finally:
        b.close()
    subnet = inv.subnets[ids[f"v6.{AZ1}"]]
    assert (subnet.ipv6_native, subnet.dns64, subnet.cidr) == (True, True, "")
    assert inv.subnets[ids[f"dual.{AZ1}"]].ipv6_native is False
