"""The snapshot file: what a scan saves is what an audit reads, and a bad file is one clear error."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.conftest import collect
from vpce_audit.errors import CollectionError
from vpce_audit.report.json import render_json
from vpce_audit.report.model import build_report
from vpce_audit.report.table import render_table
from vpce_audit.snapshot import (
    SNAPSHOT_SCHEMA,
    Part,
    Snapshot,
    SnapshotError,
    dump_snapshot,
    load_snapshot,
    to_json_value,
    write_atomic,
)


def small_snapshot(**apis: object) -> Snapshot:
    return Snapshot(
        collected_at="2026-01-02T03:04:05Z",
        accounts=("111111111111",),
        regions=("eu-west-1",),
        parts=(Part("111111111111", "eu-west-1", "2026-01-02T03:04:06Z", dict(apis)),),
        errors=(CollectionError("111111111111", "eu-west-1", "ec2", "DescribeSubnets", "AccessDenied", "no"),),
        vpc_ids=("vpc-1",),
    )


def test_a_scanned_world_survives_the_file_unchanged(make_world, aws, tmp_path):
    make_world("demo")
    snapshot, _ = collect(aws)
    path = tmp_path / "snap.json"
    write_atomic(path, dump_snapshot(snapshot))
    loaded = load_snapshot(path)

    assert loaded.to_dict() == snapshot.to_dict()
    assert dump_snapshot(loaded) == path.read_text()  # stable: saving it again gives the same bytes
    live, offline = build_report(snapshot), build_report(loaded)
    assert render_json(live) == render_json(offline)
    assert render_table(live) == render_table(offline)
    assert live.findings  # the comparison was about something


def test_the_file_format_is_versioned_and_carries_the_scope():
    doc = json.loads(dump_snapshot(small_snapshot(**{"ec2:DescribeVpcs": [{"VpcId": "vpc-1"}]})))
    assert doc["schema"] == SNAPSHOT_SCHEMA == "vpce-audit/snapshot/v1"
    assert doc["collected_at"] == "2026-01-02T03:04:05Z"
    assert doc["scope"] == {
        "accounts": ["111111111111"],
        "regions": ["eu-west-1"],
        "vpc_ids": ["vpc-1"],
        "skipped_regions": [],
    }
    assert doc["parts"] == [
        {
            "account_id": "111111111111",
            "region": "eu-west-1",
            "collected_at": "2026-01-02T03:04:06Z",
            "apis": {"ec2:DescribeVpcs": [{"VpcId": "vpc-1"}]},
        }
    ]
    assert doc["errors"][0]["operation"] == "DescribeSubnets"


def test_an_uncollected_api_stays_absent_and_an_empty_one_stays_empty():
    loaded = Snapshot.from_dict(json.loads(dump_snapshot(small_snapshot(**{"ec2:DescribeVpcEndpoints": []}))))
    (part,) = loaded.parts
    assert part.has("ec2:DescribeVpcEndpoints") and part.items("ec2:DescribeVpcEndpoints") == []
    assert not part.has("ec2:DescribeSubnets")  # failed: unknown, not "no subnets"
    assert loaded.errors == small_snapshot().errors


def test_parts_and_errors_are_written_in_a_fixed_order():
    a = Part("2", "us-east-1", "t", {})
    b = Part("1", "eu-west-1", "t", {})
    e1 = CollectionError("1", "r", "ec2", "B", "c", "m")
    e2 = CollectionError("1", "r", "ec2", "A", "c", "m")
    one = Snapshot("t", ("1", "2"), ("r",), (a, b), (e1, e2))
    other = Snapshot("t", ("1", "2"), ("r",), (b, a), (e2, e1))
    assert dump_snapshot(one) == dump_snapshot(other)
    assert [p["account_id"] for p in one.to_dict()["parts"]] == ["1", "2"]


def test_aws_datetimes_become_iso_strings():
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert to_json_value({"CreationTimestamp": when, "Nested": [when.date()]}) == {
        "CreationTimestamp": "2026-01-02T03:04:05+00:00",
        "Nested": ["2026-01-02"],
    }


BAD_FILES: dict[str, tuple[bytes | None, str]] = {
    "missing": (None, "cannot read"),
    "empty": (b"  \n", "is empty"),
    "not json": (b"{not json", "is not valid JSON (line 1"),
    "binary": (b"\xff\xfe\x00\x81", "is not a text file"),
    "array": (b"[]", "not a vpce-audit snapshot"),
    "other schema": (b'{"schema": "vpce-audit/report/v1"}', "unsupported snapshot schema 'vpce-audit/report/v1'"),
    "no schema": (b'{"parts": []}', "unsupported snapshot schema None"),
    "no parts": (b'{"schema": "vpce-audit/snapshot/v1", "collected_at": "t", "scope": {}}', "malformed snapshot"),
    "apis not an object": (
        b'{"schema": "vpce-audit/snapshot/v1", "collected_at": "t", "scope": {"accounts": [], "regions": []},'
        b' "parts": [{"account_id": "1", "region": "r", "collected_at": "t", "apis": []}]}',
        "malformed snapshot",
    ),
    "part not an object": (
        b'{"schema": "vpce-audit/snapshot/v1", "collected_at": "t", "scope": {"accounts": [], "regions": []},'
        b' "parts": ["x"]}',
        "malformed snapshot",
    ),
    "error missing a field": (
        b'{"schema": "vpce-audit/snapshot/v1", "collected_at": "t", "scope": {"accounts": [], "regions": []},'
        b' "parts": [], "errors": [{"account_id": "1"}]}',
        "malformed snapshot",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_is_one_line_snapshot_error(tmp_path, case):
    content, expected = BAD_FILES[case]
    path = tmp_path / "snap.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SnapshotError) as info:
        load_snapshot(path)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message


def test_a_directory_is_not_a_snapshot(tmp_path):
    with pytest.raises(SnapshotError, match="is a directory"):
        load_snapshot(tmp_path)


def test_write_atomic_replaces_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "out.json"
    write_atomic(path, "first\n")
    write_atomic(path, "second\n")
    assert path.read_text() == "second\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_write_atomic_keeps_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "out.json"
    path.write_text("old\n")
    with pytest.raises(TypeError):
        write_atomic(path, 12345)  # type: ignore[arg-type]
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_write_atomic_into_a_missing_folder_fails_without_leaving_anything(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "missing" / "out.json", "x")
    assert list(tmp_path.iterdir()) == []


def test_relative_paths_work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_atomic(Path("rel.json"), dump_snapshot(small_snapshot()))
    assert load_snapshot("rel.json").to_dict() == small_snapshot().to_dict()
