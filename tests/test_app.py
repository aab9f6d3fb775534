"""The application layer (vpce_audit/app/): one job and one validation for the CLI and the Lambda, one set of
exit codes, and the package's logging (`--debug`)."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import boto3
import pytest

from moto_fixtures.hooks import Throttler
from tests.conftest import REGION, collect
from tests.inprocess import cli, no_retry_sleep
from vpce_audit import lambda_handler
from vpce_audit.app import job as app_job
from vpce_audit.app import validate
from vpce_audit.app.exitcodes import ExitCode
from vpce_audit.cli import main as cli_main
from vpce_audit.errors import InputError
from vpce_audit.model.findings import Severity
from vpce_audit.snapshot import dump_snapshot

README = Path(__file__).resolve().parent.parent / "README.md"
BUCKET = "audit-reports"


@pytest.fixture
def lambda_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(lambda_handler.os.environ):
        if key.startswith("VPCE_AUDIT_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("VPCE_AUDIT_BUCKET", BUCKET)
    monkeypatch.setenv("VPCE_AUDIT_REGIONS", REGION)


def lambda_error(event: dict[str, Any]) -> str:
    result = lambda_handler.handler(event, None)
    assert result["status"] == "error", result
    return str(result["error"])


# --- exit codes -----------------------------------------------------------------------------------------------


def test_exit_codes_are_the_ones_the_readme_documents():
    section = README.read_text(encoding="utf-8").split("### Exit codes", 1)[1].split("\n#", 1)[0]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", section, flags=re.MULTILINE)}
    assert documented == {int(code) for code in ExitCode}
    assert len(documented) == len(ExitCode)


# --- one validation -------------------------------------------------------------------------------------------

# The same bad value on the command line and in a Lambda event: (CLI arguments, event, the one line both say,
# with the setting named as it was given).
SAME_INPUT = {
    "unknown region": (
        ["scan", "--region", "mars-east-9"],
        {"regions": ["mars-east-9"]},
        "unknown region(s): mars-east-9",
    ),
    "bad account": (
        ["scan", "--role-name", "R", "--accounts", "12345"],
        {"accounts": ["12345"], "role_name": "R"},
        "'12345' is not an AWS account id (12 digits)",
    ),
    "non-ASCII digits": (
        ["scan", "--role-name", "R", "--accounts", "١٢٣٤٥٦٧٨٩٠١٢"],
        {"accounts": "١٢٣٤٥٦٧٨٩٠١٢", "role_name": "R"},
        "'١٢٣٤٥٦٧٨٩٠١٢' is not an AWS account id (12 digits)",
    ),
    "unknown check": (
        ["scan", "--checks", "az-nope"],
        {"checks": "az-nope"},
        "unknown check id(s): az-nope (see `vpce-audit checks`)",
    ),
    "malformed suppressions": (
        ["scan", "--suppressions", "{file}"],
        {"suppressions": "{file}"},
        "{file}: suppression 1: 'reason' is required and must be a non-empty string",
    ),
    "suppressions not in S3": (
        ["scan", "--suppressions", "s3://bucket-only"],
        {"suppressions": "s3://bucket-only"},
        "{option} 's3://bucket-only' is not an S3 object (s3://bucket/key)",
    ),
}


@pytest.mark.parametrize("case", sorted(SAME_INPUT))
def test_cli_and_lambda_refuse_the_same_input_with_the_same_words(case, lambda_env, tmp_path):
    args, event, message = SAME_INPUT[case]
    bad = tmp_path / "accepted.toml"
    bad.write_text('[[suppression]]\ncheck = "az-single"\nresource = "*"\n')

    def fill(text: str, option: str) -> str:
        return text.replace("{file}", str(bad)).replace("{option}", option)

    result = cli(*(fill(a, "") for a in args))
    assert (result.code, result.stdout) == (ExitCode.USAGE, "")
    assert result.stderr == f"vpce-audit: error: {fill(message, '--suppressions')}\n"
    assert lambda_error({k: fill(v, "") if isinstance(v, str) else v for k, v in event.items()}) == fill(
        message, "suppressions"
    )


def test_fail_on_is_checked_by_the_same_rule(lambda_env):
    """The CLI's --fail-on is a choice typer checks first; the Lambda's fail_on is free text: both become a
    threshold through validate.fail_on."""
    assert validate.fail_on("HIGH") is Severity.HIGH and validate.fail_on("none") is None
    with pytest.raises(InputError, match=r"fail_on must be one of critical, high, medium, low, info, none"):
        validate.fail_on("severe", "fail_on")
    assert lambda_error({"fail_on": "severe"}) == (
        "fail_on must be one of critical, high, medium, low, info, none (got 'severe')"
    )


# --- one job --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("module", [cli_main, lambda_handler], ids=["cli", "lambda"])
def test_entry_points_do_not_orchestrate_a_scan_themselves(module):
    """Planning, collecting, judging and suppressing are the job's (app/job.py): neither entry point holds
    its own copy of those steps."""
    for name in ("build_plan", "execute", "build_report", "apply_suppressions", "CallCounter", "known_regions"):
        assert not hasattr(module, name), name


def test_cli_and_lambda_run_the_same_job(make_world, aws, lambda_env, monkeypatch, capsys):
    make_world("single-az")
    aws.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
    runs: list[tuple[app_job.Scope, app_job.Job]] = []
    real = app_job.scan

    def spy(scope: app_job.Scope, job: app_job.Job) -> app_job.Outcome:
        runs.append((scope, job))
        return real(scope, job)

    monkeypatch.setattr(app_job, "scan", spy)
    by_cli = cli("scan", "--region", REGION, "--checks", "az-single,az-gap", "-o", "json", "--quiet")
    summary = lambda_handler.handler({"checks": "az-gap, az-single"}, None)
    capsys.readouterr()
    ((cli_scope, cli_job), (lambda_scope, lambda_job)) = runs
    assert cli_job.check_ids == lambda_job.check_ids == ("az-gap", "az-single")
    assert cli_job.fail_on is lambda_job.fail_on is Severity.HIGH
    assert cli_scope.request.regions == lambda_scope.request.regions == (REGION,)
    assert lambda_job.output is None  # the Lambda delivers to S3 itself
    stored = json.loads(
        aws.client("s3", region_name=REGION).get_object(Bucket=BUCKET, Key=summary["report_key"])["Body"].read()
    )
    assert stored["findings"] == by_cli.doc["findings"] and by_cli.doc["findings"]
    assert by_cli.code == summary["exit_code"] == ExitCode.FINDINGS


# --- logging and --debug --------------------------------------------------------------------------------------


@pytest.fixture
def snapshot_file(make_world, aws, tmp_path) -> Path:
    make_world("single-az")
    path = tmp_path / "snap.json"
    path.write_text(dump_snapshot(collect(aws)[0]))
    return path


def test_the_package_is_silent_unless_someone_listens():
    handlers = logging.getLogger("vpce_audit").handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


def test_debug_logs_on_stderr_and_changes_nothing_else(snapshot_file):
    quiet = cli("audit", str(snapshot_file), "-o", "json")
    loud = cli("--debug", "audit", str(snapshot_file), "-o", "json")
    assert quiet.stderr == ""
    assert (loud.code, loud.stdout) == (quiet.code, quiet.stdout)
    lines = loud.stderr.splitlines()
    assert lines and all(line.startswith("vpce-audit: debug: ") for line in lines)
    assert any("judged in" in line and "1 finding(s)" in line for line in lines)
    assert any("exit code 1 (FINDINGS)" in line for line in lines)
    assert not logging.getLogger("vpce_audit").isEnabledFor(logging.DEBUG)  # undone when the command ends


def test_debug_shows_the_plan_the_units_and_the_retries(make_world, aws):
    world = make_world("single-az")
    with no_retry_sleep():
        result = cli(
            "--debug", "scan", "--region", REGION, "-o", "json", "--quiet",
            handler=Throttler(0.0, every_operation=True),  # each operation's first attempt is throttled once
        )  # fmt: skip
    assert result.code == ExitCode.FINDINGS, result.stderr
    err = result.stderr
    assert "plan built in" in err and f"plan: {world.account_id} via " in err
    assert f"unit {world.account_id} {REGION} started" in err
    assert re.search(rf"unit {world.account_id} {REGION} finished in [\d.]+ s, 0 error\(s\)", err)
    assert f"unit {world.account_id} route53 finished" in err
    assert "Retry needed" in err
    assert "Not retrying request" not in err  # botocore says it after every call: noise
    assert "aws_secret_access_key" not in err.lower() and "authorization" not in err.lower()


def _broken_build_report(*_: Any, **__: Any) -> Any:
    raise RuntimeError("boom")


def test_internal_error_is_one_line_without_debug_and_the_traceback_with_it(snapshot_file, monkeypatch):
    monkeypatch.setattr(app_job, "build_report", _broken_build_report)
    plain = cli("audit", str(snapshot_file))
    assert plain.code == ExitCode.INTERNAL
    assert plain.stderr == "vpce-audit: error: internal error: RuntimeError: boom\n"
    debug = cli("--debug", "audit", str(snapshot_file))
    assert debug.code == ExitCode.INTERNAL
    assert "Traceback (most recent call last)" in debug.stderr and "_broken_build_report" in debug.stderr
    assert debug.stderr.endswith("vpce-audit: error: internal error: RuntimeError: boom\n")


def test_input_errors_stay_one_line_with_debug(tmp_path):
    result = cli("--debug", "audit", str(tmp_path / "absent.json"))
    assert result.code == ExitCode.USAGE
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("vpce-audit: error: cannot read")


def test_debug_in_the_lambda_goes_to_the_root_logger(make_world, aws, lambda_env, caplog, capsys):
    """The Lambda runtime's handler sits on the root logger: the package's records reach it at DEBUG."""
    make_world("single-az")
    boto3.Session(region_name=REGION).client("s3").create_bucket(Bucket=BUCKET)
    with caplog.at_level(logging.DEBUG, logger="vpce_audit"):
        assert lambda_handler.handler({}, None)["status"] == "ok"
    capsys.readouterr()
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("vpce_audit")]
    assert any(m.startswith("plan built in") for m in messages)
    assert any(m.startswith("judged in") for m in messages)
