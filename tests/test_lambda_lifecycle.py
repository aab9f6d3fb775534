"""The Lambda with VPCE_AUDIT_SECURITYHUB and VPCE_AUDIT_EVENT_BUS: latest.json is the previous run."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.conftest import REGION
from tests.test_lambda import FakeContext, bucket, env  # noqa: F401 (fixtures)
from vpce_audit.lambda_handler import handler

pytestmark = pytest.mark.usefixtures("bucket", "env")


def test_two_lambda_runs_import_then_archive_and_send_events(
    make_world: Any, aws: boto3.Session, monkeypatch: Any, capsys: Any
) -> None:
    world = make_world("single-az")
    aws.client("events", region_name=REGION).create_event_bus(Name="audit")
    monkeypatch.setenv("VPCE_AUDIT_SECURITYHUB", "true")
    monkeypatch.setenv("VPCE_AUDIT_EVENT_BUS", "audit")
    first = handler({}, FakeContext(aws_request_id="a"))
    assert first["securityhub"] == {"imported": 1, "archived": 0, "not_rechecked": 0, "failed": []}
    assert first["events"] == {"sent": 2, "failed": []}  # the new finding and the summary
    aws.client("ec2", region_name=REGION).delete_vpc_endpoints(VpcEndpointIds=[world.ids["ep.ssm"]])
    second = handler({}, FakeContext(aws_request_id="b"))
    assert second["securityhub"] == {"imported": 0, "archived": 1, "not_rechecked": 0, "failed": []}
    assert second["events"] == {"sent": 1, "failed": []}  # the summary only
    hub = aws.client("securityhub", region_name=REGION).get_findings()["Findings"]
    assert [(f["RecordState"], f["Compliance"]["Status"]) for f in hub] == [("ARCHIVED", "PASSED")]
    capsys.readouterr()


def test_without_the_settings_nothing_is_sent(make_world: Any, aws: boto3.Session, capsys: Any) -> None:
    make_world("single-az")
    summary = handler({}, FakeContext())
    assert "securityhub" not in summary and "events" not in summary
    assert aws.client("securityhub", region_name=REGION).get_findings()["Findings"] == []
    capsys.readouterr()
