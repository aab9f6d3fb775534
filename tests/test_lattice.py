"""Resource and service-network endpoints (issue 15): AZ coverage like interface endpoints, their associations
(DescribeVpcEndpointAssociations, paged by hand) and their DNS verdict."""

from __future__ import annotations

from typing import Any

from moto_fixtures.builder import AZ2, AZ3
from tests.raw_snapshot import RawPart, inventory
from tests.scanned import the_finding, verdict_of
from tests.test_collect import scan
from vpce_audit.checks import run_checks
from vpce_audit.collect.lattice import describe_associations
from vpce_audit.report.model import verdict


def test_resource_endpoint_in_one_az_is_az_single_with_its_type(make_world, aws):
    world = make_world("resource-single-az")
    report, _, calls = scan(aws)
    f = the_finding(report, "az-single")
    assert f.resource_id == world.ids["ep.resource"]
    assert f.evidence["endpoint_type"] == "Resource"
    assert f.evidence["missing"] == sorted([AZ2, AZ3])
    assert "rcfg-" in f.message
    doc = verdict_of(report, world.ids["ep.resource"]).to_dict()
    assert doc["az_coverage"]["service_bounded"] is False
    (assoc,) = doc["associations"]
    assert assoc["accessibility"] == "Accessible" and assoc["resource_arn"].endswith("rcfg-0123456789abcdef0")
    (path,) = doc["dns_path"]
    assert path["mode"] == "endpoint-names-only"
    assert calls["ec2:DescribeVpcEndpointAssociations"] == 1


class PagedClient:
    """Answers DescribeVpcEndpointAssociations from a list of pages, then repeats the last token if told to."""

    def __init__(self, pages: list[dict[str, Any]]) -> None:
        self.pages = pages
        self.calls: list[dict[str, Any]] = []

    def describe_vpc_endpoint_associations(self, **params: Any) -> dict[str, Any]:
        self.calls.append(params)
        return self.pages[min(len(self.calls) - 1, len(self.pages) - 1)]


def test_pages_are_followed_by_hand():
    client = PagedClient(
        [
            {"VpcEndpointAssociations": [{"Id": "a1"}], "NextToken": "t1"},
            {"VpcEndpointAssociations": [{"Id": "a2"}], "NextToken": "t2"},
            {"VpcEndpointAssociations": [{"Id": "a3"}]},
        ]
    )
    assert [a["Id"] for a in describe_associations(client, ["vpce-1"])] == ["a1", "a2", "a3"]
    assert [c.get("NextToken") for c in client.calls] == [None, "t1", "t2"]
    assert all(c["MaxResults"] == 100 and c["VpcEndpointIds"] == ["vpce-1"] for c in client.calls)


def test_a_repeated_token_stops_the_loop():
    client = PagedClient(
        [
            {"VpcEndpointAssociations": [{"Id": "a1"}], "NextToken": "same"},
            {"VpcEndpointAssociations": [{"Id": "a2"}], "NextToken": "same"},  # forever
        ]
    )
    assert [a["Id"] for a in describe_associations(client, ["vpce-1"])] == ["a1", "a2"]
    assert len(client.calls) == 2


def lattice_part(kind: str, subnets: dict[str, str], **extra: Any) -> RawPart:
    raw = RawPart()
    raw.apis["ec2:DescribeVpcEndpointAssociations"] = []
    raw.vpc("vpc-1")
    for name in ("us-east-1a", "us-east-1b", "us-east-1c"):
        raw.subnet(f"subnet-{name[-1]}", "vpc-1", name)
        raw.eni(f"eni-app-{name[-1]}", f"subnet-{name[-1]}", "vpc-1")
    item = raw.interface_endpoint("vpce-l", "vpc-1", subnets, kind=kind, **extra)
    item.pop("ServiceName")
    return raw


def test_service_network_endpoint_gap_and_unknown_types():
    raw = lattice_part("ServiceNetwork", {"subnet-a": "eni-a", "subnet-b": "eni-b"}, ServiceNetworkArn="arn:sn")
    (f,) = run_checks(inventory(raw), ["az-single", "az-gap", "az-service-limited", "az-idle"])
    assert (f.check_id, f.evidence["endpoint_type"], f.evidence["missing"]) == (
        "az-gap",
        "ServiceNetwork",
        ["use1-az3"],
    )
    assert "arn:sn" in f.message


def test_an_unknown_type_stays_unknown_with_its_raw_value():
    raw = lattice_part("Teleporter", {"subnet-a": "eni-a"})
    inv = inventory(raw)
    ep = inv.endpoints["vpce-l"]
    assert run_checks(inv, ["az-single", "az-gap"]) == []
    assert verdict(inv, ep).to_dict()["verdict"] == {
        "status": "unknown",
        "reason": "endpoint type 'Teleporter' is not one vpce-audit knows",
    }


def test_private_dns_on_or_associations_missing_leave_the_dns_verdict_unknown():
    raw = lattice_part("Resource", {"subnet-a": "eni-a"}, PrivateDnsEnabled=True)
    inv = inventory(raw)
    (path,) = verdict(inv, inv.endpoints["vpce-l"]).to_dict()["dns_path"]
    assert path["mode"] == "unknown" and "private DNS" in path["reason"]
    inv = inventory(lattice_part("Resource", {"subnet-a": "eni-a"}).without("ec2:DescribeVpcEndpointAssociations"))
    (path,) = verdict(inv, inv.endpoints["vpce-l"]).to_dict()["dns_path"]
    assert path["mode"] == "unknown" and "DescribeVpcEndpointAssociations" in path["reason"]


def test_ep_state_covers_lattice_endpoints():
    raw = lattice_part("Resource", {"subnet-a": "eni-a", "subnet-b": "eni-b", "subnet-c": "eni-c"}, State="failed")
    (f,) = run_checks(inventory(raw), ["ep-state", "az-single", "az-gap"])
    assert f.check_id == "ep-state" and "Resource endpoint" in f.message


def sg_part(kind: str, protocol: str, ports: tuple[int, int]) -> RawPart:
    raw = lattice_part(
        kind, {"subnet-a": "eni-a", "subnet-b": "eni-b", "subnet-c": "eni-c"}, Groups=[{"GroupId": "sg-e"}]
    )
    for item in raw.apis["ec2:DescribeSubnets"]:
        item["CidrBlock"] = f"10.0.{ord(item['SubnetId'][-1]) - 96}.0/24"
    raw.add(
        "ec2:DescribeSecurityGroups",
        {
            "GroupId": "sg-e",
            "VpcId": "vpc-1",
            "GroupName": "lattice",
            "IpPermissions": [
                {
                    "IpProtocol": protocol,
                    "FromPort": ports[0],
                    "ToPort": ports[1],
                    "IpRanges": [{"CidrIp": "10.0.0.0/16"}],
                }
            ],
        },
    )
    return raw


def test_sg_endpoint_ingress_judges_lattice_endpoints_on_any_tcp_port():
    # a database port: admitted (the resource's port is the provider's, not 443)
    assert run_checks(inventory(sg_part("Resource", "tcp", (5432, 5432))), ["sg-endpoint-ingress"]) == []
    (f,) = run_checks(inventory(sg_part("ServiceNetwork", "udp", (53, 53))), ["sg-endpoint-ingress"])
    assert f.severity.value == "critical" and f.evidence["endpoint_type"] == "ServiceNetwork"
    assert "TCP on any port" in f.message
