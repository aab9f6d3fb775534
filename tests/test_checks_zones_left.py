"""phz-left-behind on hand-built snapshots: a service-named zone kept after its endpoint, judged with no endpoint
of the service in the scan; missing data leaves it unknown."""

from __future__ import annotations

from tests.dns_raw import Account, a, report_of
from vpce_audit.checks.zones_left import aws_service_name
from vpce_audit.model.findings import Finding, Severity

R = "us-east-1"
KMS = f"kms.{R}.amazonaws.com"
VPC = "vpc-0a1"


def world(*ips: str, name: str = KMS) -> Account:
    acct = Account()
    acct.vpc(VPC, "10.0.0.0/16")
    acct.zone("ZLEFT", name, [VPC], [a(name, *ips)])
    return acct


def findings(acct: Account) -> list[Finding]:
    return list(report_of(acct, check_ids=["phz-left-behind"]).findings)


def workload_ip(acct: Account) -> str:
    eni = acct.reg.apis["ec2:DescribeNetworkInterfaces"][0]
    eni["PrivateIpAddress"] = "10.0.1.20"
    eni["PrivateIpAddresses"] = [{"PrivateIpAddress": "10.0.1.20", "Primary": True}]
    return "10.0.1.20"


def test_addresses_no_interface_holds_are_critical_with_no_endpoint_in_the_scan():
    (f,) = findings(world("10.0.9.9"))
    assert (f.severity, f.resource_id, f.vpc_id) == (Severity.CRITICAL, "ZLEFT", VPC)
    assert f.evidence["stale_ips"] == ["10.0.9.9"]


def test_one_address_held_and_one_not_is_high():
    acct = world("10.0.9.9")
    held = workload_ip(acct)
    acct.glob.apis["route53:ListResourceRecordSets"][0]["ResourceRecordSets"][-1]["ResourceRecords"].append(
        {"Value": held}
    )
    (f,) = findings(acct)
    assert f.severity is Severity.HIGH and f.evidence["stale_ips"] == ["10.0.9.9"]


def test_an_address_an_interface_holds_is_quiet():
    acct = world("10.0.9.9")
    held = workload_ip(acct)
    acct.glob.apis["route53:ListResourceRecordSets"][0]["ResourceRecordSets"][-1]["ResourceRecords"] = [{"Value": held}]
    assert findings(acct) == []


def test_an_address_outside_every_scanned_vpc_is_unknown():
    assert findings(world("192.168.4.4")) == []


def test_without_the_interfaces_nothing_is_said():
    acct = world("10.0.9.9")
    acct.reg.without("ec2:DescribeNetworkInterfaces")
    assert findings(acct) == []


def test_a_non_aws_name_is_not_judged_and_global_names_are():
    assert findings(world("10.0.9.9", name="app.corp.internal")) == []
    assert [f.severity for f in findings(world("10.0.9.9", name="s3.amazonaws.com"))] == [Severity.CRITICAL]
    assert aws_service_name("iam.amazonaws.com") and aws_service_name("*.s3.amazonaws.com")
    assert not aws_service_name(f"vpce-1-abc.kms.{R}.vpce.amazonaws.com")
