"""CSV for spreadsheets: one row per finding, stable columns, in the report's order (worst first). A finding a
suppression accepted says so in the last two columns (`suppressed` true/false, `suppression_reason`)."""

from __future__ import annotations

import csv
import io

from vpce_audit.model.findings import Finding
from vpce_audit.report.model import Report

COLUMNS = (
    "severity",
    "check_id",
    "account_id",
    "region",
    "vpc_id",
    "resource_id",
    "title",
    "message",
    "related_ids",
    "remediation",
    "suppressed",
    "suppression_reason",
)


# A cell starting with one of these is a formula to Excel and LibreOffice; names and tags come from AWS
# accounts we do not control, so such a cell is quoted with a leading apostrophe (OWASP's advice).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _row(f: Finding) -> list[str]:
    return [
        _cell(v)
        for v in (
            str(f.severity),
            f.check_id,
            f.account_id,
            f.region,
            f.vpc_id,
            f.resource_id,
            f.title,
            f.message,
            " ".join(sorted(set(f.related_ids))),
            f.remediation,
            "true" if f.suppressed else "false",
            f.suppression.reason if f.suppression is not None else "",
        )
    ]


def render_csv(report: Report) -> str:
    out = io.StringIO()
    # "\n" line endings: the file is text like every other format; spreadsheets read either.
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_row(f) for f in report.findings)
    return out.getvalue()
