"""What a new user meets: each defect found by trying the tool as a newcomer would, run as they ran it
(the CLI as a subprocess against a moto server on 127.0.0.1, fake credentials)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest

from moto_fixtures import fake_aws_env
from moto_fixtures.org_worlds import build_org
from tests.moto_server import MotoServer

HOME = "us-east-1"
ROLE = "VpceAuditScan"


@pytest.fixture(scope="module")
def server() -> Iterator[MotoServer]:
    srv = MotoServer()
    yield srv
    srv.stop()


def test_organization_scan_needs_no_default_region_through_an_endpoint_url(server):
    """Organizations is global: its client gets its partition's home region, not AWS_DEFAULT_REGION."""
    server.reset()
    with fake_aws_env(AWS_ENDPOINT_URL=server.url):
        built = build_org(boto3.Session(region_name=HOME), 1, {0: {HOME: "small"}})
    try:
        result = server.cli(
            "scan",
            "--organization",
            "--role-name",
            ROLE,
            "--region",
            HOME,
            "-o",
            "json",
            "--fail-on",
            "none",
            env={"AWS_DEFAULT_REGION": None, "AWS_REGION": None},
        )
    finally:
        built.close()
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["scope"]["accounts"] == sorted(built.accounts)
