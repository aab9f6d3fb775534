"""The JSON Schema (draft 2020-12) of the `vpce-audit/report/v1` document.

Strict where the document is a contract other tools key on (required keys, severities, verdict states, no
unknown keys at the top or in a finding), open where it carries data (evidence, DNS path details), so a new
evidence field is not a breaking change but a renamed contract field is.
"""

from __future__ import annotations

from typing import Any

from vpce_audit.dns.kinds import WORST_FIRST, Via
from vpce_audit.model.findings import Severity
from vpce_audit.report.model import REPORT_SCHEMA
from vpce_audit.verdicts.az_loss import Component, Impact
from vpce_audit.verdicts.network_path import PathStatus

SCHEMA_ID = "https://vpce-audit.invalid/schemas/report-v1.schema.json"
SEVERITIES = [str(s) for s in Severity]
TOP_KEYS = frozenset({"schema", "generated_at", "tool_version", "scope", "summary", "endpoints", "findings", "errors"})
FINDING_KEYS = frozenset(
    {
        "check_id",
        "severity",
        "title",
        "account_id",
        "region",
        "vpc_id",
        "resource_id",
        "related_ids",
        "message",
        "evidence",
        "remediation",
        "references",
    }
)

_STRING = {"type": "string"}
_STRINGS = {"type": "array", "items": _STRING}
_ACCOUNT = {"type": "string", "pattern": "^[0-9]{12}$"}
_OPEN_OBJECT = {"type": "object"}


def _closed(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    """An object with exactly these keys; all of them required unless told otherwise."""
    return {
        "type": "object",
        "properties": properties,
        "required": sorted(properties) if required is None else required,
        "additionalProperties": False,
    }


def _unknown_verdict() -> dict[str, Any]:
    return _closed({"status": {"const": "unknown"}, "reason": _STRING})


def _resource_gateway() -> dict[str, Any]:
    chain = {"resource_configuration_arn": _STRING, "gateway_id": _STRING, "gateway_account_id": _ACCOUNT}
    known = _closed(
        {
            "status": {"const": "known"},
            **chain,
            "endpoint_az_ids": _STRINGS,
            "gateway_az_ids": _STRINGS,
            "overlap": _STRINGS,
        },
        required=["endpoint_az_ids", "gateway_az_ids", "gateway_id", "overlap", "status"],
    )
    unknown = _closed({"status": {"const": "unknown"}, "reason": _STRING, **chain}, required=["reason", "status"])
    return {"oneOf": [known, unknown]}


def _az_coverage() -> dict[str, Any]:
    known = _closed(
        {
            "status": {"const": "known"},
            "covered": _STRINGS,
            "workload": _STRINGS,
            "service": _STRINGS,
            "missing": _STRINGS,
            "tolerated_az_failures": {"type": "integer", "minimum": 0},
            "workload_assumed": {"type": "boolean"},
            "spoke_workload": _STRINGS,
            # why other spokes may exist: workload (so missing) is then a lower bound
            "spokes_unknown": {"type": "string", "minLength": 1},
            # a cross-region endpoint (issue 15): the region hosting the service, whose AZ IDs `service` holds
            "service_region": {"type": "string", "minLength": 1},
            # resource and service-network endpoints: no service AZs bound the workload AZs to cover
            "service_bounded": {"const": False},
            # resource endpoints (issue 15): whether their AZs overlap their resource gateway's
            "resource_gateway": _resource_gateway(),
        },
        required=["covered", "missing", "service", "status", "tolerated_az_failures", "workload", "workload_assumed"],
    )
    return {"oneOf": [known, _unknown_verdict()]}


def _route_coverage() -> dict[str, Any]:
    known = _closed({"status": {"const": "known"}, "covered_subnets": _STRINGS, "missing_subnets": _STRINGS})
    return {"oneOf": [known, _unknown_verdict()]}


def _dns_path() -> dict[str, Any]:
    modes = {"enum": [m.value for m in WORST_FIRST]}
    name = {
        "type": "object",
        "properties": {"name": _STRING, "mode": modes, "reason": _STRING, "evidence": _OPEN_OBJECT},
        "required": ["evidence", "mode", "name", "reason"],
    }
    vpc = {
        "type": "object",
        "properties": {
            "vpc_id": _STRING,
            "account_id": {"type": "string", "pattern": "^([0-9]{12})?$"},  # "" when the VPC was not audited
            "region": _STRING,
            "via": {"enum": [v.value for v in Via]},
            "mode": modes,
            "custom_mode": modes,
            "reason": _STRING,
            "evidence": _OPEN_OBJECT,
            "names": {"type": "array", "items": name},
            "warnings": _STRINGS,
            "zone_ids": _STRINGS,
        },
        "required": ["account_id", "evidence", "mode", "names", "reason", "region", "via", "vpc_id", "warnings"],
    }
    return {"type": "array", "items": vpc}


def _network_path() -> dict[str, Any]:
    """Packet path per client VPC and AZ (issue 13): the statuses are the contract, the hops are evidence."""
    statuses = {"enum": [s.value for s in PathStatus]}
    az = {
        "type": "object",
        "properties": {
            "az_id": _STRING,
            "status": statuses,
            "client_subnets": _STRINGS,
            "reachable_enis": _STRINGS,
            "failed_enis": _STRINGS,
            "reason": _STRING,
            "hops": _OPEN_OBJECT,  # ENI id -> the hop chain from the AZ's first client subnet
            "other_failures": {"type": "array", "items": _OPEN_OBJECT},
        },
        "required": ["az_id", "client_subnets", "failed_enis", "hops", "reachable_enis", "status"],
    }
    vpc = {
        "type": "object",
        "properties": {
            "vpc_id": _STRING,
            "account_id": {"type": "string", "pattern": "^([0-9]{12})?$"},
            "via": {"enum": ["own", "zone"]},
            "status": statuses,
            "reason": _STRING,
            "azs": {"type": "array", "items": az},
        },
        "required": ["account_id", "azs", "status", "via", "vpc_id"],
    }
    return _closed(
        {"status": statuses, "reason": _STRING, "vpcs": {"type": "array", "items": vpc}}, required=["status", "vpcs"]
    )


ASSOCIATION_KEYS = ("id", "resource_arn", "accessibility", "dns_name", "private_dns_name", "failure")


def _endpoint() -> dict[str, Any]:
    return _closed(
        {
            "account_id": _ACCOUNT,
            "region": _STRING,
            "vpc_id": _STRING,
            "endpoint_id": _STRING,
            "name": _STRING,
            "type": _STRING,
            "service_name": _STRING,
            "state": _STRING,
            "private_dns_enabled": {"type": "boolean"},
            "subnet_ids": _STRINGS,
            "route_table_ids": _STRINGS,
            "az_coverage": _az_coverage(),
            "route_coverage": _route_coverage(),
            "dns_path": _dns_path(),
            "network_path": _network_path(),  # added with issue 13: absent in older reports
            "verdict": _unknown_verdict(),  # an endpoint of a type this version does not judge
            # resource and service-network endpoints (issue 15): their associations, as AWS lists them
            "associations": {"type": "array", "items": _closed({k: _STRING for k in ASSOCIATION_KEYS})},
        },
        required=[
            "account_id",
            "endpoint_id",
            "name",
            "private_dns_enabled",
            "region",
            "route_table_ids",
            "service_name",
            "state",
            "subnet_ids",
            "type",
            "vpc_id",
        ],
    )


def _finding() -> dict[str, Any]:
    return _closed(
        {
            "check_id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
            "severity": {"enum": SEVERITIES},
            "title": {"type": "string", "minLength": 1},
            "account_id": _ACCOUNT,
            "region": _STRING,
            "vpc_id": _STRING,
            "resource_id": {"type": "string", "minLength": 1},
            "related_ids": {**_STRINGS, "uniqueItems": True},
            "message": {"type": "string", "minLength": 1},
            "evidence": _OPEN_OBJECT,
            "remediation": _STRING,
            # the check's documentation (docs/checks.md lists them per check)
            "references": {**_STRINGS, "items": {"type": "string", "pattern": "^https://"}},
            # With check_id, account_id, region and resource_id the finding's identity (README, "Findings
            # and their identity"); written by every report since it was added, absent in older ones.
            "key": _STRING,
            # only in reports run with --suppressions, on the findings a suppression accepted
            "suppressed": {"type": "boolean"},
            "suppression_reason": _STRING,
        },
        required=sorted(FINDING_KEYS),
    )


def _az_loss() -> dict[str, Any]:
    """--az-loss (verdicts/az_loss.py): per lost AZ ID, every client VPC's surviving workload AZ and endpoint the
    simulation re-judged; components and evidence only where something is degraded or lost."""
    count = {"type": "integer", "minimum": 0}
    entry = _closed(
        {
            "vpc_id": _STRING,
            "account_id": {"type": "string", "pattern": "^([0-9]{12})?$"},
            "workload_az_id": _STRING,
            "endpoint_id": _STRING,
            "service_name": _STRING,
            "impact": {"enum": [i.value for i in Impact]},
            "usable_fraction": {"type": "number", "minimum": 0, "maximum": 1},
            "component": {"enum": [c.value for c in Component]},
            "evidence": _STRINGS,
            "consequence_of": _STRINGS,
            "isolated": {"type": ["boolean", "null"]},
        },
        required=[
            "account_id", "endpoint_id", "impact", "service_name", "usable_fraction", "vpc_id", "workload_az_id",
        ],
    )  # fmt: skip
    loss = _closed(
        {
            "region": _STRING,
            "az_id": _STRING,
            "counts": _closed({i.value: count for i in Impact}),
            "entries": {"type": "array", "items": entry},
        }
    )
    return {"type": "array", "items": loss}


def _error() -> dict[str, Any]:
    return _closed({k: _STRING for k in ("account_id", "region", "service", "operation", "code", "message")})


def report_schema() -> dict[str, Any]:
    count = {"type": "integer", "minimum": 0}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"vpce-audit report ({REPORT_SCHEMA})",
        **_closed(
            {
                "schema": {"const": REPORT_SCHEMA},
                "generated_at": {"type": "string", "minLength": 1},
                "tool_version": _STRING,
                "scope": _closed(
                    {
                        "accounts": {"type": "array", "items": _ACCOUNT},
                        "regions": _STRINGS,
                        "skipped_regions": {
                            "type": "array",
                            "items": _closed({"account_id": _ACCOUNT, "region": _STRING}),
                        },
                        # what a later diff needs to tell resolved from not re-checked (report/diff.py);
                        # written by every report since they were added, absent in older ones
                        "checks": _STRINGS,
                        "vpc_ids": _STRINGS,
                        "inputs": _STRINGS,
                        "collected": {
                            "type": "array",
                            "items": _closed({"account_id": _ACCOUNT, "region": _STRING, "missing": _STRINGS}),
                        },
                    },
                    required=["accounts", "regions", "skipped_regions"],
                ),
                "summary": _closed(
                    {
                        "endpoints": count,
                        "findings": count,
                        "findings_by_severity": _closed({s: count for s in SEVERITIES}),
                        "active": count,
                        "active_by_severity": _closed({s: count for s in SEVERITIES}),
                        "suppressed": count,
                        "errors": count,
                        "partial": {"type": "boolean"},
                    }
                ),
                "endpoints": {"type": "array", "items": _endpoint()},
                "findings": {"type": "array", "items": _finding()},
                "errors": {"type": "array", "items": _error()},
                # only in reports run with --az-loss
                "az_loss": _az_loss(),
                # only in reports run with --suppressions
                "suppressions": _closed({"suppressed": count, "expired": {"type": "array", "items": _OPEN_OBJECT}}),
            },
            required=sorted(TOP_KEYS),
        ),
    }
