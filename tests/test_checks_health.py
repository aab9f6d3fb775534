"""ep-state and ep-eni-missing: on moto worlds for what a finding says, on hand-built snapshots for every
state AWS documents."""

from __future__ import annotations

import pytest

from moto_fixtures.builder import AZ3
from tests.raw_snapshot import RawPart, inventory
from tests.scanned import findings_of, scan_world, the_finding
from vpce_audit.checks import run_checks
from vpce_audit.model.findings import Severity

# --- ep-state ------------------------------------------------------------------------------------


def test_failed_endpoint_is_critical_and_quotes_its_last_error(make_world, aws):
    world, report = scan_world(make_world, aws, "ep-failed")
    f = the_finding(report, "ep-state")
    assert f.severity is Severity.CRITICAL
    assert (f.account_id, f.region, f.vpc_id, f.resource_id) == (
        world.account_id,
        world.region,
        world.ids["vpc"],
        world.ids["ep.ssm"],
    )
    assert "failed" in f.message and "InsufficientFreeAddressesInSubnet" in f.message
    assert f.evidence["state"] == "failed"
    assert f.evidence["failure"] == "InsufficientFreeAddressesInSubnet: subnet has no free addresses"
    assert f.evidence["service_name"] == "com.amazonaws.us-east-1.ssm"
    assert "LastError" in f.remediation
    assert f.title


def test_pending_acceptance_is_high_and_points_at_the_service_owner(make_world, aws):
    world, report = scan_world(make_world, aws, "ep-pending-acceptance")
    f = the_finding(report, "ep-state")
    assert f.severity is Severity.HIGH
    assert f.resource_id == world.ids["ep.ssm"]
    assert f.evidence["state"] == "pendingacceptance"
    assert "pendingacceptance" in f.message
    assert "accept" in f.remediation.lower()


def one_endpoint(state: str, kind: str = "Interface") -> RawPart:
    raw = RawPart()
    raw.vpc("vpc-1")
    raw.subnet("subnet-a", "vpc-1", "us-east-1a")
    raw.endpoint("vpce-1", "vpc-1", kind=kind, state=state)
    return raw


@pytest.mark.parametrize(
    ("state", "severity"),
    [
        ("failed", Severity.CRITICAL),
        ("Failed", Severity.CRITICAL),
        ("rejected", Severity.CRITICAL),
        ("expired", Severity.CRITICAL),
        ("pending", Severity.HIGH),
        ("pendingAcceptance", Severity.HIGH),
        ("partial", Severity.HIGH),
    ],
)
def test_state_severity(state, severity):
    (f,) = run_checks(inventory(one_endpoint(state)), ["ep-state"])
    assert f.severity is severity
    assert f.evidence["state"] == state.lower()
    assert f.remediation


def test_an_unknown_state_is_not_treated_as_healthy():
    (f,) = run_checks(inventory(one_endpoint("migrating")), ["ep-state"])
    assert f.severity is Severity.HIGH
    assert "not one vpce-audit knows" in f.message


def test_gateway_endpoints_are_judged_too():
    (f,) = run_checks(inventory(one_endpoint("rejected", kind="Gateway")), ["ep-state"])
    assert f.severity is Severity.CRITICAL
    assert f.message.startswith("Gateway endpoint")


def test_available_endpoints_raise_nothing():
    assert run_checks(inventory(one_endpoint("available")), ["ep-state"]) == []


# --- ep-eni-missing ---------------------------------------------------------------------------------


def test_eni_named_by_the_endpoint_but_gone(make_world, aws):
    world, report = scan_world(make_world, aws, "eni-missing")
    f = the_finding(report, "ep-eni-missing")
    gone, bare = world.ids["eni.gone"], world.ids[f"subnet.{AZ3}"]
    assert f.severity is Severity.HIGH
    assert f.resource_id == world.ids["ep.ssm"]
    assert set(f.related_ids) == {gone, bare}
    assert f.evidence["interfaces_not_found"] == [gone]
    assert f.evidence["subnets_without_interface"] == [bare]
    assert gone in f.message and bare in f.message
    assert f.remediation


def test_subnet_without_an_interface(make_world, aws):
    world, report = scan_world(make_world, aws, "eni-not-created")
    f = the_finding(report, "ep-eni-missing")
    bare = world.ids[f"subnet.{AZ3}"]
    assert f.related_ids == (bare,)
    assert f.evidence["interfaces_not_found"] == []
    assert f.evidence["subnets_without_interface"] == [bare]
    assert len(f.evidence["network_interface_ids"]) == 2 and len(f.evidence["subnet_ids"]) == 3
    assert "2 network interface(s) for 3 subnet(s)" in f.message


def test_healthy_endpoint_has_an_interface_in_every_subnet(make_world, aws):
    _, report = scan_world(make_world, aws, "healthy-3az")
    assert findings_of(report, "ep-eni-missing") == []


def endpoint_with_lost_eni() -> RawPart:
    raw = RawPart()
    raw.vpc("vpc-1")
    raw.subnet("subnet-a", "vpc-1", "us-east-1a")
    raw.subnet("subnet-b", "vpc-1", "us-east-1b")
    raw.eni("eni-a", "subnet-a", "vpc-1", "vpc_endpoint")
    raw.endpoint("vpce-1", "vpc-1", subnet_ids=["subnet-a", "subnet-b"], eni_ids=["eni-a", "eni-b"])
    return raw


def test_no_eni_finding_when_network_interfaces_were_not_collected():
    assert len(run_checks(inventory(endpoint_with_lost_eni()), ["ep-eni-missing"])) == 1
    uncollected = endpoint_with_lost_eni().without("ec2:DescribeNetworkInterfaces")
    assert run_checks(inventory(uncollected), ["ep-eni-missing"]) == []


def test_no_eni_finding_for_an_endpoint_that_is_not_available():
    raw = endpoint_with_lost_eni()
    raw.apis["ec2:DescribeVpcEndpoints"][0]["State"] = "pending"
    assert run_checks(inventory(raw), ["ep-eni-missing"]) == []
