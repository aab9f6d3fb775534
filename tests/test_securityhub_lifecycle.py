"""The Security Hub lifecycle: two consecutive runs against moto's BatchImportFindings (one problem fixed,
one new, one unchanged while an unrelated subnet was added), resolved findings archived, findings this run
could not look at again left alone, suppressed ones imported as suppressed, the 100-per-call and 240 KB
limits, and the CLI's --previous."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from moto_fixtures import fake_aws_env
from moto_fixtures.builder import AZ1, AZ2, AZ3, Builder
from moto_fixtures.worlds import isolated_vpc, subnets_in
from tests.conftest import REGION, audit
from vpce_audit.app.job import Job, export
from vpce_audit.cli.main import run
from vpce_audit.errors import CollectionError
from vpce_audit.model.findings import Suppressed
from vpce_audit.report.asff import MAX_FINDING_BYTES, export_findings
from vpce_audit.report.diff import Coverage
from vpce_audit.report.model import Report
from vpce_audit.report.securityhub import coverage_of, lifecycle, rechecked


def hub(session: boto3.Session) -> dict[str, dict[str, Any]]:
    client = session.client("securityhub", region_name=REGION)
    found = [f for page in client.get_paginator("get_findings").paginate() for f in page["Findings"]]
    assert len({f["Id"] for f in found}) == len(found)
    return {f["Id"]: f for f in found}


def ids_of(report: Report, *endpoints: str) -> set[str]:
    return {
        f"vpce-audit/{f.account_id}/{f.region}/{f.check_id}/{f.identity().digest()}"
        for f in report.findings
        if f.resource_id in endpoints
    }


@pytest.fixture(scope="module")
def runs() -> Iterator[tuple[boto3.Session, dict[str, str], Report, Report, dict[str, dict[str, Any]]]]:
    """Run 1: ssm and kms each in one AZ of three. Then kms is fixed (replaced by an endpoint in all three),
    sts is added in one AZ, and a subnet
    no endpoint uses is added. Run 2 exports with run 1's report as the previous one."""
    with fake_aws_env(), mock_aws():
        session = boto3.Session(region_name=REGION)
        b = Builder(session, REGION)
        try:
            ids = isolated_vpc(b, "life")
            ids["ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, AZ1), [ids["sg"]])
            ids["kms"] = b.interface_endpoint(ids["vpc"], "kms", subnets_in(ids, AZ1), [ids["sg"]])
            first = audit(session)
            assert export(session, first, Job())
            # kms fixed as AWS advises for a one-AZ endpoint created without its other subnets: replaced
            b.ec2.delete_vpc_endpoints(VpcEndpointIds=[ids["kms"]])
            b.interface_endpoint(ids["vpc"], "kms", subnets_in(ids, AZ1, AZ2, AZ3), [ids["sg"]])
            ids["sts"] = b.interface_endpoint(ids["vpc"], "sts", subnets_in(ids, AZ1), [ids["sg"]])
            b.subnet(ids["vpc"], AZ1, "10.0.200.0/24", "unrelated")
            second = audit(session)
            previous = tuple(f.to_dict() for f in first.findings)
            assert export(session, second, Job(previous=json.loads(json.dumps(previous))))
            yield session, ids, first, second, hub(session)  # Security Hub as run 2 left it
        finally:
            b.close()


def test_two_runs_archive_the_fixed_add_the_new_and_keep_the_unchanged(runs: Any) -> None:
    _, ids, first, second, found = runs
    fixed, new, unchanged = ids_of(first, ids["kms"]), ids_of(second, ids["sts"]), ids_of(first, ids["ssm"])
    assert fixed and new and unchanged
    assert unchanged == ids_of(second, ids["ssm"])  # the same Id despite the added subnet: no duplicate
    assert set(found) == fixed | new | unchanged
    for finding_id in fixed:
        assert found[finding_id]["RecordState"] == "ARCHIVED"
        assert found[finding_id]["Compliance"]["Status"] == "PASSED"
    for finding_id in new | unchanged:
        assert found[finding_id]["RecordState"] == "ACTIVE"
        assert found[finding_id]["Compliance"]["Status"] == "FAILED"


def _doc(report: Report, **changes: str) -> dict[str, Any]:
    return {**report.findings[0].to_dict(), **changes}


def without_input(report: Report, api: str) -> Report:
    """The report as if `api` had been denied in its region: the error, and the scope that says so."""
    account = report.accounts[0]
    denied = CollectionError(account, REGION, *api.split(":"), "AccessDenied", "no")
    collected = tuple((a, r, (*m, api) if (a, r) == (account, REGION) else m) for a, r, m in report.collected)
    return replace(report, errors=(denied,), collected=collected)


def test_findings_not_rechecked_are_left_alone(runs: Any) -> None:
    _, _, first, second, _ = runs
    coverage = coverage_of(second)
    gone = _doc(first, resource_id="vpce-0000000000000000f")
    assert rechecked(gone, coverage)
    assert not rechecked(_doc(first, resource_id="vpce-1", region="eu-west-3"), coverage)  # not scanned
    assert not rechecked(gone, coverage, ("az-gap",))  # its check did not run
    assert not rechecked(gone, coverage_of(replace(second, check_ids=("az-gap",))))  # nor as the report says
    assert not rechecked(_doc(first, check_id="retired-check"), coverage)  # a check this version lacks
    partial = without_input(second, "ec2:DescribeVpcEndpoints")
    assert not rechecked(gone, coverage_of(partial))  # its inputs failed to collect
    plan = lifecycle(partial, [gone])
    assert (plan.resolved, plan.not_rechecked) == ([], 1)
    plan = lifecycle(second, [gone, gone])
    assert len(plan.resolved) == 1 and plan.not_rechecked == 0
    assert plan.resolved[0]["RecordState"] == "ARCHIVED" and "Workflow" not in plan.resolved[0]


def test_archiving_follows_the_diffs_rule(runs: Any) -> None:
    """One rule for `vpce-audit diff`, the Lambda's alerts and Security Hub: a finding is resolved only where
    the new report covered its account, region and VPC and collected its check's declared inputs."""
    _, _, first, second, _ = runs
    gone = _doc(first, resource_id="vpce-0000000000000000f")
    elsewhere = replace(second, vpc_ids=("vpc-00000000000000000",))  # --vpc-id: gone's VPC was not looked at
    # an input of the check absent from the scope with no error (a part an older version collected)
    unasked = replace(second, collected=tuple((a, r, (*m, "ec2:DescribeSubnets")) for a, r, m in second.collected))
    for report in (second, elsewhere, unasked, without_input(second, "ec2:DescribeVpcEndpoints")):
        document = report.to_document()
        expected = not Coverage.of(document).gap(gone)
        assert rechecked(gone, coverage_of(report)) is expected
        plan = lifecycle(report, [gone])
        assert (len(plan.resolved), plan.not_rechecked) == ((1, 0) if expected else (0, 1))
    assert [not Coverage.of(r.to_document()).gap(gone) for r in (second, elsewhere, unasked)] == [True, False, False]


def test_suppressed_findings_are_imported_suppressed(runs: Any) -> None:
    session, _, _, second, _ = runs
    accepted = replace(second.findings[0], resource_id="vpce-0123456789abcdef0", suppression=Suppressed("known"))
    assert export(session, replace(second, findings=(accepted,)), Job())
    mine = [f for f in hub(session).values() if f["Resources"][0]["Id"].endswith(accepted.resource_id)]
    assert [f["Workflow"]["Status"] for f in mine] == ["SUPPRESSED"]
    assert mine[0]["Note"]["Text"] == "suppressed: known"


def test_a_finding_over_240_kb_is_an_error_not_a_call(runs: Any) -> None:
    session, _, _, second, _ = runs
    findings = lifecycle(second, None).current
    big = {**findings[0], "Id": "vpce-audit/too-big", "ProductFields": {"x": "y" * MAX_FINDING_BYTES}}
    result = export_findings(session, [big, *findings])
    assert result.sent == len(findings) and result.calls == 1
    assert result.failed == (
        f"vpce-audit/too-big: FindingTooLarge {len(json.dumps(big, separators=(',', ':')))} "
        f"bytes, more than {MAX_FINDING_BYTES}",
    )
    assert "vpce-audit/too-big" not in hub(session)


def test_cli_previous_needs_an_export_and_a_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    snap = tmp_path / "snap.json"
    snap.write_text("{}")
    assert run(["audit", str(snap), "--previous", str(snap)]) == 2
    assert "--previous applies to --export-securityhub" in capsys.readouterr().err
    with fake_aws_env():
        assert run(["audit", str(snap), "--export-securityhub", "--previous", str(snap)]) == 2
    assert "is not a vpce-audit report" in capsys.readouterr().err
