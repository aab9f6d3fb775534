"""Command line: `vpce-audit scan | collect | audit | demo | diff | checks | schema | iam-policy`.

A thin layer: each command turns its options into the application layer's Scope and Job (checked by
app/validate.py, run by app/job.py). Every failure the user can cause ends as one line on stderr and a
documented exit code (app/exitcodes.py: 0 clean, 1 findings at or above --fail-on, 2 usage or input error,
3 partial scan, 4 internal error, 130 interrupted), never a traceback; `--debug` shows the package's logs on
stderr and, for an internal error, the traceback behind it.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import boto3
import typer
from botocore.exceptions import ConfigNotFound, ConfigParseError, ProfileNotFound

try:  # typer 0.2x vendors click (and no longer installs it): its usage errors are not click's classes
    from typer._click.exceptions import NoArgsIsHelpError, UsageError
except ImportError:  # older typer raises click's own
    from click.exceptions import NoArgsIsHelpError, UsageError  # type: ignore[assignment]

from vpce_audit import __version__
from vpce_audit.app import job as jobs
from vpce_audit.app import logs, validate
from vpce_audit.app.exitcodes import ExitCode
from vpce_audit.app.job import Job, Output, Scope, write_stdout
from vpce_audit.checks import REGISTRY
from vpce_audit.collect.scan import DEFAULT_CONCURRENCY
from vpce_audit.collect.scope import ScopeRequest, open_session
from vpce_audit.errors import InputError
from vpce_audit.report.fit import DEFAULT_WIDTH, fit_table
from vpce_audit.report.json import dumps
from vpce_audit.report.ocsf import DEFAULT_OCSF_VERSION
from vpce_audit.report.ocsf import ocsf_version as ocsf_version_of
from vpce_audit.report.table import SEVERITY_COLOURS, Style, plain
from vpce_audit.snapshot import SnapshotError, write_atomic

log = logging.getLogger(__name__)
EVENT_BUS_NAME = re.compile(r"^[A-Za-z0-9._\-/]{1,256}$")  # EventBridge's pattern for a bus name


class OutputFormat(StrEnum):
    """What scan, audit and demo render (report/formats.py, table and JSON)."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    ASFF = "asff"
    OCSF = "ocsf"
    HTML = "html"
    JUNIT = "junit"
    MARKDOWN = "markdown"


class CatalogueFormat(StrEnum):
    """What `checks` renders."""

    TABLE = "table"
    JSON = "json"


class DiffFormat(StrEnum):
    """What `diff` renders (report/diff_render.DIFF_FORMATS)."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
    HTML = "html"


class FailOn(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"
    NONE = "none"


# Each command's help ends with examples and the environment variables it reads (README, "Exit codes" and
# "Scanning a real account" say the same). Rich keeps these line breaks; a paragraph is a blank line apart.
AWS_ENVIRONMENT = (
    "AWS_PROFILE, AWS_REGION (else AWS_DEFAULT_REGION or the profile's region), AWS_ACCESS_KEY_ID, "
    "AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, "
    "AWS_ENDPOINT_URL (a moto server or another compatible endpoint)"
)
EXIT_CODES = "Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage error, 3 partial, 4 internal error."


def _epilog(examples: list[str], environment: str, *, exit_codes: bool = True) -> str:
    lines = ["Examples:", "", *(f"  {e}" for e in examples), "", f"Environment: {environment}"]
    return "\n".join([*lines, "", EXIT_CODES] if exit_codes else lines)


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Audit AWS VPC endpoints: AZ coverage by AZ ID, gateway route coverage, endpoint health.",
    epilog=_epilog(
        [
            "vpce-audit demo                      # no AWS account needed",
            "vpce-audit scan --region eu-west-1",
            "vpce-audit COMMAND -h                # each command's options",
        ],
        "see each command's help.",
    ),
)

OutputOpt = Annotated[OutputFormat, typer.Option("--output", "-o", help="Report format.")]
CatalogueOutputOpt = Annotated[CatalogueFormat, typer.Option("--output", "-o", help="Catalogue format.")]
DiffOutputOpt = Annotated[DiffFormat, typer.Option("--output", "-o", help="Comparison format.")]
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
    str | None,
    typer.Option(
        "--suppressions",
        help="TOML file (a path or s3://bucket/key) of accepted findings: check, resource pattern, reason, expires.",
    ),
]
ExportOpt = Annotated[
    bool,
    typer.Option(
        "--export-securityhub",
        help="Also import the findings into Security Hub (BatchImportFindings, the one write vpce-audit makes).",
    ),
]
EventBusOpt = Annotated[
    str | None,
    typer.Option(
        "--event-bus",
        help="Also send each new finding and a run summary to this EventBridge bus (PutEvents, allowed by name).",
    ),
]
PreviousOpt = Annotated[
    Path | None,
    typer.Option(
        "--previous",
        help="The previous JSON report: with --export-securityhub, its findings this run re-checked and no longer "
        "finds are archived in Security Hub; with --event-bus, only findings not in it are sent as new.",
    ),
]
OcsfVersionOpt = Annotated[  # report/ocsf.py: 1.6 for the new Security Hub, 1.1 for Security Lake and Prowler
    str | None,
    typer.Option(
        "--ocsf-version",
        metavar="1.6|1.1",
        help="With -o ocsf: the OCSF release of the Detection Finding records, 1.6 (default: the new Security Hub) "
        "or 1.1 (Security Lake, Prowler).",
    ),
]
AzLossOpt = Annotated[
    bool,
    typer.Option(
        "--az-loss",
        help="Add the impact of losing each AZ ID: a matrix of lost AZ x (VPC, service) in the table, a heatmap in "
        "HTML, `az_loss` in JSON (the check az-loss-cross-az runs in every scan).",
    ),
]
SaveOpt = Annotated[
    Path | None, typer.Option("--save-snapshot", help="Also write the raw collected responses to this file.")
]


def _with_previous(job: Job, previous: Path | None) -> Job:
    """The previous report's findings, read and checked before the scan spends minutes."""
    if previous is None:
        return job
    if job.export_to is None and job.event_bus is None:
        raise InputError("--previous applies to --export-securityhub and --event-bus")
    from vpce_audit.report.diff import load_report

    return replace(job, previous=tuple(load_report(previous)["findings"]))


def _with_event_bus(job: Job, bus: str | None, session: Callable[[], boto3.Session], region: str | None) -> Job:
    """The bus, checked now; events go to it in the scan's home region (or the session's)."""
    if bus is None:
        return job
    if not EVENT_BUS_NAME.match(bus):
        raise InputError(f"--event-bus {bus!r} is not an event bus name")
    opened = session()
    where = region or opened.region_name
    if not where:
        raise InputError("--event-bus needs a region: set AWS_REGION or the profile's region")
    return replace(job, event_bus=bus, event_session=opened, event_region=where)


def _style_for(stream_is_tty: bool) -> Style:
    if not stream_is_tty or os.environ.get("NO_COLOR"):
        return plain
    return lambda text, kind: typer.style(text, fg=SEVERITY_COLOURS[kind]) if kind in SEVERITY_COLOURS else text


def _job(
    output: OutputFormat,
    output_file: Path | None,
    query: str | None,
    fail_on: FailOn,
    checks: str | None,
    exclude_checks: str | None,
    save_snapshot: Path | None = None,
    ocsf_version: str | None = None,
) -> Job:
    """Everything the user typed for judging and reporting, checked before the first AWS call."""
    compiled = validate.query(query)
    if ocsf_version is not None and output is not OutputFormat.OCSF:
        raise InputError("--ocsf-version applies to -o ocsf")
    try:
        version = ocsf_version_of(ocsf_version if ocsf_version is not None else DEFAULT_OCSF_VERSION)
    except InputError as exc:
        raise InputError(f"--ocsf-version: {exc}") from None
    validate.writable(output_file, "--output-file")
    validate.writable(save_snapshot, "--save-snapshot")
    chosen = validate.id_list(checks, "--checks")
    skipped = validate.id_list(exclude_checks, "--exclude-checks")
    tty = output_file is None and sys.stdout.isatty()
    return Job(
        check_ids=validate.check_ids(chosen, skipped),
        fail_on=validate.fail_on(fail_on.value),
        save_snapshot=save_snapshot,
        output=Output(output.value, output_file, compiled, _style_for(tty), table_width(tty), ocsf_version=version),
    )


ProfileOpt = Annotated[list[str] | None, typer.Option("--profile", help="AWS profile (repeatable).")]
RegionOpt = Annotated[list[str] | None, typer.Option("--region", help="Region to scan (repeatable).")]
RegionsOpt = Annotated[str | None, typer.Option("--regions", help="'all': every region each account has enabled.")]
VpcOpt = Annotated[list[str] | None, typer.Option("--vpc-id", help="Limit to this VPC (repeatable).")]
RoleOpt = Annotated[
    str | None, typer.Option("--role-name", help="Role to assume in each account of --accounts/--organization.")
]
AccountsOpt = Annotated[str | None, typer.Option("--accounts", help="Comma-separated account ids.")]
OrganizationOpt = Annotated[
    bool, typer.Option("--organization", help="Every ACTIVE account of the caller's organization.")
]
ExcludeAccountsOpt = Annotated[
    str | None, typer.Option("--exclude-accounts", help="Comma-separated account ids to leave out.")
]
ExternalIdOpt = Annotated[str | None, typer.Option("--external-id", help="ExternalId for AssumeRole.")]
ConcurrencyOpt = Annotated[int, typer.Option("--concurrency", help="Parallel (account, region) units.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")]


def _scope(
    profile: list[str] | None,
    region: list[str] | None,
    regions: str | None,
    vpc_id: list[str] | None,
    role_name: str | None,
    accounts: str | None,
    organization: bool,
    exclude_accounts: str | None,
    external_id: str | None,
    concurrency: int,
    quiet: bool,
) -> Scope:
    """The scan options `scan` and `collect` share, checked before the first AWS call."""
    if regions is not None and regions != "all":
        raise InputError(f"--regions takes 'all' (got {regions!r}); use --region R for a list")
    request = ScopeRequest(
        profiles=tuple(dict.fromkeys(profile or [])),
        regions=validate.regions(region or []),
        all_regions=regions == "all",
        vpc_ids=tuple(dict.fromkeys(vpc_id or [])),
        role_name=role_name,
        accounts=validate.accounts(validate.id_list(accounts, "--accounts")),
        organization=organization,
        exclude_accounts=validate.accounts(validate.id_list(exclude_accounts, "--exclude-accounts")),
        external_id=external_id,
        concurrency=concurrency,
    )
    request.validate()
    home = validate.home_region(request, os.environ)
    request = replace(request, profile_regions=validate.profile_regions(request, os.environ, home))
    return Scope(request, home, progress=not quiet and sys.stderr.isatty())


@app.command(
    epilog=_epilog(
        [
            "vpce-audit scan --region eu-west-1",
            "vpce-audit scan --profile prod --regions all -o html --output-file vpce.html",
        ],
        f"{AWS_ENVIRONMENT}; NO_COLOR (no colour in the table).",
    )
)
def scan(
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    regions: RegionsOpt = None,
    vpc_id: VpcOpt = None,
    role_name: RoleOpt = None,
    accounts: AccountsOpt = None,
    organization: OrganizationOpt = False,
    exclude_accounts: ExcludeAccountsOpt = None,
    external_id: ExternalIdOpt = None,
    concurrency: ConcurrencyOpt = DEFAULT_CONCURRENCY,
    quiet: QuietOpt = False,
    output: OutputOpt = OutputFormat.TABLE,
    output_file: OutputFileOpt = None,
    query: QueryOpt = None,
    fail_on: FailOnOpt = FailOn.HIGH,
    checks: ChecksOpt = None,
    exclude_checks: ExcludeOpt = None,
    save_snapshot: SaveOpt = None,
    suppressions: SuppressionsOpt = None,
    export_securityhub: ExportOpt = False,
    previous: PreviousOpt = None,
    event_bus: EventBusOpt = None,
    ocsf_version: OcsfVersionOpt = None,
    az_loss: AzLossOpt = False,
) -> int:
    """Scan live accounts: collect, judge and report."""
    caller = profile[0] if profile else None
    job = _job(output, output_file, query, fail_on, checks, exclude_checks, save_snapshot, ocsf_version)
    job = replace(job, az_loss=az_loss)
    job = replace(job, suppressions=validate.suppressions(suppressions, session=lambda: open_session(caller)))
    if export_securityhub:
        job = replace(job, export_to=open_session(caller))
    scope = _scope(
        profile, region, regions, vpc_id, role_name, accounts, organization, exclude_accounts, external_id,
        concurrency, quiet,
    )  # fmt: skip
    home = scope.home_region or next(iter(scope.request.regions), None)
    job = _with_previous(_with_event_bus(job, event_bus, lambda: open_session(caller), home), previous)
    return jobs.scan(scope, job).exit_code


@app.command(
    epilog=_epilog(
        ["vpce-audit collect --profile prod --regions all --output-file prod.json.gz"],
        f"{AWS_ENVIRONMENT}.",
    )
)
def collect(
    output_file: Annotated[
        Path,
        typer.Option("--output-file", help="Write the snapshot here (atomically); gzip-compressed if it ends in .gz."),
    ],
    profile: ProfileOpt = None,
    region: RegionOpt = None,
    regions: RegionsOpt = None,
    vpc_id: VpcOpt = None,
    role_name: RoleOpt = None,
    accounts: AccountsOpt = None,
    organization: OrganizationOpt = False,
    exclude_accounts: ExcludeAccountsOpt = None,
    external_id: ExternalIdOpt = None,
    concurrency: ConcurrencyOpt = DEFAULT_CONCURRENCY,
    quiet: QuietOpt = False,
) -> int:
    """Collect live accounts without judging: write a snapshot for `audit` (exit 3 when calls failed)."""
    validate.writable(output_file, "--output-file")
    scope = _scope(
        profile, region, regions, vpc_id, role_name, accounts, organization, exclude_accounts, external_id,
        concurrency, quiet,
    )  # fmt: skip
    return jobs.collect_to(scope, output_file)


@app.command(
    epilog=_epilog(
        [
            "vpce-audit scan --region eu-west-1 --save-snapshot snap.json",
            "vpce-audit audit snap.json -o json --output-file report.json",
        ],
        "NO_COLOR (no colour in the table); the AWS variables of `scan -h` only for --suppressions s3://... "
        "and --export-securityhub.",
    )
)
def audit(
    snapshots: Annotated[
        list[str],
        typer.Argument(
            help="Snapshot files (.json, .json.gz), directories of them, or s3://bucket/prefix/: judged as one estate."
        ),
    ],
    output: OutputOpt = OutputFormat.TABLE,
    output_file: OutputFileOpt = None,
    query: QueryOpt = None,
    fail_on: FailOnOpt = FailOn.HIGH,
    checks: ChecksOpt = None,
    exclude_checks: ExcludeOpt = None,
    suppressions: SuppressionsOpt = None,
    export_securityhub: ExportOpt = False,
    previous: PreviousOpt = None,
    event_bus: EventBusOpt = None,
    ocsf_version: OcsfVersionOpt = None,
    az_loss: AzLossOpt = False,
) -> int:
    """Judge saved snapshots offline, merged as one estate: the same report a live scan of it prints."""
    from vpce_audit.aws.clients import ClientFactory
    from vpce_audit.estate import load_estate

    job = _job(output, output_file, query, fail_on, checks, exclude_checks, ocsf_version=ocsf_version)
    job = replace(job, az_loss=az_loss)
    job = replace(job, suppressions=validate.suppressions(suppressions, session=lambda: open_session(None)))
    if export_securityhub:
        job = replace(job, export_to=open_session(None))
    job = _with_previous(
        _with_event_bus(job, event_bus, lambda: open_session(None), os.environ.get("AWS_REGION")), previous
    )
    try:
        data = load_estate(snapshots, s3_client=lambda: ClientFactory(open_session(None)).client("s3", None))
    except SnapshotError as exc:
        raise InputError(str(exc)) from None
    return jobs.audit(data, job).exit_code


@app.command(
    "checks",
    epilog=_epilog(
        ["vpce-audit checks", "vpce-audit checks -o json"],
        "COLUMNS (the table's width; else the terminal's, 100 when not a terminal).",
        exit_codes=False,
    ),
)
def list_checks(
    output: CatalogueOutputOpt = CatalogueFormat.TABLE,
) -> int:
    """List the check catalogue: id, severity, title and what it means."""
    if output is CatalogueFormat.JSON:
        from vpce_audit.checks.catalogue import catalogue_document

        write_stdout(dumps(catalogue_document()))
    else:
        write_stdout(catalogue_table(table_width(sys.stdout.isatty())))
    return ExitCode.OK


def table_width(stream_is_tty: bool) -> int:
    """COLUMNS when set, else the terminal's width, else (a file, a pipe) 100 columns."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns if stream_is_tty else DEFAULT_WIDTH


def catalogue_table(width: int) -> str:
    """id, default severity, title and meaning (the catalogue's summary), titles and meanings wrapped so each
    line fits `width` (the id and severity columns are kept whole while the others can make room)."""
    rows = [[c.id, str(c.severity), c.title, c.summary] for c in sorted(REGISTRY.values(), key=lambda c: c.id)]
    return fit_table(["id", "severity", "title", "meaning"], rows, width, keep=(0, 1)) + "\n"


@app.command(
    "iam-policy",
    epilog=_epilog(
        ["vpce-audit iam-policy > read-only.json", "vpce-audit iam-policy --caller --role-name VpceAuditScan"],
        "none read.",
        exit_codes=False,
    ),
)
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
        return ExitCode.OK
    if role_name is None:
        raise InputError("--caller needs --role-name (the role the caller assumes in each account)")
    if not ROLE_NAME.match(role_name):
        raise InputError(f"--role-name {role_name!r} is not a valid IAM role name")
    if partition not in iam.PARTITIONS:
        raise InputError(f"--partition takes one of {', '.join(iam.PARTITIONS)} (got {partition!r})")
    write_stdout(iam.render(iam.caller_policy(role_name, partition)))
    return ExitCode.OK


@app.command(
    epilog=_epilog(
        ["vpce-audit demo", "vpce-audit demo -o html --output-file demo.html"],
        "NO_COLOR (no colour in the table); AWS variables are ignored (moto runs in-process).",
    )
)
def demo(
    output: OutputOpt = OutputFormat.TABLE,
    output_file: OutputFileOpt = None,
    query: QueryOpt = None,
    fail_on: FailOnOpt = FailOn.HIGH,
    checks: ChecksOpt = None,
    exclude_checks: ExcludeOpt = None,
    save_snapshot: SaveOpt = None,
    export_securityhub: ExportOpt = False,
    previous: PreviousOpt = None,
    ocsf_version: OcsfVersionOpt = None,
) -> int:
    """Scan the bundled moto world in-process: no AWS account, no network."""
    job = _job(output, output_file, query, fail_on, checks, exclude_checks, save_snapshot, ocsf_version)
    try:
        from moto_fixtures.demo import demo_session
    except ImportError:
        raise InputError("the demo needs moto: pip install 'vpce-audit[demo]'") from None
    with demo_session() as (session, regions):
        if export_securityhub:  # into the demo's own in-process Security Hub
            job = replace(job, export_to=session)
        job = _with_previous(job, previous)
        return jobs.scan(Scope(ScopeRequest(regions=regions), sessions=(session,)), job).exit_code


@app.command(epilog=_epilog(["vpce-audit schema > report-v1.schema.json"], "none read.", exit_codes=False))
def schema(
    events: Annotated[
        bool, typer.Option("--events", help="The EventBridge event details' schemas, by detail-type, instead.")
    ] = False,
) -> int:
    """Print the JSON Schema (draft 2020-12) of the JSON report (vpce-audit/report/v1), or of the events."""
    if events:
        from vpce_audit.report.events import event_schemas

        write_stdout(dumps(event_schemas()))
        return ExitCode.OK
    from vpce_audit.report.schema import report_schema

    write_stdout(dumps(report_schema()))
    return ExitCode.OK


@app.command(
    "diff",
    epilog=_epilog(
        [
            "vpce-audit diff yesterday.json today.json --fail-on high",
            "vpce-audit diff old.json new.json -o markdown --output-file diff.md",
        ],
        "none read.",
        exit_codes=False,
    )
    + "\n\nExit codes: 0 every finding compared, nothing new at --fail-on; 1 a new (or not checked before) "
    "finding at or above --fail-on; 2 a file is not a vpce-audit JSON report; 3 partial: a report has errors, "
    "or findings could not be compared (not re-checked, not checked before).",
)
def diff_command(
    old: Annotated[Path, typer.Argument(help="The earlier JSON report.")],
    new: Annotated[Path, typer.Argument(help="The later JSON report.")],
    output: DiffOutputOpt = DiffFormat.TABLE,
    output_file: OutputFileOpt = None,
    fail_on: FailOnOpt = FailOn.HIGH,
) -> int:
    """Compare two JSON reports: new, resolved, unchanged, and what one report could not check."""
    from vpce_audit.report.diff import diff_reports, load_report
    from vpce_audit.report.diff_render import DIFF_FORMATS, render_table

    validate.writable(output_file, "--output-file")
    threshold = validate.fail_on(fail_on.value)
    result = diff_reports(load_report(old), load_report(new))
    if output is DiffFormat.TABLE:
        text = render_table(result, table_width(output_file is None and sys.stdout.isatty()))
    else:
        text = DIFF_FORMATS[output.value](result)
    if output_file is not None:
        write_atomic(output_file, text)
    else:
        write_stdout(text)
    return result.exit_code(threshold)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"vpce-audit {__version__}\n")
        raise typer.Exit(ExitCode.OK)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Log what happens on stderr; on an internal error, show the traceback."),
    ] = False,
) -> None:
    """Audit AWS VPC endpoints: AZ coverage by AZ ID, gateway route coverage, endpoint health."""
    if debug:
        logs.enable_debug()
        log.debug("vpce-audit %s, Python %s", __version__, sys.version.split()[0])


def _fail(message: str, code: ExitCode) -> ExitCode:
    sys.stderr.write(f"vpce-audit: error: {' '.join(message.split())}\n")
    return code


def run(argv: list[str] | None = None) -> int:
    try:
        return _run(argv)
    finally:
        logs.disable_debug()  # in-process callers (tests, bench/golden) run many commands


def _run(argv: list[str] | None) -> int:
    try:
        result = app(args=argv, prog_name="vpce-audit", standalone_mode=False)
    except NoArgsIsHelpError as exc:
        # Building the exception rendered the help; typer's rich mode has already printed it (message "").
        if exc.format_message():
            typer.echo(exc.format_message(), err=True)
        return ExitCode.USAGE
    except UsageError as exc:
        return _fail(exc.format_message(), ExitCode.USAGE)
    except InputError as exc:
        return _fail(str(exc), ExitCode.USAGE)
    except (ConfigParseError, ConfigNotFound, ProfileNotFound) as exc:  # read lazily, wherever boto3 first looks
        return _fail(f"AWS configuration: {exc}", ExitCode.USAGE)
    except (KeyboardInterrupt, typer.Abort):
        sys.stderr.write("vpce-audit: interrupted\n")
        return ExitCode.INTERRUPTED
    except typer.Exit as exc:
        return int(exc.exit_code)
    except OSError as exc:
        return _fail(f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""), ExitCode.USAGE)
    except Exception as exc:  # a bug: still one line, and a distinct code; --debug shows where it came from
        log.debug("internal error", exc_info=True)
        return _fail(f"internal error: {type(exc).__name__}: {exc}", ExitCode.INTERNAL)
    if result == ExitCode.INTERRUPTED:
        # typer answers Ctrl-C with Exit(130) and, outside standalone mode, returns that code without a word.
        sys.stderr.write("vpce-audit: interrupted\n")
    return result if isinstance(result, int) else ExitCode.OK


def main() -> None:
    code = run()
    # Everything is written and closed by now: leave without the interpreter's teardown, which frees every
    # loaded module and botocore model one by one (0.3 s, a tenth of a small account's scan) and, after an
    # interrupt, would wait for scan threads still inside a slow AWS call. The exit handlers others registered
    # (coverage, a sitecustomize) still run, but for an interrupted scan, which leaves at once.
    if code != ExitCode.INTERRUPTED:
        atexit._run_exitfuncs()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`| head`): what could be written was
            stream.flush()
    os._exit(code)
