"""EventBridge (--event-bus): one event per new finding and a run summary, against moto's PutEvents;
batches of at most 10 entries and 256 KB; details valid against `vpce-audit schema --events`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import jsonschema
import pytest
from moto import mock_aws

from moto_fixtures import fake_aws_env
from tests.conftest import REGION
from vpce_audit.app.job import Job
from vpce_audit.aws.clients import ClientFactory, ReadOnlyViolation
from vpce_audit.cli.main import run
from vpce_audit.model.findings import Suppressed
from vpce_audit.report.events import (
    FINDING_DETAIL_TYPE,
    MAX_ENTRIES,
    MAX_REQUEST_BYTES,
    SOURCE,
    SUMMARY_DETAIL_TYPE,
    entry_size,
    event_batches,
    event_entries,
    event_schemas,
    send_events,
)
from vpce_audit.report.model import Report, build_report
from vpce_audit.snapshot import load_snapshot

BUS = "platform-events"


@pytest.fixture(scope="module")
def report(demo_snapshot_file: Path) -> Report:
    return build_report(load_snapshot(demo_snapshot_file))


@pytest.fixture
def bus() -> Iterator[tuple[boto3.Session, list[list[dict[str, Any]]]]]:
    """A moto EventBridge bus, and every PutEvents request's entries as the client sent them."""
    with fake_aws_env(), mock_aws():
        session = boto3.Session(region_name=REGION)
        session.client("events").create_event_bus(Name=BUS)
        sent: list[list[dict[str, Any]]] = []
        session.events.register(
            "provide-client-params.events.PutEvents", lambda params, **_: sent.append(params["Entries"])
        )
        yield session, sent


def details(sent: list[list[dict[str, Any]]], detail_type: str) -> list[dict[str, Any]]:
    return [json.loads(e["Detail"]) for batch in sent for e in batch if e["DetailType"] == detail_type]


def test_one_event_per_new_finding_and_a_summary(report: Report, bus: Any) -> None:
    session, sent = bus
    accepted = replace(report.findings[0], suppression=Suppressed("known"))
    report = replace(report, findings=(accepted, *report.findings[1:]))
    previous = [report.findings[1].to_dict()]  # already known: not new
    job = Job(event_bus=BUS, event_session=session, event_region=REGION, previous=tuple(previous))
    result = send_events(session, REGION, event_entries(report, job.previous, BUS))
    assert result.failed == () and result.calls == 1
    findings = details(sent, FINDING_DETAIL_TYPE)
    expected = [f.to_dict() for f in report.findings[2:]]  # not the suppressed one, not the known one
    assert [d["finding"] for d in findings] == expected
    (summary,) = details(sent, SUMMARY_DETAIL_TYPE)
    assert summary["new_findings"] == len(expected) and summary["suppressed"] == 1
    assert summary["findings"] == len(report.findings) and summary["partial"] is False
    assert all(e["Source"] == SOURCE and e["EventBusName"] == BUS for batch in sent for e in batch)
    schemas = event_schemas()
    for d in findings:
        jsonschema.validate(d, schemas[FINDING_DETAIL_TYPE])
    jsonschema.validate(summary, schemas[SUMMARY_DETAIL_TYPE])


def test_batches_respect_ten_entries_and_256_kb(report: Report, bus: Any) -> None:
    session, sent = bus
    template = replace(report.findings[0], suppression=None)
    many = tuple(replace(template, resource_id=f"vpce-{i:017x}", message="m" * 40_000) for i in range(45))
    entries = event_entries(replace(report, findings=many), None, BUS)
    result = send_events(session, REGION, entries)
    assert result.sent == 46 and result.failed == ()
    assert sum(len(b) for b in sent) == 46
    assert all(len(b) <= MAX_ENTRIES and sum(entry_size(e) for e in b) <= MAX_REQUEST_BYTES for b in sent)
    assert len(sent) == result.calls and result.calls > 46 // MAX_ENTRIES + 1  # the size split them further
    assert [len(b) for b in event_batches(entries[:3])] == [3]  # small ones share a call


def test_an_oversized_finding_goes_without_its_evidence(report: Report) -> None:
    huge = replace(report.findings[0], evidence={"blob": "x" * MAX_REQUEST_BYTES}, suppression=None)
    (entry, _) = event_entries(replace(report, findings=(huge,)), None, BUS)
    finding = json.loads(entry["Detail"])["finding"]
    assert finding["evidence"] == {} and finding["evidence_truncated"] is True
    assert entry_size(entry) <= MAX_REQUEST_BYTES
    jsonschema.validate(json.loads(entry["Detail"]), event_schemas()[FINDING_DETAIL_TYPE])


def test_the_guard_allows_put_events_only_by_name(bus: Any) -> None:
    session, _ = bus
    with pytest.raises(ReadOnlyViolation):
        ClientFactory(session).client("events", REGION).put_events(Entries=[])
    with pytest.raises(ReadOnlyViolation):
        ClientFactory(session, allow_writes=frozenset({"events:PutEvents"})).client("events", REGION).delete_event_bus(
            Name=BUS
        )


def test_cli_event_bus(demo_snapshot_file: Path, report: Report, capsys: pytest.CaptureFixture[str]) -> None:
    with fake_aws_env(), mock_aws():
        session = boto3.Session(region_name=REGION)
        session.client("events").create_event_bus(Name=BUS)
        sent: list[Any] = []
        boto3.DEFAULT_SESSION = None
        from botocore.session import Session as CoreSession

        original = CoreSession.create_client

        def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
            client = original(self, *args, **kwargs)
            client.meta.events.register(
                "provide-client-params.events.PutEvents", lambda params, **_: sent.append(params)
            )
            return client

        CoreSession.create_client = spy  # type: ignore[method-assign]
        try:
            code = run(["audit", str(demo_snapshot_file), "-o", "json", "--fail-on", "none", "--event-bus", BUS])
        finally:
            CoreSession.create_client = original  # type: ignore[method-assign]
    assert code == 0
    types = [e["DetailType"] for p in sent for e in p["Entries"]]
    assert types == [FINDING_DETAIL_TYPE] * len(report.findings) + [SUMMARY_DETAIL_TYPE]
    assert f"sent {len(types)} event(s) to EventBridge bus {BUS}" in capsys.readouterr().err


def test_cli_event_bus_refuses_a_bad_name(demo_snapshot_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with fake_aws_env():
        assert run(["audit", str(demo_snapshot_file), "--event-bus", "no spaces allowed"]) == 2
    assert "is not an event bus name" in capsys.readouterr().err


def test_schema_command_prints_the_event_schemas(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["schema", "--events"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == {FINDING_DETAIL_TYPE, SUMMARY_DETAIL_TYPE}
