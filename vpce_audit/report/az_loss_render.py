"""The AZ-loss matrix of a report run with --az-loss (verdicts/az_loss.py): per region, rows (client VPC,
service), columns the lost AZ IDs, each cell the worst impact on that VPC's workloads in the other AZs. Shared
by the table and the HTML heatmap, so both say the same thing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from vpce_audit.model.names import short_service_name
from vpce_audit.report.fit import fit_table, wrap_text
from vpce_audit.verdicts.az_loss import AzLossEntry, AzLossResult, Impact

_RANK = {Impact.UNAFFECTED: 0, Impact.DEGRADED: 1, Impact.LOST: 2}
Row = tuple[str, str]  # (client VPC, service name)


@dataclass(frozen=True, slots=True)
class Matrix:
    region: str
    columns: tuple[str, ...]  # lost AZ IDs
    rows: tuple[Row, ...]
    cells: dict[tuple[Row, str], AzLossEntry]  # the worst entry; absent: nothing of that row in the AZ


def matrices(result: AzLossResult) -> list[Matrix]:
    by_region: dict[str, dict[tuple[Row, str], AzLossEntry]] = {}
    columns: dict[str, set[str]] = {}
    for lost, entries in result.losses.items():
        columns.setdefault(lost.region, set()).add(lost.az_id)
        cells = by_region.setdefault(lost.region, {})
        for e in entries:
            key = ((e.vpc_id, e.service), lost.az_id)
            if key not in cells or _worse(e, cells[key]):
                cells[key] = e
    return [
        Matrix(region, tuple(sorted(columns[region])), tuple(sorted({r for r, _ in cells})), cells)
        for region, cells in sorted(by_region.items())
    ]


def _worse(a: AzLossEntry, b: AzLossEntry) -> bool:
    return (_RANK[a.impact], -a.usable_fraction) > (_RANK[b.impact], -b.usable_fraction)


def cell_text(entry: AzLossEntry | None) -> str:
    if entry is None:
        return "-"
    if entry.impact is Impact.DEGRADED:
        return f"degraded {round(entry.usable_fraction * 100)}%"
    if entry.impact is Impact.LOST:
        # The check that already reports the cause, if one does: az-loss-cross-az is raised only where none does.
        return f"lost ({', '.join((str(entry.component), *entry.consequence_of))})"
    return "ok"


def table_lines(result: AzLossResult, style: Callable[[str, str], str], width: int) -> list[str]:
    """The table's section: one matrix per region, then the legend."""
    lines = ["If this AZ fails (--az-loss): impact on workloads in the other AZs", ""]
    shown = matrices(result)
    if not shown:
        return [*lines, "No AZ holds anything another AZ's clients use.", ""]
    for m in shown:
        header = ["VPC", "service", *m.columns]
        rows = []
        for row in m.rows:
            vpc, service = row
            cells = []
            for az in m.columns:
                entry = m.cells.get((row, az))
                text = cell_text(entry)
                kind = {Impact.LOST: "critical", Impact.DEGRADED: "medium"}.get(entry.impact) if entry else None
                cells.append(style(text, kind) if kind else text)
            rows.append([vpc, short_service_name(service, m.region) or service, *cells])
        lines += [
            *wrap_text(f"region {m.region}: lost AZ ID ->", width, "  "),
            fit_table(header, rows, width, text=True),
        ]
    lines += [
        *wrap_text(
            "ok: the service stays for the other AZs; degraded N%: N% of the addresses in the answer still answer; "
            "lost (component, check): gone for the other AZs, and the check reporting the cause if one does; -: "
            "nothing of it in that AZ, or a VPC that reaches the service by its public name and keeps its way "
            "out. The lost AZ's own workloads are not counted.",
            width,
            "  ",
        ),
        "",
    ]
    return lines


def html_section(result: AzLossResult) -> list[str]:
    """The HTML heatmap: cells coloured by impact, the evidence chain in each cell's title."""
    out = ['<section id="az-loss"><h2>If this AZ fails</h2>']
    for m in matrices(result):
        out.append(f"<h3>{escape(m.region)}</h3><table><tr><th>VPC</th><th>service</th>")
        out += [f"<th>{escape(az)}</th>" for az in m.columns]
        out.append("</tr>")
        for row in m.rows:
            vpc, service = row
            out.append(f"<tr><td>{escape(vpc)}</td><td>{escape(short_service_name(service, m.region) or service)}</td>")
            for az in m.columns:
                entry = m.cells.get((row, az))
                state = entry.impact.value if entry else "none"
                title = escape(" -> ".join(entry.evidence), quote=True) if entry else ""
                out.append(
                    f'<td class="cell azl-{state}" data-lost-az="{escape(az)}" data-state="{state}" '
                    f'title="{title}">{escape(cell_text(entry))}</td>'
                )
            out.append("</tr>")
        out.append("</table>")
    out.append("</section>")
    return out
