"""Per-endpoint verdicts: az_coverage for interface endpoints, route_coverage for gateway endpoints, and
`unknown` with the reason when the data to decide was not collected."""

from __future__ import annotations

from dataclasses import replace

from moto_fixtures.builder import AZ1, AZ2, AZ3
from tests.conftest import collect
from tests.raw_snapshot import SSM, RawPart, inventory
from tests.scanned import verdict_of
from vpce_audit.coverage import az_coverage
from vpce_audit.report.model import build_report
from vpce_audit.snapshot import Snapshot

# moto offers every us-east-1 service in all six AZs.
US_EAST_1 = ["use1-az1", "use1-az2", "use1-az3", "use1-az4", "use1-az5", "use1-az6"]


def document_entry(report, endpoint_id: str) -> dict:
    return next(e for e in report.to_document()["endpoints"] if e["endpoint_id"] == endpoint_id)


def without(snapshot: Snapshot, api: str) -> Snapshot:
    """The snapshot as if `api` had failed everywhere."""
    parts = tuple(replace(p, apis={k: v for k, v in p.apis.items() if k != api}) for p in snapshot.parts)
    return replace(snapshot, parts=parts)


# --- az_coverage ------------------------------------------------------------------------------------


def test_az_coverage_of_a_two_of_three_endpoint(make_world, aws):
    world = make_world("two-of-three")
    snapshot, _ = collect(aws)
    report = build_report(snapshot)
    assert document_entry(report, world.ids["ep.ssm"])["az_coverage"] == {
        "status": "known",
        "covered": [AZ1, AZ2],
        "workload": sorted([AZ1, AZ2, AZ3]),
        "service": US_EAST_1,
        "missing": [AZ3],
        "tolerated_az_failures": 1,
        "workload_assumed": False,
    }


def test_az_coverage_when_the_service_is_offered_in_two_of_three(make_world, aws):
    world = make_world("service-two-of-three")
    snapshot, _ = collect(aws)
    az = verdict_of(build_report(snapshot), world.ids["ep.sts"]).az
    assert az is not None and az.status == "known"
    assert az.covered == az.service == {AZ1, AZ2}
    assert az.workload == {AZ1, AZ2, AZ3}
    assert az.missing == frozenset()  # the third AZ is not the endpoint's to cover
    assert az.tolerated_az_failures == 1


def test_az_coverage_of_a_single_az_endpoint_tolerates_no_failure(make_world, aws):
    world = make_world("single-az")
    snapshot, _ = collect(aws)
    az = verdict_of(build_report(snapshot), world.ids["ep.ssm"]).az
    assert az is not None
    assert az.covered == {AZ1} and az.missing == {AZ2, AZ3}
    assert az.tolerated_az_failures == 0


def test_az_coverage_is_unknown_without_service_details(make_world, aws):
    world = make_world("two-of-three")
    snapshot, _ = collect(aws)
    report = build_report(without(snapshot, "ec2:DescribeVpcEndpointServices"))
    assert document_entry(report, world.ids["ep.ssm"])["az_coverage"] == {
        "status": "unknown",
        "reason": "not collected: ec2:DescribeVpcEndpointServices",
    }
    assert [f.check_id for f in report.findings if f.check_id.startswith("az-")] == []


def test_az_coverage_is_unknown_without_network_interfaces(make_world, aws):
    world = make_world("two-of-three")
    snapshot, _ = collect(aws)
    az = verdict_of(build_report(without(snapshot, "ec2:DescribeNetworkInterfaces")), world.ids["ep.ssm"]).az
    assert az is not None and az.status == "unknown"
    assert "ec2:DescribeNetworkInterfaces" in az.reason


def test_az_coverage_is_unknown_when_aws_did_not_describe_the_service():
    raw = RawPart()
    raw.vpc("vpc-1")
    raw.subnet("subnet-a", "vpc-1", "us-east-1a")
    raw.interface_endpoint("vpce-1", "vpc-1", {"subnet-a": "eni-1"})
    inv = inventory(raw)
    cov = az_coverage(inv, inv.endpoints["vpce-1"])
    assert cov.status == "unknown"
    assert SSM in cov.reason
    assert cov.to_dict() == {"status": "unknown", "reason": cov.reason}


# --- route_coverage ---------------------------------------------------------------------------------


def test_route_coverage_of_a_partly_covered_vpc(make_world, aws):
    world = make_world("gw-gap-nat")
    snapshot, _ = collect(aws)
    entry = document_entry(build_report(snapshot), world.ids["ep.s3"])
    assert entry["route_coverage"] == {
        "status": "known",
        "covered_subnets": [world.ids[f"subnet.{AZ1}"]],
        "missing_subnets": sorted([world.ids[f"subnet.{AZ2}"], world.ids[f"subnet.{AZ3}"]]),
    }
    assert "az_coverage" not in entry


def test_route_coverage_counts_implicit_main_table_subnets(make_world, aws):
    world = make_world("gw-main-implicit")
    snapshot, _ = collect(aws)
    routes = verdict_of(build_report(snapshot), world.ids["ep.s3"]).routes
    assert routes is not None and routes.status == "known"
    assert len(routes.covered_subnets) == 3 and routes.missing_subnets == ()


def test_route_coverage_of_an_endpoint_without_route_tables(make_world, aws):
    world = make_world("gw-no-route-tables")
    snapshot, _ = collect(aws)
    routes = verdict_of(build_report(snapshot), world.ids["ep.s3"]).routes
    assert routes is not None
    assert routes.covered_subnets == ()
    assert routes.missing_subnets == tuple(sorted(world.ids[f"subnet.{az}"] for az in (AZ1, AZ2, AZ3)))


def test_route_coverage_is_unknown_without_route_tables(make_world, aws):
    world = make_world("gw-gap-nat")
    snapshot, _ = collect(aws)
    report = build_report(without(snapshot, "ec2:DescribeRouteTables"))
    assert document_entry(report, world.ids["ep.s3"])["route_coverage"] == {
        "status": "unknown",
        "reason": "not collected: ec2:DescribeRouteTables",
    }
    assert [f.check_id for f in report.findings if f.check_id.startswith("gw-")] == []


def test_route_coverage_does_not_count_subnets_behind_a_blackholed_endpoint_route(make_world, aws):
    """Associated is not routed: a blackholed prefix-list route carries nothing, so the verdict must not call
    those subnets covered (gw-route-missing reports the cause; gw-rt-gap stays quiet, the world says)."""
    world = make_world("gw-blackhole")
    snapshot, _ = collect(aws)
    entry = document_entry(build_report(snapshot), world.ids["ep.s3"])["route_coverage"]
    subnets = sorted(world.ids[k] for k in world.ids if k.startswith("subnet."))
    assert entry == {"status": "known", "covered_subnets": [], "missing_subnets": subnets}


def test_an_endpoint_that_is_not_available_covers_no_az(make_world, aws):
    world = make_world("ep-failed")
    snapshot, _ = collect(aws)
    entry = document_entry(build_report(snapshot), world.ids["ep.ssm"])["az_coverage"]
    assert entry["covered"] == [] and entry["tolerated_az_failures"] == 0
    assert entry["missing"] == entry["workload"] != []
