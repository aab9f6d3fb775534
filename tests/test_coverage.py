"""Per-endpoint verdicts: az_coverage for interface endpoints, route_coverage for gateway endpoints, and
`unknown` with the reason when the data to decide was not collected."""

from __future__ import annotations

from dataclasses import replace

import pytest
from jsonschema import Draft202012Validator

from moto_fixtures import WORLDS
from moto_fixtures.builder import AZ1, AZ2, AZ3
from tests.conftest import collect
from tests.dns_raw import Account, alias, report_of
from tests.raw_snapshot import SSM, RawPart, inventory
from tests.scanned import verdict_of
from vpce_audit.report.html import render_html
from vpce_audit.report.model import build_report
from vpce_audit.report.schema import report_schema
from vpce_audit.report.table import render_table
from vpce_audit.snapshot import Snapshot
from vpce_audit.verdicts.coverage import SPOKES_UNKNOWN_MARK, az_coverage

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


# --- az_coverage and the spokes it could not see ------------------------------------------------------------

HUB, SPOKE, EP = "vpc-0a1", "vpc-0b2", "vpce-0a1b2c3d"
HUB_ACCOUNT, SPOKE_ACCOUNT = "111111111111", "222222222222"
SSM_NAME = "ssm.us-east-1.amazonaws.com"
AZ_CHECKS = ("az-single", "az-gap", "az-idle", "az-service-limited", "phz-hub-coverage")


def hub_and_spoke() -> tuple[Account, Account]:
    """The hub endpoint has ENIs in use1-az1 and use1-az2 but the hub's own workloads run in use1-az1 only; a
    spoke in another account runs workloads in use1-az2 and use1-az3 and reaches the endpoint through the hub's
    ssm zone. Fully collected: use1-az2 serves the spoke (not idle) and use1-az3 is a gap."""
    hub = Account(HUB_ACCOUNT)
    subnets = hub.vpc(HUB, "10.0.0.0/16", azs=("a", "b"), workloads=("a",))
    hub.endpoint(EP, HUB, "ssm", subnets.values())
    hub.zone("Z1", SSM_NAME, [HUB, SPOKE], [alias(SSM_NAME, f"{EP}-abcd1234.ssm.us-east-1.vpce.amazonaws.com")])
    spoke = Account(SPOKE_ACCOUNT)
    spoke.vpc(SPOKE, "10.1.0.0/16", azs=("b", "c"))
    spoke.foreign_zone("Z1", SSM_NAME, [SPOKE], HUB_ACCOUNT)
    return hub, spoke


def hub_coverage(*accounts: Account) -> tuple[dict, set[str]]:
    report = report_of(*accounts, check_ids=AZ_CHECKS)
    return document_entry(report, EP)["az_coverage"], {f.check_id for f in report.findings}


def test_a_fully_collected_hub_counts_its_spokes_and_says_nothing_is_unknown():
    cov, fired = hub_coverage(*hub_and_spoke())
    assert cov["spoke_workload"] == ["use1-az2", "use1-az3"] and cov["missing"] == ["use1-az3"]
    assert "spokes_unknown" not in cov
    assert fired == {"az-gap", "phz-hub-coverage"}


def drop(account: Account, part: str, api: str) -> Account:
    getattr(account, part).without(api)
    return account


# Each input whose loss hides the spoke, and what the verdict then says.
HIDDEN_SPOKE = {
    "spoke Resolver rules": (
        lambda hub, spoke: (hub, drop(spoke, "reg", "route53resolver:ListResolverRules")),
        f"{SPOKE} (zone Z1): its DNS path is unknown",
    ),
    "spoke zone listing": (
        lambda hub, spoke: (hub, drop(spoke, "glob", "route53:ListHostedZonesByVPC")),
        f"private zones of {SPOKE} not collected (route53:ListHostedZonesByVPC)",
    ),
    "spoke subnets": (
        lambda hub, spoke: (hub, drop(spoke, "reg", "ec2:DescribeSubnets")),
        f"{SPOKE} (zone Z1) reaches it, but its subnets or ENIs were not collected",
    ),
    "spoke VPCs": (
        lambda hub, spoke: (hub, drop(spoke, "reg", "ec2:DescribeVpcs")),
        f"{SPOKE} (zone Z1) was described by no scanned account; ec2:DescribeVpcs was not collected for "
        f"account {SPOKE_ACCOUNT} in us-east-1",
    ),
    "zone records": (
        lambda hub, spoke: (drop(hub, "glob", "route53:ListResourceRecordSets"), spoke),
        f"zone {SSM_NAME} (Z1) not read: records not collected (route53:ListResourceRecordSets)",
    ),
    "spoke account not scanned": (
        lambda hub, spoke: (hub,),
        f"{SPOKE} (zone Z1) was described by no scanned account",
    ),
}


@pytest.mark.parametrize("case", sorted(HIDDEN_SPOKE))
def test_a_spoke_hidden_by_missing_data_is_said_and_its_gap_and_idle_az_are_not_guessed(case):
    """The verdict keeps the endpoint's own part (known, covered, its VPC's workloads) and says why spokes may be
    missing; az-idle does not call the AZ that served the spoke idle."""
    change, reason = HIDDEN_SPOKE[case]
    cov, fired = hub_coverage(*change(*hub_and_spoke()))
    assert (cov["status"], cov["covered"], cov["workload"]) == ("known", ["use1-az1", "use1-az2"], ["use1-az1"])
    assert "spoke_workload" not in cov and cov["missing"] == []
    assert reason in cov["spokes_unknown"], cov["spokes_unknown"]
    assert fired == set()


def test_a_zone_whose_associations_were_not_read_keeps_the_spokes_it_saw_and_says_so():
    hub, spoke = hub_and_spoke()
    cov, fired = hub_coverage(drop(hub, "glob", "route53:GetHostedZone"), spoke)
    assert cov["spoke_workload"] == ["use1-az2", "use1-az3"] and cov["missing"] == ["use1-az3"]
    assert cov["spokes_unknown"] == f"associations of zone {SSM_NAME} (Z1) not collected (route53:GetHostedZone)"
    assert fired == {"az-gap", "phz-hub-coverage"}


def test_an_unread_zone_for_the_service_names_marks_it_and_one_for_other_names_does_not():
    """A spoke's own ssm zone owned by an account outside the scan may alias the hub endpoint: unknown. A
    corporate zone (custom names reach only clients configured with them) or another service's zone does not
    take ssm's names, so it is not counted."""
    hub = Account(HUB_ACCOUNT)
    subnets = hub.vpc(HUB, "10.0.0.0/16", azs=("a", "b"))
    hub.endpoint(EP, HUB, "ssm", subnets.values())
    hub.vpc(SPOKE, "10.1.0.0/16", azs=("b", "c"))
    hub.foreign_zone("ZC", "corp.internal", [SPOKE], "999999999999")
    hub.foreign_zone("ZK", "kms.us-east-1.amazonaws.com", [SPOKE], "999999999999")
    cov, _ = hub_coverage(hub)
    assert "spokes_unknown" not in cov
    hub.foreign_zone("ZS", SSM_NAME, [SPOKE], "999999999999")
    cov, _ = hub_coverage(hub)
    assert cov["spokes_unknown"] == (
        f"zone {SSM_NAME} (ZS) not read: owned by account 999999999999: unverifiable, audit account 999999999999"
    )


def test_spokes_unknown_is_in_the_schema_the_table_and_the_html():
    hub, _ = hub_and_spoke()
    report = report_of(hub, check_ids=AZ_CHECKS)
    Draft202012Validator(report_schema()).validate(report.to_document())
    table, html = render_table(report, width=200), render_html(report)  # wide enough for the row on one line
    row = next(line for line in table.splitlines() if line.startswith(EP))
    assert row.split()[3:5] == ["covered", "idle?"] and row.endswith(SPOKES_UNKNOWN_MARK)
    assert SPOKES_UNKNOWN_MARK in html and ">idle?</td>" in html
    schema = report_schema()["properties"]["endpoints"]["items"]["properties"]["az_coverage"]["oneOf"][0]
    assert schema["properties"]["spokes_unknown"] == {"type": "string", "minLength": 1}


def test_no_world_with_every_input_collected_says_spokes_unknown(make_world, aws):
    # The two-account worlds, scanned from the hub alone, rightly have spokes no scanned account described.
    for name in sorted(n for n in WORLDS if n not in ("dns-cross-account", "dns-hub-zone-spokes-only")):
        make_world(name)
    snapshot, _ = collect(aws)
    report = build_report(snapshot)
    assert report.errors == ()
    interface = [v.az for v in report.endpoints if v.az is not None]
    assert [az.spokes_unknown for az in interface if az.spokes_unknown] == []
    assert any(az.spoke_workload for az in interface)  # the hub-and-spoke worlds do count their spokes


def test_moto_hub_scanned_without_its_spokes_account_says_the_spoke_is_unseen(make_world, aws):
    world = make_world("dns-cross-account")
    snapshot, _ = collect(aws)
    cov = document_entry(build_report(snapshot), world.ids["ep"])["az_coverage"]
    assert (
        cov["spokes_unknown"] == f"{world.ids['spoke']} (zone {world.ids['zone']}) was described by no scanned account"
    )
