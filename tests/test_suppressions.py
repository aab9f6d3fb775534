"""Suppressions: matching, reasons in the JSON, exit codes, expiry, malformed files."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import REGION, collect
from vpce_audit.app.exitcodes import ExitCode
from vpce_audit.app.suppressions import Suppression, apply_suppressions, load_suppressions, parse_suppressions
from vpce_audit.cli.main import run
from vpce_audit.errors import InputError
from vpce_audit.model.findings import Finding, Identity, Severity, Suppressed
from vpce_audit.report.model import build_report
from vpce_audit.snapshot import dump_snapshot

TODAY = dt.date(2026, 11, 27)


def a_finding(check: str = "az-single", resource: str = "vpce-0abc1", **kw: str) -> Finding:
    return Finding(
        account_id=kw.get("account", "111111111111"),
        region=kw.get("region", "us-east-1"),
        vpc_id="vpc-1",
        resource_id=resource,
        message="m",
        check_id=check,
        severity=Severity.HIGH,
        key=kw.get("key", ""),
    )


def identity(check: str = "az-single", resource: str = "vpce-0abc1", **kw: str) -> Identity:
    return a_finding(check, resource, **kw).identity()


def test_entry_matches_check_resource_pattern_account_and_region():
    entry = Suppression("az-single", "vpce-0abc*", "dev", account_id="111111111111", region="us-east-1")
    assert entry.matches(identity())
    assert not entry.matches(identity(check="az-gap"))
    assert not entry.matches(identity(resource="vpce-0xyz"))
    assert not entry.matches(identity(account="222222222222"))
    assert not entry.matches(identity(region="eu-west-1"))
    assert Suppression("az-single", "*", "any").matches(identity(account="222222222222", region="eu-west-1"))


def test_an_entry_with_a_key_pattern_accepts_only_the_findings_it_names():
    """One check raises a finding per spoke VPC about one hub endpoint: accept one spoke, not all of them."""
    entry = Suppression("phz-hub-coverage", "vpce-hub", "spoke a is a test VPC", key="vpc-0a*")
    assert entry.matches(identity("phz-hub-coverage", "vpce-hub", key="vpc-0a1"))
    assert not entry.matches(identity("phz-hub-coverage", "vpce-hub", key="vpc-0b1"))
    assert Suppression("phz-hub-coverage", "vpce-hub", "every spoke").matches(
        identity("phz-hub-coverage", "vpce-hub", key="vpc-0b1")
    )
    assert not entry.matches(identity("phz-hub-coverage", "vpce-hub"))  # a pattern never matches a missing key


def test_expiry_applies_through_the_day_then_stops():
    entry = Suppression("az-single", "*", "r", expires=TODAY)
    assert entry.active(TODAY) and not entry.active(TODAY + dt.timedelta(days=1))


def test_parse_reads_dates_and_strings():
    text = """
[[suppression]]
check = "az-single"
resource = "vpce-*"
reason = "  one AZ   by design "
expires = 2027-01-31

[[suppression]]
check = "az-gap"
resource = "vpce-1"
reason = "r"
account = "111111111111"
region = "eu-west-1"
expires = "2026-12-01"
key = "rtb-0*"
"""
    first, second = parse_suppressions(text, "s.toml", {"az-single", "az-gap"})
    assert first == Suppression("az-single", "vpce-*", "one AZ by design", expires=dt.date(2027, 1, 31))
    assert second.expires == dt.date(2026, 12, 1) and second.region == "eu-west-1" and second.key == "rtb-0*"
    assert first.key is None
    assert parse_suppressions("", "empty.toml") == ()


MALFORMED = {
    "not toml": "[[suppression]\ncheck=",
    "no reason": '[[suppression]]\ncheck = "az-single"\nresource = "*"\n',
    "empty reason": '[[suppression]]\ncheck = "az-single"\nresource = "*"\nreason = " "\n',
    "unknown key": '[[suppression]]\ncheck = "az-single"\nresource = "*"\nreason = "r"\nresources = "x"\n',
    "unknown check": '[[suppression]]\ncheck = "az-singel"\nresource = "*"\nreason = "r"\n',
    "bad date": '[[suppression]]\ncheck = "az-single"\nresource = "*"\nreason = "r"\nexpires = "soon"\n',
    "not an array": '[suppression]\ncheck = "az-single"\n',
    "other top-level key": "suppressions = []\n",
    "account not a string": '[[suppression]]\ncheck = "az-single"\nresource = "*"\nreason = "r"\naccount = 1\n',
    "empty key": '[[suppression]]\ncheck = "az-single"\nresource = "*"\nreason = "r"\nkey = ""\n',
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_file_is_an_input_error(case):
    with pytest.raises(InputError, match=r"bad\.toml"):
        parse_suppressions(MALFORMED[case], "bad.toml", {"az-single"})


# --- through the CLI, on a snapshot of a world with one high finding (az-single) ------------------------


@pytest.fixture
def snapshot_file(make_world, aws, tmp_path) -> tuple[Path, str]:
    world = make_world("single-az")
    snapshot, _ = collect(aws)
    path = tmp_path / "snap.json"
    path.write_text(dump_snapshot(snapshot))
    return path, world.ids["ep.ssm"]


def suppressions_file(tmp_path: Path, body: str) -> str:
    path = tmp_path / "suppressions.toml"
    path.write_text(body)
    return str(path)


def test_suppressed_finding_stays_in_json_and_does_not_fail(snapshot_file, tmp_path, capsys):
    snap, endpoint = snapshot_file
    assert run(["audit", str(snap), "-o", "json"]) == 1
    capsys.readouterr()
    sup = suppressions_file(
        tmp_path, f'[[suppression]]\ncheck = "az-single"\nresource = "{endpoint[:9]}*"\nreason = "dev VPC"\n'
    )
    assert run(["audit", str(snap), "-o", "json", "--suppressions", sup]) == 0
    doc = json.loads(capsys.readouterr().out)
    (f,) = [f for f in doc["findings"] if f["check_id"] == "az-single"]
    assert f["suppressed"] is True and f["suppression_reason"] == "dev VPC"
    assert doc["suppressions"] == {"suppressed": 1, "expired": []}
    summary = doc["summary"]
    assert summary["findings_by_severity"]["high"] == 1  # still counted as found, only accepted
    # ... and counted apart from the active ones (issue 12, item 11)
    assert summary["active_by_severity"]["high"] == 0 and summary["suppressed"] == 1
    assert summary["active"] == summary["findings"] - 1


@pytest.mark.parametrize("fmt", ["table", "html", "markdown"])
def test_every_summary_counts_suppressed_apart_from_active(snapshot_file, tmp_path, capsys, fmt):
    snap, endpoint = snapshot_file
    sup = suppressions_file(tmp_path, f'[[suppression]]\ncheck = "az-single"\nresource = "{endpoint}"\nreason = "r"\n')
    assert run(["audit", str(snap), "-o", fmt, "--suppressions", sup, "--fail-on", "none"]) == 0
    out = capsys.readouterr().out
    if fmt == "table":
        head = " ".join(out.split("\n\n", 1)[0].split())
        assert "0 high" in head and "1 suppressed (not counted above)" in head
    elif fmt == "html":
        summary = out.split('<header id="summary">')[1].split("</header>")[0]
        assert 'sev-high">high</span> 0<' in summary and "<th>suppressed</th><td>1</td>" in summary
    else:
        assert "| high | 0 | 1 |" in out


def test_non_matching_entry_changes_nothing(snapshot_file, tmp_path, capsys):
    snap, _ = snapshot_file
    sup = suppressions_file(tmp_path, '[[suppression]]\ncheck = "az-single"\nresource = "vpce-nope"\nreason = "x"\n')
    assert run(["audit", str(snap), "-o", "json", "--suppressions", sup]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert not any(f.get("suppressed") for f in doc["findings"])
    assert doc["suppressions"]["suppressed"] == 0


def test_expired_entry_stops_applying_and_is_reported(snapshot_file, tmp_path, capsys):
    snap, endpoint = snapshot_file
    body = (
        f'[[suppression]]\ncheck = "az-single"\nresource = "{endpoint}"\nreason = "until fixed"\nexpires = 2020-01-01\n'
    )
    assert run(["audit", str(snap), "-o", "json", "--suppressions", suppressions_file(tmp_path, body)]) == 1
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert not any(f.get("suppressed") for f in doc["findings"])
    assert doc["suppressions"]["expired"] == [
        {"check_id": "az-single", "resource": endpoint, "reason": "until fixed", "expires": "2020-01-01"}
    ]
    assert "suppression expired on 2020-01-01" in err


def test_without_suppressions_the_document_is_unchanged(snapshot_file, capsys):
    snap, _ = snapshot_file
    run(["audit", str(snap), "-o", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert "suppressions" not in doc and not any("suppressed" in f for f in doc["findings"])


def test_apply_marks_the_findings_themselves_and_keeps_the_first_reason(snapshot_file):
    snap, endpoint = snapshot_file
    from vpce_audit.snapshot import load_snapshot

    report = build_report(load_snapshot(snap))
    until = TODAY + dt.timedelta(days=30)
    entries = (Suppression("az-single", endpoint, "first", expires=until), Suppression("az-single", "*", "second"))
    marked = apply_suppressions(report, entries, TODAY)
    assert [f.suppression for f in marked.findings] == [
        Suppressed("first", until) if f.check_id == "az-single" else None for f in report.findings
    ]
    assert [replace(f, suppression=None) for f in marked.findings] == list(report.findings)  # nothing else changed
    assert marked.exit_code(Severity.HIGH) is ExitCode.OK and report.exit_code(Severity.HIGH) is ExitCode.FINDINGS


@pytest.mark.parametrize("case", ["not toml", "no reason", "unknown check"])
def test_malformed_file_on_the_cli_is_one_line_exit_2(snapshot_file, tmp_path, capsys, case):
    snap, _ = snapshot_file
    assert run(["audit", str(snap), "--suppressions", suppressions_file(tmp_path, MALFORMED[case])]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("vpce-audit: error: ")
    assert "suppressions.toml" in err


def test_missing_file_is_one_line_exit_2(snapshot_file, tmp_path, capsys):
    snap, _ = snapshot_file
    assert run(["audit", str(snap), "--suppressions", str(tmp_path / "absent.toml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "absent.toml" in err


# --- from S3 (s3:GetObject, the read-only guard lets it through) ------------------------------------------

ENTRY = '[[suppression]]\ncheck = "az-single"\nresource = "vpce-*"\nreason = "kept in S3"\n'


def test_entries_are_read_from_s3(aws):
    s3 = aws.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="audit-config")
    s3.put_object(Bucket="audit-config", Key="audit/accepted.toml", Body=ENTRY.encode())
    (entry,) = load_suppressions("s3://audit-config/audit/accepted.toml", {"az-single"}, session=aws, region=REGION)
    assert entry == Suppression("az-single", "vpce-*", "kept in S3")


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("s3://audit-config/absent.toml", r"s3:GetObject NoSuchKey"),
        ("s3://no-such-bucket/a.toml", r"s3:GetObject NoSuchBucket"),
        ("s3://audit-config", r"not an S3 object \(s3://bucket/key\)"),
        ("s3://audit-config/binary.toml", r"not a text file"),
    ],
)
def test_s3_failures_are_one_line_input_errors(aws, location, message):
    s3 = aws.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="audit-config")
    s3.put_object(Bucket="audit-config", Key="binary.toml", Body=b"\xff\xfe\x00")
    with pytest.raises(InputError, match=message) as caught:
        load_suppressions(location, {"az-single"}, option="suppressions", session=aws, region=REGION)
    assert "\n" not in str(caught.value) and "suppressions" in str(caught.value)


def test_cli_reads_suppressions_from_s3(snapshot_file, aws, capsys):
    snap, _ = snapshot_file
    s3 = aws.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="audit-config")
    s3.put_object(Bucket="audit-config", Key="accepted.toml", Body=ENTRY.encode())
    assert run(["audit", str(snap), "-o", "json", "--suppressions", "s3://audit-config/accepted.toml"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [f["suppression_reason"] for f in doc["findings"] if f.get("suppressed")] == ["kept in S3"]
