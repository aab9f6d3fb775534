"""Egress posture (issue 15): VPC Block Public Access removes the internet fallback of a gap (a subnet is then
judged like an isolated one), exclusions lift it, block-ingress keeps NAT gateways; exclusions are paged by hand."""

from __future__ import annotations

from typing import Any

import pytest

from tests.raw_snapshot import RawPart, inventory, route
from tests.scanned import scan_world, the_finding
from vpce_audit.collect.egress import describe_exclusions
from vpce_audit.model.findings import Severity
from vpce_audit.model.resources import Egress


@pytest.mark.parametrize(
    ("name", "severity", "egress"),
    [
        ("gw-gap-public-bpa", Severity.HIGH, "isolated"),
        ("gw-gap-public-bpa-excluded", Severity.LOW, "public"),
        ("gw-gap-nat-bpa-ingress", Severity.MEDIUM, "nat"),
    ],
)
def test_block_public_access_decides_the_gap_severity(make_world, aws, name, severity, egress):
    _, report = scan_world(make_world, aws, name)
    f = the_finding(report, "gw-rt-gap")
    assert (f.severity, f.evidence["egress"]) == (severity, egress)


BPA = ("ec2:DescribeVpcBlockPublicAccessOptions", "ec2:DescribeVpcBlockPublicAccessExclusions")


def part(mode: str | None, exclusions: tuple[dict[str, Any], ...] = (), subnet_state: str = "") -> RawPart:
    raw = RawPart()
    raw.vpc("vpc-1")
    extra = {"BlockPublicAccessStates": {"InternetGatewayBlockMode": subnet_state}} if subnet_state else {}
    raw.subnet("subnet-pub", "vpc-1", "us-east-1a", **extra)
    raw.subnet("subnet-nat", "vpc-1", "us-east-1b")
    raw.route_table("rtb-pub", "vpc-1", ["subnet-pub"], [route("0.0.0.0/0", "igw-1")])
    raw.route_table("rtb-nat", "vpc-1", ["subnet-nat"], [route("0.0.0.0/0", "nat-1")])
    if mode is not None:
        raw.apis[BPA[0]] = [{"InternetGatewayBlockMode": mode}]
        raw.apis[BPA[1]] = list(exclusions)
    return raw


def egress(raw: RawPart) -> tuple[Egress, Egress]:
    inv = inventory(raw)
    return inv.egress["subnet-pub"], inv.egress["subnet-nat"]


def exclusion(resource: str, how: str, state: str = "create-complete") -> dict[str, Any]:
    kind = resource.split("-")[0]
    return {
        "ResourceArn": f"arn:aws:ec2:us-east-1:111111111111:{kind}/{resource}",
        "InternetGatewayExclusionMode": how,
        "State": state,
    }


@pytest.mark.parametrize(
    ("mode", "exclusions", "expected"),
    [
        (None, (), (Egress.PUBLIC, Egress.NAT)),  # not collected: routes alone
        ("off", (), (Egress.PUBLIC, Egress.NAT)),
        ("block-bidirectional", (), (Egress.ISOLATED, Egress.ISOLATED)),
        ("block-ingress", (), (Egress.ISOLATED, Egress.NAT)),
        ("block-bidirectional", (exclusion("vpc-1", "allow-bidirectional"),), (Egress.PUBLIC, Egress.NAT)),
        ("block-bidirectional", (exclusion("subnet-nat", "allow-egress"),), (Egress.ISOLATED, Egress.NAT)),
        (
            "block-bidirectional",
            (exclusion("vpc-1", "allow-bidirectional", "delete-complete"),),
            (Egress.ISOLATED,) * 2,
        ),
        ("block-everything", (), (Egress.ISOLATED, Egress.ISOLATED)),  # unknown mode: never a working fallback
    ],
)
def test_modes_and_exclusions(mode, exclusions, expected):
    assert egress(part(mode, exclusions)) == expected


def test_the_subnets_own_state_wins():
    assert egress(part("block-bidirectional", subnet_state="off"))[0] is Egress.PUBLIC
    assert egress(part("off", subnet_state="block-ingress"))[0] is Egress.ISOLATED


def test_exclusions_unread_under_bpa_leave_the_posture_as_routed():
    raw = part("block-bidirectional")
    raw.apis.pop(BPA[1])
    assert egress(raw) == (Egress.PUBLIC, Egress.NAT)


class PagedClient:
    def __init__(self, pages: list[dict[str, Any]]) -> None:
        self.pages = pages
        self.calls: list[dict[str, Any]] = []

    def describe_vpc_block_public_access_exclusions(self, **params: Any) -> dict[str, Any]:
        self.calls.append(params)
        return self.pages[min(len(self.calls) - 1, len(self.pages) - 1)]


def test_exclusion_pages_followed_by_hand_and_a_repeated_token_stops():
    client = PagedClient(
        [
            {"VpcBlockPublicAccessExclusions": [{"ExclusionId": "e1"}], "NextToken": "t"},
            {"VpcBlockPublicAccessExclusions": [{"ExclusionId": "e2"}], "NextToken": "t"},  # the same token again
        ]
    )
    assert [e["ExclusionId"] for e in describe_exclusions(client)] == ["e1", "e2"]
    assert len(client.calls) == 2
