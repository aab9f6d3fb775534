"""NAT gateways (issue 15, egress posture): DescribeNatGateways for the gateways the route tables name, and a
model that knows a zonal gateway's AZ or that a regional one counts for every AZ."""

from __future__ import annotations

from typing import Any

from moto_fixtures.builder import AZ1, AZ2
from moto_fixtures.realism import backend
from tests.raw_snapshot import RawPart, inventory
from tests.test_collect import facts_plan, scan
from vpce_audit.collect.egress import routed_nat_gateways


def test_a_routed_zonal_nat_gateway_is_listed_once_with_its_az(make_world, aws):
    world = make_world("gw-gap-nat-bpa-ingress")
    report, _, calls = scan(aws)
    assert calls["ec2:DescribeNatGateways"] == 1
    assert calls == facts_plan(aws)  # bench/plan.py counts it exactly
    (nat,) = report.inventory.nat_gateways.values()
    assert nat.id == world.ids["nat"] and nat.zonal and not nat.regional
    (home,) = nat.az_ids
    assert nat.serves(home) is True
    assert nat.serves("use1-az9") is False


def test_a_regional_nat_gateway_counts_for_every_az(make_world, aws):
    world = make_world("gw-gap-nat-bpa-ingress")
    obj = backend(world.builder.account_id, world.region).nat_gateways[world.ids["nat"]]
    obj.availability_mode = "regional"  # moto 5.2.5 stores no mode: its serializer returns the attribute
    report, _, _ = scan(aws)
    nat = report.inventory.nat_gateways[world.ids["nat"]]
    assert nat.regional and nat.serves(AZ1) and nat.serves(AZ2) and nat.serves("use1-az9")


def test_no_nat_route_no_call(make_world, aws):
    make_world("healthy-3az")
    _, snapshot, calls = scan(aws)
    assert "ec2:DescribeNatGateways" not in calls
    assert not any("ec2:DescribeNatGateways" in p.apis for p in snapshot.parts)


def nat_part(**item: Any) -> RawPart:
    raw = RawPart()
    raw.vpc("vpc-1")
    raw.subnet("subnet-a", "vpc-1", "us-east-1a")
    raw.apis["ec2:DescribeNatGateways"] = [{"NatGatewayId": "nat-1", "VpcId": "vpc-1"} | item]
    return raw


def test_modes_as_aws_words_them_and_unknown_ones_stay_unknown():
    zonal = inventory(nat_part(SubnetId="subnet-a")).nat_gateways["nat-1"]
    assert zonal.az_ids == {"use1-az1"} and zonal.serves("use1-az1") and zonal.serves("use1-az2") is False
    old = inventory(nat_part(SubnetId="subnet-gone")).nat_gateways["nat-1"]
    assert old.az_ids == frozenset() and old.serves("use1-az1") is None  # its AZ unknown: never a guess
    regional = inventory(
        nat_part(AvailabilityMode="regional", NatGatewayAddresses=[{"AvailabilityZoneId": "use1-az2"}])
    ).nat_gateways["nat-1"]
    assert regional.az_ids == {"use1-az2"} and regional.serves("use1-az1") is True
    odd = inventory(nat_part(AvailabilityMode="interplanetary", SubnetId="subnet-a")).nat_gateways["nat-1"]
    assert not odd.regional and not odd.zonal and odd.serves("use1-az1") is None


def test_only_routed_gateways_are_asked_about():
    tables = [
        {"Routes": [{"NatGatewayId": "nat-2"}, {"GatewayId": "igw-1"}]},
        {"Routes": [{"NatGatewayId": "nat-1"}, {"NatGatewayId": None}]},
        "junk",
    ]
    assert routed_nat_gateways(tables) == ["nat-1", "nat-2"]
    assert routed_nat_gateways(None) == []
