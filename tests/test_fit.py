"""The terminal table fits its width (issue 12, item 7): columns and long lines wrap, ids stay whole while
other columns can make room, and no reason is ever cut."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vpce_audit.cli.main import run, table_width
from vpce_audit.dns.kinds import Mode
from vpce_audit.report.fit import DEFAULT_WIDTH, fit_table, wrap_text
from vpce_audit.report.model import Report, build_report
from vpce_audit.report.table import render_table
from vpce_audit.snapshot import load_snapshot, parse_snapshot

ENDPOINT_ID = re.compile(r"vpce-[0-9a-f]{17}")


@pytest.fixture(scope="module")
def demo(demo_snapshot_file: Path) -> Report:
    return build_report(load_snapshot(demo_snapshot_file))


def too_wide(text: str, width: int) -> list[str]:
    return [line for line in text.splitlines() if len(line) > width]


def words(text: str) -> str:
    return " ".join(text.split())


def glyphs(text: str) -> str:
    """Text without its whitespace: a word longer than its column is broken across lines, not lost."""
    return "".join(text.split())


@pytest.mark.parametrize("width", [60, 80, DEFAULT_WIDTH, 132])
def test_demo_fits_every_width_and_keeps_ids_whole(demo: Report, width: int) -> None:
    table = render_table(demo, width=width)
    assert too_wide(table, width) == []
    for v in demo.endpoints if width >= 80 else ():  # an id a reader copies is not split while room allows
        assert any(v.endpoint.id in line for line in table.splitlines()), v.endpoint.id
    for f in demo.findings:  # each finding's message whole, wrapped or not
        assert glyphs(f.message) in glyphs(table)


def test_every_reason_is_whole_never_cut(demo: Report) -> None:
    table = render_table(demo, width=DEFAULT_WIDTH)
    shown = {Mode.BROKEN, Mode.UNKNOWN, Mode.FORWARDED, Mode.NAMES_ONLY}  # the table gives these modes' reasons
    reasons = [p.reason for v in demo.endpoints if v.dns is not None for p in v.dns.vpcs if p.mode in shown]
    assert reasons and any(len(r) > DEFAULT_WIDTH - 30 for r in reasons)  # long enough to need wrapping
    for reason in reasons:
        assert glyphs(reason) in glyphs(table)
    assert "…" not in table


def test_an_absurd_az_id_or_name_still_fits(demo_snapshot_file: Path) -> None:
    text = demo_snapshot_file.read_text()
    absurd = "use1-az1-" + "x" * 150
    text = text.replace('"use1-az1"', f'"{absurd}"').replace('"prod"', '"' + "prod " * 40 + '"')
    snapshot = parse_snapshot(text.encode(), "absurd.json")
    report = build_report(snapshot)
    table = render_table(report, width=DEFAULT_WIDTH)
    assert too_wide(table, DEFAULT_WIDTH) == []
    assert absurd in "".join(table.split())  # broken into pieces, but all of it there


def test_a_table_that_fits_is_left_alone() -> None:
    rows = [["vpce-1", "short text"]]
    assert fit_table(["id", "text"], rows, 100, text=True) == fit_table(["id", "text"], rows, 1000, text=True)
    assert "\n" not in fit_table(["id", "text"], rows, 100, text=True).split("\n", 2)[2]


def test_text_too_narrow_for_its_column_moves_under_its_row() -> None:
    long_text = "word " * 60
    table = fit_table(["resource", "check", "text"], [["vpce-0123456789abcdef0", "az-single", long_text]], 60, True)
    lines = table.splitlines()
    assert lines[0].split() == ["resource", "check"]
    assert lines[2].split() == ["vpce-0123456789abcdef0", "az-single"]
    assert all(line.startswith("    word") for line in lines[3:]) and words(long_text) == words(" ".join(lines[3:]))
    assert too_wide(table, 60) == []


def test_free_lines_wrap_with_an_indent_and_lose_nothing() -> None:
    text = "dns vpce-1 s3: " + "reason " * 40
    lines = wrap_text(text, 50, "    ")
    assert len(lines) > 1 and all(len(line) <= 50 for line in lines)
    assert all(line.startswith("    ") for line in lines[1:]) and words(" ".join(lines)) == words(text)


def test_width_is_columns_then_terminal_then_100(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "72")
    assert table_width(False) == 72 and table_width(True) == 72
    monkeypatch.setenv("COLUMNS", "wide")  # not a number: ignored, as the shell would
    assert table_width(False) == DEFAULT_WIDTH


def test_cli_table_honours_columns(demo_snapshot_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "70")
    assert run(["audit", str(demo_snapshot_file), "--fail-on", "none"]) == 0
    out = capsys.readouterr().out
    assert too_wide(out, 70) == [] and ENDPOINT_ID.search(out)
