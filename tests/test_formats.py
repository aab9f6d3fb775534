"""CSV, ASFF and OCSF: field rules of each format, stable ids, the Security Hub export and its one write, and
the same findings in every format."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from moto_fixtures import ACCOUNT_ID, World, build_world, fake_aws_env
from tests.conftest import REGION, audit
from tests.test_html import parse as parse_html
from vpce_audit.aws.clients import ClientFactory, ReadOnlyViolation
from vpce_audit.checks import REGISTRY
from vpce_audit.cli.main import run
from vpce_audit.model.findings import Finding, Severity, Suppressed
from vpce_audit.report.asff import (
    BATCH_SIZE,
    IMPORT_OPERATION,
    asff_findings,
    export_findings,
    product_arn,
    resource_type_and_arn,
)
from vpce_audit.report.csv import COLUMNS, render_csv
from vpce_audit.report.html import render_html
from vpce_audit.report.model import Report, build_report
from vpce_audit.report.ocsf import OCSF_VERSIONS, ocsf_findings
from vpce_audit.report.table import render_table
from vpce_audit.snapshot import load_snapshot

# --- ASFF field rules (Security Hub's BatchImportFindings) -------------------------------------------------

ASFF_REQUIRED = {
    "AwsAccountId",
    "CreatedAt",
    "Description",
    "GeneratorId",
    "Id",
    "ProductArn",
    "Resources",
    "SchemaVersion",
    "Severity",
    "Title",
    "Types",
    "UpdatedAt",
}
ASFF_LABELS = {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
TYPE_NAMESPACES = {
    "Software and Configuration Checks",
    "TTPs",
    "Effects",
    "Unusual Behaviors",
    "Sensitive Data Identifications",
}
PRODUCT_ARN = re.compile(r"^arn:aws(-cn|-us-gov|-iso|-iso-b)?:securityhub:[a-z0-9-]+:\d{12}:product/\d{12}/default$")
ISO_8601 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def asff_violations(finding: dict[str, Any]) -> list[str]:
    """The rules Security Hub enforces on an imported finding, as far as they apply to ours."""
    problems = [f"missing {k}" for k in sorted(ASFF_REQUIRED - set(finding))]
    if problems:
        return problems
    if finding["SchemaVersion"] != "2018-10-08":
        problems.append("SchemaVersion")
    if not (0 < len(finding["Id"]) <= 512) or re.search(r"\s", finding["Id"]):
        problems.append("Id: 1-512 characters, no whitespace")
    if not PRODUCT_ARN.match(finding["ProductArn"]):
        problems.append("ProductArn format")
    if not (0 < len(finding["GeneratorId"]) <= 512):
        problems.append("GeneratorId length")
    if not re.fullmatch(r"\d{12}", finding["AwsAccountId"]):
        problems.append("AwsAccountId")
    if f":{finding['AwsAccountId']}:product/" not in finding["ProductArn"]:
        problems.append("ProductArn account")
    if not (0 < len(finding["Title"]) <= 256):
        problems.append("Title length")
    if not (0 < len(finding["Description"]) <= 1024):
        problems.append("Description length")
    if finding["Severity"].get("Label") not in ASFF_LABELS:
        problems.append("Severity.Label")
    for t in finding["Types"]:
        parts = t.split("/")
        if not (1 <= len(parts) <= 3) or parts[0] not in TYPE_NAMESPACES:
            problems.append(f"Types {t!r}")
    for key in ("CreatedAt", "UpdatedAt"):
        if not ISO_8601.match(finding[key]):
            problems.append(f"{key} not ISO 8601")
    if not (1 <= len(finding["Resources"]) <= 32):
        problems.append("Resources count")
    for r in finding["Resources"]:
        if not r.get("Type") or not r.get("Id") or len(r["Type"]) > 256 or len(r["Id"]) > 512:
            problems.append(f"Resource {r}")
    text = finding.get("Remediation", {}).get("Recommendation", {}).get("Text", "")
    if len(text) > 512:
        problems.append("Remediation text length")
    for k, v in finding.get("ProductFields", {}).items():
        if len(k) > 128 or len(v) > 2048 or not isinstance(v, str):
            problems.append(f"ProductFields {k}")
    if finding.get("Compliance", {}).get("Status") not in (None, "PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"):
        problems.append("Compliance.Status")
    return problems


WORLDS = ["demo", "dns-attributes-off", "dns-shadow-parent", "dns-rule-failed", "gw-blackhole", "sg-no-https"]


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    """One report per world, built once for the module (each world in its own moto)."""
    out: dict[str, Report] = {}
    for name in WORLDS:
        with fake_aws_env(), mock_aws():
            session = boto3.Session(region_name=REGION)
            world = build_world(name, session, REGION)
            try:
                out[name] = audit(session)
            finally:
                world.close()
    return out


@pytest.mark.parametrize("name", WORLDS)
def test_asff_follows_the_field_rules(name: str, reports: dict[str, Report]) -> None:
    report = reports[name]
    findings = asff_findings(report)
    assert len(findings) == len(report.findings) > 0
    assert {i: asff_violations(f) for i, f in enumerate(findings) if asff_violations(f)} == {}
    assert len({f["Id"] for f in findings}) == len(findings), "Ids must be unique within a batch"
    for f, src in zip(findings, report.findings, strict=True):
        assert f["GeneratorId"] == src.check_id
        assert f["CreatedAt"] == f["UpdatedAt"] == report.generated_at
        assert f["Compliance"] == {"Status": "FAILED"} and f["RecordState"] == "ACTIVE"
        assert f["Workflow"] == {"Status": "NEW"}
        # the catalogue's fix and its first documentation page (ASFF holds one URL)
        assert f["Remediation"]["Recommendation"] == {
            "Text": src.remediation,
            "Url": REGISTRY[src.check_id].references[0],
        }


def test_asff_and_ocsf_leave_out_references_a_finding_does_not_carry(reports: dict[str, Report]) -> None:
    bare = replace(reports["demo"], findings=(replace(reports["demo"].findings[0], references=()),))
    assert "Url" not in asff_findings(bare)[0]["Remediation"]["Recommendation"]
    assert "references" not in ocsf_findings(bare)[0]["remediation"]


def test_asff_validator_catches_broken_findings(reports: dict[str, Report]) -> None:
    good = asff_findings(reports["demo"])[0]
    assert asff_violations(good) == []
    broken = [
        {**good, "Severity": {"Label": "SEVERE"}},
        {**good, "ProductArn": "arn:aws:securityhub:us-east-1::product/x/default"},
        {**good, "Description": "x" * 1025},
        {**good, "Id": "has space"},
        {**good, "Types": ["Best Practices"]},
        {k: v for k, v in good.items() if k != "Resources"},
    ]
    assert all(asff_violations(b) for b in broken)


def test_asff_severity_labels_and_truncation(reports: dict[str, Report]) -> None:
    base = reports["demo"]
    long = replace(base.findings[0], message="m" * 5000, remediation="r" * 900, title="t" * 300)
    sevs = [replace(base.findings[0], severity=s, resource_id=f"vpce-{i:017x}") for i, s in enumerate(Severity)]
    report = replace(base, findings=(long, *sevs))
    findings = asff_findings(report)
    assert [f["Severity"]["Label"] for f in findings[1:]] == ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"]
    assert asff_violations(findings[0]) == []
    assert len(findings[0]["Description"]) == 1024 and findings[0]["Description"].endswith("…")


def test_asff_ids_survive_rewording_and_rescans(reports: dict[str, Report]) -> None:
    report = reports["demo"]
    ids = [f["Id"] for f in asff_findings(report)]
    reworded = replace(report, findings=tuple(replace(f, message=f.message + " (v2)") for f in report.findings))
    assert [f["Id"] for f in asff_findings(reworded)] == ids
    moved = replace(report, findings=(replace(report.findings[0], resource_id="vpce-0000000000000000a"),))
    assert asff_findings(moved)[0]["Id"] != ids[0]


def test_asff_ids_tell_twins_apart(reports: dict[str, Report]) -> None:
    f = reports["demo"].findings[0]
    twins = replace(reports["demo"], findings=(f, replace(f, message="another wording")))
    ids = [a["Id"] for a in asff_findings(twins)]
    assert len(set(ids)) == 2


@pytest.mark.parametrize(
    ("resource", "kind", "arn"),
    [
        ("vpce-0abc", "Other", f"arn:aws:ec2:us-east-1:{ACCOUNT_ID}:vpc-endpoint/vpce-0abc"),
        ("vpc-0abc", "AwsEc2Vpc", f"arn:aws:ec2:us-east-1:{ACCOUNT_ID}:vpc/vpc-0abc"),
        ("rtb-0abc", "AwsEc2RouteTable", f"arn:aws:ec2:us-east-1:{ACCOUNT_ID}:route-table/rtb-0abc"),
        ("subnet-0abc", "AwsEc2Subnet", f"arn:aws:ec2:us-east-1:{ACCOUNT_ID}:subnet/subnet-0abc"),
        ("sg-0abc", "AwsEc2SecurityGroup", f"arn:aws:ec2:us-east-1:{ACCOUNT_ID}:security-group/sg-0abc"),
        ("Z06419652JEMGO9TA2XKL", "AwsRoute53HostedZone", "arn:aws:route53:::hostedzone/Z06419652JEMGO9TA2XKL"),
        ("rslvr-rr-0abc", "Other", f"arn:aws:route53resolver:us-east-1:{ACCOUNT_ID}:resolver-rule/rslvr-rr-0abc"),
    ],
)
def test_asff_resource_types(resource: str, kind: str, arn: str) -> None:
    assert resource_type_and_arn(resource, ACCOUNT_ID, "us-east-1") == (kind, arn)


def test_partitions_in_arns() -> None:
    assert product_arn(ACCOUNT_ID, "cn-north-1").startswith("arn:aws-cn:securityhub:cn-north-1:")
    assert resource_type_and_arn("vpc-1", ACCOUNT_ID, "us-gov-west-1")[1].startswith("arn:aws-us-gov:ec2:")


# --- the Security Hub export: the one write -----------------------------------------------------------------


def _hub_findings(session: boto3.Session) -> list[dict[str, Any]]:
    client = session.client("securityhub", region_name=REGION)
    return [f for page in client.get_paginator("get_findings").paginate() for f in page["Findings"]]


def test_export_imports_in_batches_and_updates_on_rerun(aws: boto3.Session, make_world: Callable[[str], World]) -> None:
    make_world("demo")
    report = audit(aws)
    first = asff_findings(report)
    result = export_findings(aws, first)
    assert (result.sent, result.failed, result.calls) == (len(first), (), 1)
    assert sorted(f["Id"] for f in _hub_findings(aws)) == sorted(f["Id"] for f in first)
    # A re-run sends the same Ids: Security Hub updates them instead of adding duplicates.
    export_findings(aws, asff_findings(audit(aws)))
    assert len(_hub_findings(aws)) == len(first)


def test_export_sends_at_most_100_per_call(aws: boto3.Session, make_world: Callable[[str], World]) -> None:
    make_world("healthy-3az")
    report = audit(aws)
    template = Finding(
        account_id=ACCOUNT_ID,
        region=REGION,
        vpc_id="vpc-1",
        resource_id="vpce-1",
        message="m",
        severity=Severity.LOW,
        check_id="az-gap",
        title="t",
    )
    many = tuple(replace(template, resource_id=f"vpce-{i:017x}") for i in range(2 * BATCH_SIZE + 50))
    result = export_findings(aws, asff_findings(replace(report, findings=many)))
    assert result.calls == 3 and result.sent == len(many)
    assert len(_hub_findings(aws)) == len(many)


def test_guard_allows_only_the_import(aws: boto3.Session) -> None:
    finding = {"Id": "x", "Resources": []}
    with pytest.raises(ReadOnlyViolation):
        ClientFactory(aws).client("securityhub", REGION).batch_import_findings(Findings=[finding])
    exporting = ClientFactory(aws, allow_writes=frozenset({IMPORT_OPERATION}))
    with pytest.raises(ReadOnlyViolation):
        exporting.client("securityhub", REGION).enable_security_hub()
    with pytest.raises(ReadOnlyViolation):
        exporting.client("securityhub", REGION).batch_update_findings(FindingIdentifiers=[])
    with pytest.raises(ReadOnlyViolation):
        exporting.client("ec2", REGION).create_vpc(CidrBlock="10.9.0.0/16")
    assert exporting.client("ec2", REGION).describe_vpcs()["Vpcs"] is not None


# --- OCSF ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", OCSF_VERSIONS)
@pytest.mark.parametrize("name", WORLDS)
def test_ocsf_detection_findings(name: str, version: str, reports: dict[str, Report]) -> None:
    """The content of both releases; tests/test_ocsf.py validates them against the class definitions."""
    report = reports[name]
    records = ocsf_findings(report, version)
    assert len(records) == len(report.findings) > 0
    severity_ids = {"info": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
    for r, f in zip(records, report.findings, strict=True):
        assert (r["class_uid"], r["category_uid"], r["activity_id"], r["type_uid"]) == (2004, 2, 1, 200401)
        assert r["severity_id"] == severity_ids[str(f.severity)]
        assert isinstance(r["time"], int) and r["time"] > 1_600_000_000_000
        assert r["metadata"]["version"] == version
        assert set(r["metadata"]["product"]) >= {"name", "vendor_name", "version"}
        info = r["finding_info"]
        assert info["uid"] and info["title"] == f.title and info["desc"] == f.message and info["types"]
        assert r["resources"][0]["name"] == f.resource_id and r["resources"][0]["region"] == f.region
        assert r["resources"][0]["uid"] and r["resources"][0]["type"]
        assert (r["cloud"]["provider"], r["cloud"]["account"]["uid"], r["cloud"]["region"]) == (
            "AWS",
            f.account_id,
            f.region,
        )
        assert r["status"] == "New"
        assert r["remediation"] == {"desc": f.remediation, "references": list(REGISTRY[f.check_id].references)}
    json.dumps(records)  # plain JSON types only


# --- CSV -----------------------------------------------------------------------------------------------------


def test_csv_one_row_per_finding(reports: dict[str, Report]) -> None:
    report = reports["demo"]
    rows = list(csv.reader(io.StringIO(render_csv(report))))
    assert tuple(rows[0]) == COLUMNS
    body = [dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]]
    assert len(body) == len(report.findings)
    for row, f in zip(body, report.findings, strict=True):
        assert row["related_ids"] == " ".join(sorted(set(f.related_ids)))
        assert (row["severity"], row["check_id"], row["message"]) == (str(f.severity), f.check_id, f.message)


def test_csv_defuses_formulas(reports: dict[str, Report]) -> None:
    f = replace(reports["demo"].findings[0], message='=HYPERLINK("http://x","y")', vpc_id="@vpc")
    rows = list(csv.DictReader(io.StringIO(render_csv(replace(reports["demo"], findings=(f,))))))
    assert rows[0]["message"] == '\'=HYPERLINK("http://x","y")' and rows[0]["vpc_id"] == "'@vpc"


# --- the same findings in every format -----------------------------------------------------------------------


def _pairs_everywhere(report: Report) -> dict[str, set[tuple[str, str]]]:
    table = render_table(report)
    document = report.to_document()
    return {
        "json": {(f["check_id"], f["resource_id"]) for f in document["findings"]},
        "asff": {(a["GeneratorId"], a["ProductFields"]["vpce-audit/ResourceId"]) for a in asff_findings(report)},
        "ocsf": {(o["finding_info"]["analytic"]["uid"], o["resources"][0]["name"]) for o in ocsf_findings(report)},
        "csv": {(r["check_id"], r["resource_id"]) for r in csv.DictReader(io.StringIO(render_csv(report)))},
        "html": {(check, resource) for _, check, resource in parse_html(render_html(report)).findings},
        "table": {
            (f.check_id, f.resource_id)
            for f in report.findings
            if any(f.check_id in line and f.resource_id in line for line in table.splitlines())
        },
    }


@pytest.mark.parametrize("name", WORLDS)
def test_same_findings_in_every_format(name: str, reports: dict[str, Report]) -> None:
    report = reports[name]
    expected = {(f.check_id, f.resource_id) for f in report.findings}
    assert expected
    assert _pairs_everywhere(report) == dict.fromkeys(_pairs_everywhere(report), expected)


# --- the CLI -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "asff", "ocsf"])
def test_cli_output_formats(fmt: str, demo_snapshot_file: Path, tmp_path: Path) -> None:
    out = tmp_path / f"report.{fmt}"
    assert run(["audit", str(demo_snapshot_file), "-o", fmt, "--output-file", str(out), "--fail-on", "none"]) == 0
    report = build_report(load_snapshot(demo_snapshot_file))
    text = out.read_text()
    if fmt == "csv":
        assert text == render_csv(report)
    else:
        expected = asff_findings(report) if fmt == "asff" else ocsf_findings(report)
        assert json.loads(text) == expected


def test_cli_export_securityhub(demo_snapshot_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with fake_aws_env(), mock_aws():
        code = run(["audit", str(demo_snapshot_file), "-o", "csv", "--fail-on", "none", "--export-securityhub"])
        imported = _hub_findings(boto3.Session(region_name=REGION))
    report = build_report(load_snapshot(demo_snapshot_file))
    assert code == 0
    assert sorted(f["Id"] for f in imported) == sorted(f["Id"] for f in asff_findings(report))
    assert f"exported {len(report.findings)} finding(s) to Security Hub" in capsys.readouterr().err


def test_cli_export_failure_is_one_line_and_partial(
    demo_snapshot_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    denied = ClientError({"Error": {"Code": "InvalidAccessException", "Message": "not subscribed"}}, "Import")
    with fake_aws_env(), mock_aws(), mock.patch("vpce_audit.report.asff.export_findings", side_effect=denied):
        code = run(["audit", str(demo_snapshot_file), "-o", "csv", "--fail-on", "none", "--export-securityhub"])
    assert code == 3
    err = capsys.readouterr().err
    assert "Security Hub export failed: InvalidAccessException: not subscribed" in err
    assert len(err.strip().splitlines()) == 1


def test_without_the_flag_nothing_is_exported(demo_snapshot_file: Path) -> None:
    with fake_aws_env(), mock_aws():
        assert run(["audit", str(demo_snapshot_file), "-o", "csv", "--fail-on", "none"]) == 0
        assert _hub_findings(boto3.Session(region_name=REGION)) == []


def suppressed_first(report: Report, reason: str) -> Report:
    """The report as if a suppression had accepted its first finding."""
    first = replace(report.findings[0], suppression=Suppressed(reason))
    return replace(report, findings=(first, *report.findings[1:]), suppressions_applied=True)


def test_suppressed_findings_are_marked(reports: dict[str, Report]) -> None:
    report = suppressed_first(reports["demo"], "dev VPC, one AZ by design")
    asff = asff_findings(report)
    assert asff[0]["Workflow"] == {"Status": "SUPPRESSED"}
    assert asff[0]["Note"]["Text"] == "suppressed: dev VPC, one AZ by design"
    assert asff[0]["ProductFields"]["vpce-audit/SuppressionReason"] == "dev VPC, one AZ by design"
    assert all(a["Workflow"] == {"Status": "NEW"} and "Note" not in a for a in asff[1:])
    assert asff_violations(asff[0]) == []
    assert [a["Id"] for a in asff] == [a["Id"] for a in asff_findings(reports["demo"])]
    ocsf = ocsf_findings(report)
    assert (ocsf[0]["status_id"], ocsf[0]["status"], ocsf[0]["status_detail"]) == (
        3,
        "Suppressed",
        "dev VPC, one AZ by design",
    )
    assert all((o["status_id"], o["status"]) == (1, "New") and "status_detail" not in o for o in ocsf[1:])


def test_every_format_shows_a_suppressed_finding_as_suppressed(reports: dict[str, Report]) -> None:
    """Suppression travels on the finding, so no renderer can show an accepted finding as active."""
    report = suppressed_first(reports["demo"], "accepted, ticket NET-1")
    first = report.findings[0]
    document = report.to_document()
    assert document["findings"][0]["suppressed"] is True
    assert document["findings"][0]["suppression_reason"] == "accepted, ticket NET-1"
    assert not any("suppressed" in f for f in document["findings"][1:])
    assert document["suppressions"]["suppressed"] == 1

    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert (rows[0]["suppressed"], rows[0]["suppression_reason"]) == ("true", "accepted, ticket NET-1")
    assert all((r["suppressed"], r["suppression_reason"]) == ("false", "") for r in rows[1:])

    table = render_table(report).splitlines()
    marked = [line for line in table if "(suppressed)" in line]
    assert len(marked) == 1 and first.check_id in marked[0] and first.resource_id in marked[0]
    assert f"Findings ({len(report.findings)}: {len(report.findings) - 1} active, 1 suppressed)" in table
    assert f"  {first.check_id} {first.resource_id}: accepted, ticket NET-1" in table
    assert "(suppressed)" not in render_table(reports["demo"])
    until = replace(first, suppression=Suppressed("until fixed", dt.date(2027, 3, 31)))
    dated = render_table(replace(report, findings=(until, *report.findings[1:])))
    assert f"  {first.check_id} {first.resource_id}: until fixed (until 2027-03-31)" in dated.splitlines()

    assert parse_html(render_html(report)).attributes.count(("data-suppressed", "true")) == 1
    # The demo's one critical finding (worst first): accepted, it no longer decides the exit code either.
    assert first.severity is Severity.CRITICAL
    assert (reports["demo"].exit_code(Severity.CRITICAL), report.exit_code(Severity.CRITICAL)) == (1, 0)


@pytest.mark.parametrize("fmt", ["csv", "asff", "ocsf", "html"])
def test_checks_catalogue_refuses_finding_formats(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`checks` offers only what it renders: the choice itself refuses the others (one line, exit 2)."""
    assert run(["checks", "-o", fmt]) == 2
    assert f"'{fmt}' is not one of 'table', 'json'" in capsys.readouterr().err
