"""az-single, az-gap, az-service-limited and az-idle: what each says on its moto world, that AZs are compared
by ID, and that nothing is said when the data to judge was not collected."""

from __future__ import annotations

from moto_fixtures.builder import AZ1, AZ2, AZ3
from tests.raw_snapshot import ACCOUNT, SSM, RawPart, inventory
from tests.scanned import findings_of, scan_world, the_finding
from vpce_audit.checks import run_checks
from vpce_audit.model.findings import Severity
from vpce_audit.verdicts.coverage import az_coverage

AZ_CHECKS = ["az-single", "az-gap", "az-service-limited", "az-idle"]


def test_az_single(make_world, aws):
    world, report = scan_world(make_world, aws, "single-az")
    f = the_finding(report, "az-single")
    assert f.severity is Severity.HIGH
    assert (f.vpc_id, f.resource_id) == (world.ids["vpc"], world.ids["ep.ssm"])
    assert f.related_ids == (world.ids[f"subnet.{AZ1}"],)
    assert f"only in {AZ1}" in f.message and f"{AZ2}, {AZ3}" in f.message
    assert "us-east-1" not in f.message.replace("com.amazonaws.us-east-1", "")  # AZ IDs, not names
    assert f.evidence["covered"] == [AZ1]
    assert f.evidence["workload"] == sorted([AZ1, AZ2, AZ3])
    assert f.evidence["missing"] == sorted([AZ2, AZ3])
    assert f.evidence["tolerated_az_failures"] == 0
    assert f.evidence["workload_assumed"] is False
    assert f.remediation
    assert findings_of(report, "az-gap") == []  # one finding for one problem


def test_az_gap_names_the_missing_az(make_world, aws):
    world, report = scan_world(make_world, aws, "two-of-three")
    f = the_finding(report, "az-gap")
    assert f.severity is Severity.MEDIUM
    assert f.resource_id == world.ids["ep.ssm"]
    assert set(f.related_ids) == {world.ids[f"subnet.{AZ1}"], world.ids[f"subnet.{AZ2}"]}
    assert f"workload AZ(s) {AZ3}" in f.message
    assert f.evidence["covered"] == sorted([AZ1, AZ2])
    assert f.evidence["missing"] == [AZ3]
    assert f.evidence["tolerated_az_failures"] == 1
    assert f.remediation


def test_az_service_limited_is_info_and_suppresses_the_gap(make_world, aws):
    world, report = scan_world(make_world, aws, "service-two-of-three")
    f = the_finding(report, "az-service-limited")
    assert f.severity is Severity.INFO
    assert f.resource_id == world.ids["ep.sts"]
    assert f"not offered in workload AZ(s) {AZ3}" in f.message
    assert f.evidence["not_offered"] == [AZ3]
    assert f.evidence["service"] == sorted([AZ1, AZ2])
    assert f.evidence["missing"] == []
    assert "Nothing to fix" in f.remediation
    assert findings_of(report, "az-gap") == []


def test_az_idle_names_the_idle_az_and_its_subnet(make_world, aws):
    world, report = scan_world(make_world, aws, "az-idle")
    f = the_finding(report, "az-idle")
    assert f.severity is Severity.LOW
    assert f.resource_id == world.ids["ep.ssm"]
    assert f.related_ids == (world.ids[f"subnet.{AZ3}"],)
    assert f"AZ(s) {AZ3}" in f.message
    assert f.evidence["idle"] == [AZ3]
    assert f.evidence["workload"] == sorted([AZ1, AZ2])
    assert f.remediation


def test_without_workloads_every_subnet_counts_and_the_evidence_says_so(make_world, aws):
    _, report = scan_world(make_world, aws, "no-workloads")
    f = the_finding(report, "az-gap")
    assert f.evidence["workload_assumed"] is True
    assert f.evidence["workload"] == sorted([AZ1, AZ2, AZ3])
    assert f.evidence["missing"] == [AZ3]


def test_az_checks_stay_quiet_on_a_failed_endpoint(make_world, aws):
    _, report = scan_world(make_world, aws, "ep-failed")
    assert [f for f in report.findings if f.check_id in AZ_CHECKS] == []


# --- AZ IDs, not names --------------------------------------------------------------------------------


def account_with_two_az_endpoint(account_id: str, zones: dict[str, str], *, subnet_az_ids: bool) -> RawPart:
    """Workloads and an ssm endpoint in us-east-1a and 1b; ENIs carry no AZ ID (derived from their subnet);
    the service is described by AZ names only, as moto and older AWS responses do."""
    raw = RawPart(account_id=account_id, zones=zones)
    vpc = f"vpc-{account_id}"
    raw.vpc(vpc)
    enis = {}
    for name in ("us-east-1a", "us-east-1b"):
        subnet = f"subnet-{account_id}-{name}"
        raw.subnet(subnet, vpc, name, with_az_id=subnet_az_ids)
        raw.eni(f"eni-app-{account_id}-{name}", subnet, vpc)
        enis[subnet] = f"eni-ep-{account_id}-{name}"
    raw.interface_endpoint(f"vpce-{account_id}", vpc, enis)
    raw.service(SSM, az_names=["us-east-1a", "us-east-1b"])
    return raw


def test_az_comparison_uses_each_accounts_az_ids():
    """us-east-1a is use1-az1 in one account and use1-az3 in the other. Each endpoint covers exactly its
    own workload AZs; mixing the two accounts' name maps would report a service gap in one of them."""
    ours = account_with_two_az_endpoint(
        ACCOUNT, {"us-east-1a": "use1-az1", "us-east-1b": "use1-az2"}, subnet_az_ids=True
    )
    theirs = account_with_two_az_endpoint(
        "222222222222", {"us-east-1a": "use1-az3", "us-east-1b": "use1-az1"}, subnet_az_ids=False
    )
    inv = inventory(ours, theirs)
    assert run_checks(inv, AZ_CHECKS) == []
    ours_cov = az_coverage(inv, inv.endpoints[f"vpce-{ACCOUNT}"])
    theirs_cov = az_coverage(inv, inv.endpoints["vpce-222222222222"])
    assert ours_cov.covered == ours_cov.workload == ours_cov.service == {"use1-az1", "use1-az2"}
    assert theirs_cov.covered == theirs_cov.workload == theirs_cov.service == {"use1-az3", "use1-az1"}


def test_service_az_names_are_read_through_the_accounts_own_map():
    """In this account us-east-1a and 1b are use1-az3 and use1-az1: a service offered there is not offered
    in use1-az2 (us-east-1c), where a workload runs."""
    zones = {"us-east-1a": "use1-az3", "us-east-1b": "use1-az1", "us-east-1c": "use1-az2"}
    theirs = RawPart(account_id="222222222222", zones=zones)
    theirs.vpc("vpc-2")
    theirs.subnet("subnet-c", "vpc-2", "us-east-1c")
    theirs.subnet("subnet-a", "vpc-2", "us-east-1a")
    theirs.eni("eni-app-c", "subnet-c", "vpc-2")
    theirs.eni("eni-app-a", "subnet-a", "vpc-2")
    theirs.interface_endpoint("vpce-2", "vpc-2", {"subnet-a": "eni-ep-a"})
    theirs.service(SSM, az_names=["us-east-1a", "us-east-1b"])
    (f,) = run_checks(inventory(theirs), AZ_CHECKS)
    assert f.check_id == "az-service-limited"
    assert f.evidence["not_offered"] == ["use1-az2"]
    assert f.evidence["service"] == ["use1-az1", "use1-az3"]
    assert f.account_id == "222222222222"


# --- nothing from data that was not collected ---------------------------------------------------------


def single_az_endpoint() -> RawPart:
    raw = RawPart()
    raw.vpc("vpc-1")
    for name in ("us-east-1a", "us-east-1b"):
        raw.subnet(f"subnet-{name}", "vpc-1", name)
        raw.eni(f"eni-app-{name}", f"subnet-{name}", "vpc-1")
    raw.interface_endpoint("vpce-1", "vpc-1", {"subnet-us-east-1a": "eni-ep"})
    raw.service(SSM)
    return raw


def test_single_az_endpoint_from_a_hand_built_snapshot():
    (f,) = run_checks(inventory(single_az_endpoint()), AZ_CHECKS)
    assert f.check_id == "az-single"
    assert f.evidence["missing"] == ["use1-az2"]


def test_no_az_finding_when_a_needed_api_was_not_collected():
    for api in ("ec2:DescribeVpcEndpointServices", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"):
        assert run_checks(inventory(single_az_endpoint().without(api)), AZ_CHECKS) == [], api


def test_no_az_finding_when_the_service_was_not_described():
    raw = single_az_endpoint()
    raw.apis["ec2:DescribeVpcEndpointServices"] = []  # collected, but AWS did not know the service
    assert run_checks(inventory(raw), AZ_CHECKS) == []


def test_single_az_is_fine_when_the_workloads_use_one_az():
    raw = single_az_endpoint()
    raw.apis["ec2:DescribeNetworkInterfaces"] = [
        e for e in raw.apis["ec2:DescribeNetworkInterfaces"] if e["NetworkInterfaceId"] != "eni-app-us-east-1b"
    ]
    assert run_checks(inventory(raw), AZ_CHECKS) == []


def test_no_az_finding_when_a_workload_subnets_az_id_is_unknown():
    """A subnet without AvailabilityZoneId whose name is not in the AZ map used to count as an AZ named ''
    and raise az-service-limited for it; the verdict is now unknown and says which subnet."""
    raw = single_az_endpoint()
    raw.add("ec2:DescribeSubnets", {"SubnetId": "subnet-x", "VpcId": "vpc-1", "AvailabilityZone": "us-east-1x"})
    raw.eni("eni-app-x", "subnet-x", "vpc-1")
    inv = inventory(raw)
    assert run_checks(inv, AZ_CHECKS) == []
    cov = az_coverage(inv, inv.endpoints["vpce-1"])
    assert (cov.status, cov.reason) == ("unknown", "AZ ID unknown for subnet-x")


def test_no_az_finding_when_an_endpoint_enis_az_id_is_unknown():
    raw = single_az_endpoint()
    raw.apis["ec2:DescribeVpcEndpoints"][0]["SubnetIds"].append("subnet-gone")
    raw.apis["ec2:DescribeVpcEndpoints"][0]["NetworkInterfaceIds"].append("eni-nowhere")
    raw.eni("eni-nowhere", "subnet-gone", "vpc-1", "vpc_endpoint")  # subnet not described, no AZ on the ENI
    inv = inventory(raw)
    assert [f.check_id for f in run_checks(inv, AZ_CHECKS)] == []
    assert az_coverage(inv, inv.endpoints["vpce-1"]).reason == "AZ ID unknown for eni-nowhere"
