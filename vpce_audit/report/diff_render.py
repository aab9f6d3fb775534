"""How `vpce-audit diff` shows a comparison: table, JSON, Markdown or HTML (DIFF_FORMATS).

Every format shows the same thing: the counts, whether the new report is partial, and the findings that are
new, not checked before, resolved and not re-checked (the last two kinds with their reason). Strings come
from reports, which hold names and tags from accounts the reader may not control: Markdown escapes what would
format or link, HTML escapes everything (html.escape, quotes included) and is one self-contained page with no
script, font or image.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable

from vpce_audit.report.diff import ReportDiff
from vpce_audit.report.fit import DEFAULT_WIDTH, fit_table, wrap_text
from vpce_audit.report.json import dumps

Doc = dict[str, object]
Row = list[str]

HEADERS = ["severity", "check", "account", "region", "resource", "finding"]
REASON = "why"


def _sections(diff: ReportDiff) -> list[tuple[str, tuple[Doc, ...], bool]]:
    """(title, findings, with a reason column) in the order a reader acts on them."""
    return [
        ("New", diff.new, False),
        ("Not checked before", diff.not_checked_before, True),
        ("Resolved", diff.resolved, False),
        ("Not re-checked", diff.not_rechecked, True),
    ]


def headline(diff: ReportDiff) -> str:
    counts = (
        f"{len(diff.new)} new, {len(diff.resolved)} resolved, {len(diff.not_rechecked)} not re-checked, "
        f"{len(diff.unchanged)} unchanged"
    )
    if diff.not_checked_before:
        counts += f", {len(diff.not_checked_before)} not checked before"
    return f"old report {diff.old_generated_at or '-'} -> new report {diff.new_generated_at or '-'}: {counts}"


def notes(diff: ReportDiff) -> list[str]:
    """What the counts alone would hide: which side could not see what."""
    lines: list[str] = []
    if diff.new_partial:
        what = []
        if diff.new_errors:
            what.append(f"{diff.new_errors} failed call(s) in its errors")
        if diff.not_rechecked:
            what.append(
                f"{len(diff.not_rechecked)} finding(s) of the old report not re-checked: neither resolved nor still "
                "present, see why below"
            )
        lines.append(f"The new report is partial: {'; '.join(what)}.")
    if diff.not_checked_before:
        lines.append(
            f"The old report could not have seen {len(diff.not_checked_before)} finding(s) of the new one: they may "
            "not be new, see why below."
        )
    if diff.old_errors:
        lines.append(f"The old report is partial: {diff.old_errors} failed call(s) in its errors.")
    return lines


def _cells(finding: Doc, with_reason: bool) -> Row:
    key = str(finding.get("key") or "")
    row = [
        str(finding.get("severity", "")) + (" (suppressed)" if finding.get("suppressed") else ""),
        str(finding["check_id"]),
        str(finding["account_id"]),
        str(finding["region"]),
        str(finding["resource_id"]) + (f" [{key}]" if key else ""),
        str(finding.get("message", "")),
    ]
    return [*row, str(finding.get("reason", ""))] if with_reason else row


def _tables(diff: ReportDiff) -> Iterable[tuple[str, list[str], list[Row]]]:
    for title, findings, with_reason in _sections(diff):
        if findings:
            headers = [*HEADERS, REASON] if with_reason else HEADERS
            yield f"{title} ({len(findings)})", headers, [_cells(f, with_reason) for f in findings]


def _one_text_column(headers: list[str], rows: list[Row]) -> tuple[list[str], list[Row]]:
    """The finding and its reason as one free-text column: two narrow text columns side by side would break
    the IAM action names a reader copies from the reason."""
    if headers[-1] != REASON:
        return headers, rows
    return headers[:-1], [[*row[:-2], f"{row[-2]} (why: {row[-1]})"] for row in rows]


def render_table(diff: ReportDiff, width: int = DEFAULT_WIDTH) -> str:
    """As the scan's table: no line wider than `width`, the check and resource ids kept whole."""
    lines = [line for text in (headline(diff), *notes(diff)) for line in wrap_text(text, width, "  ")]
    lines.append("")
    for title, headers, rows in _tables(diff):
        lines += [title, fit_table(*_one_text_column(headers, rows), width, text=True, keep=(1, 4)), ""]
    return "\n".join(lines).rstrip() + "\n"


def render_json(diff: ReportDiff) -> str:
    return dumps(diff.to_document())


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#!])")


def md(text: str) -> str:
    """One Markdown table cell: one line, with nothing that formats, links or ends the cell."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()).replace("&", "&amp;"))


def render_markdown(diff: ReportDiff) -> str:
    lines = ["# vpce-audit diff", "", md(headline(diff)), ""]
    lines += [f"> {md(n)}" for n in notes(diff)]
    if notes(diff):
        lines.append("")
    for title, headers, rows in _tables(diff):
        lines += [f"## {md(title)}", "", "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(md(c) for c in row) + " |" for row in rows]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin-bottom: 1.5rem; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.note { background: #fff4e0; border-left: 4px solid #e69500; padding: .4rem .8rem; }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def render_html(diff: ReportDiff) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>vpce-audit diff</title><style>{_CSS}</style></head><body>",
        "<h1>vpce-audit diff</h1>",
        f"<p>{_e(headline(diff))}</p>",
        *(f'<p class="note">{_e(n)}</p>' for n in notes(diff)),
    ]
    for title, headers, rows in _tables(diff):
        parts.append(f"<h2>{_e(title)}</h2><table><thead><tr>")
        parts += [f"<th>{_e(h)}</th>" for h in headers]
        parts.append("</tr></thead><tbody>")
        for row in rows:
            parts.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# the table's width is the caller's to give (the terminal's); the others have none
DIFF_FORMATS: dict[str, Callable[[ReportDiff], str]] = {
    "table": render_table,
    "json": render_json,
    "markdown": render_markdown,
    "html": render_html,
}
