"""The phz- checks on hand-built snapshots: shadowing parents, missing and misnamed records, zonal aliases,
literal IPs, dangling aliases and hub coverage; each silent on healthy zones and on data not collected."""

from __future__ import annotations

from tests.conftest import audit
from tests.dns_raw import Account, a, alias, cname, report_of
from vpce_audit.model.findings import Finding, Severity

R = "us-east-1"
SSM = f"ssm.{R}.amazonaws.com"
S3 = f"s3.{R}.amazonaws.com"
HUB, SPOKE = "vpc-0a1", "vpc-0b2"
EP = "vpce-0a1b2c3d"


def regional(ep_id: str = EP, short: str = "ssm") -> str:
    return f"{ep_id}-abcd1234.{short}.{R}.vpce.amazonaws.com"


def zonal(letter: str, ep_id: str = EP, short: str = "ssm") -> str:
    return f"{ep_id}-abcd1234-{R}{letter}.{short}.{R}.vpce.amazonaws.com"


def findings(acct: Account, check_id: str, *more: Account) -> list[Finding]:
    return list(report_of(acct, *more, check_ids=[check_id]).findings)


def hub(short: str = "ssm", azs: tuple[str, ...] = ("a", "b", "c"), **endpoint: object) -> Account:
    acct = Account()
    subnets = acct.vpc(HUB, "10.0.0.0/16", azs=azs)
    acct.vpc(SPOKE, "10.1.0.0/16")
    acct.endpoint(EP, HUB, short, subnets.values(), **endpoint)  # type: ignore[arg-type]
    return acct


# --- phz-shadow ------------------------------------------------------------------------------------------


def test_a_parent_zone_lacking_records_shadows_the_names_in_use():
    acct = hub()
    acct.endpoint("vpce-0e5", SPOKE, "sts", ["subnet-0b2a"], private_dns=True)
    acct.zone("ZP", f"{R}.amazonaws.com", [SPOKE], [a(f"ec2.{R}.amazonaws.com", "10.1.0.9")])
    (f,) = findings(acct, "phz-shadow")
    assert (f.severity, f.vpc_id, f.resource_id) == (Severity.CRITICAL, SPOKE, "ZP")
    # sts has private DNS in the spoke, more specific than the zone: only ssm (used through the hub) is lost.
    assert f.evidence["nxdomain"] == [SSM]


def test_a_parent_zone_with_the_records_shadows_nothing():
    acct = hub()
    acct.zone("ZP", f"{R}.amazonaws.com", [SPOKE], [alias(SSM, regional())])
    assert findings(acct, "phz-shadow") == []


def test_a_parent_zone_not_read_or_a_vpc_on_custom_dns_raises_nothing():
    acct = hub()
    acct.zone("ZP", f"{R}.amazonaws.com", [SPOKE], read=False)
    assert findings(acct, "phz-shadow") == []
    acct = Account()
    subnets = acct.vpc(HUB, dns_servers=["192.168.0.10"])
    acct.endpoint(EP, HUB, "ssm", subnets.values())
    acct.zone("ZP", f"{R}.amazonaws.com", [HUB], [])
    assert findings(acct, "phz-shadow") == []  # what clients get depends on servers no API shows


# --- phz-record-missing ----------------------------------------------------------------------------------


def test_a_service_zone_without_its_apex_record_is_critical():
    acct = hub()
    acct.zone("Z1", SSM, [HUB, SPOKE], [a(f"other.{SSM}", "10.0.0.1")])
    (f,) = findings(acct, "phz-record-missing")
    assert (f.severity, f.resource_id, f.evidence["missing_record"]) == (Severity.CRITICAL, "Z1", SSM)
    assert f.account_id == "111111111111" and f.region == R


def test_a_service_zone_without_its_wildcard_record_is_high():
    acct = hub("s3")
    acct.zone("ZS", S3, [HUB], [alias(S3, regional(short="s3"))])
    (f,) = findings(acct, "phz-record-missing")
    assert (f.severity, f.evidence["missing_record"]) == (Severity.HIGH, f"*.{S3}")


def test_complete_service_zones_and_unknown_services_are_silent():
    acct = hub("s3")
    acct.zone("ZS", S3, [HUB], [alias(S3, regional(short="s3")), alias(f"*.{S3}", regional(short="s3"))])
    acct.zone("ZQ", f"sqs.{R}.amazonaws.com", [HUB], [])  # sqs not described: its names are unknown
    assert findings(acct, "phz-record-missing") == []


# --- phz-name-mismatch -----------------------------------------------------------------------------------


def test_a_zone_named_after_the_endpoint_service_name_is_high():
    acct = hub("kinesis-streams")
    acct.zone("ZK", f"kinesis-streams.{R}.amazonaws.com", [HUB, SPOKE], [])
    (f,) = findings(acct, "phz-name-mismatch")
    assert f.severity is Severity.HIGH and f.resource_id == "ZK"
    assert f.evidence["private_dns_names"] == [f"kinesis.{R}.amazonaws.com"]


def test_a_zone_whose_records_lead_to_an_endpoint_of_another_name_is_high():
    acct = hub()
    acct.zone("ZX", f"ssm-hub.{R}.amazonaws.com", [SPOKE], [alias(f"ssm-hub.{R}.amazonaws.com", regional())])
    (f,) = findings(acct, "phz-name-mismatch")
    assert f.evidence["services"] == [f"com.amazonaws.{R}.ssm"]


def test_right_names_parents_and_unknown_services_are_silent():
    acct = hub("kinesis-streams")
    acct.zone("Z1", f"kinesis.{R}.amazonaws.com", [HUB], [])
    acct.zone("Z2", f"{R}.amazonaws.com", [SPOKE], [])
    acct.zone("Z3", f"sqs.{R}.amazonaws.com", [SPOKE], [])  # sqs not described: cannot say
    acct.zone("Z4", "corp.internal", [SPOKE], [])
    assert findings(acct, "phz-name-mismatch") == []


# --- phz-zonal-alias -------------------------------------------------------------------------------------


def test_an_alias_to_a_zonal_name_is_high_and_names_the_az_id():
    acct = hub()
    acct.zone("Z1", SSM, [HUB, SPOKE], [alias(SSM, zonal("b"))])
    (f,) = findings(acct, "phz-zonal-alias")
    # The endpoint is the resource (as for every finding that has one); the zone and its VPCs are related.
    assert (f.severity, f.resource_id, f.vpc_id) == (Severity.HIGH, EP, HUB)
    assert (f.evidence["az_name"], f.evidence["az_id"]) == (f"{R}b", "use1-az2")
    assert "Z1" in f.related_ids and SPOKE in f.related_ids and f.evidence["zone_id"] == "Z1"


def test_a_cname_to_a_zonal_name_counts_too():
    acct = hub()
    acct.zone("Z1", SSM, [HUB], [cname(SSM, zonal("a"))])
    assert len(findings(acct, "phz-zonal-alias")) == 1


def test_regional_aliases_and_deliberate_per_az_names_are_silent():
    acct = hub()
    acct.zone("Z1", SSM, [HUB], [alias(SSM, regional())])
    acct.zone("ZC", "corp.internal", [HUB], [alias(f"{x}.ssm.corp.internal", zonal(x)) for x in "abc"])
    assert findings(acct, "phz-zonal-alias") == []


def test_per_az_names_that_miss_an_az_are_reported():
    acct = hub()
    acct.zone("ZC", "corp.internal", [HUB], [alias(f"{x}.ssm.corp.internal", zonal(x)) for x in "ab"])
    assert len(findings(acct, "phz-zonal-alias")) == 2


# --- phz-static-ips --------------------------------------------------------------------------------------


def test_static_ips_one_of_which_no_eni_holds_are_critical():
    acct = hub()
    ips = acct.ips(EP)
    acct.zone("Z1", SSM, [HUB, SPOKE], [a(SSM, ips[0], ips[1], "10.0.77.77")])
    (f,) = findings(acct, "phz-static-ips")
    assert f.severity is Severity.CRITICAL and f.evidence["stale_ips"] == ["10.0.77.77"]


def test_static_ips_covering_fewer_azs_than_the_endpoint_are_high():
    acct = hub()
    acct.zone("Z1", SSM, [HUB, SPOKE], [a(SSM, acct.ips(EP)[0])])
    (f,) = findings(acct, "phz-static-ips")
    assert f.severity is Severity.HIGH and f.evidence["record_az_ids"] == ["use1-az1"]


def test_static_ips_matching_exactly_are_low():
    acct = hub()
    acct.zone("Z1", SSM, [HUB, SPOKE], [a(SSM, *acct.ips(EP))])
    (f,) = findings(acct, "phz-static-ips")
    assert f.severity is Severity.LOW


def test_unrelated_a_records_and_uncollected_enis_are_silent():
    acct = hub()
    acct.zone("ZC", "corp.internal", [HUB], [a("db.corp.internal", "10.0.50.5")])
    assert findings(acct, "phz-static-ips") == []
    acct = hub()
    acct.zone("Z1", SSM, [HUB], [a(SSM, "10.0.77.77")])
    acct.reg.without("ec2:DescribeNetworkInterfaces")
    assert findings(acct, "phz-static-ips") == []


# --- phz-alias-dangling ----------------------------------------------------------------------------------


def test_an_alias_to_a_deleted_endpoint_is_critical():
    acct = hub()
    acct.endpoint("vpce-0dead", HUB, "ssm", ["subnet-0a1a"], state="deleted")
    acct.zone("Z1", SSM, [SPOKE], [alias(SSM, regional("vpce-0dead"))])
    (f,) = findings(acct, "phz-alias-dangling")
    assert f.severity is Severity.CRITICAL and "vpce-0dead is deleted" in f.message


def test_an_alias_to_a_name_no_endpoint_of_the_audited_owner_has_is_critical():
    acct = hub()
    acct.zone("Z1", SSM, [SPOKE], [alias(SSM, regional("vpce-0f00"))])
    (f,) = findings(acct, "phz-alias-dangling")
    assert f.severity is Severity.CRITICAL


def test_an_alias_into_an_unaudited_region_is_info():
    acct = hub()
    acct.zone("Z1", SSM, [SPOKE], [alias(SSM, "vpce-0f00-abcd1234.ssm.eu-west-1.vpce.amazonaws.com")])
    (f,) = findings(acct, "phz-alias-dangling")
    assert f.severity is Severity.INFO and "not audited" in f.message


def test_live_targets_are_silent():
    acct = hub()
    acct.zone("Z1", SSM, [SPOKE], [alias(SSM, regional()), cname(f"x.{SSM}", zonal("a"))])
    assert findings(acct, "phz-alias-dangling") == []


# --- phz-hub-coverage ------------------------------------------------------------------------------------


def test_a_spoke_az_the_hub_endpoint_lacks_is_medium_on_the_spoke():
    acct = hub(azs=("a", "b"))
    acct.zone("Z1", SSM, [HUB, SPOKE], [alias(SSM, regional())])
    (f,) = findings(acct, "phz-hub-coverage")
    assert (f.severity, f.vpc_id, f.resource_id, f.evidence["missing"]) == (
        Severity.MEDIUM,
        SPOKE,
        EP,
        ["use1-az3"],
    )


def test_a_covering_hub_a_zonal_alias_or_a_spoke_resolving_elsewhere_is_silent():
    acct = hub()
    acct.zone("Z1", SSM, [HUB, SPOKE], [alias(SSM, regional())])
    assert findings(acct, "phz-hub-coverage") == []
    acct = hub(azs=("a",))
    acct.zone("Z1", SSM, [HUB, SPOKE], [alias(SSM, zonal("a"))])
    assert findings(acct, "phz-hub-coverage") == []  # phz-zonal-alias's
    acct = hub(azs=("a",))
    acct.zone("Z1", SSM, [HUB, SPOKE], [alias(SSM, regional())])
    acct.rule("rslvr-rr-0ssm", SSM, [SPOKE])
    assert findings(acct, "phz-hub-coverage") == []  # the spoke's clients are forwarded, not at the hub


def test_an_unaudited_spoke_raises_nothing():
    acct = Account()
    subnets = acct.vpc(HUB, azs=("a",))
    acct.endpoint(EP, HUB, "ssm", subnets.values())
    acct.zone("Z1", SSM, [HUB, "vpc-0elsewhere"], [alias(SSM, regional())])
    assert findings(acct, "phz-hub-coverage") == []


# --- moto worlds -------------------------------------------------------------------------------------------


def by_check(report, check_id: str) -> list[Finding]:  # type: ignore[no-untyped-def]
    return [f for f in report.findings if f.check_id == check_id]


def test_moto_static_stale_is_critical_and_names_the_stale_ip(make_world, aws):
    world = make_world("dns-static-stale")
    (f,) = by_check(audit(aws), "phz-static-ips")
    assert f.severity is Severity.CRITICAL and f.evidence["stale_ips"] == [world.ids["stale_ip"]]
    assert (f.resource_id, f.vpc_id, f.evidence["zone_id"]) == (world.ids["ep"], world.ids["hub"], world.ids["zone"])


def test_moto_dangling_and_record_missing_are_critical(make_world, aws):
    dangling = make_world("dns-dangling-alias")
    missing = make_world("dns-record-missing")
    report = audit(aws)
    (d,) = by_check(report, "phz-alias-dangling")
    (m,) = by_check(report, "phz-record-missing")
    assert (d.severity, d.resource_id, d.evidence["target"]) == (
        Severity.CRITICAL,
        dangling.ids["zone"],
        dangling.ids["dead"],
    )
    assert (m.severity, m.resource_id) == (Severity.CRITICAL, missing.ids["zone"])


def test_moto_zonal_alias_names_the_az_id(make_world, aws):
    make_world("dns-zonal-alias")
    (f,) = by_check(audit(aws), "phz-zonal-alias")
    assert f.evidence["az_id"] == "use1-az1"


def test_moto_shadow_lists_only_the_shadowed_service(make_world, aws):
    make_world("dns-shadow-parent")
    (f,) = by_check(audit(aws), "phz-shadow")
    assert f.evidence["nxdomain"] == ["ssm.us-east-1.amazonaws.com"]


def test_moto_hub_coverage_is_reported_on_the_spoke(make_world, aws):
    world = make_world("dns-hub-coverage")
    (f,) = by_check(audit(aws), "phz-hub-coverage")
    assert (f.vpc_id, f.resource_id, f.evidence["missing"]) == (world.ids["spoke"], world.ids["ep"], ["use1-az6"])


# --- data not collected: no finding from what is missing ----------------------------------------------------


def test_per_az_names_are_silent_when_the_endpoints_subnets_were_not_collected():
    """Whether per-AZ records are deliberate turns on the AZs the endpoint's subnets cover: unknown, so none is
    reported; a zonal alias under the service's own name is wrong whatever they are, and still is."""
    for letters, expected in (("abc", 0), ("ab", 0)):
        acct = hub()
        acct.zone("ZC", "corp.internal", [HUB], [alias(f"{x}.ssm.corp.internal", zonal(x)) for x in letters])
        acct.reg.without("ec2:DescribeSubnets")
        assert len(findings(acct, "phz-zonal-alias")) == expected, letters
    acct = hub()
    acct.zone("Z1", SSM, [HUB], [alias(SSM, zonal("b"))])
    acct.reg.without("ec2:DescribeSubnets")
    (f,) = findings(acct, "phz-zonal-alias")
    assert f.severity is Severity.HIGH and f.evidence["az_name"] == f"{R}b"


def test_an_alias_into_a_scanned_region_whose_endpoint_list_failed_raises_nothing():
    acct = hub()
    acct.zone("Z1", SSM, [SPOKE], [alias(SSM, regional("vpce-0f00")), alias(f"x.{SSM}", regional())])
    acct.reg.without("ec2:DescribeVpcEndpoints")
    assert findings(acct, "phz-alias-dangling") == []


def test_an_alias_is_not_dangling_while_another_scanned_account_of_the_region_did_not_list_endpoints():
    """A CNAME may name another account's endpoint: the owner's complete list alone does not make it dangling."""
    acct = hub()
    acct.zone("Z1", SSM, [SPOKE], [cname(SSM, regional("vpce-0f00"))])
    other = Account("222222222222")
    other.vpc("vpc-0c3", "10.2.0.0/16")
    assert [f.severity for f in findings(acct, "phz-alias-dangling", other)] == [Severity.CRITICAL]
    other.reg.without("ec2:DescribeVpcEndpoints")
    assert findings(acct, "phz-alias-dangling", other) == []


def test_stale_looking_ips_are_silent_while_another_scanned_account_of_the_region_did_not_list_enis():
    for api in ("ec2:DescribeVpcEndpoints", "ec2:DescribeNetworkInterfaces"):
        acct = hub()
        acct.zone("Z1", SSM, [HUB, SPOKE], [a(SSM, acct.ips(EP)[0], "10.2.0.10")])
        other = Account("222222222222")
        other.vpc("vpc-0c3", "10.2.0.0/16")
        assert [f.severity for f in findings(acct, "phz-static-ips", other)] == [Severity.CRITICAL]
        other.reg.without(api)
        assert findings(acct, "phz-static-ips", other) == [], api


def test_a_parent_zone_shadows_nothing_where_the_vpcs_endpoints_were_not_listed():
    """kms's private DNS (a more specific managed zone) may answer in the VPC: without its account's endpoint
    list, the parent zone's NXDOMAIN for kms is a guess."""
    acct = Account()
    acct.vpc(HUB)
    acct.zone("ZP", f"{R}.amazonaws.com", [HUB], [a(f"ec2.{R}.amazonaws.com", "10.0.0.9")])
    acct.reg.without("ec2:DescribeVpcEndpoints")
    other = Account("222222222222")
    subnets = other.vpc("vpc-0c3", "10.2.0.0/16")
    other.endpoint("vpce-0c3", "vpc-0c3", "kms", subnets.values(), private_dns=True)  # kms's names in use
    assert findings(acct, "phz-shadow", other) == []
    acct.reg.apis["ec2:DescribeVpcEndpoints"] = []
    assert [f.evidence["nxdomain"] for f in findings(acct, "phz-shadow", other)] == [[f"kms.{R}.amazonaws.com"]]
