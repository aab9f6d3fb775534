"""GitHub-flavoured Markdown for a pull-request comment or a GitHub Actions step summary.

Sections: a summary line and severity table, one coverage row per VPC, the findings that fail the run
(unsuppressed, at or above --fail-on) with a link to the documentation of their fix, then the collection
errors. A step summary holds at most 1 MiB (GitHub's limit for $GITHUB_STEP_SUMMARY): past that the findings
table stops, and a note says how many rows were left out and where the full list is.
"""

from __future__ import annotations

from collections import defaultdict

from vpce_audit.model.findings import Finding, Severity
from vpce_audit.report.context import RenderContext
from vpce_audit.report.model import EndpointVerdict, Report
from vpce_audit.verdicts.coverage import KNOWN

STEP_SUMMARY_LIMIT = 1024 * 1024  # bytes GitHub accepts in one step summary
_NOTE_ROOM = 512  # kept free for the truncation note and the sections after the findings


def cell(text: str) -> str:
    """One table cell: pipes escaped, lines joined (a newline would end the row)."""
    return " ".join(str(text).split()).replace("\\", "\\\\").replace("|", "\\|") or "-"


def _row(values: list[str]) -> str:
    return "| " + " | ".join(cell(v) for v in values) + " |"


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    return [_row(headers), "| " + " | ".join("---" for _ in headers) + " |", *(_row(r) for r in rows)]


def _summary(report: Report, context: RenderContext, failing: int) -> list[str]:
    threshold = str(context.fail_on) if context.fail_on is not None else "none"
    verdict = f"**{failing} finding(s) at or above {threshold}**" if failing else f"no finding at or above {threshold}"
    suppressed = report.suppressed_count
    lines = [
        "## vpce-audit",
        "",
        f"{verdict} · {len(report.endpoints)} endpoint(s) · {len(report.findings)} finding(s)"
        + (f" ({suppressed} suppressed)" if suppressed else "")
        + f" · accounts {', '.join(report.accounts) or '-'} · regions {', '.join(report.regions) or '-'}"
        + f" · data collected {report.generated_at}",
    ]
    if report.partial:
        lines += [
            "",
            f"> **Partial scan**: {len(report.errors)} AWS call(s) failed; checks needing that data said nothing.",
        ]
    active, found = report.active_counts(), report.counts()
    rows = [[sev, str(n), str(found[sev] - n)] for sev, n in active.items()]
    lines += ["", *_table(["severity", "active", "suppressed"], rows), ""]
    return lines


def _interface(verdicts: list[EndpointVerdict]) -> str:
    judged = [v.az for v in verdicts if v.az is not None]
    if not judged:
        return "-"
    known = [az for az in judged if az.status == KNOWN]
    full = sum(not az.missing for az in known)
    unknown = len(judged) - len(known)
    return f"{full}/{len(judged)} cover every workload AZ" + (f" ({unknown} unknown)" if unknown else "")


def _gateway(verdicts: list[EndpointVerdict]) -> str:
    judged = [v.routes for v in verdicts if v.routes is not None]
    if not judged:
        return "-"
    known = [r for r in judged if r.status == KNOWN]
    routed = sum(len(r.covered_subnets) for r in known)
    total = routed + sum(len(r.missing_subnets) for r in known)
    unknown = len(judged) - len(known)
    return f"{routed}/{total} workload subnets routed" + (f" ({unknown} unknown)" if unknown else "")


def _coverage(report: Report, context: RenderContext) -> list[str]:
    by_vpc: dict[tuple[str, str, str], list[EndpointVerdict]] = defaultdict(list)
    for v in report.endpoints:
        by_vpc[(v.endpoint.account_id, v.endpoint.region, v.endpoint.vpc_id)].append(v)
    failing: dict[str, int] = defaultdict(int)
    for f in report.findings:
        if context.fails(f.severity, f.suppressed):
            failing[f.vpc_id] += 1
    rows = [
        [account, region, vpc, str(len(vs)), _interface(vs), _gateway(vs), str(failing.get(vpc, 0))]
        for (account, region, vpc), vs in sorted(by_vpc.items())
    ]
    headers = ["account", "region", "VPC", "endpoints", "interface AZ coverage", "gateway routes", "failing"]
    if not rows:
        return ["### Coverage by VPC", "", "No endpoint in scope.", ""]
    return ["### Coverage by VPC", "", *_table(headers, rows), ""]


def _remediation(f: Finding) -> str:
    text = cell(f.remediation or "-")
    if f.references:
        url = f.references[0].replace(")", "%29").replace(" ", "%20")
        return f"{text} [docs]({url})"
    return text


def _finding_row(f: Finding) -> str:
    values = [
        cell(str(f.severity)),
        cell(f.check_id),
        cell(f"{f.account_id} {f.region} {f.resource_id}"),
        cell(f.vpc_id),
    ]
    return "| " + " | ".join([*values, cell(f.message), _remediation(f)]) + " |"


def _errors(report: Report) -> list[str]:
    if not report.errors:
        return []
    rows = [[e.account_id, e.region, f"{e.service}:{e.operation}", e.code, e.message] for e in report.errors]
    return ["### Errors", "", *_table(["account", "region", "operation", "code", "message"], rows), ""]


def render_markdown(report: Report, context: RenderContext, limit: int = STEP_SUMMARY_LIMIT) -> str:
    failing = [f for f in report.findings if context.fails(f.severity, f.suppressed)]
    head = _summary(report, context, len(failing)) + _coverage(report, context)
    tail = _errors(report)
    used = sum(len(line.encode()) + 1 for line in head + tail) + _NOTE_ROOM
    lines = list(head)
    if failing:
        threshold = context.fail_on or Severity.INFO
        lines += [f"### Findings at or above {threshold}", ""]
        lines += _table(["severity", "check", "resource", "VPC", "finding", "remediation"], [])
        used += sum(len(line.encode()) + 1 for line in lines[len(head) :])
        shown = 0
        for f in failing:
            row = _finding_row(f)
            if used + len(row.encode()) + 1 > limit:
                break
            lines.append(row)
            used += len(row.encode()) + 1
            shown += 1
        if shown < len(failing):
            lines += [
                "",
                f"> **Truncated**: {len(failing) - shown} of {len(failing)} findings left out to fit GitHub's "
                f"{limit // 1024} KiB step summary limit; the JSON report (`--output json`) lists them all.",
            ]
        lines.append("")
    return _fit("\n".join(lines + tail).rstrip() + "\n", limit)


def _fit(text: str, limit: int) -> str:
    """The last guard: a summary too big even without findings (thousands of VPCs or errors) is cut at a line."""
    if len(text.encode()) <= limit:
        return text
    note = "\n> **Truncated** to fit GitHub's step summary limit; the JSON report (`--output json`) has everything.\n"
    cut = text.encode()[: limit - len(note.encode())].decode("utf-8", "ignore")
    return cut[: cut.rfind("\n") + 1] + note
