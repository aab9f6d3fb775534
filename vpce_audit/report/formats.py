"""The renderers beyond the table and JSON, by --output name; all read the same Report."""

from __future__ import annotations

from collections.abc import Callable

from vpce_audit.report.asff import asff_findings
from vpce_audit.report.context import RenderContext
from vpce_audit.report.csv import render_csv
from vpce_audit.report.html import render_html
from vpce_audit.report.json import dumps
from vpce_audit.report.junit import render_junit
from vpce_audit.report.markdown import render_markdown
from vpce_audit.report.model import Report
from vpce_audit.report.ocsf import DEFAULT_OCSF_VERSION, ocsf_findings


def render_asff(report: Report) -> str:
    return dumps(asff_findings(report))


def render_ocsf(report: Report, version: str = DEFAULT_OCSF_VERSION) -> str:
    return dumps(ocsf_findings(report, version))


RENDERERS: dict[str, Callable[[Report], str]] = {
    "asff": render_asff,
    "ocsf": render_ocsf,
    "csv": render_csv,
    "html": render_html,
}

# Renderers that also need the threshold and the checks that ran (report/context.py).
CONTEXT_RENDERERS: dict[str, Callable[[Report, RenderContext], str]] = {
    "junit": render_junit,
    "markdown": render_markdown,
}
