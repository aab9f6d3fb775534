"""Fake credentials and an environment in which in-process moto intercepts every call."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

ACCOUNT_ID = "123456789012"  # moto's default account
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}
# With any of these set, in-process mock_aws does not intercept (and a real account could be reached).
_DROP_PREFIXES = (
    "AWS_ENDPOINT_URL",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
)


@contextmanager
def fake_aws_env(**extra: str) -> Iterator[None]:
    saved = dict(os.environ)
    try:
        for key in list(os.environ):
            if key.startswith(_DROP_PREFIXES):
                del os.environ[key]
        os.environ.update(FAKE_ENV | extra)
        os.environ["AWS_CONFIG_FILE"] = os.devnull
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
