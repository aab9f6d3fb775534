"""The published JSON Schema of `vpce-audit/report/v1`: real reports validate, broken documents do not."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import boto3
import pytest
from jsonschema import Draft202012Validator
from moto import mock_aws

from moto_fixtures import ACCOUNT_ID, World, build_world, fake_aws_env
from tests.conftest import REGION, audit
from vpce_audit.cli.main import run
from vpce_audit.errors import CollectionError
from vpce_audit.report.schema import report_schema

# Worlds that exercise every part of the document: unknown and known verdicts, gateway routes, DNS paths
# through zones, Resolver rules, findings with related ids and evidence of every shape.
WORLDS = [
    "demo",
    "healthy-3az",
    "eni-missing",
    "gw-blackhole",
    "dns-hub-spoke",
    "dns-forward-service",
    "dns-static-stale",
    "sg-client-group",
    "cross-region",  # az_coverage with service_region (issue 15)
    "svc-az-empty",  # provider-side findings on an endpoint service
    "resource-single-az",  # a resource endpoint: associations, service_bounded, its DNS verdict
]


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = report_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _errors(validator: Draft202012Validator, document: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


@pytest.mark.parametrize("name", WORLDS)
def test_world_reports_validate(
    name: str, aws: boto3.Session, make_world: Callable[[str], World], validator: Draft202012Validator
) -> None:
    make_world(name)
    document = json.loads(json.dumps(audit(aws).to_document()))
    assert _errors(validator, document) == []
    assert document["endpoints"], "the world should have endpoints for the schema to check"


@pytest.fixture(scope="module")
def demo_document() -> dict[str, Any]:
    with fake_aws_env(), mock_aws():
        session = boto3.Session(region_name=REGION)
        world = build_world("demo", session, REGION)
        try:
            report = audit(session)
        finally:
            world.close()
    error = CollectionError(ACCOUNT_ID, REGION, "ec2", "DescribeRouteTables", "AccessDenied", "denied")
    return json.loads(json.dumps(replace(report, errors=(error,)).to_document()))


def test_demo_report_with_errors_validates(demo_document: dict[str, Any], validator: Draft202012Validator) -> None:
    assert demo_document["errors"] and demo_document["findings"]
    assert any("dns_path" in e for e in demo_document["endpoints"])
    assert any(e.get("network_path", {}).get("vpcs") for e in demo_document["endpoints"])
    assert any("route_coverage" in e for e in demo_document["endpoints"])
    assert _errors(validator, demo_document) == []


def _mutate(document: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    change(doc)
    return doc


BROKEN: dict[str, Callable[[dict[str, Any]], None]] = {
    "unknown top-level key": lambda d: d.update(extra=1),
    "wrong schema id": lambda d: d.update(schema="vpce-audit/report/v2"),
    "severity outside the enum": lambda d: d["findings"][0].update(severity="urgent"),
    "extra key in a finding": lambda d: d["findings"][0].update(owner="team"),
    "finding without check_id": lambda d: d["findings"][0].pop("check_id"),
    "finding with empty resource": lambda d: d["findings"][0].update(resource_id=""),
    "verdict status outside the enum": lambda d: next(e for e in d["endpoints"] if "az_coverage" in e)[
        "az_coverage"
    ].update(status="maybe"),
    "summary count negative": lambda d: d["summary"].update(findings=-1),
    "severity count missing": lambda d: d["summary"]["findings_by_severity"].pop("low"),
    "error without code": lambda d: d["errors"][0].pop("code"),
    "account id not 12 digits": lambda d: d["scope"].update(accounts=["12345"]),
    "dns mode outside the enum": lambda d: next(e for e in d["endpoints"] if e.get("dns_path"))["dns_path"][0].update(
        mode="magic"
    ),
    "network path status outside the enum": lambda d: next(e for e in d["endpoints"] if e.get("network_path"))[
        "network_path"
    ].update(status="fine"),
    "network path AZ status outside the enum": lambda d: next(
        e for e in d["endpoints"] if e.get("network_path", {}).get("vpcs")
    )["network_path"]["vpcs"][0]["azs"][0].update(status="fine"),
}


@pytest.mark.parametrize("what", sorted(BROKEN))
def test_broken_documents_are_refused(
    what: str, demo_document: dict[str, Any], validator: Draft202012Validator
) -> None:
    assert _errors(validator, _mutate(demo_document, BROKEN[what]))


def test_evidence_stays_open(demo_document: dict[str, Any], validator: Draft202012Validator) -> None:
    def add_evidence(d: dict[str, Any]) -> None:
        d["findings"][0]["evidence"]["new_field"] = {"nested": [1, 2]}

    assert _errors(validator, _mutate(demo_document, add_evidence)) == []


def test_suppression_fields_are_optional(demo_document: dict[str, Any], validator: Draft202012Validator) -> None:
    def suppress(d: dict[str, Any]) -> None:
        d["findings"][0].update(suppressed=True, suppression_reason="accepted risk")
        d["suppressions"] = {"suppressed": 1, "expired": [{"check_id": "az-gap", "expires": "2020-01-01"}]}

    assert _errors(validator, _mutate(demo_document, suppress)) == []
    assert _errors(validator, _mutate(demo_document, lambda d: d.update(suppressions={"suppressed": 1})))


def test_schema_command_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == report_schema()
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert printed["additionalProperties"] is False


# az-loss: the --az-loss section of a real (hand-built) report validates; a wrong impact does not.
def test_az_loss_section_validates(validator: Draft202012Validator) -> None:
    from tests.dns_raw import alias
    from tests.raw_snapshot import snapshot
    from tests.test_az_loss import world
    from vpce_audit.report.model import build_report

    acct = world(
        [alias("ssm.us-east-1.amazonaws.com", "vpce-0a1b2c3d-abcd1234-us-east-1a.ssm.us-east-1.vpce.amazonaws.com")]
    )
    document = build_report(snapshot(*acct.parts()), ("az-loss-cross-az",), az_loss=True).to_document()
    assert document["az_loss"] and _errors(validator, document) == []

    def wrong(d: dict[str, Any]) -> None:
        d["az_loss"][0]["entries"][0]["impact"] = "gone"

    assert _errors(validator, _mutate(document, wrong))


# az-loss route-table components (issue 18): a NAT-gateway loss validates; the enum names nat and gwlb-endpoint.
def test_az_loss_nat_component_validates(validator: Draft202012Validator) -> None:
    from tests.raw_snapshot import snapshot
    from tests.test_az_loss_components import nat_fallback_in_az1
    from vpce_audit.report.model import build_report

    document = build_report(snapshot(*nat_fallback_in_az1().parts()), ("az-loss-cross-az",), az_loss=True).to_document()
    lost = [e for x in document["az_loss"] for e in x["entries"] if e["impact"] == "lost"]
    assert {e["component"] for e in lost} == {"nat"} and _errors(validator, document) == []
    printed = json.dumps(report_schema())
    assert '"nat"' in printed and '"gwlb-endpoint"' in printed

    def wrong(d: dict[str, Any]) -> None:
        next(e for x in d["az_loss"] for e in x["entries"] if e["impact"] == "lost")["component"] = "nat-gateway"

    assert _errors(validator, _mutate(document, wrong))
