"""The embedded default for `vpce-audit demo`: the demo world in an in-process moto, fake credentials only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from moto import mock_aws

from moto_fixtures.env import FAKE_ENV, fake_aws_env
from moto_fixtures.worlds import build_world

DEMO_REGION = "us-east-1"


@contextmanager
def demo_session() -> Iterator[tuple[boto3.Session, tuple[str, ...]]]:
    with fake_aws_env(), mock_aws():
        session = boto3.Session(
            aws_access_key_id=FAKE_ENV["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_ENV["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=FAKE_ENV["AWS_SESSION_TOKEN"],
            region_name=DEMO_REGION,
        )
        world = build_world("demo", session, DEMO_REGION)
        try:
            yield session, (DEMO_REGION,)
        finally:
            world.close()
