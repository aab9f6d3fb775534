"""DNS Firewall on hand-built snapshots: the first matching rule decides, by association then rule priority;
blocks make the endpoint's DNS path broken, and what the documentation leaves open is unknown."""

from __future__ import annotations

from typing import Any

from tests.dns_raw import Account, alias, cname, report_of
from tests.raw_snapshot import route
from vpce_audit.dns.firewall import match
from vpce_audit.model.findings import Finding, Severity

R = "us-east-1"
SSM = f"ssm.{R}.amazonaws.com"
HUB, SPOKE = "vpc-0a1", "vpc-0b2"
EP = "vpce-0a1b2c3d"
REGIONAL = f"{EP}-abcd1234.ssm.{R}.vpce.amazonaws.com"
GROUP = "rslvr-frg-0001"
_lists = [0]


def firewall(
    acct: Account,
    vpc_ids: list[str],
    rules: list[tuple[int, str, tuple[str, ...]]],
    *,
    group: str = GROUP,
    priority: int = 101,
    managed: frozenset[int] = frozenset(),
    extra: dict[int, dict[str, Any]] | None = None,
) -> None:
    """A rule group of (priority, action, domains) rules associated with `vpc_ids`; rules whose priority is in
    `managed` use an AWS-managed list (domains not listable)."""
    reg = acct.reg
    for vpc_id in vpc_ids:
        reg.add(
            "route53resolver:ListFirewallRuleGroupAssociations",
            {
                "Id": f"{group}-{vpc_id}",
                "FirewallRuleGroupId": group,
                "VpcId": vpc_id,
                "Priority": priority,
                "Status": "COMPLETE",
                "Name": "a",
            },
        )
    items = []
    for rule_priority, action, domains in rules:
        _lists[0] += 1
        list_id = f"rslvr-fdl-{_lists[0]:04d}"
        items.append(
            {
                "FirewallRuleGroupId": group,
                "FirewallDomainListId": list_id,
                "Priority": rule_priority,
                "Action": action,
                "Name": f"r{rule_priority}",
            }
            | (extra or {}).get(rule_priority, {})
        )
        entry: dict[str, Any] = {"Id": list_id, "Name": list_id}
        if rule_priority in managed:
            entry["ManagedOwnerName"] = "Route 53 Resolver DNS Firewall"
        else:
            reg.add("route53resolver:ListFirewallDomains", {"FirewallDomainListId": list_id, "Domains": list(domains)})
        reg.add("route53resolver:ListFirewallDomainLists", entry)
    reg.add("route53resolver:ListFirewallRules", {"FirewallRuleGroupId": group, "FirewallRules": items})


def private_dns(**vpc: object) -> Account:
    acct = Account()
    subnets = acct.vpc(HUB, "10.0.0.0/16", **vpc)  # type: ignore[arg-type]
    acct.endpoint(EP, HUB, "ssm", subnets.values(), private_dns=True)
    acct.reg.route_table("rtb-main", HUB, [], main=True)  # no default route: isolated workload subnets
    return acct


def hub_and_spoke(*records: dict[str, Any]) -> Account:
    acct = Account()
    subnets = acct.vpc(HUB, "10.0.0.0/16")
    acct.vpc(SPOKE, "10.1.0.0/16")
    acct.endpoint(EP, HUB, "ssm", subnets.values())
    acct.zone("Z1", SSM, [HUB, SPOKE], list(records) or [alias(SSM, REGIONAL)])
    return acct


def findings(acct: Account) -> list[Finding]:
    return list(report_of(acct, check_ids=["dns-firewall-blocks"]).findings)


def modes(acct: Account) -> dict[str, str]:
    report = report_of(acct)
    (verdict,) = [v for v in report.endpoints if v.endpoint.id == EP]
    assert verdict.dns is not None
    return {p.vpc_id: p.mode.value for p in verdict.dns.vpcs}


def test_a_block_on_the_service_name_breaks_private_dns_critical_from_isolated_subnets():
    acct = private_dns()
    firewall(acct, [HUB], [(100, "BLOCK", ("*.amazonaws.com",))])
    assert modes(acct) == {HUB: "broken"}
    (f,) = findings(acct)
    assert (f.severity, f.resource_id, f.vpc_id, f.key) == (Severity.CRITICAL, GROUP, HUB, HUB)
    assert f.evidence["names"] == {SSM: SSM} and f.evidence["rules"][0]["domain"] == "*.amazonaws.com"
    assert f.related_ids == (EP,)


def test_subnets_with_internet_egress_make_it_high():
    acct = private_dns()
    firewall(acct, [HUB], [(100, "BLOCK", (SSM,))])
    acct.reg.apis["ec2:DescribeRouteTables"][0]["Routes"].append(route("0.0.0.0/0", "igw-1"))
    (f,) = findings(acct)
    assert f.severity is Severity.HIGH


def test_an_allow_of_higher_priority_covering_the_name_is_quiet():
    acct = private_dns()
    firewall(acct, [HUB], [(200, "BLOCK", ("*",)), (100, "ALLOW", ("*.amazonaws.com",))])
    assert findings(acct) == [] and modes(acct) == {HUB: "private-dns"}


def test_an_allow_in_a_later_rule_group_comes_too_late():
    acct = private_dns()
    firewall(acct, [HUB], [(100, "BLOCK", ("*",))], priority=101)
    firewall(acct, [HUB], [(100, "ALLOW", (SSM,))], group="rslvr-frg-0002", priority=200)
    assert [f.resource_id for f in findings(acct)] == [GROUP]


def test_a_block_on_unrelated_domains_and_an_alert_are_quiet():
    acct = private_dns()
    firewall(acct, [HUB], [(100, "BLOCK", ("malware.example.com", "*.bad.example")), (200, "ALERT", ("*",))])
    assert findings(acct) == [] and modes(acct) == {HUB: "private-dns"}


def test_a_block_for_aaaa_queries_only_does_not_touch_a_queries():
    acct = private_dns()
    firewall(acct, [HUB], [(100, "BLOCK", (SSM,))], extra={100: {"Qtype": "AAAA"}})
    assert findings(acct) == []


def test_a_managed_list_is_passed_over_and_named():
    acct = private_dns()
    firewall(acct, [HUB], [(100, "BLOCK", ()), (200, "BLOCK", (SSM,))], managed=frozenset({100}))
    (f,) = findings(acct)
    assert f.evidence["rules"][0]["rule_priority"] == 200


def test_a_cname_to_the_vpce_name_is_inspected_unless_the_allow_trusts_the_chain():
    acct = hub_and_spoke(cname(SSM, REGIONAL))
    firewall(acct, [SPOKE], [(100, "ALLOW", (SSM,)), (200, "BLOCK", ("*.vpce.amazonaws.com",))])
    (f,) = findings(acct)
    assert f.vpc_id == SPOKE and f.evidence["names"] == {SSM: REGIONAL}
    assert modes(acct) == {HUB: "phz-alias-regional", SPOKE: "broken"}
    trusting = hub_and_spoke(cname(SSM, REGIONAL))
    firewall(
        trusting,
        [SPOKE],
        [(100, "ALLOW", (SSM,)), (200, "BLOCK", ("*.vpce.amazonaws.com",))],
        extra={100: {"FirewallDomainRedirectionAction": "TRUST_REDIRECTION_DOMAIN"}},
    )
    assert findings(trusting) == []


def test_an_alias_is_not_a_chain_the_firewall_sees():
    acct = hub_and_spoke()
    firewall(acct, [SPOKE], [(200, "BLOCK", ("*.vpce.amazonaws.com",))])
    assert findings(acct) == [] and modes(acct)[SPOKE] == "phz-alias-regional"


def test_a_wildcard_entry_against_its_own_apex_is_unknown_not_a_finding():
    acct = private_dns()
    firewall(acct, [HUB], [(100, "BLOCK", (f"*.{SSM}",))])
    assert findings(acct) == [] and modes(acct) == {HUB: "unknown"}


def test_missing_firewall_data_makes_the_path_unknown_never_a_finding():
    for api in (
        "route53resolver:ListFirewallRuleGroupAssociations",
        "route53resolver:ListFirewallRules",
        "route53resolver:ListFirewallDomains",
    ):
        acct = private_dns()
        firewall(acct, [HUB], [(100, "BLOCK", ("*.amazonaws.com",))])
        acct.reg.without(api)
        assert findings(acct) == [], api
        assert modes(acct) == {HUB: "unknown"}, api


def test_a_vpc_without_rule_groups_is_untouched_by_another_vpcs_firewall():
    acct = hub_and_spoke()
    firewall(acct, [HUB], [(100, "BLOCK", ("*",))])
    assert modes(acct)[SPOKE] == "phz-alias-regional"
    assert [f.vpc_id for f in findings(acct)] == [HUB]


def test_match_semantics():
    assert match("*", SSM) == "yes"
    assert match("*.amazonaws.com", SSM) == "yes"
    assert match("*.amazonaws.com", "amazonaws.com") == "maybe"
    assert match(SSM, SSM) == "yes" and match(SSM, f"x.{SSM}") == "no"
    assert match("*.s3.us-east-1.amazonaws.com", "*.s3.us-east-1.amazonaws.com") == "yes"
    assert match("bucket.s3.us-east-1.amazonaws.com", "*.s3.us-east-1.amazonaws.com") == "no"
