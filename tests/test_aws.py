"""The client factory: read-only by construction, counted, retried."""

from __future__ import annotations

import pytest

from vpce_audit.aws import MAX_ATTEMPTS, ClientFactory, ReadOnlyViolation


def test_guard_refuses_a_mutating_call_before_sending(aws):
    factory = ClientFactory(aws)
    ec2 = factory.client("ec2", "us-east-1")
    before = len(ec2.describe_vpcs()["Vpcs"])
    with pytest.raises(ReadOnlyViolation, match="ec2:CreateVpc"):
        ec2.create_vpc(CidrBlock="10.9.0.0/16")
    assert len(ec2.describe_vpcs()["Vpcs"]) == before  # nothing reached moto
    assert "ec2:CreateVpc" not in factory.counter.counts()


def test_guard_allows_only_writes_named_by_the_user(aws):
    factory = ClientFactory(aws, allow_writes=frozenset({"ec2:CreateVpc"}))
    ec2 = factory.client("ec2", "us-east-1")
    ec2.create_vpc(CidrBlock="10.9.0.0/16")
    with pytest.raises(ReadOnlyViolation):
        ec2.delete_vpc(VpcId="vpc-12345678")


def test_counter_counts_calls_per_operation_and_retries_are_standard(aws):
    factory = ClientFactory(aws)
    ec2 = factory.client("ec2", "us-east-1")
    ec2.describe_vpcs()
    ec2.describe_vpcs()
    ec2.describe_subnets()
    assert factory.counter.counts() == {"ec2:DescribeSubnets": 1, "ec2:DescribeVpcs": 2}
    assert ec2.meta.config.retries == {"mode": "standard", "total_max_attempts": MAX_ATTEMPTS}
    assert MAX_ATTEMPTS >= 8
