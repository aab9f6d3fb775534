"""write_json streams the report one endpoint at a time: its text must be the whole document's, byte for byte,
for every shape of report (none, one and many endpoints; the optional sections). And a baseline is read back
without its verdicts, and diffs as the whole report would."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import boto3
import pytest

from moto_fixtures import World
from tests.conftest import audit
from tests.dns_raw import alias
from tests.raw_snapshot import snapshot
from tests.test_az_loss import world
from vpce_audit.errors import InputError
from vpce_audit.report.diff import diff_reports, load_report, without_verdicts
from vpce_audit.report.json import dumps, render_json, write_json
from vpce_audit.report.model import Report, build_report


def _streamed(report: Report) -> str:
    out = io.StringIO()
    write_json(report, out)
    return out.getvalue()


def test_a_world_with_endpoints_streams_the_same_text(aws: boto3.Session, make_world: Callable[[str], World]) -> None:
    make_world("demo")
    report = audit(aws)
    assert len(report.endpoints) > 1
    assert _streamed(report) == dumps(report.to_document())


def test_the_optional_sections_stream_the_same_text() -> None:
    acct = world(
        [alias("ssm.us-east-1.amazonaws.com", "vpce-0a1b2c3d-abcd1234-us-east-1a.ssm.us-east-1.vpce.amazonaws.com")]
    )
    report = build_report(snapshot(*acct.parts()), ("az-loss-cross-az",), az_loss=True)
    assert report.az_loss is not None and report.endpoints
    assert _streamed(report) == dumps(report.to_document())


def test_a_report_without_endpoints_streams_the_same_text() -> None:
    report = build_report(snapshot())
    assert not report.endpoints
    assert _streamed(report) == dumps(report.to_document())


def test_the_head_leaves_only_the_endpoints_out() -> None:
    acct = world([])
    report = build_report(snapshot(*acct.parts()))
    full, head = report.to_document(), report.to_document(endpoints=False)
    assert full["endpoints"] and head["endpoints"] == []
    assert {k: v for k, v in full.items() if k != "endpoints"} == {k: v for k, v in head.items() if k != "endpoints"}


# Reading a baseline: the diff skips the verdicts, which are nearly all of an organisation's report.
def test_a_baseline_is_read_without_its_verdicts_and_diffs_as_the_whole_report(tmp_path: Path) -> None:
    acct = world(
        [alias("ssm.us-east-1.amazonaws.com", "vpce-0a1b2c3d-abcd1234-us-east-1a.ssm.us-east-1.vpce.amazonaws.com")]
    )
    report = build_report(snapshot(*acct.parts()), ("az-loss-cross-az",), az_loss=True)
    path = tmp_path / "latest.json"
    path.write_text(render_json(report), encoding="utf-8")
    whole = json.loads(path.read_text(encoding="utf-8"))
    read = load_report(path)
    assert whole["endpoints"] and whole["az_loss"] and read["endpoints"] == [] and read["az_loss"] == []
    assert {k: v for k, v in read.items() if k not in ("endpoints", "az_loss")} == {
        k: v for k, v in whole.items() if k not in ("endpoints", "az_loss")
    }
    assert diff_reports(read, whole) == diff_reports(whole, whole)


def test_a_baseline_cut_inside_its_verdicts_is_refused(tmp_path: Path) -> None:
    report = build_report(snapshot(*world([]).parts()))
    text = render_json(report)
    path = tmp_path / "cut.json"
    path.write_text(text[: text.index('"findings"') - 200], encoding="utf-8")  # inside the endpoints list
    with pytest.raises(InputError, match="is not JSON"):
        load_report(path)


def test_a_report_in_another_layout_is_read_whole() -> None:
    document = build_report(snapshot(*world([]).parts())).to_document()
    compact = json.dumps(document, separators=(",", ":"))
    assert json.loads(without_verdicts(compact.splitlines(keepends=True))) == document
