"""The JSON document: stable, sorted, versioned (`vpce-audit/report/v1`)."""

from __future__ import annotations

import io
import json
from typing import IO, Any

from vpce_audit.report.model import Report

# The top-level endpoints list as dumps() writes it empty: sorted keys and a two-space indent put every
# top-level key at exactly this indentation, so the line is unique in the text.
_EMPTY_ENDPOINTS = '\n  "endpoints": []'
_ITEM_INDENT = "\n    "


def dumps(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_json(report: Report) -> str:
    out = io.StringIO()
    write_json(report, out)
    return out.getvalue()


def write_json(report: Report, out: IO[str]) -> None:
    """The same text as dumps(report.to_document()), written one endpoint at a time. An organisation's report
    is mostly its endpoints' verdicts (a few GB at 100,000 endpoints): building the whole document and its text at once
    would need several times that in memory; this holds one endpoint's at a time."""
    head = dumps(report.to_document(endpoints=False))
    at = head.index(_EMPTY_ENDPOINTS) + len(_EMPTY_ENDPOINTS) - 1  # just after the "["
    out.write(head[:at])
    for i, verdict in enumerate(report.endpoints):
        text = json.dumps(verdict.to_dict(), indent=2, sort_keys=True, ensure_ascii=False)
        # JSON strings escape their newlines: every newline in the text is layout, safe to re-indent.
        out.write(("," if i else "") + _ITEM_INDENT + text.replace("\n", _ITEM_INDENT))
    if report.endpoints:
        out.write("\n  ")
    out.write(head[at:])
