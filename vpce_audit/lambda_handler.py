"""AWS Lambda entry point: the CLI's scan, unattended, with reports kept in S3 and alerts only on what is new.

    handler(event, context) -> summary

Scope comes from the event (keys regions, accounts, organization, role_name, checks, fail_on, bucket, prefix,
suppressions), each falling back to VPCE_AUDIT_<KEY> in the environment (VPCE_AUDIT_SNS_TOPIC_ARN for the
topic). An EventBridge event (it carries `detail-type`) counts as an empty event. Bad input returns
`{"status": "error", "error": "<one line>"}`; a failed S3 write raises, so the invocation fails, is retried
and shows in the function's Errors metric.

The scan itself is the application layer's job (app/job.py), checked by the same validation as the CLI's
options (app/validate.py); this module adds only what is the Lambda's own: configuration from the event,
the deadline, the S3 objects, the alert and the metrics. Writes go through a ClientFactory of their own
whose guard allows exactly s3:PutObject (and sns:Publish when a topic is configured); the scan's factories,
and the read of a suppressions file from S3 (s3:GetObject), stay read-only.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from vpce_audit.app import job as jobs
from vpce_audit.app import validate
from vpce_audit.app.job import Job, Scope
from vpce_audit.app.suppressions import is_s3, split_s3
from vpce_audit.aws.clients import ClientFactory
from vpce_audit.collect.scope import ScopeRequest
from vpce_audit.errors import InputError, describe_exception, one_line
from vpce_audit.model.findings import Severity
from vpce_audit.report.diff import ReportDiff, at_least, diff_reports, parse_report, without_verdicts
from vpce_audit.report.json import write_json
from vpce_audit.report.metrics import emf_lines, run_metrics
from vpce_audit.report.model import Report

EVENT_KEYS = (
    "regions",
    "accounts",
    "organization",
    "role_name",
    "checks",
    "fail_on",
    "bucket",
    "prefix",
    "suppressions",
)
DEFAULT_PREFIX = "vpce-audit"
DEFAULT_FAIL_ON = "high"
# Time kept back from the Lambda timeout for judging, writing to S3 and notifying once collection stops.
SAFETY_MARGIN_MS = 60_000
MAX_LISTED = 20  # new findings named in an SNS message
# A report larger than this spills to /tmp while written (an organisation's: GBs at 100,000 endpoints; the
# template gives the judge the ephemeral storage for it).
SPOOL_BYTES = 256 * 2**20
READ_CHUNK = 2**20  # the previous latest.json is read in chunks of this size
log = logging.getLogger(__name__)


class ReportWriteError(RuntimeError):
    """The report could not be stored: the run failed, latest.json is untouched."""


@dataclass(frozen=True)
class LambdaConfig:
    regions: tuple[str, ...]
    accounts: tuple[str, ...]
    organization: bool
    role_name: str | None
    checks: tuple[str, ...] | None
    fail_on: Severity | None
    bucket: str
    prefix: str
    topic_arn: str | None
    suppressions: str | None = None  # s3://bucket/key or a file path (relative: to the unzipped package)
    securityhub: bool = False  # VPCE_AUDIT_SECURITYHUB: import into Security Hub, closing resolved findings
    event_bus: str | None = None  # VPCE_AUDIT_EVENT_BUS: new findings and a run summary to this bus

    def request(self) -> ScopeRequest:
        request = ScopeRequest(
            regions=self.regions,
            role_name=self.role_name,
            accounts=self.accounts,
            organization=self.organization,
        )
        request.validate()
        return request

    @property
    def home(self) -> str:
        """Where the writes (S3, SNS, EventBridge) and the suppressions read go: the first region."""
        return self.regions[0]

    def key(self, when: dt.datetime, run_id: str) -> str:
        return f"{self.prefix}{when:%Y/%m/%d}/{run_id}.json"

    @property
    def latest_key(self) -> str:
        return f"{self.prefix}latest.json"


# --- configuration from the event and the environment ------------------------------------------------


def _raw(event: Mapping[str, Any], env: Mapping[str, str], key: str) -> Any:
    if event.get(key) is not None:
        return event[key]
    value = env.get(f"VPCE_AUDIT_{key.upper()}", "").strip()
    return value or None


def _bool(value: Any, key: str) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.lower() in {"true", "1", "yes", "false", "0", "no", ""}:
        return value.lower() in {"true", "1", "yes"}
    raise InputError(f"{key} must be true or false (got {value!r})")


def _str(value: Any, key: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{key} must be a string (got {type(value).__name__})")
    return value.strip() or None


def load_config(event: Any, env: Mapping[str, str]) -> LambdaConfig:
    if event is None:
        event = {}
    if not isinstance(event, dict):
        raise InputError(f"the event must be a JSON object (got {type(event).__name__})")
    if "detail-type" in event:  # an EventBridge event without an Input: use the environment
        event = {}
    unknown = sorted(set(event) - set(EVENT_KEYS))
    if unknown:
        raise InputError(f"unknown event key(s): {', '.join(unknown)} (allowed: {', '.join(EVENT_KEYS)})")
    regions = validate.id_list(_raw(event, env, "regions"), "regions") or validate.id_list(
        env.get("AWS_REGION"), "AWS_REGION"
    )
    if not regions:
        raise InputError("no region: set regions in the event, VPCE_AUDIT_REGIONS or AWS_REGION")
    regions = validate.regions(regions)
    accounts = validate.accounts(validate.id_list(_raw(event, env, "accounts"), "accounts"))
    checks = validate.id_list(_raw(event, env, "checks"), "checks")
    fail_on = _str(_raw(event, env, "fail_on"), "fail_on") or DEFAULT_FAIL_ON
    bucket = _str(_raw(event, env, "bucket"), "bucket")
    if not bucket:
        raise InputError("no bucket: set bucket in the event or VPCE_AUDIT_BUCKET")
    prefix = (_str(_raw(event, env, "prefix"), "prefix") or DEFAULT_PREFIX).strip("/")
    config = LambdaConfig(
        regions=regions,
        accounts=accounts,
        organization=_bool(_raw(event, env, "organization"), "organization"),
        role_name=_str(_raw(event, env, "role_name"), "role_name"),
        checks=validate.check_ids(checks, names="checks") if checks else None,
        fail_on=validate.fail_on(fail_on, "fail_on"),
        bucket=bucket,
        prefix=f"{prefix}/" if prefix else "",
        topic_arn=_str(env.get("VPCE_AUDIT_SNS_TOPIC_ARN"), "VPCE_AUDIT_SNS_TOPIC_ARN"),
        suppressions=_suppressions_location(_str(_raw(event, env, "suppressions"), "suppressions"), env),
        securityhub=_bool(env.get("VPCE_AUDIT_SECURITYHUB"), "VPCE_AUDIT_SECURITYHUB"),
        event_bus=_str(env.get("VPCE_AUDIT_EVENT_BUS"), "VPCE_AUDIT_EVENT_BUS"),
    )
    config.request()  # the scope rules the CLI applies (role name with accounts, and so on)
    return config


def _suppressions_location(value: str | None, env: Mapping[str, str]) -> str | None:
    """An S3 object as given; a file bundled in the zip relative to where Lambda unpacked it."""
    if value is None:
        return None
    if is_s3(value):
        split_s3(value, "suppressions")  # a malformed location fails now, with the rest of the configuration
        return value
    path = Path(value)
    if not path.is_absolute():
        path = Path(env.get("LAMBDA_TASK_ROOT") or ".") / path
    return str(path)


# --- the run -----------------------------------------------------------------------------------------


def deadline_from(context: Any, margin_ms: int = SAFETY_MARGIN_MS) -> Callable[[], bool]:
    """True once less than the margin is left; asks the context each time (its clock is the one that kills)."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return lambda: False
    return lambda: int(remaining()) < margin_ms


def _previous(s3: Any, config: LambdaConfig) -> tuple[dict[str, Any] | None, str]:
    """The previous latest.json, and where the baseline came from."""
    try:
        body = s3.get_object(Bucket=config.bucket, Key=config.latest_key)["Body"]
        # Streamed, its endpoint verdicts skipped: an organisation's report is GBs the diff never reads.
        text = without_verdicts(_decoded(body.iter_lines(chunk_size=READ_CHUNK, keepends=True)))
    except (ClientError, BotoCoreError) as exc:
        code, message = describe_exception(exc)
        if code in {"NoSuchKey", "404"}:
            return None, "none: first run"
        return None, f"unreadable ({code}: {message})"
    try:
        return parse_report(text, config.latest_key), "previous latest.json"
    except InputError as exc:
        return None, f"unreadable ({exc})"


def _decoded(lines: Iterator[bytes]) -> Iterator[str]:
    return (line.decode("utf-8", "replace") for line in lines)


def compare(previous: dict[str, Any] | None, document: dict[str, Any]) -> ReportDiff:
    """The run against its baseline by the diff's one rule (report/diff.py): a finding the previous report
    could not have seen is `not checked before`, not new; one this run could not re-check is not resolved.
    Without a baseline (the first run, or an unreadable one) every finding is new."""
    if previous is None:
        return ReportDiff("", str(document.get("generated_at", "")), tuple(document["findings"]), (), ())
    return diff_reports(previous, document)


@contextmanager
def rendered(report: Report) -> Iterator[IO[bytes]]:
    """The report's JSON in memory up to SPOOL_BYTES, then in /tmp (the judge's ephemeral storage), written
    one endpoint at a time: an organisation's report never exists as one string."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        text = io.TextIOWrapper(spool, encoding="utf-8", write_through=True)
        write_json(report, text)
        text.flush()
        text.detach()  # the spool outlives its text wrapper
        spool.seek(0)
        yield spool


def _put(s3: Any, bucket: str, key: str, body: Any, content_type: str = "application/json") -> None:
    try:
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
    except (ClientError, BotoCoreError) as exc:
        code, message = describe_exception(exc)
        raise ReportWriteError(f"cannot write s3://{bucket}/{key} (s3:PutObject {code}): {message}") from None


def _listed(findings: list[dict[str, Any]]) -> list[str]:
    lines = [
        f"- {f['severity']} {f['check_id']} {f['account_id']} {f['region']} {f['resource_id']}: {f['message']}"
        + (f" (not checked before: {f['reason']})" if f.get("reason") else "")
        for f in findings[:MAX_LISTED]
    ]
    if len(findings) > MAX_LISTED:
        lines.append(f"... and {len(findings) - MAX_LISTED} more in the report")
    return lines


def _message(diff: ReportDiff, config: LambdaConfig, key: str, partial: bool) -> tuple[str, str]:
    new = list(diff.new_at_least(config.fail_on))
    unseen = list(at_least(diff.not_checked_before, config.fail_on))
    subject = f"vpce-audit: {len(new)} new finding(s) at or above {config.fail_on}"
    if unseen:  # the previous run could not see them: maybe new, never silently dropped
        subject += f", {len(unseen)} not checked before"
    lines = [f"{subject}.", f"Report: s3://{config.bucket}/{key}", "", *_listed(new)]
    if unseen:
        lines += ["", "Not checked by the previous run (they may not be new):", *_listed(unseen)]
    if diff.not_rechecked:
        lines += ["", f"{len(diff.not_rechecked)} earlier finding(s) could not be re-checked: not counted as resolved."]
    if partial:
        lines += ["", "The scan was partial: see the report's errors."]
    return subject[:100], "\n".join(lines)


def new_run_id(started_at: dt.datetime, context: Any) -> str:
    request_id = getattr(context, "aws_request_id", None) or uuid.uuid4().hex
    return f"{started_at:%Y%m%dT%H%M%SZ}-{request_id}"


def make_job(config: LambdaConfig, session: boto3.Session) -> Job:
    """What the judgement applies: the checks, the fail-on threshold and the accepted risks (read now, so a
    missing or malformed suppressions file fails the run before anything is collected or written)."""
    entries = validate.suppressions(config.suppressions, "suppressions", session=lambda: session, region=config.home)
    return Job(check_ids=config.checks, fail_on=config.fail_on, suppressions=entries)


def run(config: LambdaConfig, session: boto3.Session, context: Any, now: Callable[[], float] = time.time) -> dict:
    """The scheduled scan of one account (or several, from one invocation): collect, judge, publish."""
    started = now()
    run_id = new_run_id(dt.datetime.fromtimestamp(started, dt.UTC), context)
    log.debug(
        "run %s: regions %s, reports under s3://%s/%s", run_id, ",".join(config.regions), config.bucket, config.prefix
    )
    job = make_job(config, session)
    outcome = jobs.scan(Scope(config.request(), config.home, sessions=(session,), stop=deadline_from(context)), job)
    return publish(config, session, outcome, run_id, started, now)


def publish(
    config: LambdaConfig,
    session: boto3.Session,
    outcome: jobs.Outcome,
    run_id: str,
    started: float,
    now: Callable[[], float] = time.time,
) -> dict:
    """What every judged run leaves behind, whoever collected it (this invocation, or the collect steps of a
    state machine): the dated report and latest.json, the diff against the previous latest.json, SNS on new
    findings, Security Hub and EventBridge when configured, EMF metrics; and the invocation's summary."""
    started_at = dt.datetime.fromtimestamp(started, dt.UTC)
    report = outcome.report
    document = report.to_document(endpoints=False)  # what the diff reads: the verdicts are streamed below

    writes = frozenset({"s3:PutObject"} | ({"sns:Publish"} if config.topic_arn else set()))
    writer = ClientFactory(session, allow_writes=writes)
    s3 = writer.client("s3", config.regions[0])
    previous, baseline = _previous(s3, config)
    diff = compare(previous, document)
    # Accepted risks are in the report (marked) but never alerted: the same rule as the CLI's exit code.
    alerting = diff.alerting(config.fail_on)

    key = config.key(started_at, run_id)
    with rendered(report) as body:
        _put(s3, config.bucket, key, body)
        body.seek(0)
        _put(s3, config.bucket, config.latest_key, body)  # only once the dated copy is safely stored
    log.debug("report stored as s3://%s/%s and %s; baseline: %s", config.bucket, key, config.latest_key, baseline)

    notified, notify_error = False, None
    if config.topic_arn and alerting:
        subject, message = _message(diff, config, key, report.partial)
        try:
            sns = writer.client("sns", config.regions[0])
            sns.publish(TopicArn=config.topic_arn, Subject=subject, Message=message)
            notified = True
        except (ClientError, BotoCoreError) as exc:
            # The report is stored: failing the run now would only make Lambda retry the whole scan.
            code, text = describe_exception(exc)
            notify_error = f"sns:Publish {code}: {text}"

    delivered = _deliver(report, session, config, previous.get("findings", []) if previous else None)

    duration_ms = (now() - started) * 1000
    sys.stdout.write(
        emf_lines(
            run_metrics(
                config.prefix.rstrip("/") or DEFAULT_PREFIX,
                report.counts(),
                endpoints=len(report.endpoints),
                errors=len(report.errors),
                new_findings=len(diff.new),
                duration_ms=duration_ms,
                timestamp_ms=int(started * 1000),
            )
        )
    )
    sys.stdout.flush()
    return {
        "status": "partial" if report.partial else "ok",
        "run_id": run_id,
        "bucket": config.bucket,
        "report_key": key,
        "latest_key": config.latest_key,
        "accounts": list(report.accounts),
        "regions": list(report.regions),
        "endpoints": len(report.endpoints),
        "findings": len(report.findings),
        "findings_by_severity": report.counts(),
        "new_findings": len(diff.new),
        "new_at_or_above_fail_on": len(diff.new_at_least(config.fail_on)),
        # the diff's coverage rule: findings the previous run could not see (alerted, as maybe new) and
        # earlier findings this run could not re-check (not counted as resolved)
        "not_checked_before": len(diff.not_checked_before),
        "not_rechecked": len(diff.not_rechecked),
        "baseline": baseline,
        "suppressed_findings": report.suppressed_count,
        "errors": len(report.errors),
        "partial": report.partial,
        "notified": notified,
        **({"notify_error": notify_error} if notify_error else {}),
        **delivered,
        "exit_code": int(outcome.exit_code),
        "api_calls": outcome.api_calls,
    }


def _deliver(
    report: Any, session: boto3.Session, config: LambdaConfig, previous: list[dict[str, Any]] | None
) -> dict[str, Any]:
    """Security Hub and EventBridge, when configured, with latest.json as the previous run. Each is allowed by
    name in its own client factory; a failure is in the summary, never a failed run (the report is stored)."""
    out: dict[str, Any] = {}
    if config.securityhub:
        from vpce_audit.report.asff import export_findings
        from vpce_audit.report.securityhub import lifecycle

        plan = lifecycle(report, previous, config.checks)
        try:
            result = export_findings(session, plan.current + plan.resolved)
            out["securityhub"] = {
                "imported": len(plan.current),
                "archived": len(plan.resolved),
                "not_rechecked": plan.not_rechecked,
                "failed": list(result.failed),
            }
        except (ClientError, BotoCoreError) as exc:
            code, text = describe_exception(exc)
            out["securityhub"] = {"error": f"securityhub:BatchImportFindings {code}: {text}"}
    if config.event_bus:
        from vpce_audit.report.events import event_entries, send_events

        try:
            sent = send_events(session, config.regions[0], event_entries(report, previous, config.event_bus))
            out["events"] = {"sent": sent.sent, "failed": list(sent.failed)}
        except (ClientError, BotoCoreError) as exc:
            code, text = describe_exception(exc)
            out["events"] = {"error": f"events:PutEvents {code}: {text}"}
    return out


def handler(event: Any, context: Any) -> dict:
    """`mode` absent or "scan": the scheduled scan (an error summary on bad input). "list", "collect", "judge":
    a step of the organisation's state machine (vpce_audit/fanout.py), which raises instead, so the step fails."""
    if isinstance(event, dict) and event.get("mode") not in (None, "scan"):
        from vpce_audit import fanout

        return fanout.handle(event, context)
    if isinstance(event, dict) and "mode" in event:
        event = {k: v for k, v in event.items() if k != "mode"}
    try:
        config = load_config(event, os.environ)
        return run(config, boto3.Session(), context)
    except InputError as exc:
        return {"status": "error", "error": one_line(str(exc))}
