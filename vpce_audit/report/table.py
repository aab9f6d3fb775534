"""Terminal rendering: per VPC a matrix of endpoints by AZ ID, then findings by severity, then errors."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from vpce_audit.dns.kinds import Mode
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.names import short_service_name
from vpce_audit.report import az_loss_render
from vpce_audit.report.fit import DEFAULT_WIDTH, fit_table, wrap_text
from vpce_audit.report.model import EndpointVerdict, Report
from vpce_audit.verdicts.coverage import KNOWN, SPOKES_UNKNOWN_MARK, AzCoverage, RouteCoverage

Style = Callable[[str, str], str]  # (text, severity or cell kind) -> text


def plain(text: str, _kind: str) -> str:
    return text


def render_table(report: Report, style: Style = plain, width: int = DEFAULT_WIDTH) -> str:
    """The report for a terminal: no line wider than `width` (columns and long lines wrapped, never cut), so
    every reason is whole here as in the JSON."""
    counts = report.active_counts()
    suppressed = f"; {report.suppressed_count} suppressed (not counted above)" if report.suppressed_count else ""
    lines = [
        *wrap_text(
            f"vpce-audit {report.tool_version} · accounts {', '.join(report.accounts) or '-'} · "
            f"regions {', '.join(report.regions) or '-'} · data collected {report.generated_at}",
            width,
            "  ",
        ),
        *wrap_text(
            f"{len(report.endpoints)} endpoint(s); findings: "
            + ", ".join(f"{style(f'{n} {sev}', sev)}" for sev, n in counts.items())
            + suppressed
            + (f"; {len(report.errors)} error(s): partial scan" if report.errors else ""),
            width,
            "  ",
        ),
        "",
    ]
    by_vpc: dict[tuple[str, str, str], list[EndpointVerdict]] = defaultdict(list)
    for v in report.endpoints:
        by_vpc[(v.endpoint.account_id, v.endpoint.region, v.endpoint.vpc_id)].append(v)
    for key in sorted(by_vpc):
        lines += _vpc_matrix(report.inventory, key, by_vpc[key], style, width)
    if report.az_loss is not None:
        lines += az_loss_render.table_lines(report.az_loss, style, width)
    lines += _findings(report, style, width)
    lines += _errors(report, width)
    return "\n".join(lines).rstrip() + "\n"


def _short_service(name: str, region: str) -> str:
    return short_service_name(name, region) or name


def _vpc_matrix(
    inv: Inventory, key: tuple[str, str, str], verdicts: list[EndpointVerdict], style: Style, width: int
) -> list[str]:
    account, region, vpc_id = key
    vpc = inv.vpcs.get(vpc_id)
    azs = {inv.subnets[s].az_id for s in inv.subnets_by_vpc.get(vpc_id, ()) if inv.subnets[s].az_id}
    for v in verdicts:
        if v.az is not None and v.az.status == KNOWN:
            azs |= v.az.covered | v.az.workload
    columns = sorted(azs)
    workload = inv.workload_az_ids(vpc_id)
    title = f"VPC {vpc_id}" + (f" ({vpc.name})" if vpc and vpc.name else "") + f" · {account} · {region}"
    note = " (no workload ENIs: all subnets counted)" if vpc_id in inv.workload_assumed else ""
    header = ["endpoint", "type", "service", *columns, "path", "verdict"]
    rows = []
    for v in verdicts:
        ep = v.endpoint
        path = _path_column(v, style)
        if v.az is not None:
            cells, summary = _interface_cells(v.az, columns, style)
            cells = _path_marks(v, columns, cells, style)
        elif v.routes is not None:
            cells, summary = _gateway_cells(inv, v.routes, columns)
        elif v.unjudged:
            cells, summary = ["?" for _ in columns], f"unknown: {v.unjudged}"
        else:
            cells, summary = ["" for _ in columns], ""
        if not ep.available:
            summary = style(f"state {ep.state}", "high") + (f"; {summary}" if summary else "")
        rows.append([ep.id, ep.type_raw, _short_service(ep.service_name, region), *cells, path, summary])
    return [
        *wrap_text(title, width, "  "),
        *wrap_text(f"workload AZs: {', '.join(sorted(workload)) or '-'}{note}", width, "  "),
        fit_table(header, rows, width, text=True, keep=(0,)),
        *_dns_lines(verdicts, region, style, width),
        "",
    ]


_PATH_TROUBLE = {"unreachable": "critical", "degraded": "high", "unknown": "info"}


def _path_column(v: EndpointVerdict, style: Style) -> str:
    """The packet path (issue 13) over every client VPC and AZ: `reachable`, or the AZs that are not."""
    if v.network is None:
        return ""
    status = v.network.status.value
    if status == "reachable" or not v.network.vpcs:
        return status if status == "reachable" else style(status, _PATH_TROUBLE[status])
    bad = [f"{az} {s.value}" for az, s in v.network.by_az().items() if s.value != "reachable"]
    return style(", ".join(bad) or status, _PATH_TROUBLE.get(status, "info"))


def _path_marks(v: EndpointVerdict, columns: list[str], cells: list[str], style: Style) -> list[str]:
    """An AZ cell whose clients' packets do not all get through says so after its coverage."""
    if v.network is None:
        return cells
    by_az = v.network.by_az()
    out = []
    for az, cell in zip(columns, cells, strict=True):
        status = by_az.get(az)
        if status is not None and status.value in ("unreachable", "degraded"):
            mark = style(f"path {status.value}", _PATH_TROUBLE[status.value])
            cell = f"{cell} / {mark}" if cell else mark
        out.append(cell)
    return out


_DNS_TROUBLE = {Mode.BROKEN: "critical", Mode.UNKNOWN: "info", Mode.FORWARDED: "high", Mode.NAMES_ONLY: "medium"}


def _dns_lines(verdicts: list[EndpointVerdict], region: str, style: Style, width: int) -> list[str]:
    """One line per interface endpoint (wrapped, never cut): how each client VPC resolves the service, and the
    whole reason when it fails."""
    lines = []
    for v in verdicts:
        if v.dns is None or not v.dns.vpcs:
            continue
        parts = []
        for path in v.dns.vpcs:
            mode = style(path.mode, _DNS_TROUBLE[path.mode]) if path.mode in _DNS_TROUBLE else path.mode
            why = f" ({path.reason})" if path.mode in _DNS_TROUBLE else ""
            parts.append(f"{path.vpc_id} {mode}{why}")
        head = f"  dns {v.endpoint.id} {_short_service(v.endpoint.service_name, region)}: "
        lines += wrap_text(head + "; ".join(parts), width, "      ")
    return lines


def _interface_cells(cov: AzCoverage, columns: list[str], style: Style) -> tuple[list[str], str]:
    if cov.status != KNOWN:
        return ["?" for _ in columns], f"unknown: {cov.reason}"
    cells = []
    for az in columns:
        if az in cov.covered:
            # With spokes unknown, an AZ without seen workloads may still serve a spoke: not claimed idle.
            cells.append("covered" if az in cov.workload else "idle?" if cov.spokes_unknown else "idle")
        elif az in cov.workload and az not in cov.reachable:
            cells.append("not offered")
        elif az in cov.workload:
            cells.append(style("MISSING", "medium"))
        else:
            cells.append("")
    n = cov.tolerated_az_failures
    spokes = f"; {SPOKES_UNKNOWN_MARK}" if cov.spokes_unknown else ""
    return cells, f"{len(cov.covered)} AZ(s), survives {n} AZ failure{'s' if n != 1 else ''}{spokes}"


def _gateway_cells(inv: Inventory, cov: RouteCoverage, columns: list[str]) -> tuple[list[str], str]:
    if cov.status != KNOWN:
        return ["?" for _ in columns], f"unknown: {cov.reason}"
    routed: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for subnet in cov.covered_subnets:
        routed[inv.subnets[subnet].az_id][0] += 1
        routed[inv.subnets[subnet].az_id][1] += 1
    for subnet in cov.missing_subnets:
        routed[inv.subnets[subnet].az_id][1] += 1
    cells = [f"{routed[az][0]}/{routed[az][1]} routed" if az in routed else "" for az in columns]
    total = len(cov.covered_subnets) + len(cov.missing_subnets)
    return cells, f"{len(cov.covered_subnets)}/{total} workload subnets routed"


def _findings(report: Report, style: Style, width: int) -> list[str]:
    if not report.findings:
        return ["No findings.", ""]
    rows = [[_severity_cell(f, style), f.check_id, f.resource_id, f.vpc_id, f.message] for f in report.findings]
    table = fit_table(["severity", "check", "resource", "vpc", "finding"], rows, width, text=True, keep=(1, 2, 3))
    suppressed = report.suppressed_count
    counted = f": {len(report.findings) - suppressed} active, {suppressed} suppressed" if suppressed else ""
    title = f"Findings ({len(report.findings)}{counted})"
    return [title, table, *_suppression_reasons(report, width), ""]


def _severity_cell(f: Finding, style: Style) -> str:
    """A suppressed finding is still shown, uncoloured and marked: accepted, not gone."""
    if f.suppressed:
        return f"{f.severity} (suppressed)"
    return style(str(f.severity), str(f.severity))


def _suppression_reasons(report: Report, width: int) -> list[str]:
    reasons = [(f, f.suppression) for f in report.findings if f.suppression is not None]
    if not reasons:
        return []
    lines = ["", "Suppressed (accepted risks):"]
    for f, s in reasons:
        until = f" (until {s.expires})" if s.expires else ""
        lines += wrap_text(f"  {f.check_id} {f.resource_id}: {s.reason}{until}", width, "      ")
    return lines


def _errors(report: Report, width: int) -> list[str]:
    if not report.errors:
        return []
    rows = [[e.account_id, e.region, f"{e.service}:{e.operation}", e.code, e.message] for e in report.errors]
    table = fit_table(["account", "region", "operation", "code", "message"], rows, width, text=True, keep=(0, 2))
    return [
        *wrap_text(
            f"Errors ({len(report.errors)}): these calls failed, so the checks that need their data said nothing",
            width,
            "  ",
        ),
        table,
        "",
    ]


SEVERITY_COLOURS = {
    str(Severity.CRITICAL): "bright_red",
    str(Severity.HIGH): "red",
    str(Severity.MEDIUM): "yellow",
    str(Severity.LOW): "cyan",
    str(Severity.INFO): "blue",
}
