"""The CLI run in-process (inside a running moto mock), with hooks standing in for AWS's faults."""

from __future__ import annotations

import io
import json
import re
import types
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import Any
from unittest import mock

import botocore.endpoint

from moto_fixtures.hooks import Handler, intercept
from vpce_audit.cli.main import run

_GENERATED_AT = re.compile(r'"generated_at": "[^"]*"')
CLAIM_FIELDS = ("check_id", "severity", "account_id", "region", "vpc_id", "resource_id", "message")


@dataclass(frozen=True)
class CliRun:
    code: int
    stdout: str
    stderr: str

    @property
    def doc(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.stdout)
        return document

    def errors(self) -> set[tuple[str, str, str, str, str]]:
        return {(e["account_id"], e["region"], e["service"], e["operation"], e["code"]) for e in self.doc["errors"]}

    def claims(self) -> set[tuple[str, ...]]:
        """What each finding claims; its evidence may list less when less was collected."""
        return {tuple(f[k] for k in CLAIM_FIELDS) for f in self.doc["findings"]}

    def fired(self) -> set[tuple[str, str, str, str]]:
        return {(f["account_id"], f["region"], f["check_id"], f["resource_id"]) for f in self.doc["findings"]}


def cli(*args: str, handler: Handler | None = None) -> CliRun:
    """`vpce-audit ARGS` in this process; `handler` answers requests before moto does."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with ExitStack() as stack:
        if handler is not None:
            stack.enter_context(intercept(handler))
        stack.enter_context(redirect_stdout(stdout))
        stack.enter_context(redirect_stderr(stderr))
        code = run(list(args))
    return CliRun(code, stdout.getvalue(), stderr.getvalue())


def without_generated_at(text: str) -> str:
    return _GENERATED_AT.sub('"generated_at": ""', text)


@contextmanager
def no_retry_sleep() -> Iterator[None]:
    """botocore's retry backoff takes no time (it sleeps in botocore.endpoint, nowhere else)."""
    with mock.patch.object(botocore.endpoint, "time", types.SimpleNamespace(sleep=lambda _seconds: None)):
        yield
