"""The DNS path engine on hand-built snapshots: normalisation of Route 53 and Resolver data, Resolver's rules
of precedence, and the per-endpoint verdict, including every way it must say `unknown` instead of guessing."""

from __future__ import annotations

from moto_fixtures import WORLDS
from moto_fixtures.dns_worlds import SPOKE_ACCOUNT, CrossAccountWorld
from tests.conftest import audit, collect
from tests.dns_raw import Account, a, alias, cname, inv_of, report_of, txt
from vpce_audit.dns.kinds import Outcome
from vpce_audit.dns.path import dns_path
from vpce_audit.dns.resolve import resolve
from vpce_audit.dns.targets import record_target
from vpce_audit.model.inventory import Inventory
from vpce_audit.normalize.dns import dns_name
from vpce_audit.report.json import render_json
from vpce_audit.report.model import build_report
from vpce_audit.report.table import render_table
from vpce_audit.snapshot import Part, Snapshot

SSM = "ssm.us-east-1.amazonaws.com"
HUB, SPOKE = "vpc-0a1", "vpc-0b2"
EP = "vpce-0a1b2c3d"


def regional(ep_id: str = EP, short: str = "ssm") -> str:
    return f"{ep_id}-abcd1234.{short}.us-east-1.vpce.amazonaws.com"


def zonal(ep_id: str = EP, letter: str = "a", short: str = "ssm") -> str:
    return f"{ep_id}-abcd1234-us-east-1{letter}.{short}.us-east-1.vpce.amazonaws.com"


def hub_and_spoke(records: list[dict] | None = None, **spoke: object) -> tuple[Account, dict[str, str]]:
    """A hub VPC with an ssm endpoint (private DNS off) in three AZs and a spoke, both associated with a zone
    ssm.us-east-1.amazonaws.com whose records default to an alias to the endpoint's regional name."""
    acct = Account()
    hub = acct.vpc(HUB, "10.0.0.0/16")
    acct.vpc(SPOKE, "10.1.0.0/16", **spoke)  # type: ignore[arg-type]
    acct.endpoint(EP, HUB, "ssm", hub.values())
    acct.zone("Z1", SSM, [HUB, SPOKE], records if records is not None else [alias(SSM, regional())])
    return acct, hub


def modes(inv: Inventory, ep_id: str = EP) -> dict[str, str]:
    return {p.vpc_id: p.mode for p in dns_path(inv, inv.endpoints[ep_id]).vpcs}


def path_of(inv: Inventory, vpc_id: str, ep_id: str = EP):  # type: ignore[no-untyped-def]
    return next(p for p in dns_path(inv, inv.endpoints[ep_id]).vpcs if p.vpc_id == vpc_id)


# --- normalisation ---------------------------------------------------------------------------------------


def test_dns_names_are_normalised_as_dns_compares_them():
    assert dns_name("\\052.S3.us-east-1.amazonaws.com.") == "*.s3.us-east-1.amazonaws.com"
    assert dns_name("Example.COM.") == "example.com"
    assert dns_name(".") == ""
    assert dns_name(None) == ""


def test_zones_merge_across_accounts_and_strip_hostedzone_prefix():
    hub = Account("111111111111")
    hub.vpc(HUB)
    hub.zone("Z1", SSM, [HUB, SPOKE], [alias(SSM, regional()), a("x." + SSM, "10.0.0.1"), txt("t." + SSM)])
    spoke = Account("222222222222")
    spoke.vpc(SPOKE, "10.1.0.0/16")
    spoke.foreign_zone("Z1", SSM, [SPOKE], "111111111111")
    inv = inv_of(hub, spoke)
    zone = inv.dns.zones["Z1"]
    assert zone.name == SSM and zone.owner_account == "111111111111"
    assert zone.vpc_ids == (HUB, SPOKE)
    assert zone.records is not None and zone.skipped_reason == ""  # read by the owner: the skip is moot
    assert {r.name for r in zone.records} >= {SSM, "x." + SSM, "t." + SSM}
    assert inv.zones_listed(HUB) and inv.zones_listed(SPOKE)
    assert [z.id for z in inv.zones_of(SPOKE)] == ["Z1"]


def test_a_skipped_zone_keeps_its_reason_and_has_no_records():
    spoke = Account("222222222222")
    spoke.vpc(SPOKE, "10.1.0.0/16")
    spoke.foreign_zone("Z9", SSM, [SPOKE], "111111111111")
    zone = inv_of(spoke).dns.zones["Z9"]
    assert zone.records is None
    assert "audit account 111111111111" in zone.skipped_reason


def test_only_vpcs_with_a_listing_have_known_zones():
    acct = Account()
    acct.vpc(HUB)
    acct.vpc(SPOKE, "10.1.0.0/16", listed=False)
    inv = inv_of(acct)
    assert inv.zones_listed(HUB) and not inv.zones_listed(SPOKE)


def test_resolver_rules_normalise_the_root_domain():
    acct = Account()
    acct.vpc(HUB)
    acct.rule("rslvr-rr-root", ".", [HUB])
    acct.rule("rslvr-rr-aws", "AmazonAWS.com.", [HUB])
    rules = inv_of(acct).dns.rules
    assert rules["rslvr-rr-root"].domain == "" and rules["rslvr-rr-aws"].domain == "amazonaws.com"


# --- private DNS and zones -------------------------------------------------------------------------------


def test_private_dns_in_the_endpoint_vpc():
    acct = Account()
    hub = acct.vpc(HUB)
    acct.endpoint(EP, HUB, "ssm", hub.values(), private_dns=True)
    inv = inv_of(acct)
    assert modes(inv) == {HUB: "private-dns"}
    assert resolve(inv, HUB, SSM).outcome is Outcome.PRIVATE_DNS


def test_hub_and_spoke_regional_alias_reaches_both_vpcs():
    inv = inv_of(hub_and_spoke()[0])
    assert modes(inv) == {HUB: "phz-alias-regional", SPOKE: "phz-alias-regional"}
    spoke = path_of(inv, SPOKE)
    assert spoke.via == "zone" and spoke.zone_ids == ("Z1",)
    name = spoke.names[0].evidence
    assert name["zone_id"] == "Z1" and name["records"][0]["alias_target"] == regional()
    assert spoke.evidence["dns_support"] is True and spoke.evidence["dns_servers"] == ["AmazonProvidedDNS"]


def test_zonal_alias_pins_clients_to_one_az():
    inv = inv_of(hub_and_spoke([alias(SSM, zonal(letter="b"))])[0])
    assert modes(inv) == {HUB: "phz-alias-zonal", SPOKE: "phz-alias-zonal"}
    assert "us-east-1b (use1-az2)" in path_of(inv, SPOKE).reason


def test_cname_to_the_regional_name_counts_as_an_alias():
    inv = inv_of(hub_and_spoke([cname(SSM, regional())])[0])
    assert modes(inv)[SPOKE] == "phz-alias-regional"


def test_static_ips_matching_the_enis():
    acct, _ = hub_and_spoke([])
    acct.glob.apis["route53:ListResourceRecordSets"][0]["ResourceRecordSets"].append(a(SSM, *acct.ips(EP)))
    inv = inv_of(acct)
    assert modes(inv) == {HUB: "phz-static-ips", SPOKE: "phz-static-ips"}


def test_static_ips_no_eni_holds_are_broken():
    inv = inv_of(hub_and_spoke([a(SSM, "10.0.99.99")])[0])
    assert modes(inv) == {HUB: "broken", SPOKE: "broken"}
    assert "no current endpoint ENI" in path_of(inv, SPOKE).reason


def test_alias_to_a_deleted_endpoint_is_broken_and_links_nowhere():
    acct, hub = hub_and_spoke([alias(SSM, regional("vpce-0dead"))])
    acct.endpoint("vpce-0dead", HUB, "ssm", [hub["a"]], state="deleted")
    inv = inv_of(acct)
    # The zone no longer leads to the live endpoint, so only its own VPC is judged, and is broken.
    assert modes(inv) == {HUB: "broken"}
    assert "vpce-0dead is deleted" in path_of(inv, HUB).reason


def test_alias_to_a_missing_endpoint_of_the_audited_zone_owner_is_broken():
    acct, _ = hub_and_spoke([alias(SSM, regional("vpce-0f00"))])
    path = path_of(inv_of(acct), HUB)
    assert path.mode == "broken" and "no endpoint of audited account" in path.reason


def test_alias_to_an_endpoint_where_nothing_was_audited_is_unknown():
    other_region = "vpce-0f00-abcd1234.ssm.eu-west-1.vpce.amazonaws.com"
    acct, _ = hub_and_spoke([alias(SSM, other_region)])
    path = path_of(inv_of(acct), HUB)
    assert path.mode == "unknown" and "not audited" in path.reason


def test_a_parent_zone_without_the_record_answers_nxdomain():
    acct = Account()
    hub = acct.vpc(HUB)
    acct.endpoint(EP, HUB, "ssm", hub.values())
    acct.zone("ZP", "us-east-1.amazonaws.com", [HUB], [a("ec2.us-east-1.amazonaws.com", "10.0.0.9")])
    inv = inv_of(acct)
    answer = resolve(inv, HUB, SSM)
    assert answer.outcome is Outcome.NXDOMAIN and answer.zone is not None and answer.zone.id == "ZP"
    assert modes(inv) == {HUB: "broken"}


def test_a_name_with_only_other_record_types_has_no_address():
    acct, _ = hub_and_spoke([txt(SSM)])
    assert resolve(inv_of(acct), SPOKE, SSM).outcome is Outcome.NODATA
    assert modes(inv_of(acct)) == {HUB: "broken"}


def test_wildcard_names_need_a_wildcard_record():
    s3 = "s3.us-east-1.amazonaws.com"
    acct = Account()
    hub = acct.vpc(HUB)
    acct.endpoint(EP, HUB, "s3", hub.values())
    acct.zone("ZS3", s3, [HUB], [alias(s3, regional(short="s3"))])
    inv = inv_of(acct)
    assert resolve(inv, HUB, "*." + s3).outcome is Outcome.NXDOMAIN
    assert modes(inv) == {HUB: "broken"}  # the worst of the names decides
    names = {n.name: n.mode for n in path_of(inv, HUB).names}
    assert names == {s3: "phz-alias-regional", "*." + s3: "broken"}

    acct.glob.apis["route53:ListResourceRecordSets"][0]["ResourceRecordSets"].append(
        alias("*." + s3, "*." + regional(short="s3"))
    )
    acct.reg.apis["ec2:DescribeVpcEndpoints"][0]["DnsEntries"].append(
        {"DnsName": "*." + regional(short="s3"), "HostedZoneId": "Z7HUB22UULQXV"}
    )
    assert modes(inv_of(acct)) == {HUB: "phz-alias-regional"}


def test_wildcard_answers_names_below_the_closest_existing_name_only():
    acct = Account()
    acct.vpc(HUB)
    acct.zone(
        "ZW", "example.internal", [HUB], [a("*.example.internal", "10.0.0.5"), a("b.example.internal", "10.0.0.6")]
    )
    inv = inv_of(acct)
    assert resolve(inv, HUB, "x.y.example.internal").outcome is Outcome.RECORDS
    assert resolve(inv, HUB, "b.example.internal").records[0].values == ("10.0.0.6",)
    assert resolve(inv, HUB, "x.b.example.internal").outcome is Outcome.NXDOMAIN  # b exists: * does not cover below it


def test_endpoint_names_only_when_nothing_overrides_the_name():
    acct = Account()
    hub = acct.vpc(HUB)
    acct.endpoint(EP, HUB, "ssm", hub.values())
    inv = inv_of(acct)
    assert resolve(inv, HUB, SSM).outcome is Outcome.PUBLIC
    assert modes(inv) == {HUB: "endpoint-names-only"}


def test_a_local_endpoint_whose_name_a_hub_zone_takes_is_names_only():
    acct, _ = hub_and_spoke()
    spoke_subnets = {"b": "subnet-0b2b"}
    acct.endpoint("vpce-0e1", SPOKE, "ssm", spoke_subnets.values())
    inv = inv_of(acct)
    local = path_of(inv, SPOKE, "vpce-0e1")
    assert local.mode == "endpoint-names-only" and EP in local.reason


def test_cname_chains_are_followed():
    acct, _ = hub_and_spoke([cname(SSM, "ssm.corp.internal")])
    acct.zone("ZC", "corp.internal", [HUB, SPOKE], [alias("ssm.corp.internal", regional())])
    inv = inv_of(acct)
    answer = resolve(inv, SPOKE, SSM)
    assert answer.chain == (SSM, "ssm.corp.internal") and answer.zone is not None and answer.zone.id == "ZC"
    assert modes(inv)[SPOKE] == "phz-alias-regional"


def test_a_cname_loop_is_unknown_not_healthy():
    acct, _ = hub_and_spoke([cname(SSM, "a.corp.internal")])
    acct.zone(
        "ZC", "corp.internal", [SPOKE], [cname("a.corp.internal", "b.corp.internal"), cname("b.corp.internal", SSM)]
    )
    assert resolve(inv_of(acct), SPOKE, SSM).outcome is Outcome.UNKNOWN


def test_custom_record_names_reach_only_clients_configured_with_them():
    acct = Account()
    hub = acct.vpc(HUB, azs=("a", "b"))
    acct.vpc(SPOKE, "10.1.0.0/16")
    acct.endpoint(EP, HUB, "ssm", hub.values())
    acct.zone("ZC", "corp.internal", [SPOKE], [alias("ssm.corp.internal", regional())])
    report = report_of(acct, check_ids=["phz-hub-coverage"])
    path = path_of(report.inventory, SPOKE)
    # Default SDK clients resolve the service name publicly: that stays the verdict; the custom path is told.
    assert (path.mode, path.custom_mode) == ("endpoint-names-only", "phz-alias-regional")
    assert "ssm.corp.internal" in path.reason
    # Clients that do use it are the hub endpoint's clients: their AZs count.
    assert [f.evidence["missing"] for f in report.findings] == [["use1-az3"]]


def test_two_zones_of_the_same_name_are_a_conflict_not_a_guess():
    acct, _ = hub_and_spoke()
    acct.zone("Z2", SSM, [SPOKE], [a(SSM, "10.9.9.9")])
    assert resolve(inv_of(acct), SPOKE, SSM).outcome is Outcome.UNKNOWN


# --- Resolver rules --------------------------------------------------------------------------------------


def test_a_same_name_forward_rule_beats_the_zone():
    acct, _ = hub_and_spoke()
    acct.rule("rslvr-rr-0ssm", SSM, [SPOKE])
    inv = inv_of(acct)
    answer = resolve(inv, SPOKE, SSM)
    assert answer.outcome is Outcome.FORWARDED and answer.rule is not None and answer.rule.id == "rslvr-rr-0ssm"
    assert answer.overridden == (f"zone {SSM} (Z1)",)
    assert modes(inv) == {HUB: "phz-alias-regional", SPOKE: "forwarded"}
    assert path_of(inv, SPOKE).names[0].evidence["rule_id"] == "rslvr-rr-0ssm"


def test_a_parent_rule_loses_to_a_more_specific_zone():
    acct, _ = hub_and_spoke()
    acct.rule("rslvr-rr-0aws", "amazonaws.com", [SPOKE])
    assert modes(inv_of(acct))[SPOKE] == "phz-alias-regional"


def test_a_parent_rule_captures_a_name_with_no_zone():
    acct = Account()
    hub = acct.vpc(HUB)
    acct.endpoint(EP, HUB, "ssm", hub.values())
    acct.rule("rslvr-rr-0dot", ".", [HUB])
    assert modes(inv_of(acct)) == {HUB: "forwarded"}


def test_a_system_rule_takes_the_name_back_from_a_parent_forward_rule():
    acct = Account()
    hub = acct.vpc(HUB)
    acct.endpoint(EP, HUB, "ssm", hub.values(), private_dns=True)
    acct.rule("rslvr-rr-0aws", "us-east-1.amazonaws.com", [HUB])
    acct.zone("ZP", "amazonaws.com", [HUB], [])  # less specific than the forward rule
    inv = inv_of(acct)
    assert modes(inv) == {HUB: "private-dns"}  # private DNS is more specific than the rule anyway
    acct2 = Account()
    hub2 = acct2.vpc(HUB)
    acct2.endpoint(EP, HUB, "ssm", hub2.values())
    acct2.zone("ZP", "amazonaws.com", [HUB], [alias(SSM, regional())])
    acct2.rule("rslvr-rr-0fwd", "us-east-1.amazonaws.com", [HUB])
    assert modes(inv_of(acct2)) == {HUB: "forwarded"}
    acct2.rule("rslvr-rr-0sys", SSM, [HUB], rule_type="SYSTEM")
    # The SYSTEM rule is the most specific match: Resolver answers from its zones, and the parent zone has it.
    assert modes(inv_of(acct2)) == {HUB: "phz-alias-regional"}


def test_a_rule_not_complete_that_would_win_makes_the_answer_unknown():
    acct, _ = hub_and_spoke()
    acct.rule("rslvr-rr-0ssm", SSM, [SPOKE], association_status="FAILED")
    assert modes(inv_of(acct))[SPOKE] == "unknown"


def test_an_associated_rule_missing_from_the_rule_list_is_unknown():
    acct, _ = hub_and_spoke()
    acct.rule("rslvr-rr-0ssm", SSM, [SPOKE])
    acct.reg.apis["route53resolver:ListResolverRules"].clear()
    assert modes(inv_of(acct))[SPOKE] == "unknown"


# --- the VPC end: attributes and DHCP ----------------------------------------------------------------------


def test_dns_support_off_is_broken_and_uncollected_is_unknown():
    acct, _ = hub_and_spoke(support=False)
    assert modes(inv_of(acct))[SPOKE] == "broken"
    acct, _ = hub_and_spoke(support=None)
    path = path_of(inv_of(acct), SPOKE)
    assert path.mode == "unknown" and "ec2:DescribeVpcAttribute" in path.reason


def test_hostnames_off_keeps_the_mode_but_warns():
    acct, _ = hub_and_spoke(hostnames=False)
    path = path_of(inv_of(acct), SPOKE)
    assert path.mode == "phz-alias-regional" and any("enableDnsHostnames is false" in w for w in path.warnings)


def test_custom_dns_servers_are_unverifiable():
    acct, _ = hub_and_spoke(dns_servers=["192.168.10.10"])
    path = path_of(inv_of(acct), SPOKE)
    assert path.mode == "unknown" and "192.168.10.10" in path.reason


def test_the_vpc_resolver_address_and_own_inbound_endpoints_count_as_amazon_dns():
    acct, _ = hub_and_spoke(dns_servers=["10.1.0.2", "169.254.169.253"])
    assert modes(inv_of(acct))[SPOKE] == "phz-alias-regional"
    acct, _ = hub_and_spoke(dns_servers=["10.1.5.10", "10.1.6.10"])
    acct.inbound("rslvr-in-0s", SPOKE, ["10.1.5.10", "10.1.6.10"])
    assert modes(inv_of(acct))[SPOKE] == "phz-alias-regional"


def test_an_inbound_endpoint_of_another_vpc_resolves_in_that_vpc():
    acct = Account()
    hub = acct.vpc(HUB)
    acct.vpc(SPOKE, "10.1.0.0/16", dns_servers=["10.0.5.10", "10.0.6.10"])
    acct.endpoint(EP, HUB, "ssm", hub.values(), private_dns=True)
    acct.inbound("rslvr-in-0h", HUB, ["10.0.5.10", "10.0.6.10"])
    answer = resolve(inv_of(acct), SPOKE, SSM)
    assert answer.outcome is Outcome.PRIVATE_DNS and answer.resolver_vpc_id == HUB


def test_an_inbound_ip_reused_inside_the_asking_vpc_is_not_the_other_vpcs_endpoint():
    acct = Account()
    acct.vpc(HUB)
    acct.vpc(SPOKE, "10.0.0.0/16", dns_servers=["10.0.5.10"])  # same CIDR: the address is local
    acct.inbound("rslvr-in-0h", HUB, ["10.0.5.10"])
    assert resolve(inv_of(acct), SPOKE, SSM).outcome is Outcome.UNKNOWN


def test_dhcp_options_not_collected_is_unknown():
    acct, _ = hub_and_spoke(dns_servers=["AmazonProvidedDNS"])
    acct.reg.without("ec2:DescribeDhcpOptions")
    path = path_of(inv_of(acct), SPOKE)
    assert path.mode == "unknown" and "ec2:DescribeDhcpOptions" in path.reason


# --- what was not collected --------------------------------------------------------------------------------


def test_zones_not_listed_for_a_vpc_make_its_path_unknown():
    acct, _ = hub_and_spoke(listed=False)
    path = path_of(inv_of(acct), SPOKE)  # still reached: the hub's GetHostedZone names it
    assert path.mode == "unknown" and "route53:ListHostedZonesByVPC" in path.reason


def test_resolver_not_collected_makes_every_path_unknown():
    acct, _ = hub_and_spoke()
    acct.reg.without("route53resolver:ListResolverRuleAssociations")
    assert set(modes(inv_of(acct)).values()) == {"unknown"}
    assert "route53resolver:ListResolverRuleAssociations" in path_of(inv_of(acct), HUB).reason


def test_records_not_read_make_the_path_unknown():
    acct = Account()
    hub = acct.vpc(HUB)
    acct.endpoint(EP, HUB, "ssm", hub.values())
    acct.zone("Z1", SSM, [HUB], read=False)
    path = path_of(inv_of(acct), HUB)
    assert path.mode == "unknown" and "route53:ListResourceRecordSets" in path.reason


def test_service_not_described_makes_the_path_unknown():
    acct = Account()
    hub = acct.vpc(HUB)
    acct.endpoint(EP, HUB, "ssm", hub.values(), describe_service=False)
    path = path_of(inv_of(acct), HUB)
    assert path.mode == "unknown" and "DescribeVpcEndpointServices" in path.reason


def test_a_zone_of_another_account_is_unverifiable():
    spoke = Account("222222222222")
    subnets = spoke.vpc(SPOKE, "10.1.0.0/16")
    spoke.endpoint("vpce-0e1", SPOKE, "ssm", subnets.values())
    spoke.foreign_zone("Z1", SSM, [SPOKE], "111111111111")
    path = path_of(inv_of(spoke), SPOKE, "vpce-0e1")
    assert path.mode == "unknown" and "unverifiable, audit account 111111111111" in path.reason


def test_an_alias_is_unknown_not_broken_while_a_scanned_account_of_its_region_did_not_list_endpoints():
    acct, _ = hub_and_spoke([alias(SSM, regional("vpce-0f00"))])
    other = Account("222222222222")
    other.vpc("vpc-0c3", "10.2.0.0/16")
    assert path_of(inv_of(acct, other), HUB).mode == "broken"
    other.reg.without("ec2:DescribeVpcEndpoints")
    inv = inv_of(acct, other)
    zone = inv.dns.zones["Z1"]
    target = record_target(inv, zone, zone.records[-1])  # type: ignore[index]
    assert (target.kind, target.detail) == (
        "uncollected",
        "vpce-0f00: ec2:DescribeVpcEndpoints was not collected for account 222222222222 in us-east-1",
    )
    path = path_of(inv, HUB)
    assert path.mode == "unknown" and target.detail in path.reason


def test_private_dns_is_unknown_where_the_vpcs_endpoints_were_not_listed():
    acct = Account()
    acct.vpc(HUB)
    acct.reg.without("ec2:DescribeVpcEndpoints")
    answer = resolve(inv_of(acct), HUB, SSM)
    assert answer.outcome is Outcome.UNKNOWN
    assert answer.reason.startswith("interface endpoints of account 111111111111 in us-east-1 not collected")


# --- a VPC that was not described: say what is missing, advise nothing the data would decide -------------------


def test_the_endpoint_vpc_undescribed_names_the_call_that_failed():
    acct = Account()
    subnets = acct.vpc(HUB)
    acct.endpoint(EP, HUB, "ssm", subnets.values())
    acct.reg.without("ec2:DescribeVpcs")
    (path,) = dns_path(inv_of(acct), inv_of(acct).endpoints[EP]).vpcs
    assert (path.mode, path.account_id, path.region) == ("unknown", "111111111111", "us-east-1")
    assert path.reason == (
        "ec2:DescribeVpcs was not collected for account 111111111111 in us-east-1: the DNS attributes, DHCP options, "
        f"private zones and Resolver rules of {HUB} are unknown"
    )


def test_zone_reached_vpcs_undescribed_while_describe_vpcs_failed_get_no_advice_to_audit():
    acct, _ = hub_and_spoke()
    acct.reg.without("ec2:DescribeVpcs")
    inv = inv_of(acct)
    hub = path_of(inv, HUB)
    assert hub.reason.startswith("ec2:DescribeVpcs was not collected for account 111111111111 in us-east-1: ")
    assert "(associated with zone(s) Z1)" in hub.reason
    spoke = path_of(inv, SPOKE)
    assert spoke.mode == "unknown" and spoke.account_id == ""
    assert spoke.reason == (
        f"{SPOKE} (associated with zone(s) Z1) was described by no scanned account, and ec2:DescribeVpcs was not "
        "collected for account 111111111111 in us-east-1 (it may be theirs): its DNS attributes, DHCP options, "
        "private zones and Resolver rules are unknown"
    )
    for reason in (hub.reason, spoke.reason):
        assert "audit its account" not in reason and "zone(s)  " not in reason
    # Everything collected and the spoke simply outside the scan: then auditing its account is the advice.
    hub_only, _ = cross_account()
    assert path_of(inv_of(hub_only), SPOKE).reason.endswith("are unknown; audit its account")


def test_vpc_attributes_and_dhcp_options_not_collected_say_which_call():
    acct, _ = hub_and_spoke()
    acct.reg.without("ec2:DescribeVpcAttribute")
    assert path_of(inv_of(acct), SPOKE).reason == (
        f"{SSM}: enableDnsSupport of {SPOKE} not collected (ec2:DescribeVpcAttribute)"
    )
    acct, _ = hub_and_spoke(dns_servers=["AmazonProvidedDNS"])
    acct.reg.without("ec2:DescribeDhcpOptions")
    assert path_of(inv_of(acct), SPOKE).reason == (
        f"{SSM}: DHCP option set dopt-0b2 not collected (ec2:DescribeDhcpOptions)"
    )


# --- across accounts -------------------------------------------------------------------------------------


def cross_account() -> tuple[Account, Account]:
    hub = Account("111111111111")
    subnets = hub.vpc(HUB, "10.0.0.0/16", azs=("a", "b"))
    hub.endpoint(EP, HUB, "ssm", subnets.values())
    hub.zone("Z1", SSM, [HUB, SPOKE], [alias(SSM, regional())])
    spoke = Account("222222222222")
    spoke.vpc(SPOKE, "10.1.0.0/16", azs=("a", "b", "c"))
    spoke.foreign_zone("Z1", SSM, [SPOKE], "111111111111")
    return hub, spoke


def test_hub_alone_lists_its_spoke_as_not_audited():
    hub, _ = cross_account()
    path = path_of(inv_of(hub), SPOKE)
    assert path.mode == "unknown" and "not audited" in path.reason
    assert path.evidence["zone_mode"] == "phz-alias-regional"


def test_spoke_alone_cannot_verify_the_hub_zone():
    _, spoke = cross_account()
    inv = inv_of(spoke)
    assert resolve(inv, SPOKE, SSM).outcome is Outcome.UNKNOWN
    assert "audit account 111111111111" in resolve(inv, SPOKE, SSM).reason


def test_hub_and_spoke_accounts_joined_are_judged_once_with_both_sides():
    hub, spoke = cross_account()
    report = report_of(hub, spoke)
    inv = report.inventory
    assert modes(inv) == {HUB: "phz-alias-regional", SPOKE: "phz-alias-regional"}
    assert path_of(inv, SPOKE).account_id == "222222222222"
    # The spoke's use1-az3 workloads are the hub endpoint's too: counted by AZ ID, flagged on the spoke.
    hub_coverage = [f for f in report.findings if f.check_id == "phz-hub-coverage"]
    assert [(f.account_id, f.vpc_id, f.resource_id, f.evidence["missing"]) for f in hub_coverage] == [
        ("222222222222", SPOKE, EP, ["use1-az3"])
    ]
    verdict = next(v for v in report.endpoints if v.endpoint.id == EP)
    assert verdict.az is not None and verdict.az.spoke_workload == {"use1-az1", "use1-az2", "use1-az3"}
    assert [p["vpc_id"] for p in verdict.to_dict()["dns_path"]] == [HUB, SPOKE]


def test_spoke_workload_azs_keep_hub_enis_from_looking_idle():
    def world(with_spoke: bool) -> Account:
        acct = Account()
        hub = acct.vpc(HUB, azs=("a", "b"), workloads=("a",))
        acct.endpoint(EP, HUB, "ssm", hub.values())
        vpcs = [HUB]
        if with_spoke:
            acct.vpc(SPOKE, "10.1.0.0/16", azs=("b",))
            vpcs.append(SPOKE)
        acct.zone("Z1", SSM, vpcs, [alias(SSM, regional())])
        return acct

    alone = report_of(world(False), check_ids=["az-idle"])
    assert [f.evidence["idle"] for f in alone.findings] == [["use1-az2"]]
    served = report_of(world(True), check_ids=["az-idle", "az-gap", "phz-hub-coverage"])
    assert served.findings == ()


# --- moto worlds: the collectors' snapshots through the engine ------------------------------------------------


def world_modes(report, ep_id: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    verdict = next(v for v in report.endpoints if v.endpoint.id == ep_id)
    assert verdict.dns is not None
    return {p.vpc_id: p.mode for p in verdict.dns.vpcs}


def test_moto_hub_and_spoke_verdicts_in_json_and_table(make_world, aws):
    world = make_world("dns-hub-spoke")
    report = audit(aws)
    ids = world.ids
    assert world_modes(report, ids["ep"]) == {ids["hub"]: "phz-alias-regional", ids["spoke"]: "phz-alias-regional"}
    document = render_json(report)
    assert '"dns_path"' in document and ids["zone"] in document
    table = " ".join(render_table(report).split())  # the line wraps at the table's width
    assert f"dns {ids['ep']} ssm: {ids['hub']} phz-alias-regional; {ids['spoke']} phz-alias-regional" in table


def test_moto_zonal_and_static_and_dangling_verdicts(make_world, aws):
    zonal = make_world("dns-zonal-alias")
    assert set(world_modes(audit(aws), zonal.ids["ep"]).values()) == {"phz-alias-zonal"}


def test_moto_static_stale_is_static_and_dangling_is_broken(make_world, aws):
    static = make_world("dns-static-stale")
    dangling = make_world("dns-dangling-alias")
    report = audit(aws)
    assert set(world_modes(report, static.ids["ep"]).values()) == {"phz-static-ips"}
    assert world_modes(report, dangling.ids["ep"]) == {dangling.ids["hub"]: "broken"}


def test_a_saved_snapshot_replays_the_dns_verdicts_offline(make_world, aws):
    make_world("dns-hub-coverage")
    make_world("dns-forward-parent")
    snapshot, _ = collect(aws)
    live = build_report(snapshot).to_document()
    replayed = build_report(Snapshot.from_dict(snapshot.to_dict())).to_document()
    assert replayed == live
    assert any(e.get("dns_path") for e in live["endpoints"])


def joined(*sessions) -> Snapshot:  # type: ignore[no-untyped-def]
    """A scan of several accounts, assembled from one scan_account snapshot each (multi-account
    orchestration is issue 4's)."""
    snaps = [collect(s)[0] for s in sessions]
    return Snapshot(
        collected_at=snaps[0].collected_at,
        accounts=tuple(sorted(a for s in snaps for a in s.accounts)),
        regions=snaps[0].regions,
        parts=tuple(p for s in snaps for p in s.parts),
        errors=tuple(e for s in snaps for e in s.errors),
    )


def test_cross_account_hub_and_spoke(make_world, aws):
    world = make_world("dns-cross-account")
    assert isinstance(world, CrossAccountWorld) and world.other is not None
    ids, spoke_session = world.ids, world.other.session
    assert world.other.account_id == SPOKE_ACCOUNT != world.account_id

    hub_only = audit(aws)
    assert world_modes(hub_only, ids["ep"]) == {ids["hub"]: "phz-alias-regional", ids["spoke"]: "unknown"}
    assert {f.check_id for f in hub_only.findings} == set(world.expect)

    spoke_only = build_report(collect(spoke_session)[0])
    assert spoke_only.endpoints == () and spoke_only.errors == ()

    both = build_report(joined(aws, spoke_session))
    assert both.errors == ()
    assert {f.check_id for f in both.findings} == set(world.expect_joined)
    assert world_modes(both, ids["ep"]) == {ids["hub"]: "phz-alias-regional", ids["spoke"]: "phz-alias-regional"}
    spoke_path = next(p for v in both.endpoints if v.dns for p in v.dns.vpcs if p.vpc_id == ids["spoke"])
    assert spoke_path.account_id == SPOKE_ACCOUNT and spoke_path.zone_ids == (ids["zone"],)
    (coverage,) = [f for f in both.findings if f.check_id == "phz-hub-coverage"]
    assert (coverage.account_id, coverage.vpc_id, coverage.resource_id) == (SPOKE_ACCOUNT, ids["spoke"], ids["ep"])
    assert coverage.evidence["missing"] == ["use1-az6"]
    # Judged once: the spoke appears under the hub endpoint only.
    assert sum(1 for v in both.endpoints if v.dns for p in v.dns.vpcs if p.vpc_id == ids["spoke"]) == 1


def test_private_dns_of_an_endpoint_not_available_is_unknown():
    acct = Account()
    hub = acct.vpc(HUB)
    acct.endpoint(EP, HUB, "ssm", hub.values(), private_dns=True, state="pendingAcceptance")
    path = path_of(inv_of(acct), HUB)
    assert path.mode == "unknown" and "pendingacceptance" in path.reason
    assert any("carries no traffic" in w for w in path.warnings)


def test_a_system_rule_not_complete_is_unknown_unless_a_zone_ties_it():
    acct = Account()
    hub = acct.vpc(HUB)
    acct.endpoint(EP, HUB, "ssm", hub.values(), private_dns=True)
    acct.rule("rslvr-rr-0sys", SSM, [HUB], rule_type="SYSTEM", status="FAILED")
    assert modes(inv_of(acct)) == {HUB: "private-dns"}  # the managed zone has the rule's name: zones answer
    acct2 = Account()
    hub2 = acct2.vpc(HUB)
    acct2.endpoint(EP, HUB, "ssm", hub2.values())
    acct2.rule("rslvr-rr-0sys", SSM, [HUB], rule_type="SYSTEM", status="FAILED")
    assert modes(inv_of(acct2)) == {HUB: "unknown"}


# --- data not collected never adds a finding, and only ever makes a verdict unknown ----------------------------

DNS_INPUTS = (
    ("global", "route53:ListHostedZonesByVPC"),
    ("global", "route53:GetHostedZone"),
    ("global", "route53:ListResourceRecordSets"),
    ("us-east-1", "route53resolver:ListResolverRules"),
    ("us-east-1", "route53resolver:ListResolverRuleAssociations"),
    ("us-east-1", "route53resolver:ListResolverEndpoints"),
    ("us-east-1", "route53resolver:ListResolverEndpointIpAddresses"),
    ("us-east-1", "ec2:DescribeVpcAttribute"),
    ("us-east-1", "ec2:DescribeDhcpOptions"),
    ("us-east-1", "ec2:DescribeVpcEndpointServices"),
    ("us-east-1", "route53resolver:ListFirewallRuleGroupAssociations"),  # DNS sources (issue 14)
    ("us-east-1", "route53profiles:ListProfileAssociations"),  # Route 53 Profiles (issue 14)
    ("global", "route53:ListHostedZones"),  # account-wide zone listing (issue 14)
)


def without(snapshot: Snapshot, region: str, api: str) -> Snapshot:
    parts = tuple(
        Part(p.account_id, p.region, p.collected_at, {k: v for k, v in p.apis.items() if k != api})
        if p.region == region
        else p
        for p in snapshot.parts
    )
    return Snapshot(snapshot.collected_at, snapshot.accounts, snapshot.regions, parts)


def keys(report) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return {(f.check_id, f.resource_id, f.message) for f in report.findings}


def dns_modes(report) -> dict[tuple[str, str], str]:  # type: ignore[no-untyped-def]
    return {(v.endpoint.id, p.vpc_id): p.mode for v in report.endpoints if v.dns for p in v.dns.vpcs}


def test_missing_dns_data_never_adds_a_finding_and_only_makes_verdicts_unknown(make_world, aws):
    for name in sorted(w for w in WORLDS if w.startswith("dns-") and w != "dns-cross-account"):
        make_world(name)
    snapshot, _ = collect(aws)
    full = build_report(snapshot)
    assert full.errors == () and len(keys(full)) >= 14
    for region, api in DNS_INPUTS:
        partial = build_report(without(snapshot, region, api))
        assert keys(partial) <= keys(full), api
        before, after = dns_modes(full), dns_modes(partial)
        changed = {k: (before.get(k), m) for k, m in after.items() if before.get(k) != m}
        assert all(m == "unknown" for _, m in changed.values()), (api, changed)
        # The zones the account-wide listing found stay read: its absence changes only why others were not.
        assert changed or api in (
            "route53:GetHostedZone",
            "ec2:DescribeVpcEndpointServices",
            "route53:ListHostedZones",
        ), api


EC2_INPUTS = (
    "ec2:DescribeVpcs",
    "ec2:DescribeSubnets",
    "ec2:DescribeRouteTables",
    "ec2:DescribeVpcEndpoints",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeVpcEndpointServices",
)
DNS_CHECKS = ("dns-", "phz-", "rslv-")


def claims(report) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """What each DNS finding claims, by check, resource and severity (its message may name less: a zonal
    alias's AZ ID is unknown without the subnets)."""
    return {(f.check_id, f.resource_id, str(f.severity)) for f in report.findings if f.check_id.startswith(DNS_CHECKS)}


def test_missing_ec2_data_never_adds_a_dns_finding_and_only_makes_verdicts_unknown(make_world, aws):
    for name in sorted(w for w in WORLDS if w.startswith("dns-") and w != "dns-cross-account"):
        make_world(name)
    snapshot, _ = collect(aws)
    full = build_report(snapshot)
    assert len(claims(full)) >= 14
    for api in EC2_INPUTS:
        partial = build_report(without(snapshot, "us-east-1", api))
        assert claims(partial) <= claims(full), (api, claims(partial) - claims(full))
        before, after = dns_modes(full), dns_modes(partial)
        changed = {k: (before.get(k), m) for k, m in after.items() if before.get(k) != m}
        assert all(m == "unknown" for _, m in changed.values()), (api, changed)


def test_one_vpc_without_its_zone_listing_is_unknown_alone(make_world, aws):
    world = make_world("dns-hub-spoke")
    snapshot, _ = collect(aws)
    spoke = world.ids["spoke"]
    parts = tuple(
        Part(
            p.account_id,
            p.region,
            p.collected_at,
            p.apis
            | {
                "route53:ListHostedZonesByVPC": [
                    e for e in p.apis["route53:ListHostedZonesByVPC"] if e["VPCId"] != spoke
                ]
            },
        )
        if p.region == "global"
        else p
        for p in snapshot.parts
    )
    report = build_report(Snapshot(snapshot.collected_at, snapshot.accounts, snapshot.regions, parts))
    assert world_modes(report, world.ids["ep"]) == {world.ids["hub"]: "phz-alias-regional", spoke: "unknown"}


def test_a_zone_skipped_by_the_spoke_and_unseen_by_its_audited_owner_says_so():
    hub = Account("111111111111")
    subnets = hub.vpc(HUB)
    hub.endpoint(EP, HUB, "ssm", subnets.values())
    spoke = Account("222222222222")
    spoke.vpc(SPOKE, "10.1.0.0/16")
    # The hub's zone is associated with the spoke only: the hub account never finds it through its own VPCs.
    spoke.foreign_zone("Z1", SSM, [SPOKE], "111111111111")
    zone = inv_of(hub, spoke).dns.zones["Z1"]
    assert zone.records is None and "was audited but did not read it" in zone.skipped_reason
    assert resolve(inv_of(hub, spoke), SPOKE, SSM).outcome is Outcome.UNKNOWN


def test_a_zone_skipped_by_the_spoke_says_why_its_audited_owner_has_no_records():
    hub, spoke = cross_account()
    hub.glob.without("route53:ListResourceRecordSets")
    inv = inv_of(hub, spoke)
    assert inv.dns.zones["Z1"].records is None
    assert inv.dns.zones["Z1"].skipped_reason == ""  # its owner found it: the records are what failed
    assert resolve(inv, SPOKE, SSM).reason == f"zone {SSM} (Z1): records not collected (route53:ListResourceRecordSets)"
    hub, spoke = cross_account()
    hub.glob.without("route53:ListHostedZonesByVPC", "route53:GetHostedZone", "route53:ListResourceRecordSets")
    assert inv_of(hub, spoke).dns.zones["Z1"].skipped_reason == (
        "owned by account 111111111111, whose zone listing was not collected (route53:ListHostedZonesByVPC)"
    )
