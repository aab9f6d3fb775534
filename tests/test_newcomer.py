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
