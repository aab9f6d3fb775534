"""Spokes through forwarding (issue 14): a VPC whose Resolver rule sends an endpoint's names to the inbound
endpoint of the endpoint's VPC is one of its spokes; and the DNS Firewall collection, through moto's own
request handling."""

from __future__ import annotations

from tests.conftest import audit
from tests.dns_raw import Account, alias, report_of
from tests.raw_snapshot import snapshot
from tests.test_checks_firewall import firewall
from vpce_audit.collect.base import Recorder
from vpce_audit.collect.firewall import collect_firewall
from vpce_audit.dns.resolve import resolve
from vpce_audit.normalize import normalize

R = "us-east-1"
SSM = f"ssm.{R}.amazonaws.com"
HUB, SPOKE = "vpc-0a1", "vpc-0b2"
EP = "vpce-0a1b2c3d"
IN = "rslvr-in-0hub"
IPS = ("10.0.200.5", "10.0.201.5")


# --- moto: the healthy forwarding hub and its coverage ------------------------------------------------------


def test_a_forwarding_spoke_counts_in_the_hub_endpoints_az_coverage_and_raises_nothing(make_world, aws):
    world = make_world("dns-forward-hub")
    report = audit(aws)
    assert report.findings == () and report.errors == ()
    (verdict,) = [v for v in report.endpoints if v.endpoint.id == world.ids["ep"]]
    assert verdict.dns is not None
    paths = {p.vpc_id: p for p in verdict.dns.vpcs}
    spoke = paths[world.ids["spoke"]]
    assert (spoke.via.value, spoke.mode.value) == ("forwarding", "private-dns")
    assert spoke.names[0].evidence["forwarding_rule_id"] == world.ids["rule"]
    az = verdict.az
    assert az is not None and az.status == "known" and not az.spokes_unknown
    assert az.spoke_workload == {"use1-az1", "use1-az2", "use1-az6"}


def test_firewall_collection_pages_and_records_each_group(make_world, aws):
    from moto_fixtures.dns_firewall import Rule, firewall_rule_group

    world = make_world("dns-forward-hub")
    b = world.builder
    group = firewall_rule_group(
        b, [world.ids["spoke"]], [Rule(p, "BLOCK", (f"d{p}.example.com",)) for p in range(1, 151)]
    )
    rec = Recorder(b.account_id, R)
    collect_firewall(rec, aws.client("route53resolver", region_name=R))
    assert rec.errors == []
    (rules,) = rec.apis["route53resolver:ListFirewallRules"]
    assert rules["FirewallRuleGroupId"] == group and len(rules["FirewallRules"]) == 150  # two pages of 100
    assert len(rec.apis["route53resolver:ListFirewallDomains"]) == 150


# --- hand-built: following a rule to an inbound endpoint ------------------------------------------------------


def forwarding(hub_rule_back: bool = False) -> Account:
    acct = Account()
    hub = acct.vpc(HUB, "10.0.0.0/16")
    acct.endpoint(EP, HUB, "ssm", hub.values(), private_dns=True)
    acct.inbound(IN, HUB, IPS, subnets=[hub["a"], hub["b"]])
    spoke = acct.vpc(SPOKE, "10.1.0.0/16")
    acct.rule("rslvr-rr-0fwd", SSM, [SPOKE], target_ips=IPS)
    if hub_rule_back:
        acct.inbound("rslvr-in-0spk", SPOKE, ("10.1.200.5",), subnets=[spoke["a"]])
        acct.rule("rslvr-rr-0bck", SSM, [HUB], target_ips=("10.1.200.5",))
    return acct


def test_the_spoke_gets_the_hubs_answer_with_the_rule_in_evidence():
    answer = resolve(normalize(snapshot(*forwarding().parts())), SPOKE, SSM)
    assert answer.outcome.value == "private-dns" and answer.endpoint is not None and answer.endpoint.id == EP
    assert answer.forwarded_vpc_id == HUB and "rslvr-rr-0fwd" in answer.reason


def test_two_vpcs_forwarding_to_each_other_stop_instead_of_looping():
    answer = resolve(normalize(snapshot(*forwarding(hub_rule_back=True).parts())), SPOKE, SSM)
    assert answer.outcome.value == "forwarded"  # the hub's own rule sends it back: the scan stops there


def test_a_firewall_in_the_hub_makes_forwarded_answers_unknown():
    acct = forwarding()
    firewall(acct, [HUB], [(100, "ALLOW", ("*",))])
    answer = resolve(normalize(snapshot(*acct.parts())), SPOKE, SSM)
    assert answer.outcome.value == "unknown" and "inbound Resolver endpoint is not documented" in answer.reason


def test_hub_resolver_endpoints_not_collected_leave_the_spokes_unknown():
    acct = forwarding()
    acct.reg.without("route53resolver:ListResolverEndpoints")
    report = report_of(acct, check_ids=[])
    (verdict,) = [v for v in report.endpoints if v.endpoint.id == EP]
    assert verdict.az is not None and "rslvr-rr-0fwd forwards to" in verdict.az.spokes_unknown
    assert {p.vpc_id for p in verdict.dns.vpcs} == {HUB}  # type: ignore[union-attr]


def test_a_spoke_reached_by_zone_and_forwarding_is_counted_once():
    acct = forwarding()
    acct.zone("Z1", SSM, [SPOKE], [alias(SSM, f"{EP}-abcd1234.ssm.{R}.vpce.amazonaws.com")])
    report = report_of(acct, check_ids=[])
    (verdict,) = [v for v in report.endpoints if v.endpoint.id == EP]
    vias = [(p.vpc_id, p.via.value) for p in verdict.dns.vpcs]  # type: ignore[union-attr]
    assert vias == [(HUB, "endpoint-vpc"), (SPOKE, "zone")]
    assert verdict.dns.vpcs[1].mode.value == "private-dns"  # type: ignore[union-attr]  # the rule beats the zone
    assert verdict.az is not None and verdict.az.spoke_workload == {"use1-az1", "use1-az2", "use1-az3"}
