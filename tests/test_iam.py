"""The least-privilege policy: what ships, what `iam-policy` prints, that it names exactly the actions a scan
calls, and that a scan under moto's IAM enforcement needs every one of them and nothing more.

IAM enforcement (moto notes §7c): fixtures are built first, then scans run inside
`enable_iam_authentication()` with an IAM user's keys (or the roles that user assumes); Route 53's signature
check is switched off for moto's GET bug; trust policies name the user's ARN; policies use Resource "*".
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import Any
from unittest import mock

import boto3
import pytest
from moto import mock_aws
from moto.core import enable_iam_authentication
from moto.iam.access_control import IAMRequestBase

from moto_fixtures import fake_aws_env
from moto_fixtures.org_worlds import FULL_STACK_CHECKS, NO_DEFAULT_AMIS, Org, build_org, member_builder, region_list
from vpce_audit.apis import Api
from vpce_audit.app.exitcodes import ExitCode
from vpce_audit.aws import iam
from vpce_audit.aws.clients import READ_ONLY_OPERATIONS, CallCounter
from vpce_audit.cli.main import run
from vpce_audit.collect.scan import execute
from vpce_audit.collect.scope import ScopeRequest, build_plan
from vpce_audit.model.findings import Severity
from vpce_audit.report.diff import diff_reports

REGION = "us-east-1"
ROLE = "VpceAuditScan"
READ_ONLY = sorted(iam.actions(iam.policy()))
CALLER_ONLY = sorted(iam.actions(iam.policy(iam.CALLER_FILE)))


# --- the shipped files and the command -------------------------------------------------------------------


def test_read_only_policy_is_read_only_exact_and_canonical():
    doc = iam.policy()
    assert doc["Version"] == "2012-10-17"
    (statement,) = doc["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Resource"] == "*"
    assert "Condition" not in statement
    assert statement["Action"] == sorted(set(statement["Action"]))
    for action in statement["Action"]:
        service, name = action.split(":")
        assert "*" not in action and "?" not in action
        assert service in iam.IAM_PREFIX.values()
        assert name.startswith(("Describe", "List", "Get")) or action in READ_ONLY_OPERATIONS, action
    assert iam.render(doc) == iam.policy_text()  # the file is laid out as the command renders documents


def test_caller_statements_are_list_accounts_and_assume_role_on_the_named_role_only():
    doc = iam.caller_policy("team/VpceAudit", "aws-us-gov")
    extras = doc["Statement"][1:]
    assert doc["Statement"][0] == iam.policy()["Statement"][0]
    assert [(s["Action"], s["Resource"]) for s in extras] == [
        (["organizations:ListAccounts"], "*"),
        (["sts:AssumeRole"], "arn:aws-us-gov:iam::*:role/team/VpceAudit"),
    ]
    assert iam.actions(doc) == set(READ_ONLY) | {"organizations:ListAccounts", "sts:AssumeRole"}


def test_iam_policy_prints_the_shipped_file_byte_for_byte(capsys):
    assert run(["iam-policy"]) == 0
    assert capsys.readouterr().out == iam.policy_text()


def test_iam_policy_caller_prints_the_read_only_and_caller_statements(capsys):
    assert run(["iam-policy", "--caller", "--role-name", ROLE]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc == iam.caller_policy(ROLE)
    assert doc["Statement"][-1]["Resource"] == f"arn:aws:iam::*:role/{ROLE}"


@pytest.mark.parametrize(
    "args",
    [
        ["iam-policy", "--caller"],
        ["iam-policy", "--role-name", ROLE],
        ["iam-policy", "--caller", "--role-name", "bad role!"],
        ["iam-policy", "--caller", "--role-name", ROLE, "--partition", "aws-mars"],
    ],
)
def test_iam_policy_bad_options_are_one_line_exit_2(capsys, args):
    assert run(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("vpce-audit: error: ") and captured.err.count("\n") == 1


def test_iam_action_maps_botocore_names_and_refuses_unknown_services():
    assert iam.iam_action("route53resolver", "ListResolverRules") == "route53resolver:ListResolverRules"
    assert iam.iam_action("organizations", "ListAccounts") == "organizations:ListAccounts"
    with pytest.raises(KeyError):
        iam.iam_action("s3", "ListBuckets")


# --- exactness: the actions called are the actions granted ---------------------------------------------------


def test_every_action_a_scan_calls_is_in_the_policy_and_every_policy_action_is_called(iam_world):
    """An organisation scan of every region (DescribeRegions, ListAccounts, AssumeRole) over accounts whose
    VPCs make every collector call (see full_stack), counted by the scanner's own CallCounter."""
    counter = CallCounter()
    plan = build_plan(ScopeRequest(role_name=ROLE, organization=True, all_regions=True), counter, REGION)
    snapshot = execute(plan)
    assert snapshot.errors == ()
    assert snapshot.accounts == iam_world.org.accounts
    called = {iam.iam_action(*key.split(":")) for key in counter.counts()}
    assert called & iam.NEEDS_NO_PERMISSION == {"sts:GetCallerIdentity"}  # called, and deliberately not granted
    assert called - iam.NEEDS_NO_PERMISSION == set(READ_ONLY) | set(CALLER_ONLY)
    # The names the collectors record are exactly vpce_audit/apis.py's: what checks declare as inputs exists.
    assert {api for part in snapshot.parts for api in part.apis} == {str(a) for a in Api}


# --- enforcement: moto's IAM with exactly the policy, then one action short -----------------------------------


@dataclass
class IamWorld:
    session: boto3.Session
    org: Org
    iam: Any  # the management account's IAM client, used before enforcement starts

    @property
    def member(self) -> str:
        return self.org.members[0]


@pytest.fixture(scope="module")
def iam_world() -> Iterator[IamWorld]:
    """The management account and one member, each with a full_stack VPC in us-east-1; us-east-1 is the one
    enabled region (DescribeRegions is still called by --regions all). Built once: scans only read it."""
    with fake_aws_env(**NO_DEFAULT_AMIS), mock_aws(), region_list(enabled=(REGION,)):
        session = boto3.Session(region_name=REGION)
        org = build_org(session, 1, {0: {REGION: "full"}}, management_layout={REGION: "full"})
        try:
            yield IamWorld(session, org, session.client("iam", region_name=REGION))
        finally:
            org.close()


def policy_without(actions: list[str], missing: str | None) -> str:
    kept = [a for a in actions if a != missing]
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": kept, "Resource": "*"}]})


def auditor(world: IamWorld, name: str, missing: str | None) -> dict[str, str]:
    """A user holding the caller policy (read-only + caller statements) minus `missing`, and the scan role in
    the member holding the read-only policy minus `missing`, trusting that user. Returns the user's keys."""
    user = world.iam.create_user(UserName=name)["User"]
    world.iam.put_user_policy(
        UserName=name, PolicyName="vpce-audit", PolicyDocument=policy_without(READ_ONLY + CALLER_ONLY, missing)
    )
    keys = world.iam.create_access_key(UserName=name)["AccessKey"]
    member_iam = member_builder(world.session, world.member, REGION).session.client("iam", region_name=REGION)
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": user["Arn"]}, "Action": "sts:AssumeRole"}],
    }
    try:
        member_iam.get_role(RoleName=ROLE)
        member_iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(trust))
    except member_iam.exceptions.NoSuchEntityException:
        member_iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))
    member_iam.put_role_policy(
        RoleName=ROLE, PolicyName="vpce-audit", PolicyDocument=policy_without(READ_ONLY, missing)
    )
    return {"AWS_ACCESS_KEY_ID": keys["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": keys["SecretAccessKey"]}


@dataclass(frozen=True)
class Scan:
    code: int
    doc: dict[str, Any]
    stderr: str

    def errors(self) -> set[tuple[str, str, str, str, str]]:
        return {(e["account_id"], e["region"], e["service"], e["operation"], e["code"]) for e in self.doc["errors"]}

    def findings(self, account_id: str | None = None) -> set[tuple[str, ...]]:
        """What each finding claims (evidence may list less when less was collected, the claim may not grow)."""
        return {
            tuple(f[k] for k in ("check_id", "severity", "account_id", "region", "vpc_id", "resource_id", "message"))
            for f in self.doc["findings"]
            if account_id is None or f["account_id"] == account_id
        }

    def verdicts(self, account_id: str) -> dict[str, dict[str, Any]]:
        return {v["endpoint_id"]: v for v in self.doc["endpoints"] if v["account_id"] == account_id}


def scan_as(keys: dict[str, str], *args: str) -> Scan:
    """`vpce-audit scan --regions all ARGS` in-process with these keys, under IAM enforcement."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with (
        pytest.MonkeyPatch.context() as env,
        enable_iam_authentication(),
        mock.patch.object(IAMRequestBase, "check_signature", lambda self: None),
        redirect_stdout(stdout),
        redirect_stderr(stderr),
    ):
        for key, value in keys.items():
            env.setenv(key, value)
        env.delenv("AWS_SESSION_TOKEN", raising=False)
        code = run(["scan", "--regions", "all", "-o", "json", "--quiet", "--fail-on", "none", *args])
    text = stdout.getvalue()
    return Scan(code, json.loads(text) if text else {}, stderr.getvalue())


def org_scan(world: IamWorld, user: str, missing: str | None) -> Scan:
    return scan_as(auditor(world, user, missing), "--role-name", ROLE, "--organization")


@pytest.fixture(scope="module")
def full_run(iam_world: IamWorld) -> Scan:
    """The organisation scan with exactly the policy: the user's own account with its keys, the member through
    the role. The baseline of every one-action-short run."""
    return org_scan(iam_world, "auditor-full", None)


def test_a_scan_with_exactly_the_policy_succeeds_with_no_errors(iam_world, full_run):
    assert full_run.code == 0, full_run.stderr
    assert full_run.doc["errors"] == []
    assert full_run.doc["scope"]["accounts"] == list(iam_world.org.accounts)
    assert full_run.doc["scope"]["skipped_regions"] != []  # DescribeRegions answered under the policy
    fired = {(f["account_id"], f["check_id"]) for f in full_run.doc["findings"]}
    assert fired == {(a, c) for a in iam_world.org.accounts for c in FULL_STACK_CHECKS}


@pytest.mark.parametrize("missing", READ_ONLY)
def test_each_read_only_action_missing_is_an_error_and_no_false_finding(iam_world, full_run, missing):
    """The user scans its own account with the read-only policy minus one action."""
    scan = scan_as(auditor(iam_world, f"auditor-{missing.replace(':', '-')}", missing))
    prefix, operation = missing.split(":")
    service = {p: s for s, p in iam.IAM_PREFIX.items()}[prefix]  # errors name botocore's service (elbv2)
    account = iam_world.org.management
    assert scan.code == 3, scan.stderr
    region = "global" if service == "route53" else REGION
    assert scan.errors() == {(account, region, service, operation, "AccessDenied")}
    assert all(e["message"] for e in scan.doc["errors"])
    assert scan.findings() <= full_run.findings(account)
    assert_verdicts_kept_or_unknown(full_run.verdicts(account), scan.verdicts(account))
    assert_nothing_resolved(full_run, scan)


def assert_nothing_resolved(full: Scan, partial: Scan) -> None:
    """Compared with the full run, a run that lacked a permission resolves nothing (issue 12): each finding
    it does not repeat was not re-checked (its check's declared inputs, its account or region are missing)."""
    diff = diff_reports(full.doc, partial.doc)
    assert diff.resolved == () and diff.new == () and diff.not_checked_before == ()
    assert len(diff.unchanged) + len(diff.not_rechecked) == len(full.doc["findings"])
    assert diff.exit_code(Severity.HIGH) == ExitCode.PARTIAL


def test_without_assume_role_each_member_is_one_error_and_the_callers_account_is_scanned(iam_world, full_run):
    scan = org_scan(iam_world, "auditor-no-assume", "sts:AssumeRole")
    assert scan.code == 3
    assert scan.errors() == {(iam_world.member, "*", "sts", "AssumeRole", "AccessDenied")}
    assert scan.doc["scope"]["accounts"] == [iam_world.org.management]
    assert scan.findings() == full_run.findings(iam_world.org.management)
    assert_nothing_resolved(full_run, scan)


def test_without_list_accounts_an_organization_scan_stops_with_one_line(iam_world):
    scan = org_scan(iam_world, "auditor-no-list", "organizations:ListAccounts")
    assert scan.code == 2
    assert scan.doc == {}
    assert "organizations:ListAccounts" in scan.stderr and "AccessDenied" in scan.stderr
    assert scan.stderr.count("\n") == 1


def assert_verdicts_kept_or_unknown(full: dict[str, dict[str, Any]], reduced: dict[str, dict[str, Any]]) -> None:
    """Every verdict of the reduced run is the full run's or says unknown and why. An az_coverage that stays
    known may differ only by saying `spokes_unknown` (why other spokes may exist), and only then may spokes the
    reduced run could not see drop out of spoke_workload (so workload and missing may only shrink). A VPC
    reached only through a zone that could not be read drops out of dns_path."""
    for endpoint_id, verdict in reduced.items():
        baseline = full[endpoint_id]
        for key in ("az_coverage", "route_coverage"):
            now, before = verdict.get(key), baseline.get(key)
            if now == before:
                continue
            assert now is not None and before is not None, (endpoint_id, key)
            if now["status"] == "unknown":
                assert now["reason"], (endpoint_id, key)
                continue
            if key == "az_coverage" and _only_gateway_unknown(before, now):
                continue  # a resource endpoint's gateway overlap (issue 15) the reduced run could not see
            assert key == "az_coverage" and now.get("spokes_unknown"), (endpoint_id, key, now)
            assert_narrowed_by_unseen_spokes(before, now)
        assert_network_kept_or_unknown(baseline.get("network_path"), verdict.get("network_path"))
        kept = {p["vpc_id"]: p for p in baseline.get("dns_path", [])}
        now_paths = {p["vpc_id"]: p for p in verdict.get("dns_path", [])}
        for vpc_id, path in now_paths.items():
            if path != kept.get(vpc_id):
                assert path["mode"] == "unknown" and path["reason"], (endpoint_id, path)
        for vpc_id in set(kept) - set(now_paths):
            assert kept[vpc_id]["via"] == "zone", (endpoint_id, vpc_id)


def _only_gateway_unknown(before: dict[str, Any], now: dict[str, Any]) -> bool:
    """`now` is `before` but for its resource_gateway part, which says unknown and why."""
    gateway = now.get("resource_gateway")
    if gateway is None or gateway.get("status") != "unknown" or not gateway.get("reason"):
        return False
    rest = "resource_gateway"
    return {k: v for k, v in before.items() if k != rest} == {k: v for k, v in now.items() if k != rest}


def assert_network_kept_or_unknown(before: dict[str, Any] | None, now: dict[str, Any] | None) -> None:
    """The packet path (issue 13) of a run one permission short: the full run's, or unknown per client VPC
    (a VPC reached only through a zone that could not be read may drop out)."""
    if now == before:
        return
    assert now is not None and before is not None
    if not now["vpcs"]:
        assert now["status"] == "unknown" and now["reason"], now
        return
    old = {v["vpc_id"]: v for v in before["vpcs"]}
    for vpc in now["vpcs"]:
        if vpc != old.get(vpc["vpc_id"]):
            assert vpc["status"] == "unknown", vpc


SPOKE_PARTS = ("spoke_workload", "workload", "missing", "spokes_unknown")


def assert_narrowed_by_unseen_spokes(before: dict[str, Any], now: dict[str, Any]) -> None:
    """`now` is `before` judged with fewer spokes: the endpoint's own part is unchanged."""
    assert "spokes_unknown" not in before  # the full run collected everything
    assert {k: v for k, v in before.items() if k not in SPOKE_PARTS} == {
        k: v for k, v in now.items() if k not in SPOKE_PARTS
    }
    spokes_before, spokes_now = set(before.get("spoke_workload", [])), set(now.get("spoke_workload", []))
    assert spokes_now <= spokes_before
    assert set(before["workload"]) - spokes_before <= set(now["workload"]) <= set(before["workload"])
    assert set(now["missing"]) <= set(before["missing"])
