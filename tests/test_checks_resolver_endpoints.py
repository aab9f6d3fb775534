"""rslv-endpoint-single-az, rslv-endpoint-unhealthy and rslv-rule-target on hand-built snapshots."""

from __future__ import annotations

from tests.dns_raw import Account, report_of
from vpce_audit.model.findings import Finding, Severity

R = "us-east-1"
SSM = f"ssm.{R}.amazonaws.com"
HUB, SPOKE = "vpc-0a1", "vpc-0b2"
EP = "vpce-0a1b2c3d"
IN = "rslvr-in-0hub"
OUT = "rslvr-out-0spk"
IPS = ("10.0.200.5", "10.0.201.5")


def findings(acct: Account, check_id: str) -> list[Finding]:
    return list(report_of(acct, check_ids=[check_id]).findings)


def inbound_world(
    letters: tuple[str, str] = ("a", "a"), spoke_workloads: bool | tuple[str, ...] = True, dhcp: bool = True
) -> Account:
    """A hub with an inbound endpoint (its two addresses in the AZs `letters` name) and a spoke whose DHCP
    options send every query to it."""
    acct = Account()
    hub = acct.vpc(HUB, "10.0.0.0/16")
    acct.inbound(IN, HUB, IPS, subnets=[hub[x] for x in letters])
    acct.vpc(SPOKE, "10.1.0.0/16", dns_servers=IPS if dhcp else None, workloads=spoke_workloads)
    return acct


# --- rslv-endpoint-single-az ------------------------------------------------------------------------------


def test_an_inbound_endpoint_in_one_az_serving_a_spoke_in_three_is_high():
    (f,) = findings(inbound_world(), "rslv-endpoint-single-az")
    assert (f.severity, f.resource_id, f.vpc_id) == (Severity.HIGH, IN, HUB)
    assert f.evidence["endpoint_az_ids"] == ["use1-az1"] and f.evidence["client_vpc_ids"] == [SPOKE]
    assert f.evidence["client_workload_az_ids"] == ["use1-az1", "use1-az2", "use1-az3"]


def test_an_inbound_endpoint_in_two_azs_is_quiet():
    assert findings(inbound_world(("a", "b")), "rslv-endpoint-single-az") == []


def test_an_inbound_endpoint_no_scanned_vpc_uses_is_not_judged():
    assert findings(inbound_world(dhcp=False), "rslv-endpoint-single-az") == []


def test_clients_all_in_the_endpoints_az_are_quiet():
    assert findings(inbound_world(spoke_workloads=("a",)), "rslv-endpoint-single-az") == []


def test_a_detached_second_address_leaves_one_az():
    acct = Account()
    hub = acct.vpc(HUB, "10.0.0.0/16")
    acct.inbound(IN, HUB, IPS[:1], subnets=[hub["a"]])
    acct.inbound("rslvr-in-0two", HUB, IPS[1:], subnets=[hub["b"]], ip_status="ISOLATED")
    acct.vpc(SPOKE, "10.1.0.0/16", dns_servers=IPS[:1])
    assert [f.resource_id for f in findings(acct, "rslv-endpoint-single-az")] == [IN]


def test_a_forwarding_rule_makes_its_vpcs_clients_of_the_inbound_endpoint():
    acct = inbound_world(dhcp=False)
    acct.rule("rslvr-rr-0hub", "corp.internal", [SPOKE], target_ips=IPS)
    assert [f.resource_id for f in findings(acct, "rslv-endpoint-single-az")] == [IN]


def test_an_outbound_endpoint_in_one_az_used_by_a_rule_is_high():
    acct = Account()
    spoke = acct.vpc(SPOKE, "10.1.0.0/16")
    acct.inbound(OUT, SPOKE, ("10.1.200.5", "10.1.200.6"), "OUTBOUND", subnets=[spoke["c"], spoke["c"]])
    acct.rule("rslvr-rr-0onp", "corp.internal", [SPOKE])
    assert findings(acct, "rslv-endpoint-single-az") == []  # the rule leaves through another endpoint
    acct.reg.apis["route53resolver:ListResolverRules"][-1]["ResolverEndpointId"] = OUT
    (f,) = findings(acct, "rslv-endpoint-single-az")
    assert f.resource_id == OUT and f.evidence["endpoint_az_ids"] == ["use1-az3"]


def test_an_address_in_an_unknown_subnet_leaves_the_placement_unknown():
    acct = inbound_world()
    acct.reg.apis["route53resolver:ListResolverEndpointIpAddresses"][-1]["IpAddresses"][0]["SubnetId"] = "subnet-gone"
    assert findings(acct, "rslv-endpoint-single-az") == []


def test_without_the_addresses_nothing_is_said():
    acct = inbound_world()
    acct.reg.without("route53resolver:ListResolverEndpointIpAddresses")
    assert findings(acct, "rslv-endpoint-single-az") == []


# --- rslv-endpoint-unhealthy ----------------------------------------------------------------------------


def test_endpoint_status_decides_the_severity():
    acct = Account()
    hub = acct.vpc(HUB, "10.0.0.0/16")
    acct.inbound(IN, HUB, IPS, subnets=[hub["a"], hub["b"]], status="ACTION_NEEDED")
    acct.inbound("rslvr-in-0rec", HUB, ("10.0.202.5",), subnets=[hub["c"]], status="AUTO_RECOVERING")
    acct.inbound("rslvr-in-0ok", HUB, ("10.0.203.5",), subnets=[hub["c"]])
    got = {f.resource_id: f.severity for f in findings(acct, "rslv-endpoint-unhealthy")}
    assert got == {IN: Severity.HIGH, "rslvr-in-0rec": Severity.MEDIUM}


# --- rslv-rule-target -----------------------------------------------------------------------------------


def forwarding_world(targets: tuple[str, ...], domain: str = SSM, status: str = "OPERATIONAL") -> Account:
    """The ssm endpoint (private DNS) in the hub; the spoke forwards `domain` to `targets`."""
    acct = Account()
    hub = acct.vpc(HUB, "10.0.0.0/16")
    acct.endpoint(EP, HUB, "ssm", hub.values(), private_dns=True)
    acct.inbound(IN, HUB, IPS, subnets=[hub["a"], hub["b"]], status=status)
    acct.vpc(SPOKE, "10.1.0.0/16")
    acct.rule("rslvr-rr-0fwd", domain, [SPOKE], target_ips=targets)
    return acct


def test_a_rule_forwarding_endpoint_names_to_no_inbound_endpoint_is_critical():
    (f,) = findings(forwarding_world(("10.0.9.9",)), "rslv-rule-target")
    assert (f.severity, f.resource_id, f.vpc_id, f.key) == (Severity.CRITICAL, "rslvr-rr-0fwd", SPOKE, SPOKE)
    assert f.evidence["names"] == [SSM] and f.evidence["targets"][0]["vpc_id"] == HUB
    assert "no inbound Resolver endpoint" in f.message


def test_one_good_and_one_bad_target_is_high():
    (f,) = findings(forwarding_world((IPS[0], "10.0.9.9")), "rslv-rule-target")
    assert f.severity is Severity.HIGH and [t["serving"] for t in f.evidence["targets"]] == [True, False]


def test_targets_at_an_operational_inbound_endpoint_are_quiet():
    assert findings(forwarding_world(IPS), "rslv-rule-target") == []


def test_targets_at_an_inbound_endpoint_that_is_not_operational_are_critical():
    (f,) = findings(forwarding_world(IPS, status="ACTION_NEEDED"), "rslv-rule-target")
    assert f.severity is Severity.CRITICAL and "ACTION_NEEDED" in f.message


def test_on_premises_targets_are_not_judged():
    assert findings(forwarding_world(("192.168.0.2",)), "rslv-rule-target") == []


def test_a_rule_for_other_names_is_not_judged():
    assert findings(forwarding_world(("10.0.9.9",), domain="corp.internal"), "rslv-rule-target") == []


def test_without_the_hubs_resolver_endpoints_nothing_is_said():
    acct = forwarding_world(("10.0.9.9",))
    acct.reg.without("route53resolver:ListResolverEndpoints")
    assert findings(acct, "rslv-rule-target") == []
