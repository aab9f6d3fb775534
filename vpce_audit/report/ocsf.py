"""OCSF Detection Finding (class 2004) records, in OCSF 1.6.0 (the default) or 1.1.0.

Which version for whom: the AWS Security Hub generally available since December 2025 is built on OCSF 1.6;
Security Lake and Prowler exchange OCSF 1.1. `--ocsf-version 1.1` keeps the 1.1.0 records vpce-audit emitted
before 1.6 became the default, unchanged. Both are validated in tests against the published class definitions
(tests/data/ocsf/, which says where they came from).

What 1.6.0 records carry beyond 1.1.0, each because the 1.6.0 definition has a place for it:
- `metadata.product.uid`: the account's default Security Hub product ARN (the ASFF `ProductArn`). Security Hub
  identifies an OCSF finding by `metadata.product.uid`, `cloud.account.uid` and `finding_info.uid`.
- `metadata.profiles` ["cloud"]: the one profile applied (it is what makes `cloud` an attribute of the class).
- `evidences[0].data`: the check's evidence (1.1.0 keeps it in `unmapped.evidence`, as before).
- `resources`: the finding's resource with `role_id` 1 Target, then each related resource (the subnets, route
  tables ... that 1.1.0 lists in `unmapped.related_ids`) with `role_id` 4 Related.
- `cloud.account.type_id` 10 AWS Account and `cloud.cloud_partition` (1.6.0 added the latter to `cloud`).
- `finding_info.last_seen_time`: this scan saw it then. No `first_seen_time`: one report does not know when a
  problem began.
- `is_alert`: true unless a suppression accepted the finding; `timezone_offset` 0: times are UTC.
Suppressed findings are `status_id` 3 Suppressed with the reason in `status_detail` in both versions. Nothing
either version deprecates is used (the tests check the schemas' deprecation marks).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from vpce_audit import __version__
from vpce_audit.aws.partition import partition_of
from vpce_audit.errors import InputError
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.report.asff import finding_ids, product_arn, resource_type_and_arn
from vpce_audit.report.model import Report

OCSF_1_1, OCSF_1_6 = "1.1.0", "1.6.0"
OCSF_VERSIONS = (OCSF_1_6, OCSF_1_1)
DEFAULT_OCSF_VERSION = OCSF_1_6
CLASS_UID, CATEGORY_UID, ACTIVITY_CREATE = 2004, 2, 1
TYPE_UID = CLASS_UID * 100 + ACTIVITY_CREATE  # 200401: Detection Finding: Create
STATUS_NEW, STATUS_SUPPRESSED = 1, 3
ROLE_TARGET, ROLE_RELATED = (1, "Target"), (4, "Related")  # resource_details.role_id (1.6.0)
AWS_ACCOUNT = {"type_id": 10, "type": "AWS Account"}  # account.type_id, the same in 1.1.0 and 1.6.0
SEVERITY_IDS = {
    Severity.INFO: (1, "Informational"),
    Severity.LOW: (2, "Low"),
    Severity.MEDIUM: (3, "Medium"),
    Severity.HIGH: (4, "High"),
    Severity.CRITICAL: (5, "Critical"),
}
FINDING_TYPE = "Software and Configuration Checks/AWS Security Best Practices"


def ocsf_version(value: str) -> str:
    """The full version for what a user typed: 1.6 or 1.6.0, 1.1 or 1.1.0."""
    for version in OCSF_VERSIONS:
        if value in (version, version.removesuffix(".0")):
            return version
    raise InputError(f"OCSF version {value!r} is not one vpce-audit emits (1.6 or 1.1)")


def epoch_ms(timestamp: str) -> int:
    """OCSF times are milliseconds since the epoch; the report's are ISO 8601 in UTC."""
    parsed = dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return int(parsed.timestamp() * 1000)


def _common(f: Finding, uid: str, time_ms: int) -> dict[str, Any]:
    """What 1.1.0 and 1.6.0 records share, in the order 1.1.0 records always had."""
    suppressed = f.suppression.reason if f.suppression is not None else None
    severity_id, severity_name = SEVERITY_IDS[f.severity or Severity.INFO]
    return {
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "type_uid": TYPE_UID,
        "type_name": "Detection Finding: Create",
        "severity_id": severity_id,
        "severity": severity_name,
        **(
            {"status_id": STATUS_SUPPRESSED, "status": "Suppressed", "status_detail": suppressed}
            if suppressed is not None
            else {"status_id": STATUS_NEW, "status": "New"}
        ),
        "time": time_ms,
        "message": f.message,
    }


def _finding_info(f: Finding, uid: str, time_ms: int) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": f.title or f.check_id,
        "desc": f.message,
        "types": [FINDING_TYPE],
        "analytic": {"uid": f.check_id, "name": f.check_id, "type_id": 1, "type": "Rule"},
        "created_time": time_ms,
    }


def _resource(resource_id: str, f: Finding) -> dict[str, Any]:
    kind, arn = resource_type_and_arn(resource_id, f.account_id, f.region)
    return {
        "uid": arn,
        "name": resource_id,
        "type": kind,
        "region": f.region,
        "cloud_partition": partition_of(f.region),
        "owner": {"account": {"uid": f.account_id, **AWS_ACCOUNT}},
    }


def _remediation(f: Finding) -> dict[str, Any]:
    # OCSF's remediation object: the fix in words and the documentation that explains it.
    return {"desc": f.remediation} | ({"references": list(f.references)} if f.references else {})


def to_ocsf_1_1(f: Finding, uid: str, time_ms: int) -> dict[str, Any]:
    """The 1.1.0 record, as Security Lake and Prowler read it (unchanged since vpce-audit first emitted OCSF)."""
    return {
        **_common(f, uid, time_ms),
        "metadata": {
            "product": {"name": "vpce-audit", "vendor_name": "vpce-audit", "version": __version__},
            "version": OCSF_1_1,
        },
        "finding_info": _finding_info(f, uid, time_ms),
        "resources": [_resource(f.resource_id, f)],
        "cloud": {"provider": "AWS", "account": {"uid": f.account_id}, "region": f.region},
        "remediation": _remediation(f),
        "unmapped": {
            "vpc_id": f.vpc_id,
            "related_ids": sorted(set(f.related_ids)),
            "evidence": f.to_dict()["evidence"],
        },
    }


def to_ocsf_1_6(f: Finding, uid: str, time_ms: int) -> dict[str, Any]:
    """The 1.6.0 record: the 1.1.0 content where 1.6.0 keeps its place, plus what the module docstring lists."""
    target = _resource(f.resource_id, f) | {"role_id": ROLE_TARGET[0], "role": ROLE_TARGET[1]}
    related = [
        _resource(r, f) | {"role_id": ROLE_RELATED[0], "role": ROLE_RELATED[1]}
        for r in sorted(set(f.related_ids) - {f.resource_id})
    ]
    evidence = f.to_dict()["evidence"]
    return {
        **_common(f, uid, time_ms),
        "timezone_offset": 0,
        "is_alert": f.suppression is None,
        "metadata": {
            "product": {
                "name": "vpce-audit",
                "vendor_name": "vpce-audit",
                "version": __version__,
                "uid": product_arn(f.account_id, f.region),
            },
            "version": OCSF_1_6,
            "profiles": ["cloud"],
        },
        "finding_info": _finding_info(f, uid, time_ms) | {"last_seen_time": time_ms},
        "resources": [target, *related],
        "cloud": {
            "provider": "AWS",
            "account": {"uid": f.account_id, **AWS_ACCOUNT},
            "region": f.region,
            "cloud_partition": partition_of(f.region),
        },
        **({"evidences": [{"data": evidence}]} if evidence else {}),
        "remediation": _remediation(f),
        "unmapped": {"vpc_id": f.vpc_id},
    }


def to_ocsf(f: Finding, uid: str, time_ms: int, version: str = DEFAULT_OCSF_VERSION) -> dict[str, Any]:
    return to_ocsf_1_1(f, uid, time_ms) if ocsf_version(version) == OCSF_1_1 else to_ocsf_1_6(f, uid, time_ms)


def ocsf_findings(report: Report, version: str = DEFAULT_OCSF_VERSION) -> list[dict[str, Any]]:
    time_ms = epoch_ms(report.generated_at)
    ids = finding_ids(report.findings)
    return [to_ocsf(f, uid, time_ms, version) for f, uid in zip(report.findings, ids, strict=True)]
