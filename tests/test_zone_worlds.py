"""The zone-listing and zone-drift worlds (issue 14) beyond what test_worlds asserts: the hub's zone that only
the account-wide listing finds is judged in a joined scan (and is unknown without the listing), and a stale
association names exactly the deleted VPC."""

from __future__ import annotations

from moto_fixtures.dns_worlds import CrossAccountWorld
from moto_fixtures.zone_worlds import FOREIGN_VPC
from tests.conftest import REGION, audit, collect
from tests.test_collect_dns import deny
from tests.test_dnspath import joined
from vpce_audit.aws.clients import ClientFactory
from vpce_audit.collect.scan import scan_account
from vpce_audit.collect.units import caller_account
from vpce_audit.model.findings import Severity
from vpce_audit.report.model import build_report
from vpce_audit.snapshot import Snapshot


def test_a_hub_zone_of_spokes_only_is_found_by_its_owner_and_judged_joined(make_world, aws):
    world = make_world("dns-hub-zone-spokes-only")
    assert isinstance(world, CrossAccountWorld) and world.other is not None
    ids = world.ids
    hub_only = audit(aws)
    assert {f.check_id for f in hub_only.findings} == set(world.expect)
    both = build_report(joined(aws, world.other.session))
    assert both.errors == ()
    assert {f.check_id for f in both.findings} == set(world.expect_joined)
    (coverage,) = [f for f in both.findings if f.check_id == "phz-hub-coverage"]
    assert (coverage.vpc_id, coverage.resource_id) == (ids["spoke"], ids["ep"])
    assert coverage.evidence["missing"] == ["use1-az6"]


def test_without_the_account_listing_the_hub_zone_is_unknown_and_nothing_fires_for_it(make_world, aws):
    world = make_world("dns-hub-zone-spokes-only")
    assert isinstance(world, CrossAccountWorld) and world.other is not None
    factory = ClientFactory(aws)
    deny(factory, "ListHostedZones", "/hostedzone")
    hub = scan_account(factory, caller_account(factory), (REGION,))
    spoke, _ = collect(world.other.session)
    both = Snapshot(
        collected_at=hub.collected_at,
        accounts=tuple(sorted((*hub.accounts, *spoke.accounts))),
        regions=hub.regions,
        parts=(*hub.parts, *spoke.parts),
        errors=(*hub.errors, *spoke.errors),
    )
    report = build_report(both)
    assert [(e.operation, e.code) for e in report.errors] == [("ListHostedZones", "AccessDenied")]
    assert "phz-hub-coverage" not in {f.check_id for f in report.findings}


def test_a_stale_association_names_the_deleted_vpc_alone(make_world, aws):
    world = make_world("dns-zone-stale-vpc")
    (finding,) = [f for f in audit(aws).findings if f.check_id == "phz-association-stale"]
    assert finding.severity is Severity.LOW and finding.resource_id == world.ids["zone"]
    assert finding.evidence["stale_vpcs"] == [{"vpc_id": world.ids["gone"], "region": REGION}]
    assert world.ids["vpc"] in finding.evidence["zone_vpc_ids"]  # the live one is associated, not stale


def test_near_misses_are_quiet_however_they_are_scanned(make_world, aws):
    world = make_world("dns-zone-associations-kept")
    # The far VPC's region scanned too: its deleted endpoint names it, its VPC list lacks it: stale. The kept
    # VPC and the foreign one stay quiet.
    snapshot, _ = collect(aws, regions=(REGION, "eu-west-1"))
    (finding,) = [f for f in build_report(snapshot).findings if f.check_id == "phz-association-stale"]
    assert finding.evidence["stale_vpcs"] == [{"vpc_id": world.ids["far"], "region": "eu-west-1"}]
    assert FOREIGN_VPC in finding.evidence["zone_vpc_ids"] and world.ids["kept"] in finding.evidence["zone_vpc_ids"]
