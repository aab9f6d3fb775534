"""What a new user meets: each defect found by trying the tool as a newcomer would, run as they ran it
(the CLI as a subprocess against a moto server on 127.0.0.1, fake credentials)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from unittest import mock

import boto3
import pytest
from moto.core import enable_iam_authentication
from moto.iam.access_control import IAMRequestBase

from moto_fixtures import ACCOUNT_ID, fake_aws_env
from moto_fixtures.env import FAKE_ENV
from moto_fixtures.org_worlds import build_org
from tests.moto_server import CliResult, MotoServer
from vpce_audit import lambda_handler
from vpce_audit.apis import Api
from vpce_audit.aws import iam
from vpce_audit.aws.clients import CallCounter
from vpce_audit.checks import REGISTRY
from vpce_audit.cli.main import run
from vpce_audit.collect import scope
from vpce_audit.collect.scope import ScopeRequest
from vpce_audit.errors import InputError
from vpce_audit.model.findings import Severity
from vpce_audit.report.diff import diff_reports

HOME = "us-east-1"
ROLE = "VpceAuditScan"


def cli(*args: str) -> CliResult:
    """The CLI in this process, for commands that make no AWS call (diff, help): what a subprocess would
    print, without its two seconds of start-up."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = run(list(args))
    return CliResult(code, out.getvalue(), err.getvalue())


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


def _mode(path) -> int:
    return path.stat().st_mode & 0o777


def test_written_files_honour_the_umask_and_keep_an_existing_files_mode(server, tmp_path):
    """--output-file and --save-snapshot are files like any other the user creates: 0666 less the umask
    (0644 under the usual 022), and a file they replace keeps its mode (a temporary file's 0600 must not
    survive the rename)."""
    server.reset()
    kept = tmp_path / "kept.json"
    kept.write_text("old")
    kept.chmod(0o664)
    report, snap = tmp_path / "report.json", tmp_path / "snap.json"
    result = server.cli(
        "scan",
        "--region",
        HOME,
        "-o",
        "json",
        "--output-file",
        str(report),
        "--save-snapshot",
        str(snap),
        "--fail-on",
        "none",
        umask=0o022,
    )
    assert result.code == 0, result.stderr
    assert (_mode(report), _mode(snap)) == (0o644, 0o644)
    again = server.cli("scan", "--region", HOME, "-o", "json", "--output-file", str(kept), "--fail-on", "none")
    assert again.code == 0, again.stderr
    assert _mode(kept) == 0o664 and json.loads(kept.read_text())["schema"] == "vpce-audit/report/v1"


@pytest.mark.parametrize("option", ["--output-file", "--save-snapshot"])
def test_an_unwritable_target_is_refused_before_the_scan_naming_the_users_path(server, option):
    result = server.cli("scan", "--region", HOME, option, "/proc/version")
    assert result.code == 2
    assert result.stderr.startswith(f"vpce-audit: error: {option} /proc/version: cannot write there")
    assert result.stderr.count("\n") == 1 and ".tmp" not in result.stderr and result.stdout == ""


# --- 1. diff never calls missing data a fix -------------------------------------------------------------

READ_ONLY = sorted(iam.actions(iam.policy()))


def _iam_user_without(server: MotoServer, action: str) -> dict[str, str]:
    """Keys of an IAM user holding the read-only policy less `action` (made before enforcement starts)."""
    with fake_aws_env(AWS_ENDPOINT_URL=server.url):
        client = boto3.client("iam", region_name=HOME)
        client.create_user(UserName="auditor")
        policy = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": [a for a in READ_ONLY if a != action], "Resource": "*"}],
        }
        client.put_user_policy(UserName="auditor", PolicyName="vpce-audit", PolicyDocument=json.dumps(policy))
        keys = client.create_access_key(UserName="auditor")["AccessKey"]
    return {
        "AWS_ACCESS_KEY_ID": keys["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": keys["SecretAccessKey"],
        "AWS_SESSION_TOKEN": None,
    }


def test_a_report_made_without_an_input_does_not_resolve_the_findings_that_need_it(server, tmp_path):
    """dns-vpc-hostnames-off needs ec2:DescribeVpcAttribute: a report made without it re-checked nothing of
    it. The finding is `not re-checked` (with the reason), the diff says the new report is partial, and
    exits 3 rather than 0."""
    world = server.build("dns-attributes-off")
    full, partial = tmp_path / "full.json", tmp_path / "partial.json"
    scan = ("scan", "--region", HOME, "--checks", "dns-vpc-hostnames-off", "-o", "json", "--fail-on", "none")
    try:
        assert server.cli(*scan, "--output-file", str(full)).code == 0
        keys = _iam_user_without(server, "ec2:DescribeVpcAttribute")
        with enable_iam_authentication(), mock.patch.object(IAMRequestBase, "check_signature", lambda self: None):
            denied = server.cli(*scan, "--output-file", str(partial), env=keys)
    finally:
        world.close()
    assert denied.code == 3, denied.stderr  # partial, and the finding is gone from it
    assert json.loads(partial.read_text())["findings"] == []
    assert json.loads(full.read_text())["findings"][0]["check_id"] == "dns-vpc-hostnames-off"

    table = cli("diff", str(full), str(partial))
    assert table.code == 3, table.stderr
    text = " ".join(table.stdout.split())  # the table wraps to the terminal width
    assert "0 new, 0 resolved, 1 not re-checked, 0 unchanged" in text
    assert "The new report is partial" in text
    assert "ec2:DescribeVpcAttribute" in text and "Resolved" not in text
    doc = json.loads(cli("diff", str(full), str(partial), "-o", "json").stdout)
    assert doc["summary"] == {"new": 0, "resolved": 0, "unchanged": 0, "not_rechecked": 1, "not_checked_before": 0}
    (finding,) = doc["findings"]["not_rechecked"]
    assert finding["check_id"] == "dns-vpc-hostnames-off" and doc["new"]["partial"] is True
    assert finding["reason"] == f"not collected for account {ACCOUNT_ID} in {HOME}: ec2:DescribeVpcAttribute"
    # And back: the partial report could not have seen it, so the full one does not call it new either;
    # it still fails --fail-on (it may be new), named for what it is.
    back = cli("diff", str(partial), str(full))
    assert back.code == 1 and "Not checked before (1)" in back.stdout and "0 new," in " ".join(back.stdout.split())


def test_reports_of_other_regions_or_checks_re_check_nothing(server, tmp_path):
    """A report of another region, or one that excluded the check, resolves nothing: not re-checked."""
    world = server.build("single-az")  # one az-single finding in us-east-1
    paths = {name: tmp_path / f"{name}.json" for name in ("home", "other", "excluded")}
    args = {
        "home": ("--region", HOME),
        "other": ("--region", "eu-west-1"),
        "excluded": ("--region", HOME, "--exclude-checks", "az-single"),
    }
    try:
        for name, path in paths.items():
            result = server.cli("scan", *args[name], "-o", "json", "--fail-on", "none", "--output-file", str(path))
            assert result.code == 0, result.stderr
    finally:
        world.close()
    reasons = {}
    for name in ("other", "excluded"):
        result = cli("diff", str(paths["home"]), str(paths[name]), "-o", "json")
        assert result.code == 3, result.stderr
        doc = json.loads(result.stdout)
        assert doc["summary"]["resolved"] == 0 and doc["summary"]["not_rechecked"] == 1
        reasons[name] = doc["findings"]["not_rechecked"][0]["reason"]
    assert reasons == {
        "other": f"account {ACCOUNT_ID} was not scanned in {HOME}",
        "excluded": "check az-single did not run (--checks/--exclude-checks, or unknown to that version)",
    }


def _report(*findings: dict, scope: dict | None = None, version: str = "0.1.0") -> dict:
    doc = {"schema": "vpce-audit/report/v1", "generated_at": "2026-11-01T00:00:00Z", "tool_version": version}
    return doc | ({"scope": scope} if scope is not None else {}) | {"findings": list(findings), "errors": []}


def _finding(check: str = "az-single", severity: str = "high") -> dict:
    return {
        "check_id": check,
        "severity": severity,
        "account_id": ACCOUNT_ID,
        "region": HOME,
        "vpc_id": "vpc-1",
        "resource_id": "vpce-1",
        "key": "",
        "message": "m",
        "related_ids": [],
    }


def _scope_of_everything() -> dict:
    parts = [{"account_id": ACCOUNT_ID, "region": r, "missing": []} for r in (HOME, "global")]
    return {
        "accounts": [ACCOUNT_ID],
        "regions": [HOME],
        "skipped_regions": [],
        "checks": sorted(REGISTRY),
        "vpc_ids": [],
        "inputs": sorted(str(a) for a in Api),
        "collected": parts,
    }


def test_a_report_that_does_not_say_what_it_collected_resolves_nothing():
    """Reports written before scope.collected existed: conservative, and the reason says why."""
    old = _report(_finding(), scope={"accounts": [ACCOUNT_ID], "regions": [HOME], "skipped_regions": []})
    result = diff_reports(_report(_finding(), scope=_scope_of_everything()), _report(scope=old["scope"]))
    (finding,) = result.not_rechecked
    assert result.resolved == () and "does not record which checks ran" in finding["reason"]
    assert result.exit_code(Severity.HIGH) == 3
    # Against a report that says it re-checked everything, the same absence is a fix.
    fixed = diff_reports(_report(_finding(), scope=_scope_of_everything()), _report(scope=_scope_of_everything()))
    assert len(fixed.resolved) == 1 and fixed.not_rechecked == () and fixed.exit_code(Severity.HIGH) == 0


def test_the_lambda_alerts_by_the_same_rule():
    """The Lambda compares with the previous latest.json through the diff: a finding the previous (partial)
    run could not see is not counted as new, yet it is still sent, named for what it is."""
    full = _scope_of_everything()
    blind = full | {"collected": []}  # the previous run reached no region of the account
    diff = lambda_handler.compare(_report(scope=blind), _report(_finding(), scope=full))
    assert (len(diff.new), len(diff.not_checked_before)) == (0, 1)
    assert len(diff.alerting(Severity.HIGH)) == 1
    config = lambda_handler.LambdaConfig(
        regions=(HOME,),
        accounts=(),
        organization=False,
        role_name=None,
        checks=None,
        fail_on=Severity.HIGH,
        bucket="b",
        prefix="p/",
        topic_arn="arn:aws:sns:us-east-1:123456789012:t",
    )
    subject, message = lambda_handler._message(diff, config, "p/key.json", partial=False)
    assert subject == "vpce-audit: 0 new finding(s) at or above high, 1 not checked before"
    assert f"account {ACCOUNT_ID} was not scanned in {HOME}" in message
    # and an earlier finding this run could not re-check is not resolved
    gone = lambda_handler.compare(_report(_finding(), scope=full), _report(scope=blind))
    assert gone.resolved == () and len(gone.not_rechecked) == 1


# --- 2. scanning nothing is an error --------------------------------------------------------------------


def _one_line(result, text: str) -> None:
    assert result.code == 2, result.stderr
    assert result.stdout == "" and result.stderr.count("\n") == 1
    assert result.stderr.startswith("vpce-audit: error: ") and text in result.stderr


def test_excluding_every_account_is_refused_before_any_call(server):
    result = server.cli(
        "scan", "--role-name", ROLE, "--accounts", ACCOUNT_ID, "--exclude-accounts", ACCOUNT_ID, credentials=False
    )
    _one_line(result, "nothing left to scan: --exclude-accounts leaves out every account of --accounts")


def test_an_organization_with_nothing_left_to_scan_is_refused(server, monkeypatch):
    server.reset()
    with fake_aws_env(AWS_ENDPOINT_URL=server.url):
        built = build_org(boto3.Session(region_name=HOME), 1, {})
    try:
        everyone = ",".join(built.accounts)
        result = server.cli("scan", "--organization", "--role-name", ROLE, "--exclude-accounts", everyone)
        _one_line(result, "nothing left to scan: the organization has no ACTIVE account outside --exclude-accounts")
        # ListAccounts answering no ACTIVE account at all (closed accounts only), in-process:
        monkeypatch.setattr(scope, "organization_accounts", lambda *_: [])
        with fake_aws_env(AWS_ENDPOINT_URL=server.url), pytest.raises(InputError, match=r"has no ACTIVE account$"):
            request = ScopeRequest(regions=(HOME,), role_name=ROLE, organization=True)
            scope.build_plan(request, CallCounter(), HOME)
    finally:
        built.close()


# --- 3. two profiles for one account keep every region --------------------------------------------------


def test_two_profiles_of_one_account_scan_both_home_regions(server, tmp_path):
    """`--profile other --profile dev`: one account (the same keys), home regions eu-west-1 and us-east-1.
    The account is scanned once, in the union of the regions (before: the first profile's only)."""
    server.reset()
    keys = "".join(f"{k.lower()} = {FAKE_ENV[k]}\n" for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"))
    config = tmp_path / "config"
    config.write_text(f"[profile other]\nregion = eu-west-1\n{keys}\n[profile dev]\nregion = {HOME}\n{keys}")
    result = server.cli(
        "scan",
        "--profile",
        "other",
        "--profile",
        "dev",
        "-o",
        "json",
        "--fail-on",
        "none",
        credentials=False,
        env={"AWS_CONFIG_FILE": str(config), "AWS_REGION": None, "AWS_DEFAULT_REGION": None},
    )
    assert result.code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["scope"]["accounts"] == [ACCOUNT_ID] and doc["scope"]["regions"] == ["eu-west-1", HOME]
    parts = [(p["account_id"], p["region"]) for p in doc["scope"]["collected"]]
    assert parts == [(ACCOUNT_ID, "eu-west-1"), (ACCOUNT_ID, "global"), (ACCOUNT_ID, HOME)]
    # AWS_REGION names the region for every profile, as in the AWS CLI.
    pinned = server.cli(
        "scan",
        "--profile",
        "other",
        "--profile",
        "dev",
        "-o",
        "json",
        "--fail-on",
        "none",
        credentials=False,
        env={"AWS_CONFIG_FILE": str(config), "AWS_REGION": HOME, "AWS_DEFAULT_REGION": None},
    )
    assert json.loads(pinned.stdout)["scope"]["regions"] == [HOME]


# --- 4. formats honoured or refused up front ------------------------------------------------------------

HOSTILE = '<script>alert("x")</script> | **bold** [link](http://evil)'


def test_diff_renders_every_format_it_offers_and_refuses_the_others(server, tmp_path):
    old = tmp_path / "old.json"
    new = tmp_path / "new.json"
    old.write_text(json.dumps(_report(scope=_scope_of_everything())))
    new.write_text(json.dumps(_report(_finding() | {"message": HOSTILE}, scope=_scope_of_everything())))
    page = tmp_path / "d.html"
    result = server.cli("diff", str(old), str(new), "-o", "html", "--output-file", str(page))
    assert result.code == 1, result.stderr  # a new high finding
    text = page.read_text()
    assert text.startswith("<!DOCTYPE html>") and "<script" not in text.lower() and "http://evil" in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert "<link" not in text and "src=" not in text  # self-contained: nothing fetched
    markdown = cli("diff", str(old), str(new), "-o", "markdown")
    assert markdown.code == 1 and markdown.stdout.startswith("# vpce-audit diff")
    row = next(line for line in markdown.stdout.splitlines() if "vpce-1" in line)
    assert row.count(" | ") == 5  # the message's own | is escaped: still six cells
    assert "\\<script\\>" in row and "\\*\\*bold\\*\\*" in row and "\\[link\\]" in row
    for fmt in ("csv", "asff", "ocsf"):
        refused = cli("diff", str(old), str(new), "-o", fmt, "--output-file", str(tmp_path / f"d.{fmt}"))
        _one_line(refused, f"'{fmt}' is not one of 'table', 'json', 'markdown', 'html'")
        assert not (tmp_path / f"d.{fmt}").exists()


def test_each_command_offers_only_the_formats_it_renders(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    offers = {cmd: cli(cmd, "--help").stdout for cmd in ("checks", "diff", "scan")}
    assert "<table|json>" in offers["checks"]
    assert "<table|json|markdown|html>" in offers["diff"]
    assert "<table|json|csv|asff|ocsf|html|junit|markdown>" in offers["scan"]


# --- 6. a query mistake is a usage error ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("unknown_fn(findings)", "invalid --query: unknown function unknown_fn() (JMESPath has abs, avg,"),
        ("length(findings, errors)", "invalid --query: length() takes 1 argument(s), not 2"),
        ("findings[?contains(not_a_fn(@), 'x')]", "unknown function not_a_fn()"),
    ],
)
def test_a_query_with_an_unknown_function_fails_before_the_scan(server, tmp_path, query, message):
    snapshot = tmp_path / "snap.json"
    # No credentials: had the scan started it would fail on them; the query is refused first.
    result = server.cli("scan", "--region", HOME, "--query", query, "--save-snapshot", str(snapshot), credentials=False)
    _one_line(result, message)
    assert not snapshot.exists()


def test_a_query_type_error_is_one_short_line_exit_2(server):
    world = server.build("single-az")  # one finding: sum() of objects is a type error
    try:
        result = server.cli("scan", "--region", HOME, "--query", "sum(findings)")
    finally:
        world.close()
    _one_line(result, "vpce-audit: error: --query: sum() expects array-number, got dict")
    assert len(result.stderr) < 120


# --- 9. help and entry points ---------------------------------------------------------------------------

COMMANDS = ("scan", "audit", "demo", "diff", "checks", "schema", "iam-policy")


def test_a_bare_command_prints_help_and_exits_2_and_dash_h_is_help(server):
    bare = server.cli()
    assert bare.code == 2 and "Usage: vpce-audit [OPTIONS] COMMAND" in bare.stdout + bare.stderr
    short = server.cli("scan", "-h")
    assert short.code == 0 and "Usage: vpce-audit scan [OPTIONS]" in short.stdout and short.stderr == ""


def test_dash_h_is_help_everywhere_with_examples_and_environment(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    assert cli("-h") == cli("--help") and cli("-h").code == 0
    for command in COMMANDS:
        short, long = cli(command, "-h"), cli(command, "--help")
        assert short.code == 0 and short == long, command
        assert "Examples:" in short.stdout and "Environment:" in short.stdout, command
    text = " ".join(cli("scan", "-h").stdout.split())
    for variable in ("AWS_PROFILE", "AWS_REGION", "AWS_ENDPOINT_URL", "NO_COLOR"):
        assert variable in text


def test_checks_shows_each_checks_meaning_within_the_width(server):
    table = server.cli("checks", env={"COLUMNS": "90"})
    assert table.code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["id", "severity", "title", "meaning"]
    assert max(len(line) for line in lines) <= 90
    words = " ".join(table.stdout.split())
    meanings = " ".join(line[len(lines[1].rsplit("  ", 1)[0]) + 2 :].strip() for line in lines[2:])
    for check in REGISTRY.values():  # each summary, whole, in the meaning column
        assert check.title.split()[0] in words
        assert " ".join(check.summary.split()) in " ".join(meanings.split()), check.id
