"""rslv-forward-shadows and rslv-rule-failed on hand-built snapshots: precedence decides the severity."""

from __future__ import annotations

from tests.conftest import audit
from tests.dns_raw import Account, alias, report_of
from vpce_audit.model.findings import Finding, Severity

R = "us-east-1"
SSM = f"ssm.{R}.amazonaws.com"
S3 = f"s3.{R}.amazonaws.com"
HUB, SPOKE = "vpc-0a1", "vpc-0b2"
EP = "vpce-0a1b2c3d"
REGIONAL = f"{EP}-abcd1234.ssm.{R}.vpce.amazonaws.com"


def findings(acct: Account, check_id: str) -> list[Finding]:
    return list(report_of(acct, check_ids=[check_id]).findings)


def hub_and_spoke(**spoke: object) -> Account:
    acct = Account()
    subnets = acct.vpc(HUB, "10.0.0.0/16")
    acct.vpc(SPOKE, "10.1.0.0/16", **spoke)  # type: ignore[arg-type]
    acct.endpoint(EP, HUB, "ssm", subnets.values())
    acct.zone("Z1", SSM, [HUB, SPOKE], [alias(SSM, REGIONAL)])
    return acct


def local_endpoint(short: str = "ssm", private_dns: bool = False, **vpc: object) -> Account:
    acct = Account()
    subnets = acct.vpc(HUB, "10.0.0.0/16", **vpc)  # type: ignore[arg-type]
    acct.endpoint(EP, HUB, short, subnets.values(), private_dns=private_dns)
    return acct


# --- rslv-forward-shadows --------------------------------------------------------------------------------


def test_a_same_name_rule_beats_the_spokes_zone_high():
    acct = hub_and_spoke()
    acct.rule("rslvr-rr-0ssm", SSM, [SPOKE])
    (f,) = findings(acct, "rslv-forward-shadows")
    assert (f.severity, f.vpc_id, f.resource_id) == (Severity.HIGH, SPOKE, "rslvr-rr-0ssm")
    assert f.evidence["names"] == [SSM] and f.related_ids == (f"com.amazonaws.{R}.ssm",)


def test_a_same_name_rule_beats_private_dns_high():
    acct = local_endpoint(private_dns=True)
    acct.rule("rslvr-rr-0ssm", SSM, [HUB])
    assert [f.severity for f in findings(acct, "rslv-forward-shadows")] == [Severity.HIGH]


def test_a_rule_below_a_wildcard_name_is_high():
    acct = local_endpoint("s3", private_dns=True)
    acct.rule("rslvr-rr-0bkt", f"mybucket.{S3}", [HUB])
    (f,) = findings(acct, "rslv-forward-shadows")
    assert f.severity is Severity.HIGH and f.evidence["names"] == [f"*.{S3}"]


def test_a_parent_rule_beating_a_less_specific_zone_is_high():
    acct = local_endpoint()
    acct.zone("ZP", "amazonaws.com", [HUB], [alias(SSM, REGIONAL)])
    acct.rule("rslvr-rr-0reg", f"{R}.amazonaws.com", [HUB])
    (f,) = findings(acct, "rslv-forward-shadows")
    assert f.severity is Severity.HIGH


def test_a_parent_rule_capturing_a_service_without_a_zone_is_medium():
    acct = local_endpoint()
    acct.rule("rslvr-rr-0aws", "amazonaws.com", [HUB])
    (f,) = findings(acct, "rslv-forward-shadows")
    assert f.severity is Severity.MEDIUM and f.evidence["names"] == [SSM]


def test_a_parent_rule_capturing_s3_beside_a_gateway_endpoint_is_not_reported():
    acct = local_endpoint("s3")
    acct.rule("rslvr-rr-0aws", "amazonaws.com", [HUB])
    assert [f.severity for f in findings(acct, "rslv-forward-shadows")] == [Severity.MEDIUM]
    acct.reg.endpoint("vpce-0gw", HUB, f"com.amazonaws.{R}.s3", kind="Gateway")
    assert findings(acct, "rslv-forward-shadows") == []


def test_a_parent_rule_loses_to_a_more_specific_zone_or_private_dns():
    acct = hub_and_spoke()
    acct.rule("rslvr-rr-0aws", "amazonaws.com", [SPOKE, HUB])
    assert findings(acct, "rslv-forward-shadows") == []
    acct = local_endpoint(private_dns=True)
    acct.rule("rslvr-rr-0dot", ".", [HUB])
    assert findings(acct, "rslv-forward-shadows") == []


def test_unrelated_rules_system_rules_and_unassociated_rules_are_silent():
    acct = hub_and_spoke()
    acct.rule("rslvr-rr-0corp", "corp.example.com", [SPOKE])
    acct.rule("rslvr-rr-0sys", SSM, [SPOKE], rule_type="SYSTEM")
    acct.rule("rslvr-rr-0none", SSM, [])
    assert findings(acct, "rslv-forward-shadows") == []


def test_rules_not_complete_are_left_to_rslv_rule_failed():
    acct = hub_and_spoke()
    acct.rule("rslvr-rr-0ssm", SSM, [SPOKE], association_status="FAILED")
    assert findings(acct, "rslv-forward-shadows") == []


def test_uncollected_data_raises_nothing():
    acct = local_endpoint(listed=False)
    acct.rule("rslvr-rr-0aws", "amazonaws.com", [HUB])
    assert findings(acct, "rslv-forward-shadows") == []  # a zone might take the name: cannot tell
    acct = hub_and_spoke()
    acct.rule("rslvr-rr-0ssm", SSM, [SPOKE])
    acct.reg.without("route53resolver:ListResolverRules")
    assert findings(acct, "rslv-forward-shadows") == []


# --- rslv-rule-failed ------------------------------------------------------------------------------------


def test_a_failed_association_and_a_failed_rule_are_medium():
    acct = hub_and_spoke()
    acct.rule("rslvr-rr-0a", "corp.example.com", [SPOKE], association_status="FAILED")
    acct.rule("rslvr-rr-0b", "corp2.example.com", [HUB], status="FAILED")
    found = findings(acct, "rslv-rule-failed")
    assert {(f.severity, f.vpc_id, f.resource_id) for f in found} == {
        (Severity.MEDIUM, SPOKE, "rslvr-rrassoc-r-0a-0b2"),
        (Severity.MEDIUM, HUB, "rslvr-rr-0b"),
    }


def test_complete_rules_and_vpcs_outside_the_scan_are_silent():
    acct = hub_and_spoke()
    acct.rule("rslvr-rr-0a", "corp.example.com", [SPOKE])
    acct.rule("rslvr-rr-0b", "corp2.example.com", ["vpc-0notscanned"], association_status="FAILED")
    assert findings(acct, "rslv-rule-failed") == []


# --- moto worlds -------------------------------------------------------------------------------------------


def by_check(report, check_id: str) -> list[Finding]:  # type: ignore[no-untyped-def]
    return [f for f in report.findings if f.check_id == check_id]


def test_moto_service_rule_is_high_and_parent_rule_medium(make_world, aws):
    service = make_world("dns-forward-service")
    parent = make_world("dns-forward-parent")
    found = {f.resource_id: f for f in by_check(audit(aws), "rslv-forward-shadows")}
    assert found[service.ids["rule"]].severity is Severity.HIGH
    assert found[parent.ids["rule"]].severity is Severity.MEDIUM
    # The parent rule loses to kms's private DNS: only ssm is named.
    assert found[parent.ids["rule"]].evidence["names"] == ["ssm.us-east-1.amazonaws.com"]


def test_moto_failed_association(make_world, aws):
    world = make_world("dns-rule-failed")
    (f,) = by_check(audit(aws), "rslv-rule-failed")
    assert (f.resource_id, f.vpc_id, f.severity) == (world.ids["association"], world.ids["vpc"], Severity.MEDIUM)
