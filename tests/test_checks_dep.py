"""dep-ecr-s3: what it says on its moto world, and the S3 paths that silence it (gateway route, S3
interface endpoint with private DNS) or do not (wrong table, another VPC, not available) on hand-built
snapshots."""

from __future__ import annotations

from typing import Any

import pytest

from moto_fixtures.builder import Builder
from moto_fixtures.sg_worlds import ALL_AZS, ecr_vpc
from moto_fixtures.worlds import subnets_in
from tests.conftest import audit
from tests.raw_snapshot import REGION, S3, RawPart, inventory, route
from tests.scanned import scan_world, the_finding
from vpce_audit.checks import run_checks
from vpce_audit.model.findings import Finding, Severity

ECR_DKR = f"com.amazonaws.{REGION}.ecr.dkr"
ECR_API = f"com.amazonaws.{REGION}.ecr.api"


def ecr_world(*, ecr: tuple[str, ...] = (ECR_DKR, ECR_API), ecr_state: str = "available") -> RawPart:
    """vpc-1: subnet-a and subnet-b isolated on rtb-private (no default route), subnet-n behind a NAT on
    rtb-nat, a workload in each, and one ECR interface endpoint per service in `ecr`."""
    raw = RawPart()
    raw.vpc("vpc-1")
    for subnet_id, cidr, az in (
        ("subnet-a", "10.0.0.0/24", "us-east-1a"),
        ("subnet-b", "10.0.1.0/24", "us-east-1b"),
        ("subnet-n", "10.0.2.0/24", "us-east-1c"),
    ):
        raw.subnet(subnet_id, "vpc-1", az, CidrBlock=cidr)
        raw.eni(f"eni-{subnet_id}", subnet_id, "vpc-1")
    raw.route_table("rtb-main", "vpc-1", main=True)
    raw.route_table("rtb-private", "vpc-1", ["subnet-a", "subnet-b"])
    raw.route_table("rtb-nat", "vpc-1", ["subnet-n"], [route("0.0.0.0/0", "nat-1")])
    for index, service in enumerate(ecr):
        ep_id = f"vpce-ecr{index}-{service.rsplit('.', 1)[-1]}"
        raw.interface_endpoint(
            ep_id, "vpc-1", {"subnet-a": f"eni-{ep_id}-a"}, ServiceName=service, State=ecr_state, PrivateDnsEnabled=True
        )
        raw.service(service)
    return raw


def table(raw: RawPart, rt_id: str) -> dict[str, Any]:
    return next(t for t in raw.apis["ec2:DescribeRouteTables"] if t["RouteTableId"] == rt_id)


def s3_gateway(raw: RawPart, route_tables: list[str], *, vpc: str = "vpc-1", state: str = "available") -> None:
    raw.endpoint("vpce-s3gw", vpc, S3, kind="Gateway", state=state, route_table_ids=route_tables)


def s3_interface(raw: RawPart, *, private_dns: bool, state: str = "available") -> None:
    raw.interface_endpoint(
        "vpce-s3if", "vpc-1", {"subnet-a": "eni-s3if-a"}, ServiceName=S3, State=state, PrivateDnsEnabled=private_dns
    )


def dep_findings(raw: RawPart) -> list[Finding]:
    return run_checks(inventory(raw), ["dep-ecr-s3"])


def test_ecr_without_any_s3_path_names_the_isolated_subnets():
    (f,) = dep_findings(ecr_world())
    assert f.severity is Severity.HIGH
    assert (f.vpc_id, f.resource_id) == ("vpc-1", "vpce-ecr0-dkr")
    assert set(f.related_ids) == {"vpce-ecr0-dkr", "vpce-ecr1-api", "subnet-a", "subnet-b", "rtb-private"}
    assert "subnet-a (10.0.0.0/24, use1-az1)" in f.message and "subnet-n" not in f.message
    assert f.evidence == {
        "ecr_endpoint_ids": ["vpce-ecr0-dkr", "vpce-ecr1-api"],
        "subnet_ids": ["subnet-a", "subnet-b"],
        "route_table_ids": ["rtb-private"],
        "s3_gateway_route_tables": [],
        "s3_interface_with_private_dns": False,
        "workload_assumed": False,
    }
    assert f.remediation


def test_an_s3_gateway_on_the_isolated_subnets_table_is_an_s3_path():
    raw = ecr_world()
    s3_gateway(raw, ["rtb-private"])
    assert dep_findings(raw) == []


def test_an_s3_gateway_on_the_main_table_misses_explicitly_associated_subnets():
    raw = ecr_world()
    s3_gateway(raw, ["rtb-main"])
    (f,) = dep_findings(raw)
    assert f.evidence["subnet_ids"] == ["subnet-a", "subnet-b"]
    assert f.evidence["s3_gateway_route_tables"] == ["rtb-main"]


def test_only_the_subnets_whose_table_misses_the_gateway_are_named():
    raw = ecr_world()
    private = table(raw, "rtb-private")
    private["Associations"] = [a for a in private["Associations"] if a["SubnetId"] != "subnet-a"]
    raw.route_table("rtb-a", "vpc-1", ["subnet-a"])
    s3_gateway(raw, ["rtb-a"])
    (f,) = dep_findings(raw)
    assert f.evidence["subnet_ids"] == ["subnet-b"]


@pytest.mark.parametrize(("vpc", "state"), [("vpc-2", "available"), ("vpc-1", "failed"), ("vpc-1", "pending")])
def test_a_gateway_of_another_vpc_or_not_available_is_no_s3_path(vpc, state):
    raw = ecr_world()
    raw.vpc("vpc-2", "10.9.0.0/16")
    s3_gateway(raw, ["rtb-private"], vpc=vpc, state=state)
    assert [f.evidence["subnet_ids"] for f in dep_findings(raw)] == [["subnet-a", "subnet-b"]]


def test_an_s3_interface_endpoint_with_private_dns_is_an_s3_path():
    raw = ecr_world()
    s3_interface(raw, private_dns=True)
    assert dep_findings(raw) == []


@pytest.mark.parametrize(("private_dns", "state"), [(False, "available"), (True, "failed")])
def test_an_s3_interface_endpoint_without_private_dns_or_not_available_is_no_path(private_dns, state):
    raw = ecr_world()
    s3_interface(raw, private_dns=private_dns, state=state)
    assert len(dep_findings(raw)) == 1


def test_a_blackholed_default_route_leaves_the_subnet_isolated():
    raw = ecr_world()
    table(raw, "rtb-private")["Routes"].append(route("0.0.0.0/0", "nat-gone", "blackhole"))
    table(raw, "rtb-nat")["Routes"] = [route("0.0.0.0/0", "nat-1", "blackhole")]
    (f,) = dep_findings(raw)
    assert f.evidence["subnet_ids"] == ["subnet-a", "subnet-b", "subnet-n"]


def test_ecr_api_alone_is_enough_to_judge_and_anchors_the_finding():
    (f,) = dep_findings(ecr_world(ecr=(ECR_API,)))
    assert f.resource_id == "vpce-ecr0-api"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(ecr_world(ecr=()), id="no-ecr-endpoint"),
        pytest.param(ecr_world(ecr_state="failed"), id="ecr-failed"),
        pytest.param(ecr_world(ecr=(f"com.amazonaws.{REGION}.ecs",)), id="other-service"),
        pytest.param(ecr_world().without("ec2:DescribeRouteTables"), id="route-tables-unknown"),
        pytest.param(ecr_world().without("ec2:DescribeNetworkInterfaces"), id="enis-unknown"),
    ],
)
def test_nothing_is_said_without_ecr_endpoints_or_data(raw: RawPart):
    assert dep_findings(raw) == []


def test_one_finding_per_vpc():
    raw = ecr_world()
    raw.vpc("vpc-2", "10.9.0.0/16")
    raw.subnet("subnet-z", "vpc-2", "us-east-1a", CidrBlock="10.9.0.0/24")
    raw.eni("eni-z", "subnet-z", "vpc-2")
    raw.route_table("rtb-main-2", "vpc-2", main=True)
    raw.interface_endpoint("vpce-z-dkr", "vpc-2", {"subnet-z": "eni-z-dkr"}, ServiceName=ECR_DKR)
    s3_gateway(raw, ["rtb-private"])
    (f,) = dep_findings(raw)
    assert (f.vpc_id, f.evidence["subnet_ids"]) == ("vpc-2", ["subnet-z"])


# --- on moto ----------------------------------------------------------------------------------------------


def test_ecr_without_s3_on_moto_names_the_isolated_subnets_only(make_world, aws):
    world, report = scan_world(make_world, aws, "ecr-no-s3")
    f = the_finding(report, "dep-ecr-s3")
    isolated = sorted(subnets_in(world.ids, *ALL_AZS))
    assert (f.resource_id, f.severity) == (world.ids["ep.ecr.dkr"], Severity.HIGH)
    assert f.evidence["subnet_ids"] == isolated  # not the NAT subnet
    assert set(f.related_ids) == {world.ids["ep.ecr.dkr"], world.ids["ep.ecr.api"], world.ids["rt"], *isolated}


def test_ecr_with_an_s3_interface_endpoint_with_private_dns_on_moto(aws):
    b = Builder(aws)
    try:
        ids = ecr_vpc(b, "ecr-s3-interface")
        b.interface_endpoint(ids["vpc"], "s3", subnets_in(ids, *ALL_AZS), [ids["sg"]], private_dns=True)
        report = audit(aws, check_ids=("dep-ecr-s3",))
    finally:
        b.close()
    assert report.errors == () and report.findings == ()
