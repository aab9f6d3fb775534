"""The client factory: read-only by construction, counted, retried."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.loaders import JSONFileLoader

from vpce_audit.aws.clients import MAX_ATTEMPTS, ClientFactory, ReadOnlyViolation


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


def test_factories_sharing_a_loader_parse_each_service_model_once_when_threads_race(aws):
    """Sixteen accounts' first EC2 clients built at the same moment: botocore's loader cache has no lock, so
    without the factories' shared build lock each thread would parse EC2's model itself."""
    caller = ClientFactory(boto3.Session(region_name="us-east-1"))  # a fresh loader: nothing parsed yet
    loader = caller.session._session.get_component("data_loader")
    members = []
    for _ in range(16):
        session = boto3.Session(region_name="us-east-1")
        session._session.register_component("data_loader", loader)
        members.append(ClientFactory(session, build_lock=caller.build_lock))
    parsed: list[str] = []
    real = JSONFileLoader.load_file
    start = threading.Barrier(len(members))

    def counted(self: JSONFileLoader, path: str) -> Any:
        if "/ec2/" in path and path.endswith("/service-2"):
            parsed.append(path)
        return real(self, path)

    def first_client(factory: ClientFactory) -> Any:
        start.wait()
        return factory.client("ec2", "us-east-1")

    with mock.patch.object(JSONFileLoader, "load_file", counted), ThreadPoolExecutor(len(members)) as pool:
        clients = list(pool.map(first_client, members))
    assert len({id(c) for c in clients}) == len(members)  # one client per account, none shared
    assert len(parsed) == 1
