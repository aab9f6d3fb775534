"""Command line: `vpce-audit scan | audit | checks | demo`.

Every failure the user can cause ends as one line on stderr and a documented exit code, never a traceback:
0 clean, 1 findings at or above --fail-on, 2 usage or input error, 3 partial scan, 4 internal error,
130 interrupted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import boto3
import jmespath
import typer
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConfigNotFound,
    ConfigParseError,
    ProfileNotFound,
)
from jmespath.exceptions import JMESPathError

try:  # typer 0.2x vendors click (and no longer installs it): its usage errors are not click's classes
    from typer._click.exceptions import NoArgsIsHelpError, UsageError
except ImportError:  # older typer raises click's own
    from click.exceptions import NoArgsIsHelpError, UsageError  # type: ignore[assignment]

from vpce_audit import __version__
from vpce_audit.app.suppressions import Suppression, apply_suppressions, load_suppressions
from vpce_audit.aws.clients import CallCounter
from vpce_audit.checks import REGISTRY
from vpce_audit.collect.scan import DEFAULT_CONCURRENCY, execute
from vpce_audit.collect.scope import ScopeRequest, build_plan, open_session
from vpce_audit.errors import InputError, describe_exception
from vpce_audit.model.findings import Severity
from vpce_audit.report.formats import RENDERERS
from vpce_audit.report.json import dumps, render_json
from vpce_audit.report.model import build_report
from vpce_audit.report.table import SEVERITY_COLOURS, plain, render_table
from vpce_audit.snapshot import (
    Snapshot,
    SnapshotError,
    dump_snapshot,
    load_snapshot,
    probe_writable,
    write_atomic,
)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_PARTIAL, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    ASFF = "asff"
    OCSF = "ocsf"
    HTML = "html"


class FailOn(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"
    NONE = "none"


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Audit AWS VPC endpoints: AZ coverage by AZ ID, gateway route coverage, endpoint health.",
)

OutputOpt = Annotated[OutputFormat, typer.Option("--output", "-o", help="Report format.")]
OutputFileOpt = Annotated[
    Path | None, typer.Option("--output-file", help="Write the report here (atomically) instead of stdout.")
]
QueryOpt = Annotated[
    str | None, typer.Option("--query", help="JMESPath applied to the JSON report, as the AWS CLI does.")
]
FailOnOpt = Annotated[FailOn, typer.Option("--fail-on", help="Exit 1 when a finding is at or above this.")]
ChecksOpt = Annotated[str | None, typer.Option("--checks", help="Comma-separated check ids to run (default all).")]
ExcludeOpt = Annotated[str | None, typer.Option("--exclude-checks", help="Comma-separated check ids to skip.")]
SuppressionsOpt = Annotated[
    Path | None,
    typer.Option("--suppressions", help="TOML file of accepted findings (check, resource pattern, reason, expires)."),
]
ExportOpt = Annotated[
    bool,
    typer.Option(
        "--export-securityhub",
        help="Also import the findings into Security Hub (BatchImportFindings, the one write vpce-audit makes).",
    ),
]
SaveOpt = Annotated[
    Path | None, typer.Option("--save-snapshot", help="Also write the raw collected responses to this file.")
]


@dataclass(frozen=True)
class OutputOptions:
    output: OutputFormat
    output_file: Path | None
    query: Any  # a compiled JMESPath expression or None
    fail_on: Severity | None
    check_ids: tuple[str, ...]
    save_snapshot: Path | None = None
    suppressions: tuple[Suppression, ...] | None = None  # None: no --suppressions file given
    export_to: boto3.Session | None = None  # --export-securityhub: import the findings with this session


def _split_ids(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _check_ids(checks: str | None, exclude: str | None) -> tuple[str, ...]:
    chosen, skipped = _split_ids(checks), _split_ids(exclude)
    unknown = sorted(set(chosen + skipped) - set(REGISTRY))
    if unknown:
        raise InputError(f"unknown check id(s): {', '.join(unknown)} (see `vpce-audit checks`)")
    selected = set(chosen or REGISTRY) - set(skipped)
    if not selected:
        raise InputError("no checks left to run after --checks/--exclude-checks")
    return tuple(sorted(selected))


def _writable(path: Path | None, option: str) -> None:
    if path is None:
        return
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"{option} {path}: folder {parent} does not exist")
    try:
        probe_writable(path)
    except OSError as exc:
        raise InputError(f"{option} {path}: cannot write there ({exc.strerror or exc})") from None


def _options(
    output: OutputFormat,
    output_file: Path | None,
    query: str | None,
    fail_on: FailOn,
    checks: str | None,
    exclude_checks: str | None,
    save_snapshot: Path | None = None,
) -> OutputOptions:
    """Validate everything the user typed before the first AWS call."""
    compiled = None
    if query is not None:
        try:
            compiled = jmespath.compile(query)
        except JMESPathError as exc:
            raise InputError(f"invalid --query: {' '.join(str(exc).split())}") from None
    _writable(output_file, "--output-file")
    _writable(save_snapshot, "--save-snapshot")
    return OutputOptions(
        output=output,
        output_file=output_file,
        query=compiled,
        fail_on=None if fail_on is FailOn.NONE else Severity(fail_on.value),
        check_ids=_check_ids(checks, exclude_checks),
        save_snapshot=save_snapshot,
    )


def _with_suppressions(opts: OutputOptions, path: Path | None) -> OutputOptions:
    if path is None:
        return opts
    return replace(opts, suppressions=load_suppressions(path, REGISTRY))


def _style_for(stream_is_tty: bool) -> Any:
    if not stream_is_tty or os.environ.get("NO_COLOR"):
        return plain
    return lambda text, kind: typer.style(text, fg=SEVERITY_COLOURS[kind]) if kind in SEVERITY_COLOURS else text


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


def emit(snapshot: Snapshot, opts: OutputOptions) -> int:
    """Judge a snapshot, render it as asked and return the exit code."""
    if opts.save_snapshot is not None:
        write_atomic(opts.save_snapshot, dump_snapshot(snapshot))
    report = build_report(snapshot, opts.check_ids)
    if opts.suppressions is not None:
        report = apply_suppressions(report, opts.suppressions, dt.datetime.now(dt.UTC).date())
        for entry in report.expired_suppressions:
            sys.stderr.write(
                f"vpce-audit: warning: suppression expired on {entry['expires']}: {entry['check_id']} "
                f"{entry['resource']} ({entry['reason']})\n"
            )
    if opts.query is not None:
        text = dumps(opts.query.search(report.to_document()))
    elif opts.output is OutputFormat.JSON:
        text = render_json(report)
    elif opts.output.value in RENDERERS:
        text = RENDERERS[opts.output.value](report)
    else:
        tty = opts.output_file is None and sys.stdout.isatty()
        text = render_table(report, _style_for(tty))
    if opts.output_file is not None:
        write_atomic(opts.output_file, text)
    else:
        write_stdout(text)
    code: int = report.exit_code(opts.fail_on)
    if opts.export_to is not None and not _export(opts.export_to, report) and code == EXIT_OK:
        code = EXIT_PARTIAL
    return code


def _export(session: boto3.Session, report: Any) -> bool:
    """Send the findings to Security Hub; say on stderr what happened. False when any was not imported."""
    from vpce_audit.report.asff import asff_findings, export_findings

    try:
        result = export_findings(session, asff_findings(report))
    except (ClientError, BotoCoreError) as exc:
        code, message = describe_exception(exc)
        sys.stderr.write(f"vpce-audit: error: Security Hub export failed: {code}: {message}\n")
        return False
    sys.stderr.write(f"vpce-audit: exported {result.sent} finding(s) to Security Hub\n")
    for failure in result.failed:
        sys.stderr.write(f"vpce-audit: error: Security Hub refused {failure}\n")
    return not result.failed


def known_regions(session: boto3.Session) -> set[str]:
    regions: set[str] = set()
    for partition in session.get_available_partitions():
        regions.update(session.get_available_regions("ec2", partition_name=partition))
    return regions


def _regions(regions: list[str]) -> tuple[str, ...]:
    unknown = sorted(set(regions) - known_regions(boto3.Session()))
    if unknown:
        raise InputError(f"unknown region(s): {', '.join(unknown)}")
    return tuple(dict.fromkeys(regions))


def _home_region(profile: str | None) -> str | None:
    # boto3 reads AWS_DEFAULT_REGION and the profile but not AWS_REGION; the AWS CLI v2 reads it first.
    return os.environ.get("AWS_REGION") or open_session(profile).region_name


def run_scan(
    request: ScopeRequest, opts: OutputOptions, *, quiet: bool, sessions: tuple[boto3.Session, ...] | None = None
) -> int:
    counter = CallCounter()
    home = _home_region(request.profiles[0] if request.profiles else None) if sessions is None else None
    if not request.regions and not request.all_regions and not home and sessions is None:
        raise InputError("no region: pass --region, --regions all, or set AWS_REGION / a profile region")
    if home and not request.regions and home not in known_regions(boto3.Session()):
        raise InputError(f"unknown region {home!r} (from AWS_REGION or the profile)")
    plan = build_plan(request, counter, home, sessions)
    progress = not quiet and sys.stderr.isatty()
    snapshot = execute(plan, progress_enabled=progress, total_calls=lambda: counter.total)
    return emit(snapshot, opts)


def _csv(value: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_split_ids(value)))


@app.command()
def scan(
    profile: Annotated[list[str] | None, typer.Option("--profile", help="AWS profile (repeatable).")] = None,
    region: Annotated[list[str] | None, typer.Option("--region", help="Region to scan (repeatable).")] = None,
    regions: Annotated[
        str | None, typer.Option("--regions", help="'all': every region each account has enabled.")
    ] = None,
    vpc_id: Annotated[list[str] | None, typer.Option("--vpc-id", help="Limit to this VPC (repeatable).")] = None,
    role_name: Annotated[
        str | None, typer.Option("--role-name", help="Role to assume in each account of --accounts/--organization.")
    ] = None,
    accounts: Annotated[str | None, typer.Option("--accounts", help="Comma-separated account ids.")] = None,
    organization: Annotated[
        bool, typer.Option("--organization", help="Every ACTIVE account of the caller's organization.")
    ] = False,
    exclude_accounts: Annotated[
        str | None, typer.Option("--exclude-accounts", help="Comma-separated account ids to leave out.")
    ] = None,
    external_id: Annotated[str | None, typer.Option("--external-id", help="ExternalId for AssumeRole.")] = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", help="Parallel (account, region) units.")
    ] = DEFAULT_CONCURRENCY,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
    output: OutputOpt = OutputFormat.TABLE,
    output_file: OutputFileOpt = None,
    query: QueryOpt = None,
    fail_on: FailOnOpt = FailOn.HIGH,
    checks: ChecksOpt = None,
    exclude_checks: ExcludeOpt = None,
    save_snapshot: SaveOpt = None,
    suppressions: SuppressionsOpt = None,
    export_securityhub: ExportOpt = False,
) -> int:
    """Scan live accounts: collect, judge and report."""
    opts = _options(output, output_file, query, fail_on, checks, exclude_checks, save_snapshot)
    opts = _with_suppressions(opts, suppressions)
    if export_securityhub:
        opts = replace(opts, export_to=open_session(profile[0] if profile else None))
    if regions is not None and regions != "all":
        raise InputError(f"--regions takes 'all' (got {regions!r}); use --region R for a list")
    request = ScopeRequest(
        profiles=tuple(dict.fromkeys(profile or [])),
        regions=_regions(region or []),
        all_regions=regions == "all",
        vpc_ids=tuple(dict.fromkeys(vpc_id or [])),
        role_name=role_name,
        accounts=_csv(accounts),
        organization=organization,
        exclude_accounts=_csv(exclude_accounts),
        external_id=external_id,
        concurrency=concurrency,
    )
    request.validate()
    return run_scan(request, opts, quiet=quiet)


@app.command()
def audit(
    snapshot: Annotated[Path, typer.Argument(help="A file written by --save-snapshot.")],
    output: OutputOpt = OutputFormat.TABLE,
    output_file: OutputFileOpt = None,
    query: QueryOpt = None,
    fail_on: FailOnOpt = FailOn.HIGH,
    checks: ChecksOpt = None,
    exclude_checks: ExcludeOpt = None,
    suppressions: SuppressionsOpt = None,
    export_securityhub: ExportOpt = False,
) -> int:
    """Judge a saved snapshot offline: the same report the live scan printed."""
    opts = _options(output, output_file, query, fail_on, checks, exclude_checks)
    opts = _with_suppressions(opts, suppressions)
    if export_securityhub:
        opts = replace(opts, export_to=open_session(None))
    try:
        data = load_snapshot(snapshot)
    except SnapshotError as exc:
        raise InputError(str(exc)) from None
    return emit(data, opts)


@app.command("checks")
def list_checks(
    output: OutputOpt = OutputFormat.TABLE,
) -> int:
    """List the check catalogue: id, severity, title and what it means."""
    if output not in (OutputFormat.TABLE, OutputFormat.JSON):
        raise InputError(f"checks prints table or json, not {output.value}")
    if output is OutputFormat.JSON:
        from vpce_audit.checks.catalogue import catalogue_document

        write_stdout(dumps(catalogue_document()))
    else:
        from tabulate import tabulate

        rows = [[c.id, str(c.severity), c.title] for c in sorted(REGISTRY.values(), key=lambda c: c.id)]
        write_stdout(tabulate(rows, headers=["id", "default severity", "title"], tablefmt="simple") + "\n")
    return EXIT_OK


@app.command("iam-policy")
def iam_policy(
    caller: Annotated[
        bool,
        typer.Option(
            "--caller",
            help="Also the caller's own statements for --organization/--role-name scans: "
            "organizations:ListAccounts and sts:AssumeRole on the role (needs --role-name).",
        ),
    ] = False,
    role_name: Annotated[
        str | None, typer.Option("--role-name", help="With --caller: the role the scan assumes in each account.")
    ] = None,
    partition: Annotated[str, typer.Option("--partition", help="With --caller: aws, aws-cn or aws-us-gov.")] = "aws",
) -> int:
    """Print the least-privilege IAM policy a scan needs (read-only; the file shipped in the package)."""
    from vpce_audit.aws import iam
    from vpce_audit.collect.accounts import ROLE_NAME

    if not caller:
        if role_name is not None or partition != "aws":
            raise InputError("--role-name and --partition apply to --caller")
        write_stdout(iam.policy_text())
        return EXIT_OK
    if role_name is None:
        raise InputError("--caller needs --role-name (the role the caller assumes in each account)")
    if not ROLE_NAME.match(role_name):
        raise InputError(f"--role-name {role_name!r} is not a valid IAM role name")
    if partition not in iam.PARTITIONS:
        raise InputError(f"--partition takes one of {', '.join(iam.PARTITIONS)} (got {partition!r})")
    write_stdout(iam.render(iam.caller_policy(role_name, partition)))
    return EXIT_OK


@app.command()
def demo(
    output: OutputOpt = OutputFormat.TABLE,
    output_file: OutputFileOpt = None,
    query: QueryOpt = None,
    fail_on: FailOnOpt = FailOn.HIGH,
    checks: ChecksOpt = None,
    exclude_checks: ExcludeOpt = None,
    save_snapshot: SaveOpt = None,
    export_securityhub: ExportOpt = False,
) -> int:
    """Scan the bundled moto world in-process: no AWS account, no network."""
    opts = _options(output, output_file, query, fail_on, checks, exclude_checks, save_snapshot)
    try:
        from moto_fixtures.demo import demo_session
    except ImportError:
        raise InputError("the demo needs moto: pip install 'vpce-audit[demo]'") from None
    with demo_session() as (session, regions):
        if export_securityhub:  # into the demo's own in-process Security Hub
            opts = replace(opts, export_to=session)
        return run_scan(ScopeRequest(regions=regions), opts, quiet=True, sessions=(session,))


@app.command()
def schema() -> int:
    """Print the JSON Schema (draft 2020-12) of the JSON report (vpce-audit/report/v1)."""
    from vpce_audit.report.schema import report_schema

    write_stdout(dumps(report_schema()))
    return EXIT_OK


@app.command("diff")
def diff_command(
    old: Annotated[Path, typer.Argument(help="The earlier JSON report.")],
    new: Annotated[Path, typer.Argument(help="The later JSON report.")],
    output: OutputOpt = OutputFormat.TABLE,
    output_file: OutputFileOpt = None,
    fail_on: FailOnOpt = FailOn.HIGH,
) -> int:
    """Compare two JSON reports: new, resolved and unchanged findings; exit 1 on new ones at --fail-on."""
    from vpce_audit.report.diff import diff_reports, load_report, render_diff_table

    _writable(output_file, "--output-file")
    result = diff_reports(load_report(old), load_report(new))
    text = dumps(result.to_document()) if output is OutputFormat.JSON else render_diff_table(result)
    if output_file is not None:
        write_atomic(output_file, text)
    else:
        write_stdout(text)
    threshold = None if fail_on is FailOn.NONE else Severity(fail_on.value)
    return EXIT_FINDINGS if result.new_at_least(threshold) else EXIT_OK


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"vpce-audit {__version__}\n")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Audit AWS VPC endpoints: AZ coverage by AZ ID, gateway route coverage, endpoint health."""


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"vpce-audit: error: {' '.join(message.split())}\n")
    return code


def run(argv: list[str] | None = None) -> int:
    try:
        result = app(args=argv, prog_name="vpce-audit", standalone_mode=False)
    except NoArgsIsHelpError as exc:
        # Building the exception rendered the help; typer's rich mode has already printed it (message "").
        if exc.format_message():
            typer.echo(exc.format_message(), err=True)
        return EXIT_USAGE
    except UsageError as exc:
        return _fail(exc.format_message(), EXIT_USAGE)
    except InputError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except (ConfigParseError, ConfigNotFound, ProfileNotFound) as exc:  # read lazily, wherever boto3 first looks
        return _fail(f"AWS configuration: {exc}", EXIT_USAGE)
    except (KeyboardInterrupt, typer.Abort):
        sys.stderr.write("vpce-audit: interrupted\n")
        return EXIT_INTERRUPTED
    except typer.Exit as exc:
        return int(exc.exit_code)
    except OSError as exc:
        return _fail(f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""), EXIT_USAGE)
    except Exception as exc:  # a bug: still one line, and a distinct code
        return _fail(f"internal error: {type(exc).__name__}: {exc}", EXIT_INTERNAL)
    if result == EXIT_INTERRUPTED:
        # typer answers Ctrl-C with Exit(130) and, outside standalone mode, returns that code without a word.
        sys.stderr.write("vpce-audit: interrupted\n")
    return result if isinstance(result, int) else EXIT_OK


def main() -> None:
    code = run()
    if code == EXIT_INTERRUPTED:
        # Scan threads may be inside a slow AWS call: leave now rather than wait for them to finish.
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
