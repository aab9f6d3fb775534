"""The Lambda handler against moto (S3, SNS, SQS to read what SNS sent, STS, EC2, Organizations)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.conftest import REGION
from vpce_audit import lambda_handler
from vpce_audit.aws.clients import ReadOnlyViolation
from vpce_audit.lambda_handler import ReportWriteError, handler, load_config, run

BUCKET, PREFIX = "audit-reports", "nightly"


@dataclass
class FakeContext:
    """Lambda's context: remaining time per call (the last value repeats), and a request id."""

    remaining_ms: list[int] = field(default_factory=lambda: [900_000])
    aws_request_id: str = "req-0001"
    calls: int = 0

    def get_remaining_time_in_millis(self) -> int:
        self.calls += 1
        return self.remaining_ms.pop(0) if len(self.remaining_ms) > 1 else self.remaining_ms[0]


@pytest.fixture
def bucket(aws: boto3.Session) -> Any:
    s3 = aws.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    return s3


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key in list(lambda_handler.os.environ):
        if key.startswith("VPCE_AUDIT_"):
            monkeypatch.delenv(key)
    values = {"VPCE_AUDIT_BUCKET": BUCKET, "VPCE_AUDIT_PREFIX": PREFIX, "VPCE_AUDIT_REGIONS": REGION}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def subscribed_queue(aws: boto3.Session) -> tuple[str, str]:
    sns, sqs = aws.client("sns", region_name=REGION), aws.client("sqs", region_name=REGION)
    topic = sns.create_topic(Name="vpce-audit")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    return topic, queue_url


def received(aws: boto3.Session, queue_url: str) -> list[dict]:
    sqs = aws.client("sqs", region_name=REGION)
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    for m in messages:
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
    return [json.loads(m["Body"]) for m in messages]


def stored(s3: Any, key: str) -> dict:
    return json.loads(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())


def emf_objects(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{") and "_aws" in line]


# --- writing reports ---------------------------------------------------------------------------------


def test_report_is_written_under_the_date_and_latest_json_matches(make_world, bucket, env, capsys):
    world = make_world("single-az")
    summary = handler({}, FakeContext())
    assert summary["status"] == "ok", summary
    key = summary["report_key"]
    assert key.startswith(f"{PREFIX}/") and key.endswith("-req-0001.json")
    year, month, day = key.split("/")[1:4]
    assert len(year) == 4 and len(month) == 2 and len(day) == 2
    report = stored(bucket, key)
    assert report["schema"] == "vpce-audit/report/v1"
    assert stored(bucket, f"{PREFIX}/latest.json") == report
    assert {f["check_id"] for f in report["findings"]} == {"az-single"}
    assert report["scope"]["accounts"] == [world.account_id]
    assert summary["findings_by_severity"]["high"] == 1 and summary["new_findings"] == 1
    assert summary["endpoints"] == 1 and summary["errors"] == 0 and summary["exit_code"] == 1
    assert summary["baseline"] == "none: first run"
    capsys.readouterr()


def test_second_run_finds_nothing_new(make_world, bucket, env, capsys):
    make_world("single-az")
    first = handler({}, FakeContext(aws_request_id="a"))
    second = handler({}, FakeContext(aws_request_id="b"))
    assert first["new_findings"] == 1 and second["new_findings"] == 0
    assert second["baseline"] == "previous latest.json"
    assert first["report_key"] != second["report_key"]
    assert stored(bucket, f"{PREFIX}/latest.json") == stored(bucket, second["report_key"])
    capsys.readouterr()


def test_latest_json_is_untouched_when_the_dated_write_fails(make_world, aws, bucket, env, monkeypatch, capsys):
    make_world("single-az")
    bucket.put_object(Bucket=BUCKET, Key=f"{PREFIX}/latest.json", Body=b"previous report")
    real_put = lambda_handler._put
    written: list[str] = []

    def failing_first(s3: Any, bucket_name: str, key: str, body: bytes) -> None:
        written.append(key)
        if len(written) == 1:
            raise ReportWriteError(f"cannot write s3://{bucket_name}/{key} (s3:PutObject SlowDown): try later")
        real_put(s3, bucket_name, key, body)

    monkeypatch.setattr(lambda_handler, "_put", failing_first)
    with pytest.raises(ReportWriteError, match="SlowDown"):
        handler({}, FakeContext())
    assert len(written) == 1 and written[0] != f"{PREFIX}/latest.json"
    assert bucket.get_object(Bucket=BUCKET, Key=f"{PREFIX}/latest.json")["Body"].read() == b"previous report"
    capsys.readouterr()


def test_a_real_s3_failure_is_a_clear_error(make_world, env, capsys):
    make_world("healthy-3az")  # no bucket created: PutObject fails with NoSuchBucket
    with pytest.raises(ReportWriteError, match=r"s3://audit-reports/nightly/.*NoSuchBucket"):
        handler({}, FakeContext())
    capsys.readouterr()


def test_writer_may_put_objects_and_publish_only_with_a_topic(make_world, aws, bucket, env, monkeypatch, capsys):
    """The writer's guard allows s3:PutObject, plus sns:Publish only when a topic is configured."""
    make_world("healthy-3az")
    granted: list[frozenset[str]] = []
    real_factory = lambda_handler.ClientFactory

    def spy(session: Any, **kw: Any) -> Any:
        granted.append(kw.get("allow_writes", frozenset()))
        return real_factory(session, **kw)

    monkeypatch.setattr(lambda_handler, "ClientFactory", spy)
    config = load_config({}, lambda_handler.os.environ)
    assert run(config, aws, FakeContext())["status"] == "ok"
    topic, _ = subscribed_queue(aws)
    monkeypatch.setenv("VPCE_AUDIT_SNS_TOPIC_ARN", topic)
    assert run(load_config({}, lambda_handler.os.environ), aws, FakeContext())["status"] == "ok"
    assert granted == [frozenset({"s3:PutObject"}), frozenset({"s3:PutObject", "sns:Publish"})]
    writer = real_factory(aws, allow_writes=granted[0])
    with pytest.raises(ReadOnlyViolation):
        writer.client("sns", REGION).publish(TopicArn=topic, Message="m")
    with pytest.raises(ReadOnlyViolation):
        writer.client("s3", REGION).delete_object(Bucket=BUCKET, Key=f"{PREFIX}/latest.json")
    capsys.readouterr()


# --- SNS -----------------------------------------------------------------------------------------------


def test_sns_only_when_new_findings_reach_the_threshold(make_world, aws, bucket, env, monkeypatch, capsys):
    topic, queue = subscribed_queue(aws)
    monkeypatch.setenv("VPCE_AUDIT_SNS_TOPIC_ARN", topic)
    make_world("single-az")  # one high finding
    first = handler({}, FakeContext(aws_request_id="one"))
    (message,) = received(aws, queue)
    assert first["notified"] is True and first["new_at_or_above_fail_on"] == 1
    assert "1 new finding(s) at or above high" in message["Subject"]
    assert "az-single" in message["Message"] and first["report_key"] in message["Message"]

    second = handler({}, FakeContext(aws_request_id="two"))  # same finding: not new
    assert second["notified"] is False and received(aws, queue) == []

    make_world("az-idle")  # a new finding, but low: below the threshold
    third = handler({}, FakeContext(aws_request_id="three"))
    assert third["new_findings"] == 1 and third["new_at_or_above_fail_on"] == 0
    assert third["notified"] is False and received(aws, queue) == []

    fourth = handler({"fail_on": "none"}, FakeContext(aws_request_id="four"))
    assert fourth["notified"] is False
    capsys.readouterr()


def test_failed_publish_keeps_the_report_and_says_why(make_world, bucket, env, monkeypatch, capsys):
    monkeypatch.setenv("VPCE_AUDIT_SNS_TOPIC_ARN", f"arn:aws:sns:{REGION}:123456789012:no-such-topic")
    make_world("single-az")
    summary = handler({}, FakeContext())
    assert summary["notified"] is False and summary["notify_error"].startswith("sns:Publish NotFound")
    assert stored(bucket, f"{PREFIX}/latest.json") == stored(bucket, summary["report_key"])
    assert emf_objects(capsys.readouterr().out)  # metrics still emitted


# --- suppressions ----------------------------------------------------------------------------------------

ACCEPTED = '[[suppression]]\ncheck = "az-single"\nresource = "vpce-*"\nreason = "dev VPC, one AZ by design"\n'


def test_suppressions_from_s3_mark_the_report_and_silence_the_alert(make_world, aws, bucket, env, monkeypatch, capsys):
    topic, queue = subscribed_queue(aws)
    monkeypatch.setenv("VPCE_AUDIT_SNS_TOPIC_ARN", topic)
    bucket.create_bucket(Bucket="audit-config")
    bucket.put_object(Bucket="audit-config", Key="accepted.toml", Body=ACCEPTED.encode())
    monkeypatch.setenv("VPCE_AUDIT_SUPPRESSIONS", "s3://audit-config/accepted.toml")
    make_world("single-az")  # one high finding, accepted
    summary = handler({}, FakeContext())
    report = stored(bucket, summary["report_key"])
    (finding,) = report["findings"]
    assert finding["suppressed"] is True and finding["suppression_reason"] == "dev VPC, one AZ by design"
    assert report["suppressions"] == {"suppressed": 1, "expired": []}
    assert summary["new_findings"] == 1 and summary["new_at_or_above_fail_on"] == 0
    assert summary["suppressed_findings"] == 1 and summary["exit_code"] == 0
    assert summary["notified"] is False and received(aws, queue) == []
    capsys.readouterr()


def test_suppressions_bundled_in_the_zip_are_found_where_lambda_unpacked_it(
    make_world, bucket, env, monkeypatch, tmp_path, capsys
):
    (tmp_path / "audit").mkdir()
    (tmp_path / "audit" / "accepted.toml").write_text(ACCEPTED)
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))  # what Lambda sets: where the zip was unpacked
    make_world("single-az")
    summary = handler({"suppressions": "audit/accepted.toml"}, FakeContext())
    assert summary["suppressed_findings"] == 1 and summary["exit_code"] == 0
    assert stored(bucket, summary["report_key"])["findings"][0]["suppressed"] is True
    capsys.readouterr()


def test_suppressions_are_read_through_a_read_only_client(make_world, bucket, env, monkeypatch, capsys):
    from vpce_audit.app import suppressions

    bucket.create_bucket(Bucket="audit-config")
    bucket.put_object(Bucket="audit-config", Key="accepted.toml", Body=ACCEPTED.encode())
    granted: list[frozenset[str]] = []
    real_factory = suppressions.ClientFactory

    def spy(session: Any, **kw: Any) -> Any:
        granted.append(kw.get("allow_writes", frozenset()))
        return real_factory(session, **kw)

    monkeypatch.setattr(suppressions, "ClientFactory", spy)
    make_world("single-az")
    assert handler({"suppressions": "s3://audit-config/accepted.toml"}, FakeContext())["suppressed_findings"] == 1
    assert granted == [frozenset()]  # s3:GetObject is a read: nothing to allow
    capsys.readouterr()


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("s3://audit-config/absent.toml", "s3:GetObject NoSuchKey"),
        ("s3://audit-config", "is not an S3 object (s3://bucket/key)"),
        ("/no/such/file.toml", "cannot read suppressions /no/such/file.toml"),
    ],
)
def test_unreadable_suppressions_are_an_error_result_before_any_scan(
    make_world, bucket, env, monkeypatch, location, expected
):
    bucket.create_bucket(Bucket="audit-config")
    make_world("single-az")
    result = handler({"suppressions": location}, FakeContext())
    assert result["status"] == "error" and expected in result["error"] and "\n" not in result["error"]
    assert bucket.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0  # no report written


# --- metrics -------------------------------------------------------------------------------------------


def test_emf_lines_are_valid_embedded_metric_format(make_world, bucket, env, capsys):
    make_world("single-az")
    summary = handler({}, FakeContext())
    objects = emf_objects(capsys.readouterr().out)
    assert len(objects) == 6  # the run line and one per severity
    for obj in objects:
        meta = obj["_aws"]
        assert isinstance(meta["Timestamp"], int) and meta["Timestamp"] > 1_600_000_000_000
        (directive,) = meta["CloudWatchMetrics"]
        assert directive["Namespace"] == "VpceAudit"
        for dimension_set in directive["Dimensions"]:
            assert all(isinstance(obj[d], str) for d in dimension_set)
        for metric in directive["Metrics"]:
            assert set(metric) == {"Name", "Unit"}
            assert isinstance(obj[metric["Name"]], int | float)
    by_severity = {o["Severity"]: o["Findings"] for o in objects if "Severity" in o}
    assert by_severity == summary["findings_by_severity"]
    (run_line,) = [o for o in objects if "Endpoints" in o]
    assert run_line["Endpoints"] == 1 and run_line["CollectionErrors"] == 0 and run_line["NewFindings"] == 1
    assert run_line["Scope"] == PREFIX and run_line["Duration"] >= 0


# --- deadline ----------------------------------------------------------------------------------------


@dataclass
class Route53Late(FakeContext):
    """The deadline as the Route 53 unit meets it (asked from its own pool's thread), with time to spare for the
    region units: which unit asks first is the threads' race, what each is told is not."""

    def get_remaining_time_in_millis(self) -> int:
        self.calls += 1
        return 1_000 if "r53" in threading.current_thread().name else 900_000


def test_deadline_stops_collection_and_reports_partial(make_world, bucket, env, capsys):
    make_world("single-az")
    # The region unit starts with time to spare; by the Route 53 unit the margin is gone.
    context = Route53Late()
    summary = handler({}, context)
    assert context.calls == 2
    assert summary["status"] == "partial" and summary["partial"] is True and summary["exit_code"] == 1
    report = stored(bucket, summary["report_key"])
    (error,) = report["errors"]
    assert error["code"] == "DeadlineExceeded" and error["service"] == "route53"
    assert report["summary"]["partial"] is True
    assert summary["endpoints"] == 1  # what was collected before the deadline is judged
    capsys.readouterr()


def test_deadline_already_passed_collects_nothing_but_still_reports(make_world, bucket, env, capsys):
    make_world("single-az")
    summary = handler({}, FakeContext(remaining_ms=[0]))
    report = stored(bucket, summary["report_key"])
    assert summary["partial"] is True and summary["endpoints"] == 0 and summary["findings"] == 0
    assert {(e["service"], e["code"]) for e in report["errors"]} == {
        ("ec2", "DeadlineExceeded"),
        ("route53", "DeadlineExceeded"),
    }
    assert summary["exit_code"] == 3
    capsys.readouterr()


# --- accounts through assumed roles -----------------------------------------------------------------


def test_organization_scope_scans_the_organizations_accounts(make_world, aws, bucket, env, capsys):
    world = make_world("single-az")
    org = aws.client("organizations", region_name=REGION)
    org.create_organization(FeatureSet="ALL")
    status = org.create_account(Email="member@example.com", AccountName="member")["CreateAccountStatus"]
    member = org.describe_create_account_status(CreateAccountRequestId=status["Id"])["CreateAccountStatus"]["AccountId"]
    summary = handler({"organization": True, "role_name": "AuditRole"}, FakeContext())
    assert summary["status"] == "ok", summary
    assert sorted(summary["accounts"]) == sorted([world.account_id, member])
    # The member account (through the assumed role) has no endpoints; the caller's single-AZ one is found.
    report = stored(bucket, summary["report_key"])
    assert {(f["account_id"], f["check_id"]) for f in report["findings"]} == {(world.account_id, "az-single")}
    capsys.readouterr()


# --- bad input -------------------------------------------------------------------------------------------

BAD_EVENTS = {
    "not an object": ["us-east-1"],
    "unknown key": {"region": "us-east-1"},
    "unknown region": {"regions": ["mars-north-1"]},
    "regions not strings": {"regions": [1, 2]},
    "bad account": {"accounts": ["12345"], "role_name": "R"},
    "accounts without role": {"accounts": ["123456789012"]},
    "unknown check": {"checks": "az-nope"},
    "bad fail_on": {"fail_on": "severe"},
    "organization not a bool": {"organization": "maybe", "role_name": "R"},
    "bucket not a string": {"bucket": 7},
    "suppressions not a string": {"suppressions": ["s3://b/k"]},
}


@pytest.mark.parametrize("case", sorted(BAD_EVENTS))
def test_bad_event_is_a_clear_error_result(aws, env, case):
    result = handler(BAD_EVENTS[case], FakeContext())
    assert result["status"] == "error"
    assert result["error"] and "\n" not in result["error"]
    assert set(result) == {"status", "error"}


def test_missing_bucket_is_a_clear_error_result(aws, env, monkeypatch):
    monkeypatch.delenv("VPCE_AUDIT_BUCKET")
    assert handler({}, FakeContext()) == {
        "status": "error",
        "error": "no bucket: set bucket in the event or VPCE_AUDIT_BUCKET",
    }


def test_event_overrides_environment_and_eventbridge_events_use_it(env):
    config = load_config(
        {"regions": "eu-west-1, us-east-1", "prefix": "/x/", "checks": ["az-gap"], "fail_on": "CRITICAL"}, env
    )
    assert config.regions == ("eu-west-1", "us-east-1") and config.prefix == "x/"
    assert config.checks == ("az-gap",) and str(config.fail_on) == "critical"
    scheduled = load_config({"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}, env)
    assert scheduled.regions == (REGION,) and scheduled.prefix == f"{PREFIX}/" and scheduled.bucket == BUCKET
    assert scheduled.key(__import__("datetime").datetime(2026, 1, 2), "r") == f"{PREFIX}/2026/01/02/r.json"


def test_identity_failure_is_an_error_result(aws, env, monkeypatch):
    def denied(*_: Any, **__: Any) -> Any:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetCallerIdentity")

    monkeypatch.setattr("vpce_audit.collect.scope.caller_account", denied)
    result = handler({}, FakeContext())
    assert result["status"] == "error" and "GetCallerIdentity" in result["error"]
