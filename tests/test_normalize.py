"""The normaliser on hand-built snapshots: what it derives (effective route tables, egress, workload subnets,
service AZ IDs) and how it reads AWS's untidy items (casing, absent fields, `default` DHCP options)."""

from __future__ import annotations

import pytest

from tests.raw_snapshot import ACCOUNT, S3, SSM, RawPart, inventory, route
from vpce_audit.checks import run_checks
from vpce_audit.model.resources import Egress, EndpointType
from vpce_audit.normalize.ec2 import AMAZON_DNS


def two_subnets(raw: RawPart, vpc: str = "vpc-1") -> None:
    raw.vpc(vpc)
    raw.subnet("subnet-a", vpc, "us-east-1a")
    raw.subnet("subnet-b", vpc, "us-east-1b")


# --- effective route table -----------------------------------------------------------------------------


def test_effective_route_table_is_the_explicit_association_else_the_main_table():
    raw = RawPart()
    two_subnets(raw)
    raw.route_table("rtb-main", "vpc-1", main=True)
    raw.route_table("rtb-custom", "vpc-1", ["subnet-a"])
    inv = inventory(raw)
    assert inv.effective_route_table == {"subnet-a": "rtb-custom", "subnet-b": "rtb-main"}


def test_a_disassociated_association_falls_back_to_the_main_table():
    raw = RawPart()
    two_subnets(raw)
    raw.route_table("rtb-main", "vpc-1", main=True)
    old = raw.route_table("rtb-old", "vpc-1", ["subnet-a"])
    old["Associations"][0]["AssociationState"] = {"State": "disassociated"}
    inv = inventory(raw)
    assert inv.effective_route_table["subnet-a"] == "rtb-main"
    assert inv.route_tables["rtb-old"].subnet_ids == ()


def test_main_table_of_another_vpc_is_never_used():
    raw = RawPart()
    two_subnets(raw)
    raw.vpc("vpc-2")
    raw.route_table("rtb-main-2", "vpc-2", main=True)
    inv = inventory(raw)
    assert "subnet-a" not in inv.effective_route_table  # unknown, not borrowed from vpc-2


# --- egress posture --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("routes", "posture"),
    [
        ([], Egress.ISOLATED),
        ([route("0.0.0.0/0", "nat-1")], Egress.NAT),
        ([route("0.0.0.0/0", "eni-appliance")], Egress.NAT),
        ([route("0.0.0.0/0", "tgw-1")], Egress.TGW),
        ([route("0.0.0.0/0", "pcx-1")], Egress.TGW),
        ([route("0.0.0.0/0", "igw-1")], Egress.PUBLIC),
        ([route("0.0.0.0/0", "igw-1", state="blackhole")], Egress.ISOLATED),
        ([route("0.0.0.0/0", "nat-1", state="Blackhole")], Egress.ISOLATED),
        ([route("52.216.0.0/15", "igw-1")], Egress.ISOLATED),  # a specific route is not a default route
    ],
)
def test_egress_posture_comes_from_the_default_route(routes, posture):
    raw = RawPart()
    two_subnets(raw)
    raw.route_table("rtb-1", "vpc-1", ["subnet-a", "subnet-b"], routes)
    inv = inventory(raw)
    assert inv.egress == {"subnet-a": posture, "subnet-b": posture}


def test_egress_follows_each_subnets_own_effective_table():
    raw = RawPart()
    two_subnets(raw)
    raw.route_table("rtb-main", "vpc-1", main=True, routes=[route("0.0.0.0/0", "igw-1")])
    raw.route_table("rtb-private", "vpc-1", ["subnet-a"], [route("0.0.0.0/0", "nat-1")])
    inv = inventory(raw)
    assert inv.egress == {"subnet-a": Egress.NAT, "subnet-b": Egress.PUBLIC}


def test_route_fields_are_read_case_insensitively_and_default_to_active():
    raw = RawPart()
    two_subnets(raw)
    no_state = {"DestinationPrefixListId": "pl-1", "GatewayId": "vpce-1"}
    raw.route_table("rtb-1", "vpc-1", routes=[no_state, route("10.9.0.0/16", "pcx-1", state="Blackhole")])
    routes = {r.destination: r for r in inventory(raw).route_tables["rtb-1"].routes}
    assert routes["pl-1"].state == "active" and routes["pl-1"].target == "vpce-1"
    assert routes["10.9.0.0/16"].state == "blackhole" and routes["10.9.0.0/16"].target == "pcx-1"


# --- workload subnets ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "infrastructure",
    [
        "vpc_endpoint",
        "natGateway",  # AWS's own casing
        "nat_gateway",
        "gateway_load_balancer_endpoint",
        "gateway_load_balancer",
        "network_load_balancer",
        "load_balancer",
        "transit_gateway",
    ],
)
def test_infrastructure_enis_do_not_make_a_workload_subnet(infrastructure):
    raw = RawPart()
    two_subnets(raw)
    raw.eni("eni-infra", "subnet-a", "vpc-1", infrastructure)
    raw.eni("eni-app", "subnet-b", "vpc-1", "interface")
    inv = inventory(raw)
    assert inv.workload_subnets["vpc-1"] == ("subnet-b",)
    assert "vpc-1" not in inv.workload_assumed


def test_an_endpoints_own_eni_is_not_a_workload_even_when_typed_interface():
    raw = RawPart()
    two_subnets(raw)
    raw.eni("eni-ep", "subnet-a", "vpc-1", "interface")  # as moto types it
    raw.endpoint("vpce-1", "vpc-1", subnet_ids=["subnet-a"], eni_ids=["eni-ep"])
    raw.eni("eni-lambda", "subnet-b", "vpc-1", "lambda")
    inv = inventory(raw)
    assert inv.workload_subnets["vpc-1"] == ("subnet-b",)
    assert inv.endpoint_enis == {"eni-ep"}


def test_vpc_without_workload_enis_counts_every_subnet_and_says_so():
    raw = RawPart()
    two_subnets(raw)
    raw.interface_endpoint("vpce-1", "vpc-1", {"subnet-a": "eni-ep"})
    raw.eni("eni-nat", "subnet-b", "vpc-1", "nat_gateway")
    raw.vpc("vpc-2")
    raw.subnet("subnet-c", "vpc-2", "us-east-1c")
    raw.eni("eni-app", "subnet-c", "vpc-2")
    inv = inventory(raw)
    assert inv.workload_subnets["vpc-1"] == ("subnet-a", "subnet-b")
    assert inv.workload_assumed == {"vpc-1"}
    assert inv.workload_az_ids("vpc-1") == {"use1-az1", "use1-az2"}


# --- AZ IDs -----------------------------------------------------------------------------------------


def test_az_ids_are_derived_from_names_when_aws_omits_them():
    raw = RawPart()
    raw.vpc("vpc-1")
    raw.subnet("subnet-a", "vpc-1", "us-east-1b", with_az_id=False)
    raw.eni("eni-1", "subnet-a", "vpc-1")  # no AvailabilityZoneId: from its subnet
    raw.eni("eni-2", "subnet-gone", "vpc-1", AvailabilityZone="us-east-1c")  # subnet unknown: from its name
    inv = inventory(raw)
    assert inv.subnets["subnet-a"].az_id == "use1-az2"
    assert inv.subnets["subnet-a"].az_name == "us-east-1b"
    assert inv.enis["eni-1"].az_id == "use1-az2"
    assert inv.enis["eni-2"].az_id == "use1-az3"


def test_service_az_ids_are_mapped_from_names_when_ids_are_absent():
    raw = RawPart()
    raw.service(SSM, az_names=["us-east-1a", "us-east-1c", "us-east-1z"])  # 1z: not in the AZ map, dropped
    service = inventory(raw).services[(ACCOUNT, "us-east-1", SSM)]
    assert service.az_ids == {"use1-az1", "use1-az3"}


def test_service_az_ids_are_taken_as_given_when_present():
    raw = RawPart()
    raw.service(SSM, az_names=["us-east-1a"], az_ids=["use1-az5"])
    assert inventory(raw).services[(ACCOUNT, "us-east-1", SSM)].az_ids == {"use1-az5"}


def test_service_listed_twice_is_merged():
    raw = RawPart()
    raw.service(S3, az_names=["us-east-1a"], kind="Interface")
    raw.service(S3, az_names=["us-east-1b"], kind="Gateway")
    service = inventory(raw).services[(ACCOUNT, "us-east-1", S3)]
    assert service.az_ids == {"use1-az1", "use1-az2"}
    assert set(service.types) == {"Interface", "Gateway"}


def test_each_account_maps_names_through_its_own_az_map():
    ours = RawPart()
    ours.service(SSM, az_names=["us-east-1a"])
    theirs = RawPart(account_id="222222222222", zones={"us-east-1a": "use1-az4"})
    theirs.service(SSM, az_names=["us-east-1a"])
    inv = inventory(ours, theirs)
    assert inv.services[(ACCOUNT, "us-east-1", SSM)].az_ids == {"use1-az1"}
    assert inv.services[("222222222222", "us-east-1", SSM)].az_ids == {"use1-az4"}


# --- endpoint state --------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["PendingAcceptance", "pendingAcceptance", "pendingacceptance"])
def test_state_is_compared_case_insensitively(state):
    raw = RawPart()
    raw.vpc("vpc-1")
    raw.endpoint("vpce-1", "vpc-1", state=state)
    inv = inventory(raw)
    assert inv.endpoints["vpce-1"].state == "pendingacceptance"
    (finding,) = run_checks(inv, ["ep-state"])
    assert finding.severity == "high"


def test_titlecase_available_is_healthy():
    raw = RawPart()
    raw.vpc("vpc-1")
    raw.endpoint("vpce-1", "vpc-1", state="Available")
    assert run_checks(inventory(raw), ["ep-state"]) == []


@pytest.mark.parametrize("state", ["deleted", "Deleted", "deleting", "Deleting"])
def test_deleted_and_deleting_endpoints_are_skipped(state):
    raw = RawPart()
    raw.vpc("vpc-1")
    raw.endpoint("vpce-gone", "vpc-1", state=state, subnet_ids=["subnet-x"], eni_ids=["eni-x"])
    inv = inventory(raw)
    assert list(inv.endpoints_of(*EndpointType)) == []
    assert run_checks(inv) == []


# --- DHCP options ----------------------------------------------------------------------------------


def test_default_dhcp_options_mean_amazon_provided_dns():
    raw = RawPart()
    raw.vpc("vpc-1", DhcpOptionsId="default")
    raw.vpc("vpc-2", DhcpOptionsId=None)  # absent: AWS's default set
    raw.vpc("vpc-3", DhcpOptionsId="dopt-1")
    raw.add(
        "ec2:DescribeDhcpOptions",
        {
            "DhcpOptionsId": "dopt-1",
            "DhcpConfigurations": [
                {"Key": "domain-name", "Values": [{"Value": "corp.example"}]},
                {"Key": "domain-name-servers", "Values": [{"Value": "10.0.0.2"}, {"Value": "10.1.0.2"}]},
            ],
        },
    )
    inv = inventory(raw)
    assert inv.vpcs["vpc-1"].dhcp_options_id == inv.vpcs["vpc-2"].dhcp_options_id == "default"
    assert inv.dhcp_options["default"].dns_servers == (AMAZON_DNS,)
    assert inv.dhcp_options["dopt-1"].dns_servers == ("10.0.0.2", "10.1.0.2")


# --- robustness ------------------------------------------------------------------------------------


def test_missing_optional_fields_and_junk_items_do_not_crash():
    raw = RawPart()
    raw.add("ec2:DescribeVpcs", {"VpcId": "vpc-1"})
    raw.add("ec2:DescribeSubnets", {"SubnetId": "subnet-a", "VpcId": "vpc-1", "Tags": None})
    raw.add("ec2:DescribeNetworkInterfaces", {"NetworkInterfaceId": "eni-1", "PrivateIpAddresses": None})
    raw.add("ec2:DescribeRouteTables", {"RouteTableId": "rtb-1", "Routes": None, "Associations": None})
    raw.add("ec2:DescribeVpcEndpoints", {"VpcEndpointId": "vpce-1", "VpcEndpointType": "Gateway"})
    raw.add("ec2:DescribeVpcEndpoints", {"VpcEndpointId": "vpce-2", "DnsEntries": None, "Groups": None})
    raw.add("ec2:DescribeVpcEndpointServices", {"ServiceName": SSM})
    raw.add("ec2:DescribeManagedPrefixLists", {"PrefixListId": "pl-1"})
    raw.apis["ec2:DescribeSubnets"].append("not a dict")
    raw.apis["ec2:DescribeVpcEndpoints"].append({"no": "id"})
    inv = inventory(raw)
    assert set(inv.endpoints) == {"vpce-1", "vpce-2"}
    assert inv.subnets["subnet-a"].az_id == ""
    assert inv.vpcs["vpc-1"].dns_support is None  # not collected: unknown, not False
    findings = run_checks(inv)
    # An endpoint without a State is not assumed healthy.
    assert {(f.check_id, f.resource_id) for f in findings} == {("ep-state", "vpce-1"), ("ep-state", "vpce-2")}
    assert all("no reported state" in f.message for f in findings)


def test_an_ipv6_only_default_route_leaves_ipv4_clients_isolated():
    raw = RawPart()
    two_subnets(raw)
    ipv6_only = {"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1", "State": "active"}
    raw.route_table("rtb-1", "vpc-1", ["subnet-a", "subnet-b"], [ipv6_only])
    assert set(inventory(raw).egress.values()) == {Egress.ISOLATED}


def test_resolver_endpoint_enis_are_infrastructure_although_typed_interface():
    raw = RawPart()
    two_subnets(raw)
    resolver = raw.eni("eni-rslvr", "subnet-a", "vpc-1", "interface")
    resolver["Description"] = "Route 53 Resolver: rslvr-in-0123456789abcdef0:rni-0123456789abcdef0"
    raw.eni("eni-app", "subnet-b", "vpc-1", "interface")
    assert inventory(raw).workload_subnets["vpc-1"] == ("subnet-b",)
