"""The provider side of PrivateLink (issue 15): endpoint services a scanned account owns. The collector and the
call plan against moto worlds (moto_fixtures/shape_worlds.py), the judgement's unknowns and the cross-account
consumer match from hand-built snapshots."""

from __future__ import annotations

from typing import Any

import pytest

from moto_fixtures.builder import AZ1, AZ2, AZ3
from tests.raw_snapshot import RawPart, inventory
from tests.scanned import the_finding
from tests.test_collect import facts_plan, scan
from vpce_audit.checks import run_checks
from vpce_audit.model.findings import Severity

SVC_CHECKS = ["svc-az-no-healthy-targets", "svc-connection-pending", "svc-private-dns-unverified"]


# --- against moto ------------------------------------------------------------------------------------------


def test_an_empty_az_names_the_consumer_endpoint_there_and_the_plan_is_minimal(make_world, aws):
    world = make_world("svc-az-empty")
    report, _, calls = scan(aws)
    f = the_finding(report, "svc-az-no-healthy-targets")
    assert (f.resource_id, f.severity, f.vpc_id) == (world.ids["service_id"], Severity.HIGH, world.ids["vpc"])
    assert f.evidence["az_ids_without_healthy_target"] == [AZ3]
    assert f.evidence["load_balancer_az_ids"] == sorted([AZ1, AZ2, AZ3])
    assert f.evidence["load_balancer_cross_zone"] is False
    assert f.evidence["target_group_cross_zone"] == "use_load_balancer_configuration"
    (consumer,) = f.evidence["consumers_in_those_azs"]
    assert consumer == {
        "endpoint_id": world.ids["ep.consumer"],
        "account_id": world.account_id,
        "vpc_id": world.ids["consumer.vpc"],
        "az_ids": [AZ3],
    }
    assert world.ids["ep.consumer"] in f.related_ids
    # calls: a constant per region plus one per NLB (attributes) and two per target group (attributes, health)
    assert calls == facts_plan(aws)
    assert {k: v for k, v in calls.items() if k.startswith("elbv2:")} == {
        "elbv2:DescribeLoadBalancers": 1,
        "elbv2:DescribeTargetGroups": 1,
        "elbv2:DescribeLoadBalancerAttributes": 1,
        "elbv2:DescribeTargetGroupAttributes": 1,
        "elbv2:DescribeTargetHealth": 1,
    }
    assert calls["ec2:DescribeVpcEndpointConnections"] == 1


def test_pending_connection_is_named_with_the_consumer_vpc(make_world, aws):
    world = make_world("svc-pending")
    report, _, _ = scan(aws)
    f = the_finding(report, "svc-connection-pending")
    assert f.resource_id == world.ids["service_id"]
    assert f.evidence["state"] == "pendingacceptance"
    assert f.evidence["consumer_seen"] is True
    assert f.evidence["consumer_vpc_id"] == world.ids["consumer.vpc"]
    assert f.evidence["acceptance_required"] is True


def test_unverified_private_dns_name(make_world, aws):
    world = make_world("svc-dns-unverified")
    report, _, _ = scan(aws)
    f = the_finding(report, "svc-private-dns-unverified")
    assert f.resource_id == world.ids["service_id"]
    assert f.evidence["verification_state"] == "pendingverification"
    assert f.severity is Severity.MEDIUM  # the consumer seen has private DNS off


def test_an_account_owning_no_service_makes_one_provider_call(make_world, aws):
    make_world("healthy-3az")
    _, snapshot, calls = scan(aws)
    assert calls["ec2:DescribeVpcEndpointServiceConfigurations"] == 1
    assert not any(k.startswith("elbv2:") or k == "ec2:DescribeVpcEndpointConnections" for k in calls)
    (part,) = snapshot.parts[:1]
    assert part.items("ec2:DescribeVpcEndpointServiceConfigurations") == []


# --- hand-built snapshots ------------------------------------------------------------------------------------

PROVIDER_APIS = (
    "ec2:DescribeVpcEndpointServiceConfigurations",
    "ec2:DescribeVpcEndpointConnections",
    "elbv2:DescribeLoadBalancers",
    "elbv2:DescribeLoadBalancerAttributes",
    "elbv2:DescribeTargetGroups",
    "elbv2:DescribeTargetGroupAttributes",
    "elbv2:DescribeTargetHealth",
)
LB = "arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/net/api/1"
TG = "arn:aws:elasticloadbalancing:us-east-1:111111111111:targetgroup/api/1"
SVC = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"


def provider_part(
    targets: list[dict[str, Any]],
    *,
    lb_cross_zone: str = "false",
    tg_cross_zone: str = "use_load_balancer_configuration",
) -> RawPart:
    raw = RawPart()
    for api in PROVIDER_APIS:
        raw.apis[api] = []
    raw.vpc("vpc-p")
    for name in ("us-east-1a", "us-east-1b"):
        raw.subnet(f"subnet-p{name[-1]}", "vpc-p", name)
    raw.add(
        "ec2:DescribeVpcEndpointServiceConfigurations",
        {
            "ServiceId": "vpce-svc-0123456789abcdef0",
            "ServiceName": SVC,
            "ServiceState": "Available",
            "AvailabilityZones": ["us-east-1a", "us-east-1b"],
            "NetworkLoadBalancerArns": [LB],
            "AcceptanceRequired": True,
        },
    )
    raw.add(
        "elbv2:DescribeLoadBalancers",
        {
            "LoadBalancerArn": LB,
            "LoadBalancerName": "api",
            "Type": "network",
            "VpcId": "vpc-p",
            "State": {"Code": "active"},
            "AvailabilityZones": [
                {"ZoneName": "us-east-1a", "SubnetId": "subnet-pa"},
                {"ZoneName": "us-east-1b", "SubnetId": "subnet-pb"},
            ],
        },
    )
    raw.add(
        "elbv2:DescribeLoadBalancerAttributes",
        {"LoadBalancerArn": LB, "Attributes": [{"Key": "load_balancing.cross_zone.enabled", "Value": lb_cross_zone}]},
    )
    raw.add("elbv2:DescribeTargetGroups", {"TargetGroupArn": TG, "TargetGroupName": "api", "LoadBalancerArns": [LB]})
    raw.add(
        "elbv2:DescribeTargetGroupAttributes",
        {"TargetGroupArn": TG, "Attributes": [{"Key": "load_balancing.cross_zone.enabled", "Value": tg_cross_zone}]},
    )
    raw.add("elbv2:DescribeTargetHealth", {"TargetGroupArn": TG, "TargetHealthDescriptions": targets})
    return raw


def target(ip: str, az: str | None, state: str) -> dict[str, Any]:
    t: dict[str, Any] = {"Id": ip, "Port": 443}
    if az is not None:
        t["AvailabilityZone"] = az
    return {"Target": t, "TargetHealth": {"State": state}}


A_ONLY = [target("10.0.0.10", "us-east-1a", "healthy"), target("10.0.1.10", "us-east-1b", "unhealthy")]


def fired(*parts: RawPart) -> list[Any]:
    return run_checks(inventory(*parts), SVC_CHECKS)


def test_az_without_a_healthy_target():
    (f,) = fired(provider_part(A_ONLY))
    assert f.evidence["az_ids_without_healthy_target"] == ["use1-az2"]
    assert f.severity is Severity.HIGH


def test_no_healthy_target_anywhere_is_critical():
    (f,) = fired(provider_part([target("10.0.0.10", "us-east-1a", "unhealthy")]))
    assert f.severity is Severity.CRITICAL
    assert f.evidence["az_ids_without_healthy_target"] == ["use1-az1", "use1-az2"]


@pytest.mark.parametrize(
    ("lb", "tg"),
    [("true", "use_load_balancer_configuration"), ("false", "true")],
    ids=["lb-cross-zone-on", "target-group-overrides-on"],
)
def test_near_miss_cross_zone_on(lb, tg):
    assert fired(provider_part(A_ONLY, lb_cross_zone=lb, tg_cross_zone=tg)) == []


def test_near_miss_draining_beside_a_healthy_target_and_all_zones_target():
    targets = [target("10.0.0.10", "all", "healthy"), target("10.0.1.11", "us-east-1b", "draining")]
    assert fired(provider_part(targets)) == []


@pytest.mark.parametrize(
    "change",
    [
        "without-lb-attributes",
        "without-tg-attributes",
        "without-health",
        "instance-target-without-az",
        "unknown-cross-zone-value",
    ],
)
def test_unknowns_raise_nothing(change):
    targets = A_ONLY
    if change == "instance-target-without-az":
        targets = [target("i-0abc", None, "healthy"), target("10.0.1.10", "us-east-1b", "unhealthy")]
    tg = "maybe" if change == "unknown-cross-zone-value" else "use_load_balancer_configuration"
    raw = provider_part(targets, tg_cross_zone=tg)  # the LB's own setting is off
    api = {
        "without-lb-attributes": "elbv2:DescribeLoadBalancerAttributes",
        "without-tg-attributes": "elbv2:DescribeTargetGroupAttributes",
        "without-health": "elbv2:DescribeTargetHealth",
    }.get(change)
    if api:
        raw.without(api)
    assert fired(raw) == []


def test_a_consumer_in_another_account_is_matched_by_az_id_not_name():
    """The consumer account's us-east-1a is use1-az2, the provider's us-east-1b: its ENI there sits in the empty AZ."""
    provider = provider_part(A_ONLY)
    consumer = RawPart(account_id="222222222222", zones={"us-east-1a": "use1-az2", "us-east-1b": "use1-az1"})
    consumer.vpc("vpc-c")
    consumer.subnet("subnet-c", "vpc-c", "us-east-1a")
    consumer.interface_endpoint("vpce-c", "vpc-c", {"subnet-c": "eni-c"}, service_name=SVC)
    (f,) = fired(provider, consumer)
    assert f.evidence["consumers_in_those_azs"] == [
        {"endpoint_id": "vpce-c", "account_id": "222222222222", "vpc_id": "vpc-c", "az_ids": ["use1-az2"]}
    ]


def test_connections_pending_and_rejected_but_not_available():
    raw = provider_part([target("10.0.0.10", "all", "healthy")])
    for ep, state in (("vpce-1", "pendingAcceptance"), ("vpce-2", "rejected"), ("vpce-3", "available")):
        raw.add(
            "ec2:DescribeVpcEndpointConnections",
            {
                "ServiceId": "vpce-svc-0123456789abcdef0",
                "VpcEndpointId": ep,
                "VpcEndpointOwner": "333333333333",
                "VpcEndpointState": state,
            },
        )
    found = fired(raw)
    assert {(f.check_id, f.evidence["endpoint_id"], f.evidence["consumer_seen"]) for f in found} == {
        ("svc-connection-pending", "vpce-1", False),
        ("svc-connection-pending", "vpce-2", False),
    }


def test_private_dns_unverified_is_high_when_a_seen_consumer_relies_on_it():
    raw = provider_part([target("10.0.0.10", "all", "healthy")])
    config = raw.apis["ec2:DescribeVpcEndpointServiceConfigurations"][0]
    config |= {"PrivateDnsName": "api.example.com", "PrivateDnsNameConfiguration": {"State": "failed"}}
    raw.vpc("vpc-c")
    raw.subnet("subnet-c", "vpc-c", "us-east-1a")
    raw.interface_endpoint("vpce-c", "vpc-c", {"subnet-c": "eni-c"}, service_name=SVC, PrivateDnsEnabled=True)
    (f,) = fired(raw)
    assert (f.check_id, f.severity) == ("svc-private-dns-unverified", Severity.HIGH)
    assert f.related_ids == ("vpce-c",)
    config["PrivateDnsNameConfiguration"] = {"State": "verified"}
    assert fired(raw) == []
