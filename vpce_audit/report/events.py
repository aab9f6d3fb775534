"""EventBridge events (opt-in, `--event-bus NAME`): one per new finding and one run summary.

Every event has `source` "vpce-audit" and one of two `detail-type`s:
- "vpce-audit Finding": detail {"schema": "vpce-audit/event/finding/v1", "generated_at", "finding"}, where
  `finding` is the finding exactly as the JSON report writes it (report/schema.py). "New" means absent from
  the previous report (`--previous`); without one, every finding is new. Suppressed findings are accepted
  risks: counted in the summary, never sent as events.
- "vpce-audit Run Summary": detail {"schema": "vpce-audit/event/summary/v1", "generated_at", "tool_version",
  "accounts", "regions", "endpoints", "findings", "findings_by_severity", "new_findings", "suppressed",
  "errors", "partial"}.
`vpce-audit schema --events` prints the JSON Schema of both details.

PutEvents takes at most 10 entries per call and 256 KB per call, entry sizes counted as the EventBridge
documentation says (Source, DetailType, Detail and each Resources entry in UTF-8 bytes). A finding event too
large on its own is sent without its evidence (marked `evidence_truncated`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import boto3

from vpce_audit.aws.clients import ClientFactory
from vpce_audit.model.findings import Finding
from vpce_audit.report.asff import resource_type_and_arn
from vpce_audit.report.model import Report

SOURCE = "vpce-audit"
FINDING_DETAIL_TYPE = "vpce-audit Finding"
SUMMARY_DETAIL_TYPE = "vpce-audit Run Summary"
FINDING_SCHEMA = "vpce-audit/event/finding/v1"
SUMMARY_SCHEMA = "vpce-audit/event/summary/v1"
PUT_OPERATION = "events:PutEvents"
MAX_ENTRIES = 10  # PutEvents entries per call
MAX_REQUEST_BYTES = 256 * 1024  # PutEvents entry sizes per call

Entry = dict[str, Any]


def entry_size(entry: Entry) -> int:
    """The entry's size as EventBridge counts it."""
    size = 14 if "Time" in entry else 0
    size += len(entry["Source"].encode()) + len(entry["DetailType"].encode()) + len(entry["Detail"].encode())
    return size + sum(len(r.encode()) for r in entry.get("Resources", ()))


def _detail(doc: dict[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def finding_entry(f: Finding, generated_at: str, bus: str) -> Entry:
    document = f.to_dict()
    entry: Entry = {
        "Source": SOURCE,
        "DetailType": FINDING_DETAIL_TYPE,
        "EventBusName": bus,
        "Detail": _detail({"schema": FINDING_SCHEMA, "generated_at": generated_at, "finding": document}),
    }
    _, arn = resource_type_and_arn(f.resource_id, f.account_id, f.region)
    if arn.startswith("arn:"):
        entry["Resources"] = [arn]
    if entry_size(entry) > MAX_REQUEST_BYTES:
        document = {**document, "evidence": {}, "evidence_truncated": True}
        entry["Detail"] = _detail({"schema": FINDING_SCHEMA, "generated_at": generated_at, "finding": document})
    return entry


def new_findings(report: Report, previous: Sequence[dict[str, Any]] | None) -> list[Finding]:
    """Unsuppressed findings whose identity the previous report does not hold (all of them without one)."""
    from vpce_audit.report.securityhub import identity_of

    before = {identity_of(doc) for doc in previous or ()}
    return [f for f in report.active_findings() if f.identity() not in before]


def summary_detail(report: Report, new: int) -> dict[str, Any]:
    return {
        "schema": SUMMARY_SCHEMA,
        "generated_at": report.generated_at,
        "tool_version": report.tool_version,
        "accounts": sorted(report.accounts),
        "regions": sorted(report.regions),
        "endpoints": len(report.endpoints),
        "findings": len(report.findings),
        "findings_by_severity": report.counts(),
        "new_findings": new,
        "suppressed": report.suppressed_count,
        "errors": len(report.errors),
        "partial": report.partial,
    }


def event_entries(report: Report, previous: Sequence[dict[str, Any]] | None, bus: str) -> list[Entry]:
    """One entry per new finding, then the run summary."""
    new = new_findings(report, previous)
    entries = [finding_entry(f, report.generated_at, bus) for f in new]
    summary = {
        "Source": SOURCE,
        "DetailType": SUMMARY_DETAIL_TYPE,
        "EventBusName": bus,
        "Detail": _detail(summary_detail(report, len(new))),
    }
    return [*entries, summary]


def event_batches(entries: list[Entry]) -> list[list[Entry]]:
    """At most 10 entries and 256 KB per PutEvents call, in order."""
    out: list[list[Entry]] = []
    size = 0
    for entry in entries:
        n = entry_size(entry)
        if not out or len(out[-1]) == MAX_ENTRIES or size + n > MAX_REQUEST_BYTES:
            out.append([])
            size = 0
        out[-1].append(entry)
        size += n
    return out


@dataclass(frozen=True, slots=True)
class SendResult:
    sent: int
    failed: tuple[str, ...]  # "DetailType: ErrorCode ErrorMessage" per entry EventBridge refused
    calls: int


def send_events(session: boto3.Session, region: str, entries: list[Entry]) -> SendResult:
    """PutEvents to the bus in `region`; the client factory allows this one write and refuses every other."""
    factory = ClientFactory(session, allow_writes=frozenset({PUT_OPERATION}))
    client = factory.client("events", region)
    failed: list[str] = []
    for batch in event_batches(entries):
        response = client.put_events(Entries=batch)
        for entry, result in zip(batch, response.get("Entries", []), strict=False):
            if result.get("ErrorCode"):
                failed.append(f"{entry['DetailType']}: {result['ErrorCode']} {result.get('ErrorMessage', '')}".strip())
    return SendResult(sent=len(entries) - len(failed), failed=tuple(failed), calls=factory.counter.total)


def event_schemas() -> dict[str, Any]:
    """JSON Schemas (draft 2020-12) of the two event details."""
    from vpce_audit.report.schema import SEVERITIES, _finding

    count = {"type": "integer", "minimum": 0}
    finding = _finding()
    finding = {**finding, "properties": {**finding["properties"], "evidence_truncated": {"const": True}}}
    return {
        FINDING_DETAIL_TYPE: {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": f"detail of a {FINDING_DETAIL_TYPE} event (source {SOURCE})",
            "type": "object",
            "required": ["schema", "generated_at", "finding"],
            "additionalProperties": False,
            "properties": {"schema": {"const": FINDING_SCHEMA}, "generated_at": {"type": "string"}, "finding": finding},
        },
        SUMMARY_DETAIL_TYPE: {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": f"detail of a {SUMMARY_DETAIL_TYPE} event (source {SOURCE})",
            "type": "object",
            "additionalProperties": False,
            "required": sorted(summary_keys()),
            "properties": {
                "schema": {"const": SUMMARY_SCHEMA},
                "generated_at": {"type": "string"},
                "tool_version": {"type": "string"},
                "accounts": {"type": "array", "items": {"type": "string"}},
                "regions": {"type": "array", "items": {"type": "string"}},
                "endpoints": count,
                "findings": count,
                "findings_by_severity": {
                    "type": "object",
                    "properties": {s: count for s in SEVERITIES},
                    "required": SEVERITIES,
                    "additionalProperties": False,
                },
                "new_findings": count,
                "suppressed": count,
                "errors": count,
                "partial": {"type": "boolean"},
            },
        },
    }


def summary_keys() -> frozenset[str]:
    return frozenset(
        {
            "schema",
            "generated_at",
            "tool_version",
            "accounts",
            "regions",
            "endpoints",
            "findings",
            "findings_by_severity",
            "new_findings",
            "suppressed",
            "errors",
            "partial",
        }
    )
