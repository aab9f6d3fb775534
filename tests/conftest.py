"""Shared fixtures: an in-process moto with fake credentials, named worlds, and a scan of them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import boto3
import pytest
from hypothesis import settings
from moto import mock_aws

from moto_fixtures import World, build_world, fake_aws_env
from vpce_audit.aws.clients import ClientFactory
from vpce_audit.collect.scan import scan_account
from vpce_audit.collect.units import caller_account
from vpce_audit.report.model import Report, build_report
from vpce_audit.snapshot import Snapshot

# Property tests draw the same cases on every run, so a suite that passed fails later only for a change of
# ours; `pytest tests/test_fuzz.py --hypothesis-profile explore` draws new ones to look for more.
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("repeatable")

REGION = "us-east-1"


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    """A boto3 session inside mock_aws; AWS_ENDPOINT_URL and profiles are removed so nothing leaves."""
    with fake_aws_env(), mock_aws():
        yield boto3.Session(region_name=REGION)


@pytest.fixture
def make_world(aws: boto3.Session) -> Iterator[Callable[[str], World]]:
    built: list[World] = []

    def make(name: str) -> World:
        w = build_world(name, aws, REGION)
        built.append(w)
        return w

    yield make
    for w in reversed(built):
        w.close()


def collect(
    session: boto3.Session, regions: tuple[str, ...] = (REGION,), vpc_ids: tuple[str, ...] = ()
) -> tuple[Snapshot, ClientFactory]:
    factory = ClientFactory(session)
    return scan_account(factory, caller_account(factory), regions, vpc_ids), factory


def audit(session: boto3.Session, vpc_ids: tuple[str, ...] = (), check_ids: tuple[str, ...] | None = None) -> Report:
    snapshot, _ = collect(session, vpc_ids=vpc_ids)
    return build_report(snapshot, check_ids)


def fired(report: Report, vpc_id: str | None = None) -> set[str]:
    return {f.check_id for f in report.findings if vpc_id is None or f.vpc_id == vpc_id}
