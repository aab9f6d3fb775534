"""Faults AWS causes and a scan must survive: throttling, denied calls, bare 403s, endpoint timeouts, Ctrl-C;
and whatever happens, no credential, session token or signature ever reaches the output.

Faults are botocore before-send hooks (moto_fixtures/hooks.py) answering ahead of moto with the service's own
error, in-process; the Ctrl-C and CLI tests run `python -m vpce_audit` against a moto server in this process.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto.core.responses import BaseResponse
from moto.sts.exceptions import STSClientError
from moto.sts.models import STSBackend, sts_backends

from moto_fixtures import fake_aws_env
from moto_fixtures.hooks import Call, Spy, Throttler, chain, denied, forbidden, timed_out, when
from moto_fixtures.org_worlds import FULL_STACK_CHECKS, NO_DEFAULT_AMIS, Org, build_org
from tests.inprocess import CliRun, cli, no_retry_sleep, without_generated_at
from tests.moto_server import REPO_ROOT, MotoServer
from vpce_audit.collect.accounts import role_arn

ROLE = "VpceAuditScan"
HOME = "us-east-1"
FAIL_ON = ("--fail-on", "critical")  # the worlds raise high and info at most: a partial scan exits 3


@pytest.fixture(autouse=True)
def no_default_amis(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in NO_DEFAULT_AMIS.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def org(aws: boto3.Session) -> Iterator[Org]:
    """The caller's account and one member, each with a full_stack VPC in us-east-1."""
    built = build_org(aws, 1, {0: {HOME: "full"}}, management_layout={HOME: "full"})
    yield built
    built.close()


def org_scan(*args: str, handler: Callable[[Call], AWSResponse | None] | None = None) -> CliRun:
    return cli(
        "scan", "--role-name", ROLE, "--organization", "--region", HOME, "-o", "json", "--quiet", *FAIL_ON, *args,
        handler=handler,
    )  # fmt: skip


# --- throttling ---------------------------------------------------------------------------------------------


def test_thirty_percent_of_calls_throttled_give_the_same_report(org):
    calm = org_scan()
    throttler = Throttler(0.3, every_operation=True)
    with no_retry_sleep():
        stormy = org_scan(handler=throttler)
    assert calm.code == 0, calm.stderr
    assert stormy.code == calm.code, stormy.stderr
    assert without_generated_at(stormy.stdout) == without_generated_at(calm.stdout)
    throttled_services = {key.split(":")[0] for key in throttler.throttled}
    assert throttled_services == {"ec2", "route53", "route53resolver", "sts", "organizations"}
    assert sum(throttler.throttled.values()) >= 20  # the storm was real: ~30% of some 150 attempts


# --- denied, forbidden, timed out ---------------------------------------------------------------------------

FAULTS = [
    # (service, operation, how it fails, the code the error entry carries)
    ("ec2", "DescribeVpcEndpointServices", denied, "UnauthorizedOperation"),
    ("ec2", "DescribeRouteTables", forbidden, "AccessDenied"),
    ("route53", "ListHostedZonesByVPC", denied, "AccessDenied"),
    ("route53", "ListResourceRecordSets", forbidden, "AccessDenied"),
    ("route53resolver", "ListResolverRules", denied, "AccessDeniedException"),
    ("ec2", "DescribeNetworkInterfaces", timed_out, "ConnectTimeoutError"),
]


@pytest.mark.parametrize(("service", "operation", "respond", "code"), FAULTS, ids=lambda v: getattr(v, "__name__", v))
def test_a_failed_api_is_one_error_per_account_and_no_false_finding(org, service, operation, respond, code):
    baseline = org_scan()
    member = org.members[0]

    def in_member(call: Call) -> bool:
        return call.service == service and call.operation == operation and call.account_id == member

    with no_retry_sleep():
        result = org_scan(handler=when(in_member, respond))
    assert baseline.code == 0 and baseline.doc["errors"] == []
    assert result.code == 3, result.stderr
    region = "global" if service == "route53" else HOME
    assert result.errors() == {(member, region, service, operation, code)}
    for error in result.doc["errors"]:
        assert set(error) == {"account_id", "region", "service", "operation", "code", "message"}
        assert error["message"]
    assert result.claims() <= baseline.claims()  # nothing new, nothing more severe
    fired = {f["check_id"] for f in result.doc["findings"] if f["account_id"] == member}
    assert "dns-no-private-name" not in fired  # e.g. no zones collected is not "no private name"
    untouched = {c for c in baseline.claims() if c[2] != member}
    assert untouched <= result.claims()  # the other account is judged as before


def test_a_failure_repeated_for_each_vpc_is_listed_once(org):
    """ListHostedZonesByVPC is asked once per VPC (three in the member): one denial, one entry."""
    member = org.members[0]
    spy = Spy()

    def zones_in_member(call: Call) -> bool:
        return call.service == "route53" and call.operation == "ListHostedZonesByVPC" and call.account_id == member

    result = org_scan(handler=chain(spy, when(zones_in_member, denied)))
    asked = [c for c in spy.of("route53", "ListHostedZonesByVPC") if c.account_id == member]
    assert len(asked) == 3
    assert len(result.doc["errors"]) == 1


# --- no secrets in anything the scan writes -----------------------------------------------------------------

CALLER_KEYS = {
    "AWS_ACCESS_KEY_ID": "AKIAVPCEAUDITCALLER7",
    "AWS_SECRET_ACCESS_KEY": "vpceAuditCallerSecretKey0123456789abcdefXYZ",
    "AWS_SESSION_TOKEN": "vpceAuditCallerSessionToken0123456789abcdefXYZ",
}
SIGNATURE_MARKS = ("X-Amz-Signature", "Signature=", "X-Amz-Credential", "Credential=", "X-Amz-Security-Token")


def issued_credentials() -> set[str]:
    """Every key, secret and token moto's STS handed out in this mock."""
    found: set[str] = set()
    for by_partition in sts_backends.values():
        for backend in by_partition.values():
            for role in backend.assumed_roles:
                found |= {role.access_key_id, role.secret_access_key, role.session_token}
    return found


def test_no_credential_token_or_signature_appears_in_any_output(aws, tmp_path, monkeypatch):
    built = build_org(aws, 2, {0: {HOME: "full"}, 1: {HOME: "small"}}, management_layout={HOME: "small"})
    try:
        for key, value in CALLER_KEYS.items():
            monkeypatch.setenv(key, value)
        refused = role_arn("aws", built.members[1], ROLE)
        member = built.members[0]
        faults = chain(
            when(lambda c: c.operation == "AssumeRole" and c.param("RoleArn") == refused, denied),
            when(lambda c: c.operation == "DescribeVpcEndpointServices" and c.account_id == member, denied),
            when(lambda c: c.operation == "ListResolverRules" and c.account_id == member, forbidden),
            when(lambda c: c.operation == "DescribeNetworkInterfaces" and c.account_id == member, timed_out),
        )
        snapshot = tmp_path / "snapshot.json"
        with no_retry_sleep():
            as_json = org_scan("--save-snapshot", str(snapshot), handler=faults)
            as_table = cli("scan", "--role-name", ROLE, "--organization", "--region", HOME, *FAIL_ON, handler=faults)
    finally:
        built.close()
    assert as_json.code == as_table.code == 3
    assert {e[3] for e in as_json.errors()} == {
        "AssumeRole",
        "DescribeVpcEndpointServices",
        "ListResolverRules",
        "DescribeNetworkInterfaces",
    }
    secrets = set(CALLER_KEYS.values()) | issued_credentials()
    assert len(secrets) >= 3 + 3  # the caller's, and at least one assumed role's
    written = [as_json.stdout, as_json.stderr, as_table.stdout, as_table.stderr, snapshot.read_text()]
    for text in written:
        for secret in secrets:
            assert secret not in text
        for mark in SIGNATURE_MARKS:
            assert mark not in text


# --- through a moto server, as a user runs it ---------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[MotoServer]:
    srv = MotoServer()
    srv.reset()
    yield srv
    srv.stop()


def test_organization_scan_as_a_subprocess(server):
    with fake_aws_env(AWS_ENDPOINT_URL=server.url):
        built = build_org(boto3.Session(region_name=HOME), 2, {0: {HOME: "small"}, 1: {HOME: "full"}})
    refused = role_arn("aws", built.members[1], ROLE)
    real = STSBackend.assume_role

    def assume_role(self: STSBackend, **kwargs: Any) -> Any:
        # Over HTTP the hooks do not reach the CLI's process; the server shares ours, so its backend can refuse.
        if kwargs.get("role_arn") == refused:
            raise STSClientError("AccessDenied", f"not authorized to perform sts:AssumeRole on {refused}")
        return real(self, **kwargs)

    try:
        with mock.patch.object(STSBackend, "assume_role", assume_role):
            result = server.cli("scan", "--role-name", ROLE, "--organization", "--region", HOME, "-o", "json")
    finally:
        built.close()
    assert result.code == 1, result.stderr  # az-single (high) in the reachable member
    doc = json.loads(result.stdout)
    assert doc["scope"]["accounts"] == sorted((built.management, built.members[0]))
    assert [(e["account_id"], e["operation"], e["code"]) for e in doc["errors"]] == [
        (built.members[1], "AssumeRole", "AccessDenied")
    ]
    assert {(f["account_id"], f["check_id"], f["resource_id"]) for f in doc["findings"]} == {
        (built.members[0], "az-single", built.ids[(built.members[0], HOME)]["ep.kms"])
    }
    assert result.stderr == ""  # not a TTY: no progress


class SlowServer:
    """Every request the server answers takes `delay`; `started` is set once an EC2 call arrives (the scan
    is past planning and inside its thread pool)."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.started = threading.Event()
        self._real = BaseResponse.call_action

    def __call__(self, response: BaseResponse) -> Any:
        if type(response).__module__.startswith("moto.ec2"):
            self.started.set()
        time.sleep(self.delay)
        return self._real(response)


def test_ctrl_c_exits_130_promptly_and_leaves_the_output_file_whole(server, tmp_path):
    world = server.build("demo")
    previous = '{"previous": "a complete report"}\n'
    output = tmp_path / "report.json"
    output.write_text(previous)
    slow = SlowServer(2.0)  # the scan left to run would take far longer than the wait below
    try:
        with mock.patch.object(BaseResponse, "call_action", lambda self: slow(self)):
            proc = subprocess.Popen(
                [sys.executable, "-m", "vpce_audit", "scan", "-o", "json", "--output-file", str(output)],
                env=server.env(),
                cwd=REPO_ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                assert slow.started.wait(timeout=60), "the scan never reached EC2"
                proc.send_signal(signal.SIGINT)
                stdout, stderr = proc.communicate(timeout=10)  # promptly: not after the slow scan ends
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
    finally:
        world.close()
    assert proc.returncode == 130, stderr
    assert stderr.strip().splitlines() == ["vpce-audit: interrupted"], (stdout, stderr)
    assert stdout == ""
    assert output.read_text() == previous
    assert [p.name for p in Path(tmp_path).iterdir()] == ["report.json"]  # no temporary file left behind


def test_full_stack_raises_what_it_declares(org):
    """The worlds these tests lean on: every account's full_stack raises exactly FULL_STACK_CHECKS."""
    result = org_scan()
    assert {(f["account_id"], f["check_id"]) for f in result.doc["findings"]} == {
        (a, c) for a in org.accounts for c in FULL_STACK_CHECKS
    }
