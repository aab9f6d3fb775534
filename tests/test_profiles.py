"""Route 53 Profiles (issue 14): collection through moto_fixtures/route53_profiles.py (moto has none), and the
merge of what a Profile delivers into each VPC's resolution view, with AWS's precedence and `unknown` where the
documentation leaves it open."""

from __future__ import annotations

from typing import Any

from moto_fixtures.route53_profiles import STORE, profile, zone_resource
from tests.conftest import audit
from tests.dns_raw import Account, alias, inv_of, report_of
from tests.raw_snapshot import snapshot
from tests.test_checks_firewall import firewall
from vpce_audit.aws.clients import ClientFactory
from vpce_audit.collect.base import Recorder
from vpce_audit.collect.profiles import collect_profiles
from vpce_audit.dns.kinds import Outcome
from vpce_audit.dns.path import dns_path
from vpce_audit.dns.resolve import resolve
from vpce_audit.model.inventory import Inventory
from vpce_audit.normalize import normalize

R = "us-east-1"
SSM = f"ssm.{R}.amazonaws.com"
HUB, SPOKE = "vpc-0a1", "vpc-0b2"
EP = "vpce-0a1b2c3d"
REGIONAL = f"{EP}-abcd1234.ssm.{R}.vpce.amazonaws.com"
PROFILES = ("route53profiles:ListProfileAssociations", "route53profiles:ListProfileResourceAssociations")


# --- moto: collection and the Profile-based worlds -------------------------------------------------------------


def test_profile_hub_and_spoke_resolves_through_the_profile_and_names_it(make_world, aws):
    world = make_world("dns-profile-hub-spoke")
    report = audit(aws)
    assert report.findings == () and report.errors == ()
    (verdict,) = [v for v in report.endpoints if v.endpoint.id == world.ids["ep"]]
    assert verdict.dns is not None
    paths = {p.vpc_id: p for p in verdict.dns.vpcs}
    spoke = paths[world.ids["spoke"]]  # a client only through the Profile
    assert spoke.mode.value == "phz-alias-regional"
    assert spoke.names[0].evidence["route53_profile_ids"] == [world.ids["profile"]]
    assert "route53_profile_ids" not in paths[world.ids["hub"]].names[0].evidence  # the hub's own association
    az = verdict.az
    assert az is not None and az.status == "known" and az.spoke_workload


def test_without_the_profile_the_spoke_is_no_client(make_world, aws):
    """The same world with the Profile's association gone: the spoke no longer reaches the endpoint by name."""
    world = make_world("dns-profile-hub-spoke")
    for store in STORE.values():
        store.associations[:] = [a for a in store.associations if a["ProfileId"] != world.ids["profile"]]
    report = audit(aws)
    (verdict,) = [v for v in report.endpoints if v.endpoint.id == world.ids["ep"]]
    assert verdict.dns is not None and world.ids["spoke"] not in {p.vpc_id for p in verdict.dns.vpcs}


def test_a_profiles_forwarding_rule_fires_the_resolver_check_naming_the_profile(make_world, aws):
    world = make_world("dns-profile-forward")
    report = audit(aws)
    (finding,) = [f for f in report.findings if f.check_id == "rslv-forward-shadows"]
    assert finding.resource_id == world.ids["rule"]
    assert world.ids["profile"] in finding.message and finding.evidence["route53_profile_ids"] == [world.ids["profile"]]


def test_collection_is_one_listing_plus_one_per_profile_and_pages(make_world, aws):
    world = make_world("dns-profile-hub-spoke")
    b = world.builder
    # 150 more associations of one Profile: ListProfileAssociations takes two pages of 100.
    many = profile(b, [f"vpc-{n:08x}" for n in range(150)], [zone_resource(world.ids["zone"])])
    factory = ClientFactory(aws)
    rec = Recorder(b.account_id, R)
    collect_profiles(rec, factory.client("route53profiles", R))
    assert rec.errors == []
    assert len(rec.apis[PROFILES[0]]) == 151
    assert {p["ProfileId"] for p in rec.apis[PROFILES[1]]} == {world.ids["profile"], many}
    assert factory.counter.counts() == {
        f"route53profiles:{op}": n for op, n in (("ListProfileAssociations", 2), ("ListProfileResourceAssociations", 2))
    }


def test_a_denied_resource_listing_is_one_error_and_the_other_profiles_stay_known(make_world, aws):
    world = make_world("dns-profile-hub-spoke")
    b = world.builder
    gone = {"Id": "rpassoc-gone", "ProfileId": "rp-gone", "ResourceId": world.ids["hub"], "Status": "COMPLETE"}
    STORE[b.account_id, R].associations.append(gone)
    b._undo.append(lambda: STORE[b.account_id, R].associations.remove(gone))  # the store outlives mock_aws
    rec = Recorder(b.account_id, R)
    collect_profiles(rec, aws.client("route53profiles", region_name=R))
    assert [(e.operation, e.code) for e in rec.errors] == [
        ("ListProfileResourceAssociations", "ResourceNotFoundException")
    ]
    assert [p["ProfileId"] for p in rec.apis[PROFILES[1]]] == [world.ids["profile"]]


# --- hand-built: precedence and what is unknown ----------------------------------------------------------------


def hub_and_spoke(*, direct: bool = False) -> Account:
    """The ssm zone associated with the hub; the spoke gets it through Profile rp-1 (and directly if `direct`)."""
    acct = Account()
    subnets = acct.vpc(HUB, "10.0.0.0/16")
    acct.vpc(SPOKE, "10.1.0.0/16")
    acct.endpoint(EP, HUB, "ssm", subnets.values())
    acct.zone("Z1", SSM, [HUB, SPOKE] if direct else [HUB], [alias(SSM, REGIONAL)])
    return acct


def modes(inv: Inventory) -> dict[str, str]:
    return {p.vpc_id: p.mode.value for p in dns_path(inv, inv.endpoints[EP]).vpcs}


def test_a_zone_delivered_only_by_a_profile_is_associated_with_the_vpc():
    acct = hub_and_spoke()
    acct.profile("rp-0001", [SPOKE], zones=["Z1"], priority=100)
    inv = inv_of(acct)
    assert modes(inv) == {HUB: "phz-alias-regional", SPOKE: "phz-alias-regional"}
    answer = resolve(inv, SPOKE, SSM)
    assert answer.outcome is Outcome.RECORDS and answer.profiles == ("rp-0001",)
    assert "rp-0001" in answer.reason


def test_a_profile_association_without_priority_and_several_profiles_per_vpc_are_fine():
    acct = hub_and_spoke()
    acct.profile("rp-0001", [SPOKE], zones=["Z1"])  # no Priority key: an older API model
    acct.profile("rp-0002", [SPOKE], rules=[], priority=200)
    assert modes(inv_of(acct)) == {HUB: "phz-alias-regional", SPOKE: "phz-alias-regional"}


def test_a_delivery_not_complete_makes_the_spoke_unknown():
    acct = hub_and_spoke()
    acct.profile("rp-0001", [SPOKE], zones=["Z1"], status="CREATING")
    inv = inv_of(acct)
    assert modes(inv)[SPOKE] == "unknown"
    assert "rp-0001" in resolve(inv, SPOKE, SSM).reason


def test_the_same_zone_directly_and_through_a_profile_is_one_zone():
    acct = hub_and_spoke(direct=True)
    acct.profile("rp-0001", [SPOKE], zones=["Z1"])
    assert modes(inv_of(acct)) == {HUB: "phz-alias-regional", SPOKE: "phz-alias-regional"}


def test_a_vpcs_own_zone_and_a_profiles_zone_of_the_same_name_are_unknown_with_the_reason():
    acct = hub_and_spoke(direct=True)
    acct.zone("Z2", SSM, [], [alias(SSM, REGIONAL)])
    acct.profile("rp-0001", [SPOKE], zones=["Z2"])
    inv = inv_of(acct)
    answer = resolve(inv, SPOKE, SSM)
    assert answer.outcome is Outcome.UNKNOWN and "not documented" in answer.reason and "rp-0001" in answer.reason


def test_a_vpcs_own_rule_and_a_profiles_rule_for_one_domain_are_unknown():
    acct = hub_and_spoke(direct=True)
    acct.rule("rslvr-rr-0own", "corp.example.com", [SPOKE])
    acct.rule("rslvr-rr-0pro", "corp.example.com", [])
    acct.profile("rp-0001", [SPOKE], rules=["rslvr-rr-0pro"])
    answer = resolve(inv_of(acct), SPOKE, "x.corp.example.com")
    assert answer.outcome is Outcome.UNKNOWN and "not documented" in answer.reason and "rp-0001" in answer.reason


def test_a_profiles_rule_forwarding_the_service_name_breaks_the_spoke_and_names_the_profile():
    acct = hub_and_spoke(direct=True)
    acct.rule("rslvr-rr-0pro", SSM, [])
    acct.profile("rp-0001", [SPOKE], rules=["rslvr-rr-0pro"])
    report = report_of(acct, check_ids=["rslv-forward-shadows"])
    (finding,) = report.findings
    assert finding.vpc_id == SPOKE and "rp-0001" in finding.message


def test_profiles_not_collected_make_the_path_unknown_and_the_evidence_says_not_audited():
    acct = hub_and_spoke()
    acct.profile("rp-0001", [SPOKE], zones=["Z1"])
    for api in PROFILES:
        del acct.reg.apis[api]
    inv = inv_of(acct)
    assert modes(inv) == {HUB: "unknown"}  # the spoke's zone is no longer seen; the hub's own path is unknown
    assert "route53profiles:ListProfileAssociations" in resolve(inv, HUB, SSM).reason


def test_a_profiles_resources_not_collected_make_only_its_vpcs_unknown():
    acct = hub_and_spoke()
    acct.profile("rp-0001", [SPOKE], zones=["Z1"])
    acct.reg.apis[PROFILES[1]] = []
    inv = inv_of(acct)
    assert resolve(inv, HUB, SSM).outcome is Outcome.RECORDS
    answer = resolve(inv, SPOKE, SSM)
    assert answer.outcome is Outcome.UNKNOWN and "ListProfileResourceAssociations" in answer.reason


def test_a_zone_a_profile_delivers_that_was_not_read_is_unknown():
    acct = hub_and_spoke()
    acct.profile("rp-0001", [SPOKE], zones=["Z1", "Z9UNREAD"])
    answer = resolve(inv_of(acct), SPOKE, SSM)
    assert answer.outcome is Outcome.UNKNOWN and "Z9UNREAD" in answer.reason


def test_no_private_name_stays_quiet_when_a_profile_delivers_the_zone():
    """The false alarm of before: private DNS off, the service-named zone only through a Profile."""
    acct = hub_and_spoke()
    acct.reg.route_table("rtb-main", HUB, [], main=True)
    acct.reg.route_table("rtb-spoke", SPOKE, [], main=True)
    fired = {f.check_id for f in report_of(acct).findings}
    assert "dns-no-private-name" not in fired  # the zone is the hub's own
    acct2 = Account()
    subnets = acct2.vpc(HUB, "10.0.0.0/16")
    acct2.endpoint(EP, HUB, "ssm", subnets.values())
    acct2.reg.route_table("rtb-main", HUB, [], main=True)
    acct2.zone("Z1", SSM, [], [alias(SSM, REGIONAL)])
    assert "dns-no-private-name" in {f.check_id for f in report_of(acct2).findings}
    acct2.profile("rp-0001", [HUB], zones=["Z1"])
    report = report_of(acct2)
    assert "dns-no-private-name" not in {f.check_id for f in report.findings}
    (verdict,) = report.endpoints
    assert verdict.dns is not None and verdict.dns.vpcs[0].mode.value == "phz-alias-regional"


def test_a_firewall_rule_group_a_profile_delivers_blocks_and_names_the_profile():
    acct = hub_and_spoke(direct=True)
    firewall(acct, [], [(10, "BLOCK", (SSM,))], group="rslvr-frg-0pro")
    acct.profile("rp-0001", [SPOKE], firewall_groups={"rslvr-frg-0pro": 100})
    (finding,) = report_of(acct, check_ids=["dns-firewall-blocks"]).findings
    assert finding.vpc_id == SPOKE or SPOKE in finding.message
    answer = resolve(inv_of(acct), SPOKE, SSM)
    assert answer.outcome is Outcome.BLOCKED and answer.firewall is not None
    assert answer.firewall.evidence()["route53_profile_id"] == "rp-0001"


def test_own_and_profile_rule_groups_that_disagree_are_unknown():
    acct = hub_and_spoke(direct=True)
    firewall(acct, [SPOKE], [(10, "ALLOW", (SSM,))], group="rslvr-frg-0own")
    firewall(acct, [], [(10, "BLOCK", (SSM,))], group="rslvr-frg-0pro")
    acct.profile("rp-0001", [SPOKE], firewall_groups={"rslvr-frg-0pro": 100})
    answer = resolve(inv_of(acct), SPOKE, SSM)
    assert answer.outcome is Outcome.UNKNOWN and "not documented" in answer.reason
    assert report_of(acct, check_ids=["dns-firewall-blocks"]).findings == ()


def test_own_and_profile_rule_groups_that_agree_decide():
    acct = hub_and_spoke(direct=True)
    firewall(acct, [SPOKE], [(10, "ALLOW", ("example.org",))], group="rslvr-frg-0own")
    firewall(acct, [], [(10, "ALLOW", (SSM,))], group="rslvr-frg-0pro")
    acct.profile("rp-0001", [SPOKE], firewall_groups={"rslvr-frg-0pro": 100})
    assert resolve(inv_of(acct), SPOKE, SSM).outcome is Outcome.RECORDS


def test_replay_of_a_snapshot_keeps_the_profiles():
    acct = hub_and_spoke()
    acct.profile("rp-0001", [SPOKE], zones=["Z1"], priority=100)
    snap = snapshot(*acct.parts())
    inv = normalize(snap)
    assert inv.dns.profiles.of_vpc(SPOKE)[0].priority == 100
    assert inv.dns.zones["Z1"].profile_vpc_ids == (SPOKE,)
    evidence: dict[str, Any] = {}
    from vpce_audit.dns.profiles import profiles_evidence

    evidence["p"] = profiles_evidence(inv, SPOKE)
    assert evidence["p"][0]["profile_id"] == "rp-0001" and profiles_evidence(inv, HUB) == []


def test_phz_checks_judge_a_zone_a_profile_delivers_and_name_the_profile():
    """A service zone without its apex record, associated with the hub and delivered to the spoke by rp-0001:
    the finding names the Profile; the hub zone and spoke without the Profile name none."""
    from tests.dns_raw import a

    acct = Account()
    subnets = acct.vpc(HUB, "10.0.0.0/16")
    acct.vpc(SPOKE, "10.1.0.0/16")
    acct.endpoint(EP, HUB, "ssm", subnets.values())
    acct.zone("Z1", SSM, [HUB], [a(f"other.{SSM}", "10.0.0.1")])
    acct.profile("rp-0001", [SPOKE], zones=["Z1"], priority=100)
    (f,) = report_of(acct, check_ids=["phz-record-missing"]).findings
    assert f.evidence["zone_profiles"] == [
        {
            "vpc_id": SPOKE,
            "profile_id": "rp-0001",
            "profile_association_id": "rpassoc-0001-0b2",
            "profile_priority": 100,
        }
    ]
    assert "rp-0001" in f.related_ids and SPOKE in f.related_ids


def test_no_private_name_evidence_lists_the_vpcs_profiles():
    acct = Account()
    subnets = acct.vpc(HUB, "10.0.0.0/16")
    acct.endpoint(EP, HUB, "ssm", subnets.values())
    acct.reg.route_table("rtb-main", HUB, [], main=True)
    acct.rule("rslvr-rr-0pro", "corp.example.com", [])
    acct.profile("rp-0001", [HUB], rules=["rslvr-rr-0pro"], priority=100)
    (f,) = report_of(acct, check_ids=["dns-no-private-name"]).findings
    (entry,) = f.evidence["route53_profiles"]
    assert entry["profile_id"] == "rp-0001" and entry["resources"] == ["ResolverRule rslvr-rr-0pro"]


def test_a_vpcs_forwarding_rule_and_a_profiles_system_rule_for_one_domain_are_unknown():
    acct = hub_and_spoke(direct=True)
    acct.rule("rslvr-rr-0own", SSM, [SPOKE])
    acct.rule("rslvr-rr-0sys", SSM, [], rule_type="SYSTEM")
    acct.profile("rp-0001", [SPOKE], rules=["rslvr-rr-0sys"])
    answer = resolve(inv_of(acct), SPOKE, SSM)
    assert answer.outcome is Outcome.UNKNOWN and "rp-0001" in answer.reason
    assert report_of(acct, check_ids=["rslv-forward-shadows"]).findings == ()  # unknown, not a finding


def test_a_zone_only_a_profile_brings_into_scope_is_read(make_world, aws):
    """Scanning the spoke alone: no in-scope VPC lists the hub's zone, the Profile delivers it; Route 53 reads
    it all the same (GetHostedZone, records), so the spoke's resolution is known."""
    from tests.conftest import collect

    world = make_world("dns-profile-hub-spoke")
    snap, _ = collect(aws, vpc_ids=(world.ids["spoke"],))
    assert snap.errors == ()
    inv = normalize(snap)
    zone = inv.dns.zones[world.ids["zone"]]
    assert zone.records is not None and zone.profile_vpc_ids == (world.ids["spoke"],)
    answer = resolve(inv, world.ids["spoke"], world.ids["name"])
    assert answer.outcome is Outcome.RECORDS and answer.profiles == (world.ids["profile"],)
