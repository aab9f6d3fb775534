"""Issue 15, endpoint shapes: cross-region interface endpoints and S3 inbound-only private DNS, judged from
hand-built snapshots (the collector's part is tested against moto at the end)."""

from __future__ import annotations

from typing import Any

from tests.raw_snapshot import S3, SSM, RawPart, inventory, route
from vpce_audit.checks import run_checks
from vpce_audit.model.findings import Severity
from vpce_audit.verdicts.coverage import KNOWN, az_coverage

AZ_CHECKS = ["az-single", "az-gap", "az-service-limited", "az-idle", "ep-cross-region"]
REMOTE_SSM = "com.amazonaws.eu-west-1.ssm"
REMOTE_AZ_IDS = ["euw1-az1", "euw1-az2", "euw1-az3"]


def workloads(raw: RawPart, names: tuple[str, ...] = ("us-east-1a", "us-east-1b", "us-east-1c")) -> None:
    raw.vpc("vpc-1")
    for name in names:
        raw.subnet(f"subnet-{name}", "vpc-1", name)
        raw.eni(f"eni-app-{name}", f"subnet-{name}", "vpc-1")


def remote_service(raw: RawPart, az_ids: list[str] | None = None) -> dict[str, Any]:
    item = raw.service(REMOTE_SSM, az_names=["eu-west-1a", "eu-west-1b"], az_ids=az_ids or REMOTE_AZ_IDS)
    item["ServiceRegion"] = "eu-west-1"
    return item


def cross_region_world(subnets: dict[str, str]) -> RawPart:
    raw = RawPart()
    workloads(raw)
    raw.interface_endpoint("vpce-x", "vpc-1", subnets, service_name=REMOTE_SSM, ServiceRegion="eu-west-1")
    remote_service(raw)
    return raw


ALL_THREE = {"subnet-us-east-1a": "eni-a", "subnet-us-east-1b": "eni-b", "subnet-us-east-1c": "eni-c"}


def test_cross_region_endpoint_in_every_local_az_is_only_an_info_dependency():
    inv = inventory(cross_region_world(ALL_THREE))
    (f,) = run_checks(inv, AZ_CHECKS)
    assert (f.check_id, f.severity, f.resource_id) == ("ep-cross-region", Severity.INFO, "vpce-x")
    assert "eu-west-1" in f.message
    assert f.evidence["service_region"] == "eu-west-1"
    assert f.evidence["service_az_ids"] == REMOTE_AZ_IDS  # read for its own region
    cov = az_coverage(inv, inv.endpoints["vpce-x"])
    assert cov.status == KNOWN and cov.service_region == "eu-west-1"
    assert cov.missing == frozenset()
    assert cov.to_dict()["service_region"] == "eu-west-1"


def test_remote_az_ids_are_never_intersected_with_local_ones():
    """Were they intersected, no local AZ would be offered: az-service-limited for all three, and no gap."""
    inv = inventory(cross_region_world({"subnet-us-east-1a": "eni-a", "subnet-us-east-1b": "eni-b"}))
    fired = {f.check_id: f for f in run_checks(inv, AZ_CHECKS)}
    assert set(fired) == {"az-gap", "ep-cross-region"}
    assert fired["az-gap"].evidence["missing"] == ["use1-az3"]
    assert fired["az-gap"].evidence["service_region"] == "eu-west-1"


def test_cross_region_single_local_az_is_az_single():
    inv = inventory(cross_region_world({"subnet-us-east-1a": "eni-a"}))
    fired = {f.check_id for f in run_checks(inv, AZ_CHECKS)}
    assert fired == {"az-single", "ep-cross-region"}


def test_cross_region_coverage_needs_no_service_description():
    raw = cross_region_world({"subnet-us-east-1a": "eni-a"})
    raw.apis["ec2:DescribeVpcEndpointServices"] = []  # the remote region did not describe it
    inv = inventory(raw)
    assert az_coverage(inv, inv.endpoints["vpce-x"]).status == KNOWN
    fired = {f.check_id: f for f in run_checks(inv, AZ_CHECKS)}
    assert set(fired) == {"az-single", "ep-cross-region"}
    assert fired["ep-cross-region"].evidence["service_az_ids"] is None


def test_a_local_service_of_the_same_name_is_not_taken_for_the_remote_one():
    raw = cross_region_world(ALL_THREE)
    raw.service(REMOTE_SSM, az_ids=["use1-az1"])  # listed by the local call: local AZ IDs, another key
    inv = inventory(raw)
    assert inv.service_of(inv.endpoints["vpce-x"]).az_ids == frozenset(REMOTE_AZ_IDS)


def test_service_region_equal_to_the_endpoint_region_is_a_local_endpoint():
    raw = RawPart()
    workloads(raw)
    raw.interface_endpoint("vpce-1", "vpc-1", ALL_THREE, ServiceRegion="us-east-1")
    raw.service(SSM, az_names=["us-east-1a", "us-east-1b"])
    fired = {f.check_id for f in run_checks(inventory(raw), AZ_CHECKS)}
    assert fired == {"az-service-limited"}  # local rules as before, no cross-region finding


def test_cross_region_coverage_unknown_without_enis():
    raw = cross_region_world(ALL_THREE).without("ec2:DescribeNetworkInterfaces")
    inv = inventory(raw)
    assert az_coverage(inv, inv.endpoints["vpce-x"]).status == "unknown"
    assert {f.check_id for f in run_checks(inv, AZ_CHECKS)} == {"ep-cross-region"}


# --- S3 interface endpoint with PrivateDnsOnlyForInboundResolverEndpoint --------------------------------------

INBOUND_ONLY = {"DnsRecordIpType": "ipv4", "PrivateDnsOnlyForInboundResolverEndpoint": True}


def s3_world(*, inbound_only: bool = True, gateway_tables: tuple[str, ...] = ("rtb-a",)) -> RawPart:
    raw = RawPart()
    workloads(raw, ("us-east-1a", "us-east-1b"))
    raw.prefix_list("pl-s3", S3, ["52.216.0.0/15"])
    for name, rt in (("us-east-1a", "rtb-a"), ("us-east-1b", "rtb-b")):
        routes = [route("pl-s3", "vpce-gw")] if rt in gateway_tables else []
        raw.route_table(rt, "vpc-1", [f"subnet-{name}"], routes)
    raw.route_table("rtb-main", "vpc-1", main=True)
    if gateway_tables:
        raw.endpoint("vpce-gw", "vpc-1", S3, kind="Gateway", route_table_ids=gateway_tables)
    raw.interface_endpoint(
        "vpce-s3",
        "vpc-1",
        {"subnet-us-east-1a": "eni-s3a", "subnet-us-east-1b": "eni-s3b"},
        service_name=S3,
        PrivateDnsEnabled=True,
        DnsOptions=INBOUND_ONLY | {"PrivateDnsOnlyForInboundResolverEndpoint": inbound_only},
    )
    raw.service(S3, kind="Interface")
    return raw


def gaps(raw: RawPart) -> list[Any]:
    return run_checks(inventory(raw), ["gw-inbound-only-rt-gap"])


def test_inbound_only_with_a_subnet_missing_the_gateway_route():
    (f,) = gaps(s3_world())
    assert f.resource_id == "vpce-s3"
    assert f.evidence["route_table_id"] == "rtb-b"
    assert f.evidence["subnet_ids"] == ["subnet-us-east-1b"]
    assert "PrivateDnsOnlyForInboundResolverEndpoint" in f.evidence["why"]
    assert f.evidence["gateway_endpoint_ids"] == ["vpce-gw"]
    assert f.severity is Severity.HIGH  # the subnet is isolated: no default route


def test_inbound_only_without_any_gateway_endpoint_names_every_subnet():
    found = gaps(s3_world(gateway_tables=()))
    assert {f.evidence["route_table_id"] for f in found} == {"rtb-a", "rtb-b"}
    assert all(f.evidence["gateway_endpoint_ids"] == [] for f in found)


def test_near_miss_inbound_only_with_every_subnet_routed():
    assert gaps(s3_world(gateway_tables=("rtb-a", "rtb-b"))) == []


def test_near_miss_option_off_leaves_vpc_clients_on_the_interface_endpoint():
    assert gaps(s3_world(inbound_only=False)) == []


def test_unknown_routes_raise_nothing():
    assert gaps(s3_world().without("ec2:DescribeRouteTables")) == []


def test_inbound_only_private_dns_does_not_answer_the_vpc_clients():
    """VPC clients' answer for S3 follows the gateway endpoint: the interface endpoint's private zone is no
    candidate in its VPC when the option is on, and is one when it is off."""
    from tests.dns_raw import Account, inv_of
    from vpce_audit.dns.candidates import candidates
    from vpce_audit.dns.kinds import CandidateKind

    def private_dns_candidates(inbound_only: bool) -> list[Any]:
        acct = Account()
        subnets = acct.vpc("vpc-1")
        item = acct.endpoint("vpce-s3", "vpc-1", "s3", subnets.values(), private_dns=True)
        item["DnsOptions"] = {"PrivateDnsOnlyForInboundResolverEndpoint": inbound_only}
        found = candidates(inv_of(acct), "vpc-1")
        assert not found.problem
        return [c for c in found.found if c.kind is CandidateKind.PRIVATE_DNS]

    assert private_dns_candidates(True) == []
    assert {c.endpoint.id for c in private_dns_candidates(False)} == {"vpce-s3"}


def test_inbound_only_is_read_only_from_a_boolean_true():
    raw = s3_world()
    raw.apis["ec2:DescribeVpcEndpoints"][-1]["DnsOptions"] = {"PrivateDnsOnlyForInboundResolverEndpoint": "true"}
    assert inventory(raw).endpoints["vpce-s3"].inbound_resolver_only is False


# --- the collector, against moto -------------------------------------------------------------------------------


def test_the_collector_describes_a_cross_region_service_for_its_own_region(make_world, aws):
    """Local names in one call, each remote region's in a call naming it (ServiceRegions); moto ignores the
    parameter, so the request is what is checked here, and the report keeps az_coverage known."""
    from urllib.parse import parse_qs

    import boto3

    from moto_fixtures.hooks import Spy, intercept
    from tests.conftest import audit
    from tests.scanned import verdict_of

    world = make_world("cross-region")
    spy = Spy()
    with intercept(spy):  # sessions made inside the block carry the spy
        report = audit(boto3.Session(region_name=aws.region_name))
    asked = [parse_qs(c.body) for c in spy.of("ec2", "DescribeVpcEndpointServices")]
    remote = [q for q in asked if q.get("ServiceRegion.1") == ["eu-west-1"]]  # the wire name
    assert [q["ServiceName.1"] for q in remote] == [["com.amazonaws.eu-west-1.ssm"]]
    assert all("com.amazonaws.eu-west-1.ssm" not in q.get("ServiceName.1", []) for q in asked if q not in remote)
    verdict = verdict_of(report, world.ids["ep.ssm"]).to_dict()
    assert verdict["az_coverage"]["status"] == "known"
    assert verdict["az_coverage"]["service_region"] == "eu-west-1"
    assert verdict["az_coverage"]["missing"] == []
