"""AWS Security Finding Format (ASFF): findings ready for Security Hub's BatchImportFindings.

Each finding's Id is the digest of its identity (model/findings.py Identity: check, account, region,
resource, key), never of its wording or related resources, so a re-run updates the same Security Hub finding
instead of adding one, also when a subnet was added to an endpoint whose problem stays.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

import boto3

from vpce_audit.aws.clients import ClientFactory
from vpce_audit.aws.partition import partition_of
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.report.model import Report

SCHEMA_VERSION = "2018-10-08"
FINDING_TYPE = "Software and Configuration Checks/AWS Security Best Practices"
PRODUCT_NAME = "vpce-audit"
SEVERITY_LABELS = {
    Severity.CRITICAL: "CRITICAL",
    Severity.HIGH: "HIGH",
    Severity.MEDIUM: "MEDIUM",
    Severity.LOW: "LOW",
    Severity.INFO: "INFORMATIONAL",
}
MAX_TITLE, MAX_DESCRIPTION, MAX_REMEDIATION, MAX_PRODUCT_FIELD, MAX_NOTE = 256, 1024, 512, 2048, 512

# id prefix -> (ASFF resource type, service, ARN resource path). ASFF has no type for a VPC endpoint (only for
# endpoint *services*) nor for Resolver rules: those are `Other`, still named by their real ARN.
_RESOURCE_KINDS: tuple[tuple[str, str, str, str], ...] = (
    ("vpce-svc-", "AwsEc2VpcEndpointService", "ec2", "vpc-endpoint-service/"),
    ("vpce-", "Other", "ec2", "vpc-endpoint/"),
    ("vpc-", "AwsEc2Vpc", "ec2", "vpc/"),
    ("subnet-", "AwsEc2Subnet", "ec2", "subnet/"),
    ("rtb-", "AwsEc2RouteTable", "ec2", "route-table/"),
    ("sg-", "AwsEc2SecurityGroup", "ec2", "security-group/"),
    ("eni-", "AwsEc2NetworkInterface", "ec2", "network-interface/"),
    ("rslvr-rrassoc-", "Other", "route53resolver", "resolver-rule-association/"),
    ("rslvr-rr-", "Other", "route53resolver", "resolver-rule/"),
    # DNS sources (issue 14)
    ("rslvr-in-", "Other", "route53resolver", "resolver-endpoint/"),
    ("rslvr-out-", "Other", "route53resolver", "resolver-endpoint/"),
    ("rslvr-frg-", "Other", "route53resolver", "firewall-rule-group/"),
)


def resource_type_and_arn(resource_id: str, account_id: str, region: str) -> tuple[str, str]:
    """The ASFF type and ARN of a finding's resource; a Route 53 hosted zone id has no prefix."""
    partition = partition_of(region)
    for prefix, kind, service, path in _RESOURCE_KINDS:
        if resource_id.startswith(prefix):
            return kind, f"arn:{partition}:{service}:{region}:{account_id}:{path}{resource_id}"
    if resource_id.isalnum() and resource_id.isupper():
        return "AwsRoute53HostedZone", f"arn:{partition}:route53:::hostedzone/{resource_id}"
    return "Other", resource_id


def product_arn(account_id: str, region: str) -> str:
    return f"arn:{partition_of(region)}:securityhub:{region}:{account_id}:product/{account_id}/default"


def finding_ids(findings: tuple[Finding, ...]) -> list[str]:
    """A stable Id per finding, from its identity. Identities are unique within a report (a test holds every
    check to it); should two findings still share one, the later ones (by message) get their rank appended,
    so Security Hub never merges two findings into one."""
    identities = [f.identity() for f in findings]
    seen: Counter[str] = Counter()
    rank: dict[int, int] = {}
    for i in sorted(range(len(findings)), key=lambda i: (identities[i], findings[i].message)):
        digest = identities[i].digest()
        rank[i] = seen[digest]
        seen[digest] += 1
    ids: list[str] = []
    for i, f in enumerate(findings):
        digest = identities[i].digest()
        if rank[i]:
            digest = hashlib.sha256(f"{digest}\x1e{rank[i]}".encode()).hexdigest()[:32]
        ids.append(f"vpce-audit/{f.account_id}/{f.region}/{f.check_id}/{digest}")
    return ids


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_asff(f: Finding, finding_id: str, generated_at: str) -> dict[str, Any]:
    """One ASFF finding; a suppressed one is imported SUPPRESSED, with the reason as a note."""
    suppressed = f.suppression.reason if f.suppression is not None else None
    kind, arn = resource_type_and_arn(f.resource_id, f.account_id, f.region)
    severity = f.severity or Severity.INFO
    resource: dict[str, Any] = {"Type": kind, "Id": arn, "Partition": partition_of(f.region), "Region": f.region}
    if kind == "Other":
        resource["Details"] = {"Other": {"ResourceId": f.resource_id}}
    fields = {
        "vpce-audit/CheckId": f.check_id,
        "vpce-audit/VpcId": f.vpc_id,
        "vpce-audit/ResourceId": f.resource_id,
        "vpce-audit/RelatedIds": " ".join(sorted(set(f.related_ids))),
    }
    if suppressed is not None:
        fields["vpce-audit/SuppressionReason"] = suppressed
    doc: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": finding_id,
        "ProductArn": product_arn(f.account_id, f.region),
        "ProductName": PRODUCT_NAME,
        "CompanyName": PRODUCT_NAME,
        "GeneratorId": f.check_id,
        "AwsAccountId": f.account_id,
        "Region": f.region,
        "Types": [FINDING_TYPE],
        "CreatedAt": generated_at,
        "UpdatedAt": generated_at,
        "Severity": {"Label": SEVERITY_LABELS[severity], "Original": str(severity)},
        "Title": _truncate(f.title or f.check_id, MAX_TITLE),
        "Description": _truncate(f.message, MAX_DESCRIPTION),
        "Remediation": {"Recommendation": _recommendation(f)},
        "ProductFields": {k: _truncate(v, MAX_PRODUCT_FIELD) for k, v in fields.items() if v},
        "Resources": [resource],
        "Compliance": {"Status": "FAILED"},
        "RecordState": "ACTIVE",
        "Workflow": {"Status": "SUPPRESSED" if suppressed is not None else "NEW"},
    }
    if suppressed is not None:
        doc["Note"] = {
            "Text": _truncate(f"suppressed: {suppressed}", MAX_NOTE),
            "UpdatedBy": PRODUCT_NAME,
            "UpdatedAt": generated_at,
        }
    return doc


def _recommendation(f: Finding) -> dict[str, str]:
    """The fix in words and, when the check names documentation, its first page (ASFF holds one URL)."""
    recommendation = {"Text": _truncate(f.remediation or "-", MAX_REMEDIATION)}
    if f.references:
        recommendation["Url"] = f.references[0]
    return recommendation


def asff_findings(report: Report) -> list[dict[str, Any]]:
    ids = finding_ids(report.findings)
    return [to_asff(f, finding_id, report.generated_at) for f, finding_id in zip(report.findings, ids, strict=True)]


# --- the one write: BatchImportFindings ----------------------------------------------------------------------

IMPORT_OPERATION = "securityhub:BatchImportFindings"
BATCH_SIZE = 100  # BatchImportFindings takes at most 100 findings per call
MAX_FINDING_BYTES = 240 * 1024  # and refuses a finding larger than 240 KB


@dataclass(frozen=True, slots=True)
class ExportResult:
    sent: int
    failed: tuple[str, ...]  # "Id: ErrorCode ErrorMessage" per finding Security Hub refused
    calls: int


def batches(items: list[dict[str, Any]], size: int = BATCH_SIZE) -> list[list[dict[str, Any]]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def export_findings(session: boto3.Session, findings: list[dict[str, Any]]) -> ExportResult:
    """Import findings into Security Hub, each in its own region, 100 per call. The client factory allows
    this one write and still refuses every other."""
    factory = ClientFactory(session, allow_writes=frozenset({IMPORT_OPERATION}))
    by_region: dict[str, list[dict[str, Any]]] = {}
    failed: list[str] = []
    for finding in findings:
        size = len(json.dumps(finding, separators=(",", ":")).encode())
        if size > MAX_FINDING_BYTES:  # Security Hub would refuse it: say so without sending
            failed.append(f"{finding.get('Id', '')}: FindingTooLarge {size} bytes, more than {MAX_FINDING_BYTES}")
            continue
        by_region.setdefault(finding["Region"], []).append(finding)
    for region in sorted(by_region):
        client = factory.client("securityhub", region)
        for batch in batches(by_region[region]):
            response = client.batch_import_findings(Findings=batch)
            failed += [
                f"{f.get('Id', '')}: {f.get('ErrorCode', '')} {f.get('ErrorMessage', '')}".strip()
                for f in response.get("FailedFindings", [])
            ]
    return ExportResult(sent=len(findings) - len(failed), failed=tuple(failed), calls=factory.counter.total)
