"""gw-rt-gap, gw-route-missing and gw-more-specific-route: what each says on its moto world, severity by
egress posture and by route state, and the edges (several endpoints, equal and wider routes, missing data)
on hand-built snapshots."""

from __future__ import annotations

import pytest

from moto_fixtures.builder import AZ1, AZ2, AZ3
from tests.raw_snapshot import REGION, S3, RawPart, inventory, route
from tests.scanned import findings_of, scan_world, the_finding
from vpce_audit.checks import run_checks
from vpce_audit.model.findings import Severity

GW_CHECKS = ["gw-rt-gap", "gw-route-missing", "gw-more-specific-route"]
DYNAMODB = f"com.amazonaws.{REGION}.dynamodb"

# --- gw-rt-gap -------------------------------------------------------------------------------------


def test_endpoint_on_the_main_table_only_misses_the_custom_table(make_world, aws):
    world, report = scan_world(make_world, aws, "gw-main-only")
    f = the_finding(report, "gw-rt-gap")
    subnets = sorted(world.ids[f"subnet.{az}"] for az in (AZ1, AZ2, AZ3))
    assert f.severity is Severity.HIGH
    assert (f.vpc_id, f.resource_id) == (world.ids["vpc"], world.ids["ep.s3"])
    assert set(f.related_ids) == {world.ids["rt"], *subnets}
    assert f"route table {world.ids['rt']}" in f.message and "cannot reach" in f.message
    assert f.evidence["route_table_id"] == world.ids["rt"]
    assert f.evidence["subnet_ids"] == subnets
    assert f.evidence["egress"] == "isolated"
    assert f.evidence["endpoint_route_table_ids"] == [world.ids["main_rt"]]
    assert f.evidence["workload_assumed"] is False
    assert f.remediation


def test_endpoint_without_route_tables_serves_nobody(make_world, aws):
    world, report = scan_world(make_world, aws, "gw-no-route-tables")
    f = the_finding(report, "gw-rt-gap")
    assert f.severity is Severity.HIGH
    assert f.evidence["endpoint_route_table_ids"] == []
    assert f.evidence["route_table_id"] == world.ids["rt"]
    assert len(f.evidence["subnet_ids"]) == 3


def test_without_workloads_every_subnet_counts_and_the_evidence_says_so(make_world, aws):
    world, report = scan_world(make_world, aws, "no-workloads")
    f = the_finding(report, "gw-rt-gap")
    assert f.evidence["workload_assumed"] is True
    assert f.evidence["subnet_ids"] == sorted(world.ids[f"subnet.{az}"] for az in (AZ1, AZ2, AZ3))


def test_subnets_on_the_main_table_implicitly_are_covered(make_world, aws):
    _, report = scan_world(make_world, aws, "gw-main-implicit")
    assert findings_of(report, "gw-rt-gap") == []


@pytest.mark.parametrize(
    ("posture", "severity", "effect"),
    [
        ("isolated", Severity.HIGH, "cannot reach the service"),
        ("nat", Severity.MEDIUM, "NAT path"),
        ("tgw", Severity.MEDIUM, "transit gateway"),
        ("public", Severity.LOW, "internet gateway"),
    ],
)
def test_gap_severity_follows_the_subnets_egress_posture(make_world, aws, posture, severity, effect):
    world, report = scan_world(make_world, aws, f"gw-gap-{posture}")
    f = the_finding(report, "gw-rt-gap")
    gap = sorted([world.ids[f"subnet.{AZ2}"], world.ids[f"subnet.{AZ3}"]])
    assert f.severity is severity
    assert f.evidence["egress"] == posture
    assert f.evidence["route_table_id"] == world.ids["rt.gap"]
    assert f.evidence["subnet_ids"] == gap
    assert f.evidence["endpoint_route_table_ids"] == [world.ids["rt.covered"]]
    assert set(f.related_ids) == {world.ids["rt.gap"], *gap}  # the covered subnet is not named
    assert effect in f.message and f"2 workload subnet(s) use route table {world.ids['rt.gap']}" in f.message


def gateway_vpc(*route_tables: tuple[str, tuple[str, ...]]) -> RawPart:
    """vpc-1 with a workload in subnet-a and subnet-b; each (table, subnets) is a custom route table."""
    raw = RawPart()
    raw.vpc("vpc-1")
    for name in ("a", "b"):
        raw.subnet(f"subnet-{name}", "vpc-1", f"us-east-1{name}")
        raw.eni(f"eni-{name}", f"subnet-{name}", "vpc-1")
    raw.route_table("rtb-main", "vpc-1", main=True)
    for rt_id, subnets in route_tables:
        raw.route_table(rt_id, "vpc-1", subnets)
    raw.prefix_list("pl-s3", S3, ["52.216.0.0/15", "3.5.0.0/19"])
    raw.prefix_list("pl-ddb", DYNAMODB, ["3.218.180.0/22"])
    return raw


def gateway(raw: RawPart, ep_id: str, service: str, *route_table_ids: str, pl: str = "pl-s3", **extra: object) -> None:
    """A gateway endpoint with its prefix-list route in each of its tables, as AWS creates them."""
    raw.endpoint(ep_id, "vpc-1", service, kind="Gateway", route_table_ids=route_table_ids, **extra)
    for table in raw.apis["ec2:DescribeRouteTables"]:
        if table["RouteTableId"] in route_table_ids:
            table["Routes"].append(route(pl, ep_id))


def test_several_endpoints_for_one_service_cover_the_union_of_their_tables():
    raw = gateway_vpc(("rtb-a", ("subnet-a",)), ("rtb-b", ("subnet-b",)))
    gateway(raw, "vpce-1", S3, "rtb-a")
    gateway(raw, "vpce-2", S3, "rtb-b")
    assert run_checks(inventory(raw), GW_CHECKS) == []


def test_an_endpoint_that_is_not_available_covers_nothing():
    raw = gateway_vpc(("rtb-a", ("subnet-a",)), ("rtb-b", ("subnet-b",)))
    gateway(raw, "vpce-1", S3, "rtb-a")
    gateway(raw, "vpce-2", S3, "rtb-b", state="pending")
    (f,) = run_checks(inventory(raw), GW_CHECKS)
    assert (f.check_id, f.resource_id, f.evidence["route_table_id"]) == ("gw-rt-gap", "vpce-1", "rtb-b")


def test_each_service_is_judged_on_its_own():
    raw = gateway_vpc(("rtb-a", ("subnet-a", "subnet-b")))
    gateway(raw, "vpce-s3", S3, "rtb-a")
    gateway(raw, "vpce-ddb", DYNAMODB, "rtb-main", pl="pl-ddb")
    (f,) = run_checks(inventory(raw), GW_CHECKS)
    assert (f.check_id, f.resource_id) == ("gw-rt-gap", "vpce-ddb")
    assert DYNAMODB in f.message


# --- gw-route-missing ------------------------------------------------------------------------------


def test_blackhole_route_is_critical(make_world, aws):
    world, report = scan_world(make_world, aws, "gw-blackhole")
    f = the_finding(report, "gw-route-missing")
    assert f.severity is Severity.CRITICAL
    assert f.resource_id == world.ids["ep.s3"]
    assert f.related_ids == (world.ids["rt"],)
    assert f"route table {world.ids['rt']}" in f.message and "blackhole" in f.message
    assert f.evidence == {
        "route_table_id": world.ids["rt"],
        "route_state": "blackhole",
        "destination": world.ids["pl.s3"],
    }
    assert f.remediation


def test_missing_route_is_high(make_world, aws):
    world, report = scan_world(make_world, aws, "gw-route-missing")
    f = the_finding(report, "gw-route-missing")
    assert f.severity is Severity.HIGH
    assert f.related_ids == (world.ids["rt"],)
    assert f"route table {world.ids['rt']}" in f.message and "missing" in f.message
    assert f.evidence == {"route_table_id": world.ids["rt"], "route_state": "missing", "destination": ""}


def test_a_route_to_the_endpoint_for_another_prefix_list_does_not_count():
    raw = gateway_vpc(("rtb-a", ("subnet-a", "subnet-b")))
    raw.endpoint("vpce-1", "vpc-1", S3, kind="Gateway", route_table_ids=["rtb-a"])
    raw.apis["ec2:DescribeRouteTables"][1]["Routes"].append(route("pl-ddb", "vpce-1"))
    (f,) = run_checks(inventory(raw), GW_CHECKS)
    assert (f.check_id, f.evidence["route_state"]) == ("gw-route-missing", "missing")


# --- gw-more-specific-route -------------------------------------------------------------------------


def test_more_specific_route_inside_the_prefix_list(make_world, aws):
    world, report = scan_world(make_world, aws, "gw-more-specific")
    f = the_finding(report, "gw-more-specific-route")
    specific, inside = world.ids["route.specific"], world.ids["pl.range"]
    assert f.severity is Severity.MEDIUM
    assert f.resource_id == world.ids["ep.s3"]
    assert set(f.related_ids) == {world.ids["rt"], world.ids["igw"]}
    assert f"{specific} to {world.ids['igw']}" in f.message and world.ids["rt"] in f.message
    assert f.evidence["route_table_id"] == world.ids["rt"]
    assert f.evidence["prefix_list_id"] == world.ids["pl.s3"]
    assert f.evidence["routes"] == [{"destination": specific, "target": world.ids["igw"], "inside": inside}]
    assert f.remediation


@pytest.mark.parametrize(
    ("cidr", "fires"),
    [
        ("52.216.0.0/15", True),  # equal: the CIDR route and the prefix list tie, the CIDR route wins
        ("52.217.128.0/17", True),
        ("3.5.0.0/24", True),
        ("52.0.0.0/8", False),  # wider: the prefix-list route is more specific and wins
        ("0.0.0.0/0", False),
        ("10.20.0.0/16", False),
    ],
)
def test_only_routes_equal_to_or_inside_the_prefix_list_override_it(cidr, fires):
    raw = gateway_vpc(("rtb-a", ("subnet-a", "subnet-b")))
    gateway(raw, "vpce-1", S3, "rtb-a")
    raw.apis["ec2:DescribeRouteTables"][1]["Routes"].append(route(cidr, "nat-1"))
    found = run_checks(inventory(raw), GW_CHECKS)
    assert [f.check_id for f in found] == (["gw-more-specific-route"] if fires else [])


def test_specific_route_on_a_table_the_endpoint_does_not_use_is_not_its_business():
    raw = gateway_vpc(("rtb-a", ("subnet-a", "subnet-b")))
    gateway(raw, "vpce-1", S3, "rtb-a")
    raw.apis["ec2:DescribeRouteTables"][0]["Routes"].append(route("52.216.0.0/16", "nat-1"))  # rtb-main
    assert run_checks(inventory(raw), GW_CHECKS) == []


# --- nothing from data that was not collected --------------------------------------------------------


def broken_gateway_vpc() -> RawPart:
    """One gap (subnet-b), one missing route (rtb-a) and one override (rtb-a): all three checks fire."""
    raw = gateway_vpc(("rtb-a", ("subnet-a",)), ("rtb-b", ("subnet-b",)))
    raw.endpoint("vpce-1", "vpc-1", S3, kind="Gateway", route_table_ids=["rtb-a"])
    raw.apis["ec2:DescribeRouteTables"][1]["Routes"].append(route("52.216.0.0/16", "nat-1"))
    return raw


def test_all_gateway_checks_fire_on_the_broken_vpc():
    assert {f.check_id for f in run_checks(inventory(broken_gateway_vpc()), GW_CHECKS)} == set(GW_CHECKS)


def test_no_gateway_finding_without_route_tables():
    raw = broken_gateway_vpc().without("ec2:DescribeRouteTables")
    assert run_checks(inventory(raw), GW_CHECKS) == []


def test_no_gap_finding_without_network_interfaces_or_subnets():
    for api in ("ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"):
        found = run_checks(inventory(broken_gateway_vpc().without(api)), GW_CHECKS)
        assert "gw-rt-gap" not in {f.check_id for f in found}, api


def test_no_override_finding_without_prefix_list_entries():
    raw = broken_gateway_vpc().without("ec2:GetManagedPrefixListEntries")
    assert "gw-more-specific-route" not in {f.check_id for f in run_checks(inventory(raw), GW_CHECKS)}
