"""The JSON document: stable, sorted, versioned (`vpce-audit/report/v1`)."""

from __future__ import annotations

import json
from typing import Any

from vpce_audit.report.model import Report


def dumps(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_json(report: Report) -> str:
    return dumps(report.to_document())
