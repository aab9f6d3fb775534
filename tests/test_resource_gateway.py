"""Resource endpoints against their resource gateway's AZs (issue 15): the vpc-lattice listings, the overlap in
az_coverage, ep-resource-az-overlap, and every link of the chain the scan cannot see leaving it unknown."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from moto_fixtures import ACCOUNT_ID
from moto_fixtures.builder import AZ1, AZ2, AZ3
from tests.moto_server import MotoServer
from tests.raw_snapshot import ACCOUNT, RawPart, inventory
from tests.scanned import the_finding, verdict_of
from tests.test_collect import facts_plan, scan
from vpce_audit.checks import run_checks
from vpce_audit.report.model import verdict
from vpce_audit.report.schema import report_schema

CHECK = "ep-resource-az-overlap"
OTHER = "222222222222"
CONFIG = f"arn:aws:vpc-lattice:us-east-1:{ACCOUNT}:resourceconfiguration/rcfg-1"


# --- against moto: the listings served in moto, the finding and its near-miss ----------------------------------


def test_no_az_in_common_is_the_finding_with_the_chain_in_evidence(make_world, aws):
    world = make_world("resource-az-no-overlap")
    report, _, calls = scan(aws)
    f = the_finding(report, CHECK)
    assert f.resource_id == world.ids["ep.resource"] and f.severity.value == "high"
    assert f.evidence["gateway_id"] == world.ids["gateway"]
    assert f.evidence["resource_configuration_arn"] == world.ids["config"]
    assert (f.evidence["endpoint_az_ids"], f.evidence["gateway_az_ids"], f.evidence["overlap"]) == (
        sorted([AZ1, AZ2]),
        [AZ3],
        [],
    )
    assert f.evidence["endpoint_type"] == "Resource" and world.ids["gateway"] in f.related_ids
    # two listings for the region, whatever the number of endpoints; no per-id Get
    assert calls["vpc-lattice:ListResourceConfigurations"] == 1
    assert calls["vpc-lattice:ListResourceGateways"] == 1
    assert not any(k.startswith("vpc-lattice:Get") for k in calls)
    assert calls == facts_plan(aws)  # bench/plan.py counts them exactly
    doc = report.to_document()
    Draft202012Validator(report_schema()).validate(doc)
    (ep,) = [e for e in doc["endpoints"] if e["endpoint_id"] == world.ids["ep.resource"]]
    assert ep["az_coverage"]["resource_gateway"]["status"] == "known"


def test_one_az_in_common_is_quiet_and_shown_in_az_coverage(make_world, aws):
    world = make_world("resource-az-overlap-one")
    report, _, _ = scan(aws)
    assert [f for f in report.findings if f.check_id == CHECK] == []
    gateway = verdict_of(report, world.ids["ep.resource"]).to_dict()["az_coverage"]["resource_gateway"]
    assert gateway == {
        "status": "known",
        "resource_configuration_arn": world.ids["config"],
        "gateway_id": world.ids["gateway"],
        "gateway_account_id": ACCOUNT_ID,
        "endpoint_az_ids": sorted([AZ1, AZ2]),
        "gateway_az_ids": sorted([AZ2, AZ3]),
        "overlap": [AZ2],
    }


def test_no_resource_endpoint_no_lattice_call(make_world, aws):
    make_world("service-network-3az")
    _, snapshot, calls = scan(aws)
    assert not any(k.startswith("vpc-lattice:") for k in calls)
    assert not any(api.startswith("vpc-lattice:") for part in snapshot.parts for api in part.apis)


# --- synthetic snapshots: what the scan cannot see ----------------------------------------------------------------


def resource_part(
    *, gateway_subnets: tuple[str, ...] = ("subnet-c",), gateway_owner: str = ACCOUNT, **config: Any
) -> RawPart:
    """A VPC with workloads in a and b, a resource endpoint there, its configuration listed, and (when the
    owner is this account) a gateway whose subnets are `gateway_subnets`."""
    raw = RawPart()
    raw.apis["ec2:DescribeVpcEndpointAssociations"] = []
    raw.vpc("vpc-1")
    for name in ("us-east-1a", "us-east-1b", "us-east-1c"):
        raw.subnet(f"subnet-{name[-1]}", "vpc-1", name)
    for letter in "ab":
        raw.eni(f"eni-app-{letter}", f"subnet-{letter}", "vpc-1")
    item = raw.interface_endpoint(
        "vpce-r", "vpc-1", {"subnet-a": "eni-a", "subnet-b": "eni-b"}, kind="Resource", ResourceConfigurationArn=CONFIG
    )
    item.pop("ServiceName")
    raw.apis["vpc-lattice:ListResourceConfigurations"] = [
        {"id": "rcfg-1", "arn": CONFIG, "resourceGatewayId": "rgw-1", "type": "SINGLE"} | config
    ]
    raw.apis["vpc-lattice:ListResourceGateways"] = []
    if gateway_owner == ACCOUNT:
        raw.apis["vpc-lattice:ListResourceGateways"].append(
            {
                "id": "rgw-1",
                "arn": f"arn:aws:vpc-lattice:us-east-1:{ACCOUNT}:resourcegateway/rgw-1",
                "vpcIdentifier": "vpc-1",
                "subnetIds": list(gateway_subnets),
            }
        )
    return raw


def gateway_of(raw: RawPart, *more: RawPart) -> dict[str, Any]:
    inv = inventory(raw, *more)
    doc: dict[str, Any] = verdict(inv, inv.endpoints["vpce-r"]).to_dict()["az_coverage"]["resource_gateway"]
    return doc


def test_synthetic_no_overlap_fires_and_one_shared_az_does_not():
    (f,) = run_checks(inventory(resource_part()), [CHECK])
    assert f.evidence["overlap"] == [] and f.evidence["gateway_az_ids"] == ["use1-az3"]
    assert run_checks(inventory(resource_part(gateway_subnets=("subnet-b", "subnet-c"))), [CHECK]) == []


@pytest.mark.parametrize(
    ("api", "said"),
    [
        ("vpc-lattice:ListResourceConfigurations", "not collected: vpc-lattice:ListResourceConfigurations"),
        ("vpc-lattice:ListResourceGateways", "not collected: vpc-lattice:ListResourceGateways"),
    ],
)
def test_a_failed_listing_leaves_the_overlap_unknown_and_no_finding(api, said):
    raw = resource_part().without(api)
    assert run_checks(inventory(raw), [CHECK]) == []
    found = gateway_of(raw)
    assert found["status"] == "unknown" and found["reason"] == said


def test_a_gateway_of_another_account_is_unknown_and_says_whose():
    config = f"arn:aws:vpc-lattice:us-east-1:{OTHER}:resourceconfiguration/rcfg-1"
    raw = resource_part(gateway_owner=OTHER, arn=config)
    raw.apis["ec2:DescribeVpcEndpoints"][0]["ResourceConfigurationArn"] = config
    assert run_checks(inventory(raw), [CHECK]) == []
    found = gateway_of(raw)
    assert found["status"] == "unknown" and found["gateway_account_id"] == OTHER
    assert OTHER in found["reason"] and "rgw-1" in found["reason"]


def test_the_owner_scanned_too_judges_a_cross_account_gateway():
    """The configuration is shared with the consumer; the gateway's owner is scanned and lists it."""
    config = f"arn:aws:vpc-lattice:us-east-1:{OTHER}:resourceconfiguration/rcfg-1"
    consumer = resource_part(gateway_owner=OTHER, arn=config)
    consumer.apis["ec2:DescribeVpcEndpoints"][0]["ResourceConfigurationArn"] = config
    owner = RawPart(
        account_id=OTHER, zones={"us-east-1a": "use1-az1", "us-east-1b": "use1-az2", "us-east-1c": "use1-az3"}
    )
    owner.vpc("vpc-p")
    owner.subnet("subnet-p", "vpc-p", "us-east-1c")
    owner.apis["vpc-lattice:ListResourceGateways"] = [
        {
            "id": "rgw-1",
            "arn": f"arn:aws:vpc-lattice:us-east-1:{OTHER}:resourcegateway/rgw-1",
            "subnetIds": ["subnet-p"],
        }
    ]
    (f,) = run_checks(inventory(consumer, owner), [CHECK])
    assert f.evidence["gateway_account_id"] == OTHER and f.evidence["gateway_az_ids"] == ["use1-az3"]


def test_gateway_subnets_the_scan_does_not_hold_leave_it_unknown():
    raw = resource_part(gateway_subnets=("subnet-elsewhere",))
    assert run_checks(inventory(raw), [CHECK]) == []
    found = gateway_of(raw)
    assert found["status"] == "unknown" and "subnet-elsewhere" in found["reason"]


def test_an_unlisted_configuration_is_unknown():
    raw = resource_part()
    raw.apis["vpc-lattice:ListResourceConfigurations"] = []
    assert run_checks(inventory(raw), [CHECK]) == []
    assert "not listed" in gateway_of(raw)["reason"]


def test_a_child_configuration_uses_its_groups_gateway():
    raw = resource_part(resourceGatewayId=None, resourceConfigurationGroupId="rcfg-group", type="CHILD")
    raw.apis["vpc-lattice:ListResourceConfigurations"].append(
        {
            "id": "rcfg-group",
            "arn": f"arn:aws:vpc-lattice:us-east-1:{ACCOUNT}:resourceconfiguration/rcfg-group",
            "resourceGatewayId": "rgw-1",
            "type": "GROUP",
        }
    )
    (f,) = run_checks(inventory(raw), [CHECK])
    assert f.evidence["gateway_id"] == "rgw-1"


def test_damaged_listings_read_as_absent_never_a_finding():
    raw = resource_part()
    raw.apis["vpc-lattice:ListResourceConfigurations"] = [{"id": 7, "arn": None}, "junk"]
    raw.apis["vpc-lattice:ListResourceGateways"] = [{"id": "rgw-1", "subnetIds": "subnet-c"}]
    assert run_checks(inventory(raw), [CHECK]) == []
    raw = resource_part()
    raw.apis["vpc-lattice:ListResourceGateways"][0]["subnetIds"] = None
    assert run_checks(inventory(raw), [CHECK]) == []
    assert gateway_of(raw)["reason"] == "resource gateway rgw-1 lists no subnets"


# --- the moto server path: the listings are served there too (routes in moto, not a client-side hook) -----------


@pytest.fixture(scope="module")
def server() -> Iterator[MotoServer]:
    srv = MotoServer()
    yield srv
    srv.stop()


def test_a_cli_scan_against_a_moto_server_sees_the_gateway(server: MotoServer) -> None:
    world = server.build("resource-az-no-overlap")
    try:
        result = server.cli("scan", "--output", "json", "--fail-on", "none")
    finally:
        world.close()
    assert result.code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["errors"] == []
    assert [f["resource_id"] for f in doc["findings"] if f["check_id"] == CHECK] == [world.ids["ep.resource"]]
