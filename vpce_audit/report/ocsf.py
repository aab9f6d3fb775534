"""OCSF 1.1.0 Detection Finding (class 2004) records, the shape Security Lake and Prowler exchange."""

from __future__ import annotations

import datetime as dt
from typing import Any

from vpce_audit import __version__
from vpce_audit.aws.partition import partition_of
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.report.asff import finding_ids, resource_type_and_arn
from vpce_audit.report.model import Report

OCSF_VERSION = "1.1.0"
CLASS_UID, CATEGORY_UID, ACTIVITY_CREATE = 2004, 2, 1
TYPE_UID = CLASS_UID * 100 + ACTIVITY_CREATE  # 200401: Detection Finding: Create
STATUS_NEW, STATUS_SUPPRESSED = 1, 3
SEVERITY_IDS = {
    Severity.INFO: (1, "Informational"),
    Severity.LOW: (2, "Low"),
    Severity.MEDIUM: (3, "Medium"),
    Severity.HIGH: (4, "High"),
    Severity.CRITICAL: (5, "Critical"),
}
FINDING_TYPE = "Software and Configuration Checks/AWS Security Best Practices"


def epoch_ms(timestamp: str) -> int:
    """OCSF times are milliseconds since the epoch; the report's are ISO 8601 in UTC."""
    parsed = dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return int(parsed.timestamp() * 1000)


def to_ocsf(f: Finding, uid: str, time_ms: int) -> dict[str, Any]:
    suppressed = f.suppression.reason if f.suppression is not None else None
    severity = f.severity or Severity.INFO
    severity_id, severity_name = SEVERITY_IDS[severity]
    kind, arn = resource_type_and_arn(f.resource_id, f.account_id, f.region)
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
        "metadata": {
            "product": {"name": "vpce-audit", "vendor_name": "vpce-audit", "version": __version__},
            "version": OCSF_VERSION,
        },
        "finding_info": {
            "uid": uid,
            "title": f.title or f.check_id,
            "desc": f.message,
            "types": [FINDING_TYPE],
            "analytic": {"uid": f.check_id, "name": f.check_id, "type_id": 1, "type": "Rule"},
            "created_time": time_ms,
        },
        "resources": [
            {
                "uid": arn,
                "name": f.resource_id,
                "type": kind,
                "region": f.region,
                "cloud_partition": partition_of(f.region),
                "owner": {"account": {"uid": f.account_id, "type_id": 10, "type": "AWS Account"}},
            }
        ],
        "cloud": {"provider": "AWS", "account": {"uid": f.account_id}, "region": f.region},
        # OCSF's remediation object: the fix in words and the documentation that explains it.
        "remediation": {"desc": f.remediation} | ({"references": list(f.references)} if f.references else {}),
        "unmapped": {
            "vpc_id": f.vpc_id,
            "related_ids": sorted(set(f.related_ids)),
            "evidence": f.to_dict()["evidence"],
        },
    }


def ocsf_findings(report: Report) -> list[dict[str, Any]]:
    time_ms = epoch_ms(report.generated_at)
    ids = finding_ids(report.findings)
    return [to_ocsf(f, uid, time_ms) for f, uid in zip(report.findings, ids, strict=True)]
