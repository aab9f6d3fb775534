"""`vpce-audit diff OLD NEW`: new, resolved and unchanged findings, exit codes, malformed inputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import audit
from vpce_audit.apis import Api
from vpce_audit.checks import REGISTRY
from vpce_audit.cli.main import run
from vpce_audit.report.diff import diff_findings, diff_reports
from vpce_audit.report.json import render_json

ACCOUNT, REGION = "123456789012", "us-east-1"


def finding(check: str, resource: str, severity: str = "high", related: tuple[str, ...] = (), **extra: Any) -> dict:
    return {
        "check_id": check,
        "severity": severity,
        "title": check,
        "account_id": extra.pop("account_id", ACCOUNT),
        "region": extra.pop("region", REGION),
        "vpc_id": "vpc-1",
        "resource_id": resource,
        "related_ids": list(related),
        "message": extra.pop("message", f"{check} on {resource}"),
        "evidence": {},
        "remediation": "",
        **extra,
    }


def full_scope(accounts: tuple[str, ...] = (ACCOUNT,), regions: tuple[str, ...] = (REGION,)) -> dict:
    """A scope that re-checked everything: every check ran, every API answered in every part."""
    return {
        "accounts": list(accounts),
        "regions": list(regions),
        "skipped_regions": [],
        "checks": sorted(REGISTRY),
        "vpc_ids": [],
        "inputs": sorted(str(a) for a in Api),
        "collected": [{"account_id": a, "region": r, "missing": []} for a in accounts for r in (*regions, "global")],
    }


def report_doc(
    *findings: dict, generated_at: str = "2026-11-01T00:00:00Z", scope: dict | None = None, **extra: Any
) -> dict:
    """A report document; its scope says it re-checked everything unless another is given."""
    return {
        "schema": "vpce-audit/report/v1",
        "generated_at": generated_at,
        "scope": full_scope() if scope is None else scope,
        "findings": list(findings),
        **extra,
    }


def write(tmp_path: Path, name: str, doc: Any) -> str:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(path)


def keys(findings: list[dict] | tuple[dict, ...]) -> list[tuple[str, str]]:
    return [(f["check_id"], f["resource_id"]) for f in findings]


def test_new_resolved_and_unchanged_are_told_apart():
    kept, gone, came = finding("az-gap", "vpce-1"), finding("ep-state", "vpce-2"), finding("az-single", "vpce-3")
    result = diff_reports(report_doc(kept, gone), report_doc(came, kept))
    assert keys(result.new) == [("az-single", "vpce-3")]
    assert keys(result.resolved) == [("ep-state", "vpce-2")]
    assert keys(result.unchanged) == [("az-gap", "vpce-1")]


def test_a_changed_message_or_severity_is_the_same_finding():
    old = finding("az-gap", "vpce-1", severity="medium", message="1 AZ missing")
    new = finding("az-gap", "vpce-1", severity="high", message="2 AZs missing")
    added, resolved, unchanged = diff_findings([old], [new])
    assert (added, resolved) == ([], [])
    assert unchanged == [new]  # the new report's version, so its current severity shows


def test_account_and_region_are_part_of_the_identity():
    old = finding("az-gap", "vpce-1")
    moved = finding("az-gap", "vpce-1", region="eu-west-1")
    other_account = finding("az-gap", "vpce-1", account_id="210987654321")
    added, resolved, unchanged = diff_findings([old], [moved, other_account])
    assert len(added) == 2 and resolved == [old] and unchanged == []


def test_findings_of_one_check_on_one_resource_are_told_apart_by_their_key():
    a = finding("phz-hub-coverage", "vpce-1", key="vpc-a", related=("vpc-hub", "Z1"))
    b = finding("phz-hub-coverage", "vpce-1", key="vpc-b", related=("vpc-hub", "Z1"))
    c = finding("phz-hub-coverage", "vpce-1", key="vpc-c", related=("vpc-hub", "Z1"))
    b_later = finding("phz-hub-coverage", "vpce-1", key="vpc-b", related=("vpc-hub", "Z1", "Z2"), message="other")
    added, resolved, unchanged = diff_findings([a, b], [b_later, c])
    assert [f["key"] for f in added] == ["vpc-c"]
    assert [f["key"] for f in resolved] == ["vpc-a"]
    assert unchanged == [b_later]  # related ids and message changed: the same finding


def test_related_ids_and_message_are_not_identity():
    """A subnet added to an endpoint whose gap stays open: related ids and the message change, the finding
    does not."""
    old = finding("az-gap", "vpce-1", key="", related=("subnet-1", "subnet-2"), message="2 AZs missing")
    new = finding("az-gap", "vpce-1", key="", related=("subnet-1", "subnet-2", "subnet-3"), message="1 AZ missing")
    assert diff_findings([old], [new]) == ([], [], [new])


def test_one_finding_on_each_side_with_different_keys_is_one_new_one_resolved():
    old = finding("gw-rt-gap", "vpce-1", key="rtb-a")
    new = finding("gw-rt-gap", "vpce-1", key="rtb-b")
    assert diff_findings([old], [new]) == ([new], [old], [])


# --- reports written before findings carried a key --------------------------------------------------------


def test_old_reports_without_keys_match_on_related_ids():
    a = finding("dns-shadowed", "vpce-1", related=("vpc-a",))
    b = finding("dns-shadowed", "vpce-1", related=("vpc-b",))
    c = finding("dns-shadowed", "vpce-1", related=("vpc-c",))
    added, resolved, unchanged = diff_findings([a, b], [b, c])
    assert [f["related_ids"] for f in added] == [["vpc-c"]]
    assert [f["related_ids"] for f in resolved] == [["vpc-a"]]
    assert [f["related_ids"] for f in unchanged] == [["vpc-b"]]


def test_old_report_one_finding_whose_related_ids_changed_is_unchanged():
    old = finding("az-gap", "vpce-1", related=("subnet-1",))
    new = finding("az-gap", "vpce-1", related=("subnet-2",))
    assert diff_findings([old], [new]) == ([], [], [new])


def test_an_old_report_against_a_new_one():
    """The first run after the upgrade compares a report without keys with one with keys: findings that
    did not change are unchanged, not all new."""
    old = [finding("az-gap", "vpce-1", related=("subnet-1",)), finding("gw-rt-gap", "vpce-2", related=("rtb-a",))]
    new = [
        finding("az-gap", "vpce-1", key="", related=("subnet-1", "subnet-2")),
        finding("gw-rt-gap", "vpce-2", key="rtb-a", related=("rtb-a",)),
        finding("gw-rt-gap", "vpce-2", key="rtb-b", related=("rtb-b",)),
    ]
    added, resolved, unchanged = diff_findings(old, new)
    assert [f["key"] for f in added] == ["rtb-b"] and resolved == []
    assert keys(unchanged) == [("az-gap", "vpce-1"), ("gw-rt-gap", "vpce-2")]


def test_a_key_that_is_not_a_string_is_one_line_exit_2(tmp_path, capsys):
    good = write(tmp_path, "good.json", report_doc())
    bad = write(tmp_path, "bad.json", report_doc(finding("az-gap", "vpce-1", key=7)))
    assert run(["diff", good, bad]) == 2
    assert capsys.readouterr().err == "vpce-audit: error: " + f"{bad}: finding 0 has a key that is not a string\n"


def test_cli_exit_1_only_when_new_findings_reach_fail_on(tmp_path, capsys):
    old = write(tmp_path, "old.json", report_doc(finding("az-gap", "vpce-1", "critical")))
    new = write(
        tmp_path, "new.json", report_doc(finding("az-gap", "vpce-1", "critical"), finding("az-idle", "vpce-2", "low"))
    )
    assert run(["diff", old, new]) == 0  # the critical one is old; the new one is low
    assert run(["diff", old, new, "--fail-on", "low"]) == 1
    assert run(["diff", old, new, "--fail-on", "none"]) == 0
    assert run(["diff", new, old, "--fail-on", "info"]) == 0  # only a resolution
    capsys.readouterr()


def test_cli_suppressed_new_findings_do_not_fail(tmp_path, capsys):
    old = write(tmp_path, "old.json", report_doc())
    new = write(tmp_path, "new.json", report_doc(finding("az-gap", "vpce-1", suppressed=True)))
    assert run(["diff", old, new, "--fail-on", "info"]) == 0
    assert "(suppressed)" in capsys.readouterr().out


def test_cli_json_and_table_output(tmp_path, capsys):
    old = write(tmp_path, "old.json", report_doc(finding("ep-state", "vpce-2")))
    new = write(tmp_path, "new.json", report_doc(finding("az-single", "vpce-3", "high"), generated_at="2026-11-02"))
    assert run(["diff", old, new, "-o", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "vpce-audit/diff/v1"
    assert doc["summary"] == {"new": 1, "resolved": 1, "unchanged": 0, "not_rechecked": 0, "not_checked_before": 0}
    assert keys(doc["findings"]["new"]) == [("az-single", "vpce-3")]
    assert doc["new"]["generated_at"] == "2026-11-02"
    assert run(["diff", old, new]) == 1
    table = capsys.readouterr().out
    assert "1 new, 1 resolved, 0 not re-checked, 0 unchanged" in " ".join(table.split())
    assert "New (1)" in table and "Resolved (1)" in table and "vpce-3" in table


def test_cli_table_fits_the_terminal_width(tmp_path, capsys, monkeypatch):
    wordy = {**finding("az-single", "vpce-3", "high"), "message": "a reason a reader needs whole " * 12}
    old = write(tmp_path, "old.json", report_doc())
    new = write(tmp_path, "new.json", report_doc(wordy))
    monkeypatch.setenv("COLUMNS", "80")
    assert run(["diff", old, new]) == 1
    table = capsys.readouterr().out
    assert max(len(line) for line in table.splitlines()) <= 80
    assert " ".join(wordy["message"].split()) in " ".join(table.split()) and "vpce-3" in table


def test_cli_writes_the_output_file(tmp_path, capsys):
    old = write(tmp_path, "old.json", report_doc())
    new = write(tmp_path, "new.json", report_doc(finding("az-gap", "vpce-1")))
    out = tmp_path / "diff.json"
    assert run(["diff", old, new, "-o", "json", "--output-file", str(out)]) == 1
    assert capsys.readouterr().out == ""
    assert json.loads(out.read_text())["summary"]["new"] == 1


def test_diff_of_real_reports(make_world, aws):
    """Two scans of a world: the second after a new broken endpoint appeared."""
    world = make_world("single-az")
    before = json.loads(render_json(audit(aws)))
    make_world("ep-failed")
    after = json.loads(render_json(audit(aws)))
    result = diff_reports(before, after)
    assert {f["check_id"] for f in result.new} == {"ep-state"}
    assert result.resolved == ()
    assert [f["resource_id"] for f in result.unchanged] == [world.ids["ep.ssm"]]


MALFORMED = {
    "not json": "{oops",
    "a snapshot, not a report": json.dumps({"schema": "vpce-audit/snapshot/v1", "parts": []}),
    "findings not a list": json.dumps({"schema": "vpce-audit/report/v1", "findings": {}}),
    "finding without resource": json.dumps({"schema": "vpce-audit/report/v1", "findings": [{"check_id": "x"}]}),
    "a JSON list": "[]",
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_input_is_one_line_exit_2(tmp_path, capsys, case):
    good = write(tmp_path, "good.json", report_doc())
    bad = write(tmp_path, "bad.json", MALFORMED[case])
    assert run(["diff", good, bad]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("vpce-audit: error: ")
    assert "bad.json" in err


def test_missing_and_binary_files_are_one_line_exit_2(tmp_path, capsys):
    good = write(tmp_path, "good.json", report_doc())
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00")
    for other in (str(tmp_path / "absent.json"), str(tmp_path / "bin.json")):
        assert run(["diff", other, good]) == 2
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1 and other in err
