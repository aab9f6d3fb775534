"""Terminal rendering: per VPC a matrix of endpoints by AZ ID, then findings by severity, then errors."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from tabulate import tabulate

from vpce_audit.dns.kinds import Mode
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.names import short_service_name
from vpce_audit.report.model import EndpointVerdict, Report
from vpce_audit.verdicts.coverage import KNOWN, SPOKES_UNKNOWN_MARK, AzCoverage, RouteCoverage

Style = Callable[[str, str], str]  # (text, severity or cell kind) -> text


def plain(text: str, _kind: str) -> str:
    return text


def render_table(report: Report, style: Style = plain) -> str:
    counts = report.counts()
    lines = [
        f"vpce-audit {report.tool_version} · accounts {', '.join(report.accounts) or '-'} · "
        f"regions {', '.join(report.regions) or '-'} · data collected {report.generated_at}",
        f"{len(report.endpoints)} endpoint(s); findings: "
        + ", ".join(f"{style(f'{n} {sev}', sev)}" for sev, n in counts.items())
        + (f"; {len(report.errors)} error(s): partial scan" if report.errors else ""),
        "",
    ]
    by_vpc: dict[tuple[str, str, str], list[EndpointVerdict]] = defaultdict(list)
    for v in report.endpoints:
        by_vpc[(v.endpoint.account_id, v.endpoint.region, v.endpoint.vpc_id)].append(v)
    for key in sorted(by_vpc):
        lines += _vpc_matrix(report.inventory, key, by_vpc[key], style)
    lines += _findings(report, style)
    lines += _errors(report)
    return "\n".join(lines).rstrip() + "\n"


def _short_service(name: str, region: str) -> str:
    return short_service_name(name, region) or name


def _vpc_matrix(inv: Inventory, key: tuple[str, str, str], verdicts: list[EndpointVerdict], style: Style) -> list[str]:
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
    header = ["endpoint", "type", "service", *columns, "verdict"]
    rows = []
    for v in verdicts:
        ep = v.endpoint
        if v.az is not None:
            cells, summary = _interface_cells(v.az, columns, style)
        elif v.routes is not None:
            cells, summary = _gateway_cells(inv, v.routes, columns)
        elif v.unjudged:
            cells, summary = ["?" for _ in columns], f"unknown: {v.unjudged}"
        else:
            cells, summary = ["" for _ in columns], ""
        if not ep.available:
            summary = style(f"state {ep.state}", "high") + (f"; {summary}" if summary else "")
        rows.append([ep.id, ep.type_raw, _short_service(ep.service_name, region), *cells, summary])
    return [
        title,
        f"workload AZs: {', '.join(sorted(workload)) or '-'}{note}",
        tabulate(rows, headers=header, tablefmt="simple"),
        *_dns_lines(verdicts, region, style),
        "",
    ]


_DNS_TROUBLE = {Mode.BROKEN: "critical", Mode.UNKNOWN: "info", Mode.FORWARDED: "high", Mode.NAMES_ONLY: "medium"}


def _dns_lines(verdicts: list[EndpointVerdict], region: str, style: Style) -> list[str]:
    """One line per interface endpoint: how each client VPC resolves the service, and why when it fails."""
    lines = []
    for v in verdicts:
        if v.dns is None or not v.dns.vpcs:
            continue
        parts = []
        for path in v.dns.vpcs:
            mode = style(path.mode, _DNS_TROUBLE[path.mode]) if path.mode in _DNS_TROUBLE else path.mode
            why = f" ({_short(path.reason)})" if path.mode in _DNS_TROUBLE else ""
            parts.append(f"{path.vpc_id} {mode}{why}")
        lines.append(f"  dns {v.endpoint.id} {_short_service(v.endpoint.service_name, region)}: " + "; ".join(parts))
    return lines


def _short(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _interface_cells(cov: AzCoverage, columns: list[str], style: Style) -> tuple[list[str], str]:
    if cov.status != KNOWN:
        return ["?" for _ in columns], f"unknown: {cov.reason}"
    cells = []
    for az in columns:
        if az in cov.covered:
            # With spokes unknown, an AZ without seen workloads may still serve a spoke: not claimed idle.
            cells.append("covered" if az in cov.workload else "idle?" if cov.spokes_unknown else "idle")
        elif az in cov.workload and az not in cov.service:
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


def _findings(report: Report, style: Style) -> list[str]:
    if not report.findings:
        return ["No findings.", ""]
    rows = [[_severity_cell(f, style), f.check_id, f.resource_id, f.vpc_id, f.message] for f in report.findings]
    table = tabulate(rows, headers=["severity", "check", "resource", "vpc", "finding"], tablefmt="simple")
    suppressed = sum(f.suppressed for f in report.findings)
    title = f"Findings ({len(report.findings)}" + (f", {suppressed} suppressed)" if suppressed else ")")
    return [title, table, *_suppression_reasons(report), ""]


def _severity_cell(f: Finding, style: Style) -> str:
    """A suppressed finding is still shown, uncoloured and marked: accepted, not gone."""
    if f.suppressed:
        return f"{f.severity} (suppressed)"
    return style(str(f.severity), str(f.severity))


def _suppression_reasons(report: Report) -> list[str]:
    reasons = [(f, f.suppression) for f in report.findings if f.suppression is not None]
    if not reasons:
        return []
    lines = ["", "Suppressed (accepted risks):"]
    lines += [
        f"  {f.check_id} {f.resource_id}: {s.reason}" + (f" (until {s.expires})" if s.expires else "")
        for f, s in reasons
    ]
    return lines


def _errors(report: Report) -> list[str]:
    if not report.errors:
        return []
    rows = [[e.account_id, e.region, f"{e.service}:{e.operation}", e.code, e.message] for e in report.errors]
    table = tabulate(rows, headers=["account", "region", "operation", "code", "message"], tablefmt="simple")
    return [
        f"Errors ({len(report.errors)}): these calls failed, so the checks that need their data said nothing",
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
