"""One self-contained HTML page for people: summary, per VPC a heatmap of endpoints by AZ ID, each endpoint's
DNS path as a chain, findings by severity with evidence and remediation, errors.

No scripts, fonts or images: the page works offline and prints. Every string that came from AWS (names, tags,
record values) is untrusted and goes through `html.escape`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from html import escape
from typing import Any

from vpce_audit.dns.kinds import Mode
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.names import short_service_name
from vpce_audit.report import az_loss_render
from vpce_audit.report.model import EndpointVerdict, Report
from vpce_audit.verdicts.coverage import KNOWN, SPOKES_UNKNOWN_MARK, AzCoverage, RouteCoverage

COVERED, IDLE, MISSING, NOT_OFFERED, UNKNOWN, NONE = "covered", "idle", "missing", "not-offered", "unknown", "none"
ROUTED, PARTLY_ROUTED, UNROUTED = "routed", "partly-routed", "unrouted"

_CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1240px;padding:16px;
color:#1b1f24}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ccd}h3{font-size:15px}
table{border-collapse:collapse;margin:6px 0 12px}th,td{border:1px solid #ccd;padding:3px 7px;text-align:left;
vertical-align:top}th{background:#f2f3f7}
td.cell{text-align:center;min-width:78px}
.covered,.routed{background:#c8efd0}.idle{background:#e4e8f0;color:#445}.missing,.unrouted{background:#f7b6b2}
.not-offered{background:#fbe7b0}.unknown{background:#e0d7f3}.partly-routed{background:#fbd9a6}.none{background:#fff}
.sev{display:inline-block;padding:0 6px;border-radius:3px;font-weight:600;color:#fff}
.sev-critical{background:#8b0000}.sev-high{background:#c62828}.sev-medium{background:#b26a00}.sev-low{background:#00739e}
.sev-info{background:#44546a}
.chain{margin:4px 0 10px 0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:4px;align-items:center}
.chain li{border:1px solid #ccd;border-radius:4px;padding:2px 6px;background:#f8f9fb}
.chain li+li:before{content:"\\2192 ";color:#667}
.finding{border:1px solid #ccd;border-left:6px solid #889;padding:6px 10px;margin:8px 0;break-inside:avoid}
.finding.sev-critical-b{border-left-color:#8b0000}.finding.sev-high-b{border-left-color:#c62828}
.finding.sev-medium-b{border-left-color:#b26a00}.finding.sev-low-b{border-left-color:#00739e}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f7f9;padding:6px;margin:4px 0;font-size:12px}
.path-unreachable{outline:3px solid #8b0000;outline-offset:-3px}.path-degraded{outline:3px dashed #c62828;
outline-offset:-3px}.path{font-size:11px;font-weight:600;color:#8b0000}
.muted{color:#667}.legend span{display:inline-block;padding:0 6px;margin-right:4px;border:1px solid #ccd}
.azl-lost{background:#f7b6b2}.azl-degraded{background:#fbd9a6}.azl-unaffected{background:#c8efd0}
@media print{body{max-width:none;padding:0}h2{break-after:avoid}details{display:block}}
"""


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def render_html(report: Report) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>vpce-audit report {_e(report.generated_at)}</title>",
        f"<style>{_CSS}</style></head><body>",
        *_summary(report),
        *_vpcs(report),
        *(az_loss_render.html_section(report.az_loss) if report.az_loss is not None else []),
        *_findings(report),
        *_errors(report),
        *_expired(report),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _summary(report: Report) -> list[str]:
    counts = report.active_counts()
    cells = "".join(f'<td><span class="sev sev-{_e(s)}">{_e(s)}</span> {n}</td>' for s, n in counts.items())
    cells += f"<th>suppressed</th><td>{report.suppressed_count}</td>"
    partial = '<p class="missing">Partial scan: some calls failed, see Errors.</p>' if report.partial else ""
    return [
        '<header id="summary"><h1>vpce-audit report</h1>',
        f'<p class="muted">vpce-audit {_e(report.tool_version)} · accounts {_e(", ".join(report.accounts) or "-")}'
        f" · regions {_e(', '.join(report.regions) or '-')} · data collected {_e(report.generated_at)}</p>",
        f"<table><tr><th>endpoints</th><td>{len(report.endpoints)}</td>{cells}"
        f"<th>errors</th><td>{len(report.errors)}</td></tr></table>",
        partial,
        '<p class="legend">Cells: <span class="covered">covered</span><span class="missing">missing</span>'
        '<span class="not-offered">not offered</span><span class="idle">idle</span>'
        '<span class="unknown">unknown</span> · gateway: <span class="routed">routed</span>'
        '<span class="partly-routed">partly routed</span><span class="unrouted">unrouted</span>'
        ' · packet path: <span class="path-degraded">path degraded</span>'
        '<span class="path-unreachable">path unreachable</span></p>',
        "</header>",
    ]


# --- per VPC: the heatmap ------------------------------------------------------------------------------------


def _vpcs(report: Report) -> list[str]:
    by_vpc: dict[tuple[str, str, str], list[EndpointVerdict]] = defaultdict(list)
    for v in report.endpoints:
        by_vpc[(v.endpoint.account_id, v.endpoint.region, v.endpoint.vpc_id)].append(v)
    out = ['<section id="vpcs">']
    for key in sorted(by_vpc):
        out += _vpc(report.inventory, key, by_vpc[key])
    return [*out, "</section>"]


def _az_columns(inv: Inventory, vpc_id: str, verdicts: list[EndpointVerdict]) -> list[str]:
    azs = {inv.subnets[s].az_id for s in inv.subnets_by_vpc.get(vpc_id, ()) if inv.subnets[s].az_id}
    for v in verdicts:
        if v.az is not None and v.az.status == KNOWN:
            azs |= v.az.covered | v.az.workload
    return sorted(azs)


def interface_state(cov: AzCoverage, az: str) -> str:
    if cov.status != KNOWN:
        return UNKNOWN
    if az in cov.covered:
        return COVERED if az in cov.workload else IDLE
    if az in cov.workload:
        return MISSING if az in cov.reachable else NOT_OFFERED
    return NONE


def _gateway_states(inv: Inventory, cov: RouteCoverage) -> dict[str, tuple[int, int]]:
    """AZ ID -> (routed, workload) subnet counts."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for subnet in cov.covered_subnets:
        counts[inv.subnets[subnet].az_id][0] += 1
    for subnet in (*cov.covered_subnets, *cov.missing_subnets):
        counts[inv.subnets[subnet].az_id][1] += 1
    return {az: (r, t) for az, (r, t) in counts.items()}


def _cell(az: str, state: str, text: str, path: str = "") -> str:
    """`path`: the AZ's packet-path status when it is not reachable (issue 13), marked on the cell."""
    if path:
        return (
            f'<td class="cell {state} path-{path}" data-az="{_e(az)}" data-state="{state}" data-path="{path}">'
            f'{_e(text)}<br><span class="path">path {_e(path)}</span></td>'
        )
    return f'<td class="cell {state}" data-az="{_e(az)}" data-state="{state}">{_e(text)}</td>'


def _row(inv: Inventory, v: EndpointVerdict, columns: list[str]) -> str:
    ep = v.endpoint
    service = short_service_name(ep.service_name, ep.region) or ep.service_name
    cells: list[str] = []
    if v.az is not None:
        paths = v.network.by_az() if v.network is not None else {}
        for az in columns:
            state = interface_state(v.az, az)
            text = "" if state == NONE else state.replace("-", " ")
            path = paths[az].value if az in paths and paths[az].value in ("unreachable", "degraded") else ""
            # With spokes unknown, an AZ without seen workloads may still serve a spoke: not claimed idle.
            cells.append(_cell(az, state, "idle?" if state == IDLE and v.az.spokes_unknown else text, path))
        verdict = (
            f"{len(v.az.covered)} AZ(s), survives {v.az.tolerated_az_failures} AZ failure(s)"
            + (f"; {SPOKES_UNKNOWN_MARK}" if v.az.spokes_unknown else "")
            if v.az.status == KNOWN
            else f"unknown: {v.az.reason}"
        )
    elif v.routes is not None:
        counts = _gateway_states(inv, v.routes) if v.routes.status == KNOWN else {}
        for az in columns:
            if v.routes.status != KNOWN:
                cells.append(_cell(az, UNKNOWN, "unknown"))
            elif az not in counts:
                cells.append(_cell(az, NONE, ""))
            else:
                routed, total = counts[az]
                state = ROUTED if routed == total else UNROUTED if routed == 0 else PARTLY_ROUTED
                cells.append(_cell(az, state, f"{routed}/{total} routed"))
        verdict = (
            f"{len(v.routes.covered_subnets)}/{len(v.routes.covered_subnets) + len(v.routes.missing_subnets)} "
            "workload subnets routed"
            if v.routes.status == KNOWN
            else f"unknown: {v.routes.reason}"
        )
    else:
        cells = [_cell(az, NONE, "") for az in columns]
        verdict = "not judged"
    if not ep.available:
        verdict = f"state {ep.state}; {verdict}"
    name = f" ({_e(ep.name)})" if ep.name else ""
    return (
        f'<tr data-endpoint="{_e(ep.id)}"><td>{_e(ep.id)}{name}</td><td>{_e(ep.type_raw)}</td>'
        f"<td>{_e(service)}</td>{''.join(cells)}<td>{_e(verdict)}</td></tr>"
    )


def _vpc(inv: Inventory, key: tuple[str, str, str], verdicts: list[EndpointVerdict]) -> list[str]:
    account, region, vpc_id = key
    vpc = inv.vpcs.get(vpc_id)
    columns = _az_columns(inv, vpc_id, verdicts)
    name = f" ({_e(vpc.name)})" if vpc and vpc.name else ""
    workload = ", ".join(sorted(inv.workload_az_ids(vpc_id))) or "-"
    header = "".join(f"<th>{_e(az)}</th>" for az in columns)
    out = [
        f'<article class="vpc" data-vpc="{_e(vpc_id)}">',
        f"<h2>VPC {_e(vpc_id)}{name} · {_e(account)} · {_e(region)}</h2>",
        f'<p class="muted">workload AZs: {_e(workload)}'
        + (" (no workload ENIs: all subnets counted)" if vpc_id in inv.workload_assumed else "")
        + "</p>",
        f'<table class="heatmap"><tr><th>endpoint</th><th>type</th><th>service</th>{header}<th>verdict</th></tr>',
        *(_row(inv, v, columns) for v in verdicts),
        "</table>",
    ]
    for v in verdicts:
        out += _gateway_subnets(inv, v) + _dns_chain(v)
    return [*out, "</article>"]


def _gateway_subnets(inv: Inventory, v: EndpointVerdict) -> list[str]:
    if v.routes is None or v.routes.status != KNOWN:
        return []
    rows = [
        f"<tr><td>{_e(s)}</td><td>{_e(inv.subnets[s].az_id if s in inv.subnets else '')}</td>"
        f'<td>{_e(inv.effective_route_table.get(s, ""))}</td><td class="route {state}">{state}</td></tr>'
        for state, subnets in ((ROUTED, v.routes.covered_subnets), (UNROUTED, v.routes.missing_subnets))
        for s in subnets
    ]
    if not rows:
        return []
    return [
        f'<details class="routes" data-endpoint="{_e(v.endpoint.id)}"><summary>gateway route coverage per subnet: '
        f"{_e(v.endpoint.id)}</summary>",
        "<table><tr><th>subnet</th><th>AZ ID</th><th>route table</th><th>route</th></tr>",
        *sorted(rows),
        "</table></details>",
    ]


# --- DNS path chains -----------------------------------------------------------------------------------------


def _on_off(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def _chain_steps(path: dict[str, Any]) -> list[str]:
    ev = path.get("evidence") or {}
    steps = []
    if "dns_support" in ev or "dns_hostnames" in ev:
        steps.append(
            f"VPC {path.get('vpc_id', '')}: enableDnsSupport {_on_off(ev.get('dns_support'))}, "
            f"enableDnsHostnames {_on_off(ev.get('dns_hostnames'))}"
        )
    else:
        steps.append(f"VPC {path.get('vpc_id', '')}")
    if "dhcp_options_id" in ev:
        steps.append(f"DHCP {ev.get('dhcp_options_id')}: {', '.join(map(str, ev.get('dns_servers') or [])) or '-'}")
    for name in path.get("names") or []:
        nev = name.get("evidence") or {}
        if nev.get("zone_id"):
            steps.append(f"zone {nev.get('zone_name', '')} ({nev['zone_id']})")
        elif path.get("mode") == Mode.PRIVATE_DNS:
            steps.append("private DNS of the endpoint")
        for record in nev.get("records") or []:
            target = record.get("alias_target") or ", ".join(map(str, record.get("values") or [])) or ""
            steps.append(f"{record.get('name', '')} {record.get('type', '')} {target}".strip())
    steps.append(f"{path.get('mode', '')}: {path.get('reason', '')}")
    return steps


def _dns_chain(v: EndpointVerdict) -> list[str]:
    if v.dns is None or not v.dns.vpcs:
        return []
    out = [f'<div class="dns" data-endpoint="{_e(v.endpoint.id)}"><h3>DNS path to {_e(v.endpoint.id)}</h3>']
    for path in v.dns.to_dict():
        out.append(f'<ul class="chain" data-vpc="{_e(path.get("vpc_id", ""))}" data-mode="{_e(path.get("mode", ""))}">')
        out += [f"<li>{_e(step)}</li>" for step in _chain_steps(path)]
        out.append("</ul>")
    return [*out, "</div>"]


# --- findings and errors -------------------------------------------------------------------------------------


def _finding(f: Finding) -> str:
    suppressed = f.suppression.reason if f.suppression is not None else None
    sev = str(f.severity)
    evidence = json.dumps(f.to_dict()["evidence"], indent=2, sort_keys=True, ensure_ascii=False)
    related = f"<p>related: {_e(', '.join(sorted(set(f.related_ids))))}</p>" if f.related_ids else ""
    note = f'<p class="suppressed">suppressed: {_e(suppressed)}</p>' if suppressed is not None else ""
    return (
        f'<article class="finding sev-{_e(sev)}-b" data-check="{_e(f.check_id)}" data-resource="{_e(f.resource_id)}"'
        f' data-severity="{_e(sev)}" data-suppressed="{str(suppressed is not None).lower()}">'
        f'<h3><span class="sev sev-{_e(sev)}">{_e(sev)}</span> {_e(f.title)}'
        f" <code>{_e(f.check_id)}</code></h3>"
        f"<p>{_e(f.resource_id)} · {_e(f.vpc_id)} · {_e(f.account_id)} · {_e(f.region)}</p>"
        f'<p class="message">{_e(f.message)}</p>{related}{note}'
        f"<details><summary>evidence</summary><pre>{_e(evidence)}</pre></details>"
        f'<p class="remediation"><strong>Remediation:</strong> {_e(f.remediation)}{_references(f)}</p></article>'
    )


def _references(f: Finding) -> str:
    """Links to the documentation the check names, beside the fix; escaped like every other string."""
    if not f.references:
        return ""
    links = ", ".join(f'<a href="{_e(url)}" rel="noreferrer">{_e(url)}</a>' for url in f.references)
    return f' <span class="references">See {links}.</span>'


def _findings(report: Report) -> list[str]:
    out = [f'<section id="findings"><h2>Findings ({len(report.findings)})</h2>']
    if not report.findings:
        out.append("<p>No findings.</p>")
    for sev in Severity:
        group = [f for f in report.findings if f.severity == sev]
        if group:
            out.append(f'<section class="severity" data-severity="{sev}"><h3>{sev} ({len(group)})</h3>')
            out += [_finding(f) for f in group]
            out.append("</section>")
    return [*out, "</section>"]


def _errors(report: Report) -> list[str]:
    if not report.errors:
        return []
    rows = [
        f"<tr><td>{_e(e.account_id)}</td><td>{_e(e.region)}</td><td>{_e(e.service)}:{_e(e.operation)}</td>"
        f"<td>{_e(e.code)}</td><td>{_e(e.message)}</td></tr>"
        for e in report.errors
    ]
    return [
        f'<section id="errors"><h2>Errors ({len(report.errors)})</h2>',
        "<p>These calls failed, so the checks that need their data said nothing.</p>",
        "<table><tr><th>account</th><th>region</th><th>operation</th><th>code</th><th>message</th></tr>",
        *rows,
        "</table></section>",
    ]


def _expired(report: Report) -> list[str]:
    """Suppressions past their date: they no longer hide anything, and someone should renew or drop them."""
    if not report.expired_suppressions:
        return []
    rows = [
        f"<tr><td>{_e(x.get('check_id', ''))}</td><td>{_e(x.get('resource', ''))}</td>"
        f"<td>{_e(x.get('expires', ''))}</td><td>{_e(x.get('reason', ''))}</td></tr>"
        for x in report.expired_suppressions
    ]
    return [
        f'<section id="expired-suppressions"><h2>Expired suppressions ({len(rows)})</h2>',
        "<table><tr><th>check</th><th>resource</th><th>expired</th><th>reason</th></tr>",
        *rows,
        "</table></section>",
    ]
