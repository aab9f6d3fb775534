"""CloudWatch Embedded Metric Format: one JSON object per line on stdout, which Lambda's log pipeline turns
into metrics, so alarms need no PutMetricData call (and no write permission)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

NAMESPACE = "VpceAudit"


def emf_document(
    metrics: Mapping[str, tuple[float, str]],
    dimensions: Mapping[str, str],
    timestamp_ms: int,
    namespace: str = NAMESPACE,
) -> dict[str, Any]:
    """One EMF object: metric name -> (value, unit); every dimension is also a top-level member, as EMF wants."""
    return {
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": namespace,
                    "Dimensions": [sorted(dimensions)],
                    "Metrics": [{"Name": name, "Unit": unit} for name, (_, unit) in sorted(metrics.items())],
                }
            ],
        },
        **dict(dimensions),
        **{name: value for name, (value, _) in metrics.items()},
    }


def run_metrics(
    scope: str,
    counts: Mapping[str, int],
    *,
    endpoints: int,
    errors: int,
    new_findings: int,
    duration_ms: float,
    timestamp_ms: int,
) -> list[dict[str, Any]]:
    """A run line (endpoints, errors, new findings, duration) and one line per severity with its count."""
    run = emf_document(
        {
            "Endpoints": (endpoints, "Count"),
            "CollectionErrors": (errors, "Count"),
            "NewFindings": (new_findings, "Count"),
            "Duration": (round(duration_ms, 1), "Milliseconds"),
        },
        {"Scope": scope},
        timestamp_ms,
    )
    per_severity = [
        emf_document({"Findings": (n, "Count")}, {"Scope": scope, "Severity": severity}, timestamp_ms)
        for severity, n in counts.items()
    ]
    return [run, *per_severity]


def emf_lines(documents: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(d, sort_keys=True, separators=(",", ":")) + "\n" for d in documents)
