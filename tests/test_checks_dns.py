"""dns-vpc-support-off, dns-vpc-hostnames-off, dns-dhcp-custom, dns-no-private-name on hand-built snapshots:
each fires where it must, at the severity it must, and says nothing when its data was not collected."""

from __future__ import annotations

from tests.conftest import audit
from tests.dns_raw import Account, alias, report_of
from tests.raw_snapshot import route
from vpce_audit.model.findings import Finding, Severity

SSM = "ssm.us-east-1.amazonaws.com"
VPC, OTHER = "vpc-0a1", "vpc-0b2"
EP = "vpce-0a1b2c3d"


def findings(acct: Account, check_id: str) -> list[Finding]:
    return list(report_of(acct, check_ids=[check_id]).findings)


def endpoint_vpc(private_dns: bool = True, **vpc: object) -> Account:
    acct = Account()
    subnets = acct.vpc(VPC, "10.0.0.0/16", **vpc)  # type: ignore[arg-type]
    acct.endpoint(EP, VPC, "ssm", subnets.values(), private_dns=private_dns)
    return acct


# --- dns-vpc-support-off / dns-vpc-hostnames-off --------------------------------------------------------


def test_support_off_with_a_private_dns_endpoint_is_critical():
    (f,) = findings(endpoint_vpc(support=False), "dns-vpc-support-off")
    assert (f.severity, f.vpc_id, f.resource_id) == (Severity.CRITICAL, VPC, VPC)
    assert f.evidence["relies_on"] == [f"private DNS of {EP} (com.amazonaws.us-east-1.ssm)"]


def test_support_off_with_an_associated_zone_fires_too():
    acct = Account()
    acct.vpc(VPC, support=False)
    acct.zone("Z1", "corp.internal", [VPC])
    (f,) = findings(acct, "dns-vpc-support-off")
    assert f.evidence["relies_on"] == ["private zone corp.internal (Z1)"]


def test_support_off_with_nothing_relying_on_it_is_silent():
    acct = Account()
    acct.vpc(VPC, support=False)
    assert findings(acct, "dns-vpc-support-off") == []
    assert findings(endpoint_vpc(private_dns=False, support=False), "dns-vpc-support-off") == []


def test_attributes_not_collected_raise_nothing():
    acct = endpoint_vpc(support=None, hostnames=None)
    assert findings(acct, "dns-vpc-support-off") == findings(acct, "dns-vpc-hostnames-off") == []


def test_hostnames_off_is_high():
    (f,) = findings(endpoint_vpc(hostnames=False), "dns-vpc-hostnames-off")
    assert f.severity is Severity.HIGH and f.vpc_id == VPC
    assert findings(endpoint_vpc(), "dns-vpc-hostnames-off") == []


# --- dns-dhcp-custom -------------------------------------------------------------------------------------


def test_plain_custom_servers_are_high():
    (f,) = findings(endpoint_vpc(dns_servers=["192.168.1.10", "192.168.2.10"]), "dns-dhcp-custom")
    assert f.severity is Severity.HIGH
    assert f.evidence["not_vpc_resolver"] == ["192.168.1.10", "192.168.2.10"]
    assert f.related_ids == ("dopt-0a1",)


def test_own_inbound_endpoint_ips_are_info():
    acct = endpoint_vpc(dns_servers=["10.0.5.10", "10.0.6.10"])
    acct.inbound("rslvr-in-0a", VPC, ["10.0.5.10", "10.0.6.10"])
    (f,) = findings(acct, "dns-dhcp-custom")
    assert f.severity is Severity.INFO


def test_amazon_dns_by_any_name_is_silent():
    for servers in (["AmazonProvidedDNS"], ["10.0.0.2"], ["169.254.169.253", "AmazonProvidedDNS"]):
        assert findings(endpoint_vpc(dns_servers=servers), "dns-dhcp-custom") == [], servers


def test_custom_servers_with_nothing_depending_on_the_vpc_resolver_are_silent():
    assert findings(endpoint_vpc(private_dns=False, dns_servers=["192.168.1.10"]), "dns-dhcp-custom") == []


def test_another_vpcs_inbound_endpoint_is_high_and_says_so():
    acct = endpoint_vpc(dns_servers=["10.9.5.10"])
    acct.vpc(OTHER, "10.9.0.0/16")
    acct.inbound("rslvr-in-0b", OTHER, ["10.9.5.10"])
    (f,) = findings(acct, "dns-dhcp-custom")
    assert f.severity is Severity.HIGH and OTHER in f.message


def test_servers_inside_the_vpc_with_resolver_endpoints_uncollected_raise_nothing():
    acct = endpoint_vpc(dns_servers=["10.0.5.10"])
    acct.reg.without("route53resolver:ListResolverEndpoints")
    assert findings(acct, "dns-dhcp-custom") == []  # they may be this VPC's inbound endpoint IPs
    acct = endpoint_vpc(dns_servers=["192.168.1.10"])
    acct.reg.without("route53resolver:ListResolverEndpoints")
    assert [f.severity for f in findings(acct, "dns-dhcp-custom")] == [Severity.HIGH]  # outside: cannot be


def test_dhcp_options_not_collected_raise_nothing():
    acct = endpoint_vpc(dns_servers=["192.168.1.10"])
    acct.reg.without("ec2:DescribeDhcpOptions")
    assert findings(acct, "dns-dhcp-custom") == []


# --- dns-no-private-name ---------------------------------------------------------------------------------


def test_no_private_name_is_medium_with_an_egress_path():
    acct = endpoint_vpc(private_dns=False)
    acct.reg.route_table("rtb-0a", VPC, (), [route("0.0.0.0/0", "nat-0a")], main=True)
    (f,) = findings(acct, "dns-no-private-name")
    assert (f.severity, f.resource_id) == (Severity.MEDIUM, EP)
    assert f.evidence["private_dns_names"] == [SSM]


def test_no_private_name_is_high_when_workloads_are_isolated():
    acct = endpoint_vpc(private_dns=False)
    acct.reg.route_table("rtb-0a", VPC, (), main=True)
    (f,) = findings(acct, "dns-no-private-name")
    assert f.severity is Severity.HIGH and len(f.evidence["isolated_workload_subnets"]) == 3


def test_a_zone_overriding_the_name_or_a_parent_of_it_silences_it():
    for zone in (SSM, "us-east-1.amazonaws.com"):
        acct = endpoint_vpc(private_dns=False)
        acct.zone("Z1", zone, [VPC], [alias(SSM, "x.vpce.amazonaws.com")])
        assert findings(acct, "dns-no-private-name") == [], zone


def test_a_zone_of_another_account_counts_as_an_override():
    acct = endpoint_vpc(private_dns=False)
    acct.foreign_zone("Z1", SSM, [VPC], "999999999999")
    assert findings(acct, "dns-no-private-name") == []


def test_zones_not_listed_raise_nothing():
    assert findings(endpoint_vpc(private_dns=False, listed=False), "dns-no-private-name") == []
    acct = endpoint_vpc(private_dns=False)
    acct.glob.without("route53:ListHostedZonesByVPC")
    assert findings(acct, "dns-no-private-name") == []


def test_private_dns_on_this_or_another_endpoint_of_the_service_silences_it():
    assert findings(endpoint_vpc(private_dns=True), "dns-no-private-name") == []
    acct = endpoint_vpc(private_dns=False)
    acct.endpoint("vpce-0e2", VPC, "ssm", ["subnet-0a1a"], private_dns=True)
    assert findings(acct, "dns-no-private-name") == []


def test_an_s3_interface_endpoint_beside_a_gateway_endpoint_is_not_reported():
    acct = endpoint_vpc(private_dns=False)
    acct.endpoint("vpce-0e3", VPC, "s3", ["subnet-0a1a"])
    assert [f.resource_id for f in findings(acct, "dns-no-private-name")] == [EP, "vpce-0e3"]
    acct.reg.endpoint("vpce-0e4", VPC, "com.amazonaws.us-east-1.s3", kind="Gateway")
    assert [f.resource_id for f in findings(acct, "dns-no-private-name")] == [EP]


def test_services_not_owned_by_amazon_or_without_names_are_skipped():
    acct = Account()
    subnets = acct.vpc(VPC)
    acct.service("partner", ("api.partner.example",), owner="123456789012")
    acct.endpoint(EP, VPC, "partner", subnets.values())
    acct.service("nameless", ())
    acct.endpoint("vpce-0e2", VPC, "nameless", subnets.values())
    assert findings(acct, "dns-no-private-name") == []
    acct2 = Account()
    subnets2 = acct2.vpc(VPC)
    acct2.endpoint(EP, VPC, "ssm", subnets2.values(), describe_service=False)
    assert findings(acct2, "dns-no-private-name") == []


# --- moto worlds -------------------------------------------------------------------------------------------


def by_check(report, check_id: str) -> list[Finding]:  # type: ignore[no-untyped-def]
    return [f for f in report.findings if f.check_id == check_id]


def test_moto_attributes_off(make_world, aws):
    world = make_world("dns-attributes-off")
    report = audit(aws)
    (support,) = by_check(report, "dns-vpc-support-off")
    (hostnames,) = by_check(report, "dns-vpc-hostnames-off")
    assert (support.severity, hostnames.severity) == (Severity.CRITICAL, Severity.HIGH)
    assert support.vpc_id == hostnames.vpc_id == world.ids["vpc"]


def test_moto_custom_dhcp_is_high_and_own_inbound_endpoint_is_info(make_world, aws):
    custom = make_world("dns-dhcp-custom")
    inbound = make_world("dns-dhcp-inbound")
    found = {f.vpc_id: f for f in by_check(audit(aws), "dns-dhcp-custom")}
    assert found[custom.ids["vpc"]].severity is Severity.HIGH
    assert found[inbound.ids["vpc"]].severity is Severity.INFO
    assert found[custom.ids["vpc"]].related_ids == (custom.ids["dhcp"],)


def test_moto_no_private_name_is_high_for_isolated_workloads(make_world, aws):
    world = make_world("dns-wrong-name")
    (f,) = by_check(audit(aws), "dns-no-private-name")
    assert f.severity is Severity.HIGH and f.resource_id == world.ids["ep"]


def test_no_private_name_says_nothing_when_which_subnets_are_isolated_is_unknown():
    """Subnets, route tables and workload ENIs decide the effect (isolated: high, else medium): without any of
    them the finding would claim a public path that may not exist."""
    for api in ("ec2:DescribeSubnets", "ec2:DescribeRouteTables", "ec2:DescribeNetworkInterfaces"):
        acct = endpoint_vpc(private_dns=False)
        acct.reg.route_table("rtb-0a", VPC, (), main=True)
        assert [f.severity for f in findings(acct, "dns-no-private-name")] == [Severity.HIGH]
        acct.reg.without(api)
        assert findings(acct, "dns-no-private-name") == [], api
