"""A finding's identity (model/findings.py Identity): what the diff, Security Hub Ids and suppressions key on.

The uniqueness of identities within every moto world's report is asserted in tests/test_worlds.py, where
those worlds are built anyway.
"""

from __future__ import annotations

import json

import boto3
from moto.ec2.utils import random_private_ip

from moto_fixtures import realism
from moto_fixtures.builder import AZ1, AZ2, AZ3, Builder
from moto_fixtures.worlds import isolated_vpc, subnets_in
from tests.conftest import REGION, audit
from tests.scanned import the_finding
from vpce_audit.model.findings import Finding, Identity
from vpce_audit.report.asff import asff_findings, finding_ids
from vpce_audit.report.diff import diff_reports
from vpce_audit.report.json import render_json
from vpce_audit.report.model import Report

AZ4 = "use1-az4"


def _add_subnet_with_eni(b: Builder, endpoint_id: str, subnet_id: str) -> None:
    """What AWS does when a subnet is added to an interface endpoint: one more subnet, one more ENI. moto's
    ModifyVpcEndpoint adds the subnet only, so the ENI is made here, as moto makes them at creation."""
    backend = realism.backend(b.account_id, REGION)
    endpoint = backend.vpc_end_points[endpoint_id]
    eni = backend.create_network_interface(subnet_id, random_private_ip())
    endpoint.subnet_ids.append(subnet_id)
    endpoint.network_interface_ids.append(eni.id)
    realism.make_realistic(
        b.account_id, REGION, endpoint_id, private_dns_names=b.private_dns_names(endpoint.service_name)
    )


def _asff_id(report: Report, finding: Finding) -> str:
    return next(a["Id"] for a in asff_findings(report) if a["GeneratorId"] == finding.check_id)


def test_an_added_subnet_keeps_an_open_gap_the_same_finding(aws: boto3.Session) -> None:
    b = Builder(aws, REGION)
    try:
        ids = isolated_vpc(b, "four", (AZ1, AZ2, AZ3, AZ4))
        endpoint = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, AZ1, AZ2), [ids["sg"]])
        before = audit(aws)
        _add_subnet_with_eni(b, endpoint, ids[f"subnet.{AZ3}"])
        after = audit(aws)
    finally:
        b.close()
    old, new = the_finding(before, "az-gap"), the_finding(after, "az-gap")
    # Not vacuous: what the finding says did change (one AZ fewer missing, one more related subnet) ...
    assert set(new.related_ids) - set(old.related_ids) == {ids[f"subnet.{AZ3}"]}
    assert old.message != new.message and AZ3 in old.message and AZ3 not in new.message
    # ... and it is still the same finding: for the diff and for Security Hub.
    assert old.identity() == new.identity()
    diff = diff_reports(json.loads(render_json(before)), json.loads(render_json(after)))
    assert (diff.new, diff.resolved) == ((), ())
    assert [f["check_id"] for f in diff.unchanged] == ["az-gap"]
    assert _asff_id(before, old) == _asff_id(after, new)


def _finding(**fields: str) -> Finding:
    base = {
        "account_id": "111111111111",
        "region": "eu-west-1",
        "vpc_id": "vpc-1",
        "resource_id": "rslvr-rr-1",
        "message": "m",
        "check_id": "rslv-forward-shadows",
    }
    return Finding(**(base | fields))


def test_identity_leaves_out_what_changes_while_the_problem_stays() -> None:
    f = _finding(key="vpc-1")
    same = _finding(key="vpc-1", vpc_id="vpc-9", message="other words")
    assert (
        f.identity()
        == same.identity()
        == Identity("rslv-forward-shadows", "111111111111", "eu-west-1", "rslvr-rr-1", "vpc-1")
    )
    for changed in (
        _finding(key="vpc-2"),
        _finding(key="vpc-1", resource_id="rslvr-rr-2"),
        _finding(key="vpc-1", region="eu-west-2"),
        _finding(key="vpc-1", account_id="222222222222"),
    ):
        assert changed.identity() != f.identity()
        assert finding_ids((changed,)) != finding_ids((f,))


def test_asff_ids_are_the_identity_digest_and_stay_stable_across_versions() -> None:
    f = _finding(key="vpc-1")
    # Pinned: Security Hub updates a finding only while its Id stays; a change here makes every imported
    # finding look new once, which deserves a deliberate decision (and a note in the README).
    assert f.identity().digest() == "773036b3c56aae528d60c2c50735c9b8"
    assert finding_ids((f,)) == [f"vpce-audit/111111111111/eu-west-1/rslv-forward-shadows/{f.identity().digest()}"]


def test_twins_still_get_distinct_asff_ids() -> None:
    """Identities are unique (every world is held to it); if a check ever broke that, Security Hub must still
    not merge two findings into one."""
    twins = (_finding(message="b"), _finding(message="a"))
    first, second = finding_ids(twins)
    assert first != second
    assert second == finding_ids((twins[1],))[0]  # the first by message keeps the plain digest
