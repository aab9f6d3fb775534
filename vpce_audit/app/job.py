"""One job, whoever asks: the CLI's `scan`, `collect`, `audit` and `demo` and the Lambda's scheduled scan run here.

    scope -> plan -> collect -> snapshot -> normalize, verdicts, checks (report/model.build_report)
          -> suppressions -> render and write -> exit code

The entry points only turn what they were given into a Scope and a Job (app/validate.py checks it first)
and say what happened in their own way: the CLI by its exit code, the Lambda by its S3 objects and summary.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from jmespath.exceptions import JMESPathError

from vpce_audit.app import validate
from vpce_audit.app.exitcodes import ExitCode
from vpce_audit.app.suppressions import Suppression, apply_suppressions
from vpce_audit.aws.clients import CallCounter
from vpce_audit.collect.scan import ScanPlan, execute
from vpce_audit.collect.scope import ScopeRequest, build_plan
from vpce_audit.errors import describe_exception
from vpce_audit.model.findings import Severity
from vpce_audit.report.context import RenderContext
from vpce_audit.report.fit import DEFAULT_WIDTH
from vpce_audit.report.formats import CONTEXT_RENDERERS, RENDERERS, render_ocsf
from vpce_audit.report.json import dumps, render_json
from vpce_audit.report.model import Report, build_report
from vpce_audit.report.ocsf import DEFAULT_OCSF_VERSION
from vpce_audit.report.table import Style, plain, render_table
from vpce_audit.snapshot import Snapshot, save_snapshot, write_atomic

log = logging.getLogger(__name__)


def _never() -> bool:
    return False


@dataclass(frozen=True)
class Scope:
    """What to collect: the accounts and regions asked for, and how."""

    request: ScopeRequest
    home_region: str | None = None
    sessions: tuple[boto3.Session, ...] | None = None  # instead of opening the profiles (demo, Lambda)
    progress: bool = False  # the one-line progress on stderr
    stop: Callable[[], bool] = _never  # asked before each unit (the Lambda's deadline)


@dataclass(frozen=True)
class Output:
    """How the report is rendered and where it goes."""

    format: str = "table"  # table, json or a name in report/formats.RENDERERS
    path: Path | None = None  # None: stdout
    query: Any = None  # a compiled JMESPath expression: its result, as JSON, instead of the format
    style: Style = plain  # the table's colours
    width: int = DEFAULT_WIDTH  # the table's width: the terminal's, COLUMNS, or 100
    ocsf_version: str = DEFAULT_OCSF_VERSION  # -o ocsf: which OCSF release the records follow (--ocsf-version)


@dataclass(frozen=True)
class Job:
    """What to do with the collected data."""

    check_ids: tuple[str, ...] | None = None  # None: every check
    fail_on: Severity | None = Severity.HIGH
    suppressions: tuple[Suppression, ...] | None = None  # None: none given (the report says nothing of them)
    save_snapshot: Path | None = None
    output: Output | None = None  # None: the caller delivers the report itself (the Lambda)
    export_to: boto3.Session | None = None  # --export-securityhub: import the findings with this session
    # --previous REPORT: that report's findings; those this run re-checked and no longer finds are closed in
    # Security Hub (and they are the baseline of the new-finding events)
    previous: tuple[dict[str, Any], ...] | None = None
    # --event-bus NAME: new findings and a run summary to this EventBridge bus, with this session and region
    event_bus: str | None = None
    event_session: boto3.Session | None = None
    event_region: str | None = None
    # --az-loss: the report carries the AZ-loss matrix (verdicts/az_loss.py); its check runs either way
    az_loss: bool = False


@dataclass(frozen=True)
class Outcome:
    snapshot: Snapshot
    report: Report
    exit_code: ExitCode
    api_calls: int = 0


def scan(scope: Scope, job: Job) -> Outcome:
    """Collect live, then judge and deliver."""
    snapshot, calls = collect(scope)
    return replace(audit(snapshot, job), api_calls=calls)


def collect_to(scope: Scope, path: Path) -> ExitCode:
    """`vpce-audit collect`: collect live and save the snapshot, judge nothing. PARTIAL when calls failed."""
    snapshot, _ = collect(scope)
    save_snapshot(path, snapshot)
    log.debug("snapshot written to %s", path)
    return ExitCode.PARTIAL if snapshot.errors else ExitCode.OK


def audit(snapshot: Snapshot, job: Job) -> Outcome:
    """Judge a snapshot (collected now or saved earlier) and deliver the report."""
    if job.save_snapshot is not None:
        save_snapshot(job.save_snapshot, snapshot)
        log.debug("snapshot written to %s", job.save_snapshot)
    report = judge(snapshot, job)
    if job.output is not None:
        deliver(report, job.output, RenderContext(job.fail_on, job.check_ids))
    code = report.exit_code(job.fail_on)
    if job.export_to is not None and not export(job.export_to, report, job) and code is ExitCode.OK:
        code = ExitCode.PARTIAL
    if job.event_bus is not None and not send(report, job) and code is ExitCode.OK:
        code = ExitCode.PARTIAL
    log.debug("exit code %d (%s)", code, code.name)
    return Outcome(snapshot, report, code)


# --- the stages ----------------------------------------------------------------------------------------------


def collect(scope: Scope) -> tuple[Snapshot, int]:
    """Plan (accounts, roles, regions) and collect every unit: the snapshot and the API calls it took."""
    counter = CallCounter()
    started = time.perf_counter()
    plan = build_plan(scope.request, counter, scope.home_region, scope.sessions)
    _log_plan(plan, time.perf_counter() - started)
    snapshot = execute(plan, progress_enabled=scope.progress, total_calls=lambda: counter.total, stop=scope.stop)
    log.debug(
        "collected in %.1f s: %d API call(s), %d error(s)",
        time.perf_counter() - started,
        counter.total,
        len(snapshot.errors),
    )
    return snapshot, counter.total


def _log_plan(plan: ScanPlan, seconds: float) -> None:
    units = sum(len(plan.regions.get(t.account_id, ())) + 1 for t in plan.targets)
    log.debug(
        "plan built in %.1f s: %d account(s), %d unit(s), concurrency %d, %d planning error(s)",
        seconds,
        len(plan.targets),
        units,
        plan.concurrency,
        len(plan.errors),
    )
    for target in plan.targets:
        regions = plan.regions.get(target.account_id, ())
        log.debug("plan: %s via %s: %s", target.account_id, target.via, ", ".join(regions) or "no region")


def judge(snapshot: Snapshot, job: Job, today: dt.date | None = None) -> Report:
    """Normalise, decide verdicts, run the checks; then mark what the suppressions accept."""
    started = time.perf_counter()
    report = build_report(snapshot, job.check_ids, az_loss=job.az_loss)
    log.debug(
        "judged in %.2f s: %d endpoint(s), %d finding(s)",
        time.perf_counter() - started,
        len(report.endpoints),
        len(report.findings),
    )
    if job.suppressions is None:
        return report
    report = apply_suppressions(report, job.suppressions, today or dt.datetime.now(dt.UTC).date())
    for entry in report.expired_suppressions:
        sys.stderr.write(
            f"vpce-audit: warning: suppression expired on {entry['expires']}: {entry['check_id']} "
            f"{entry['resource']} ({entry['reason']})\n"
        )
    return report


def render(report: Report, output: Output, context: RenderContext | None = None) -> str:
    if output.query is not None:
        try:
            return dumps(output.query.search(report.to_document()))
        except JMESPathError as exc:  # a type error only the report's data reveals: the user's, not ours
            raise validate.query_failure(exc) from None
    if output.format == "json":
        return render_json(report)
    if output.format == "ocsf":
        return render_ocsf(report, output.ocsf_version)
    if output.format in RENDERERS:
        return RENDERERS[output.format](report)
    if output.format in CONTEXT_RENDERERS:
        return CONTEXT_RENDERERS[output.format](report, context or RenderContext())
    return render_table(report, output.style, output.width)


def deliver(report: Report, output: Output, context: RenderContext | None = None) -> None:
    text = render(report, output, context)
    if output.path is not None:
        write_atomic(output.path, text)
        log.debug("%s report written to %s", output.format, output.path)
    else:
        write_stdout(text)


def write_stdout(text: str) -> None:
    """Write and flush; if stdout fails (disk full, closed pipe) drop what is buffered, so the interpreter's
    own flush at exit does not fail a second time with a multi-line message."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError:
        # Captured output has no file descriptor: then there is nothing to protect.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise


def export(session: boto3.Session, report: Report, job: Job | None = None) -> bool:
    """Send the findings to Security Hub, and close those of the previous report this run no longer finds;
    say on stderr what happened. False when any was not imported."""
    from vpce_audit.report.asff import export_findings
    from vpce_audit.report.securityhub import lifecycle

    plan = lifecycle(report, job.previous if job else None, job.check_ids if job else None)
    try:
        result = export_findings(session, plan.current + plan.resolved)
    except (ClientError, BotoCoreError) as exc:
        code, message = describe_exception(exc)
        sys.stderr.write(f"vpce-audit: error: Security Hub export failed: {code}: {message}\n")
        return False
    closed = f", {len(plan.resolved)} resolved one(s) archived" if plan.resolved else ""
    kept = f", {plan.not_rechecked} not re-checked left as they were" if plan.not_rechecked else ""
    sys.stderr.write(f"vpce-audit: exported {len(plan.current)} finding(s) to Security Hub{closed}{kept}\n")
    for failure in result.failed:
        sys.stderr.write(f"vpce-audit: error: Security Hub refused {failure}\n")
    return not result.failed


def send(report: Report, job: Job) -> bool:
    """Send the new findings and the run summary to the EventBridge bus; False when any was not accepted."""
    from vpce_audit.report.events import event_entries, send_events

    assert job.event_bus is not None and job.event_session is not None and job.event_region is not None
    entries = event_entries(report, job.previous, job.event_bus)
    try:
        result = send_events(job.event_session, job.event_region, entries)
    except (ClientError, BotoCoreError) as exc:
        code, message = describe_exception(exc)
        sys.stderr.write(f"vpce-audit: error: EventBridge PutEvents failed: {code}: {message}\n")
        return False
    sys.stderr.write(f"vpce-audit: sent {result.sent} event(s) to EventBridge bus {job.event_bus}\n")
    for failure in result.failed:
        sys.stderr.write(f"vpce-audit: error: EventBridge refused {failure}\n")
    return not result.failed
