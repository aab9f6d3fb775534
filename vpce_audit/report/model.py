"""Build the Report from an Inventory and the checks, and turn it into the versioned JSON document."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from vpce_audit import __version__
from vpce_audit.app.exitcodes import ExitCode
from vpce_audit.app.gctuning import fewer_collections
from vpce_audit.checks import REGISTRY, run_checks
from vpce_audit.dns.lattice import lattice_dns_path
from vpce_audit.dns.path import DnsPath, dns_path
from vpce_audit.errors import CollectionError
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.lattice import EndpointAssociation
from vpce_audit.model.resources import Endpoint, EndpointType
from vpce_audit.normalize import normalize
from vpce_audit.report import coverage
from vpce_audit.snapshot import Snapshot
from vpce_audit.verdicts.az_loss import AzLossResult, simulate
from vpce_audit.verdicts.coverage import KNOWN, AzCoverage, RouteCoverage, az_coverage, route_coverage
from vpce_audit.verdicts.network_path import NetworkPath, network_path
from vpce_audit.verdicts.resource_gateway import GatewayOverlap, resource_gateway_overlap

REPORT_SCHEMA = "vpce-audit/report/v1"


@dataclass(frozen=True, slots=True)
class EndpointVerdict:
    endpoint: Endpoint
    az: AzCoverage | None = None  # interface endpoints
    routes: RouteCoverage | None = None  # gateway endpoints
    dns: DnsPath | None = None  # interface endpoints: how each client VPC resolves to it
    # interface endpoints: whether each client VPC's AZs reach its ENIs and get the replies (issue 13)
    network: NetworkPath | None = None
    # Why an endpoint was not judged at all (a type AWS added after this version): said, never left blank.
    unjudged: str = ""
    associations: tuple[EndpointAssociation, ...] | None = None  # resource and service-network endpoints
    # resource endpoints (issue 15): whether their AZs overlap their resource gateway's, in az_coverage
    gateway: GatewayOverlap | None = None

    def to_dict(self) -> dict[str, Any]:
        ep = self.endpoint
        doc: dict[str, Any] = {
            "account_id": ep.account_id,
            "region": ep.region,
            "vpc_id": ep.vpc_id,
            "endpoint_id": ep.id,
            "name": ep.name,
            "type": ep.type_raw,
            "service_name": ep.service_name,
            "state": ep.state,
            "private_dns_enabled": ep.private_dns_enabled,
            "subnet_ids": list(ep.subnet_ids),
            "route_table_ids": list(ep.route_table_ids),
        }
        if self.az is not None:
            doc["az_coverage"] = self.az.to_dict()
            if self.gateway is not None and self.az.status == KNOWN:
                doc["az_coverage"]["resource_gateway"] = self.gateway.to_dict()
        if self.routes is not None:
            doc["route_coverage"] = self.routes.to_dict()
        if self.dns is not None:
            doc["dns_path"] = self.dns.to_dict()
        if self.network is not None:
            doc["network_path"] = self.network.to_dict()
        if self.unjudged:
            doc["verdict"] = {"status": "unknown", "reason": self.unjudged}
        if self.associations is not None:
            doc["associations"] = [a.to_dict() for a in self.associations]
        return doc


@dataclass(frozen=True)
class Report:
    generated_at: str
    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    skipped_regions: tuple[tuple[str, str], ...]
    endpoints: tuple[EndpointVerdict, ...]
    findings: tuple[Finding, ...]
    errors: tuple[CollectionError, ...]
    inventory: Inventory
    tool_version: str = __version__
    # Set by app/suppressions.apply_suppressions (the findings themselves carry what accepted them).
    expired_suppressions: tuple[dict[str, Any], ...] = ()
    suppressions_applied: bool = False
    # What a later comparison needs to tell "resolved" from "not re-checked" (report/diff.py): the checks that
    # ran, the --vpc-id filter, and per (account, region) the APIs not collected in full (report/coverage.py).
    check_ids: tuple[str, ...] = ()
    vpc_ids: tuple[str, ...] = ()
    collected: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    # --az-loss: the impact of losing each AZ ID (verdicts/az_loss.py); None when not asked for. The check
    # az-loss-cross-az runs in every scan: this is only the full matrix, degraded and unaffected included.
    az_loss: AzLossResult | None = None

    @property
    def partial(self) -> bool:
        return bool(self.errors)

    def counts(self) -> dict[str, int]:
        """Every finding found, by severity: active and suppressed alike."""
        return _by_severity(self.findings)

    def active_counts(self) -> dict[str, int]:
        """The findings that still ask for work, by severity; summaries show these and the suppressed apart."""
        return _by_severity(self.active_findings())

    @property
    def suppressed_count(self) -> int:
        return len(self.findings) - len(self.active_findings())

    def active_findings(self) -> tuple[Finding, ...]:
        """The findings no suppression accepted."""
        return tuple(f for f in self.findings if not f.suppressed)

    def exit_code(self, fail_on: Severity | None) -> ExitCode:
        """FINDINGS for an unsuppressed finding at or above fail_on, else PARTIAL when calls failed, else OK."""
        active = self.active_findings()
        if fail_on is not None and any(f.severity and f.severity.at_least(fail_on) for f in active):
            return ExitCode.FINDINGS
        return ExitCode.PARTIAL if self.partial else ExitCode.OK

    def to_document(self, endpoints: bool = True) -> dict[str, Any]:
        """The report as JSON data. `endpoints=False` leaves the per-endpoint verdicts (nearly all of a large
        report's size) out: what the diff and a streamed writer need, without building them all at once."""
        doc = {
            "schema": REPORT_SCHEMA,
            "generated_at": self.generated_at,
            "tool_version": self.tool_version,
            "scope": {
                "accounts": sorted(self.accounts),
                "regions": sorted(self.regions),
                # opt-in regions an account has not enabled: skipped by --regions all, not errors
                "skipped_regions": [{"account_id": a, "region": r} for a, r in sorted(self.skipped_regions)],
                "checks": sorted(self.check_ids),
                "vpc_ids": sorted(self.vpc_ids),
                "inputs": list(coverage.inputs()),
                "collected": [
                    {"account_id": a, "region": r, "missing": list(missing)} for a, r, missing in sorted(self.collected)
                ],
            },
            "summary": {
                "endpoints": len(self.endpoints),
                "findings": len(self.findings),
                "findings_by_severity": self.counts(),
                # counted apart: the active ones ask for work, the suppressed ones were accepted
                "active": len(self.active_findings()),
                "active_by_severity": self.active_counts(),
                "suppressed": self.suppressed_count,
                "errors": len(self.errors),
                "partial": self.partial,
            },
            "endpoints": [v.to_dict() for v in self.endpoints] if endpoints else [],
            "findings": [f.to_dict() for f in self.findings],
            "errors": [e.to_dict() for e in sorted(self.errors)],
        }
        if self.az_loss is not None:  # additive: only reports run with --az-loss carry this section
            doc["az_loss"] = self.az_loss.to_dict()
        if self.suppressions_applied:  # additive: only reports run with --suppressions carry this section
            doc["suppressions"] = {"suppressed": self.suppressed_count, "expired": list(self.expired_suppressions)}
        return doc


def _by_severity(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {str(s): 0 for s in Severity}
    for f in findings:
        counts[str(f.severity)] += 1
    return counts


def verdict(inv: Inventory, ep: Endpoint) -> EndpointVerdict:
    if ep.type is EndpointType.INTERFACE:
        return EndpointVerdict(ep, az=az_coverage(inv, ep), dns=dns_path(inv, ep), network=network_path(inv, ep))
    if ep.type is EndpointType.GATEWAY:
        return EndpointVerdict(ep, routes=route_coverage(inv, ep))
    if ep.type in (EndpointType.RESOURCE, EndpointType.SERVICE_NETWORK):
        return EndpointVerdict(
            ep,
            az=az_coverage(inv, ep),
            dns=lattice_dns_path(inv, ep),
            associations=inv.associations.get(ep.id, ()),
            gateway=resource_gateway_overlap(inv, ep),
        )
    if ep.type is EndpointType.UNKNOWN:
        return EndpointVerdict(ep, unjudged=f"endpoint type {ep.type_raw or 'none'!r} is not one vpce-audit knows")
    return EndpointVerdict(ep)


def build_report(snapshot: Snapshot, check_ids: tuple[str, ...] | None = None, az_loss: bool = False) -> Report:
    """Normalise and judge a snapshot. `generated_at` is the collection time, so re-auditing a saved
    snapshot reproduces the live scan's report byte for byte. `az_loss` adds the AZ-loss matrix."""
    with fewer_collections():
        report = _build_report(snapshot, check_ids)
        return with_az_loss(report) if az_loss else report


def with_az_loss(report: Report) -> Report:
    """The report with its AZ-loss matrix: the simulation the check az-loss-cross-az ran, when it did (it is
    kept with the Inventory), else run now."""
    return replace(report, az_loss=simulate(report.inventory))


def _build_report(snapshot: Snapshot, check_ids: tuple[str, ...] | None) -> Report:
    inv = normalize(snapshot)
    endpoints = sorted(inv.endpoints_of(*EndpointType), key=lambda e: (e.account_id, e.region, e.vpc_id, e.id))
    return Report(
        generated_at=snapshot.collected_at,
        accounts=snapshot.accounts,
        regions=snapshot.regions,
        skipped_regions=snapshot.skipped_regions,
        endpoints=tuple(verdict(inv, ep) for ep in endpoints),
        findings=tuple(run_checks(inv, check_ids)),
        errors=tuple(sorted(snapshot.errors)),
        inventory=inv,
        check_ids=tuple(sorted(check_ids if check_ids is not None else REGISTRY)),
        vpc_ids=snapshot.vpc_ids,
        collected=coverage.collected(snapshot.parts, snapshot.errors),
    )
