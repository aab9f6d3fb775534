"""The account-wide zone listing (issue 14): ListHostedZones finds the private zones an account owns whose VPCs
are all elsewhere (a hub's zone associated only with spokes of other accounts), reads each once, and costs one
call per account; denied, those zones stay unknown."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.conftest import REGION
from tests.test_collect_dns import deny, fetched_zone_ids, global_part, read_zone_ids, route53_counts, scan, unhurried
from vpce_audit.aws.clients import ClientFactory
from vpce_audit.snapshot import GLOBAL_REGION

FOREIGN_VPC = "vpc-0f0e0d0c0b0a09080"  # another account's VPC: moto, like Route 53 once authorised, accepts it


def _zone(r53: Any, name: str, vpc_id: str, region: str = REGION, private: bool = True) -> str:
    params: dict[str, Any] = {
        "Name": name,
        "CallerReference": f"ref-{name}",
        "HostedZoneConfig": {"PrivateZone": private, "Comment": name},
    }
    if private:
        params["VPC"] = {"VPCRegion": region, "VPCId": vpc_id}
    return str(r53.create_hosted_zone(**params)["HostedZone"]["Id"]).removeprefix("/hostedzone/")


@pytest.fixture
def zones(aws: boto3.Session) -> dict[str, str]:
    """A scanned VPC with its own zone; a hub zone associated only with another account's VPC in the scanned
    region; a zone associated only with a VPC in a region the scan does not cover; a public zone."""
    vpc = aws.client("ec2", REGION).create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    r53 = aws.client("route53", region_name=REGION)
    return {
        "vpc": vpc,
        "own": _zone(r53, "own.example.internal", vpc),
        "hub": _zone(r53, f"ssm.{REGION}.amazonaws.com", FOREIGN_VPC),
        "elsewhere": _zone(r53, "far.example.internal", "vpc-0a0b0c0d0e0f01020", region="ap-south-1"),
        "public": _zone(r53, "public.example.com", "", private=False),
    }


def test_an_owned_zone_of_other_accounts_vpcs_is_found_and_read_once(aws, zones):
    factory = unhurried(ClientFactory(aws))
    snapshot = scan(factory)
    assert snapshot.errors == ()
    part = global_part(snapshot)
    listed = {str(z["Id"]).removeprefix("/hostedzone/") for z in part.items("route53:ListHostedZones")}
    assert zones["hub"] in listed and zones["public"] not in listed  # private zones only
    assert fetched_zone_ids(part) == {zones["own"], zones["hub"], zones["elsewhere"]}
    # The hub zone is read (a spoke in a scanned region may use it); the far one serves no scanned region.
    assert read_zone_ids(part) == {zones["own"], zones["hub"]}
    (skipped,) = part.items("route53:SkippedZones")
    assert skipped["HostedZoneId"] == zones["elsewhere"] and "regions this scan did not cover" in skipped["reason"]
    # One listing per account, each owned private zone described once, the public one never.
    assert route53_counts(factory) == {
        "route53:ListHostedZones": 1,
        "route53:ListHostedZonesByVPC": 1 + 1,  # the VPC created and moto's default VPC
        "route53:GetHostedZone": 3,
        "route53:ListResourceRecordSets": 2,
    }


def test_a_denied_account_listing_leaves_those_zones_unknown(aws, zones):
    factory = unhurried(ClientFactory(aws))
    deny(factory, "ListHostedZones", "/hostedzone")
    snapshot = scan(factory)
    part = global_part(snapshot)
    assert [(e.region, e.operation, e.code) for e in snapshot.errors] == [
        (GLOBAL_REGION, "ListHostedZones", "AccessDenied")
    ]
    assert "route53:ListHostedZones" not in part.apis  # unknown, not "owns no zone"
    # What the scanned VPCs' listings find is still read; the hub zone is not found at all.
    assert read_zone_ids(part) == fetched_zone_ids(part) == {zones["own"]}


def test_a_scan_of_chosen_vpcs_reads_their_zones_alone_and_says_why_not_the_others(aws, zones):
    factory = unhurried(ClientFactory(aws))
    part = global_part(scan(factory, vpc_ids=(zones["vpc"],)))
    assert route53_counts(factory)["route53:ListHostedZones"] == 1  # the scan holds the listing: "collected"
    assert read_zone_ids(part) == fetched_zone_ids(part) == {zones["own"]}
    skipped = {e["HostedZoneId"]: e["reason"] for e in part.items("route53:SkippedZones")}
    assert set(skipped) == {zones["hub"], zones["elsewhere"]}
    assert all("none of the VPCs the scan was limited to" in r for r in skipped.values())


def test_the_account_listing_follows_every_page(aws, zones):
    factory = unhurried(ClientFactory(aws))
    pages: list[dict[str, Any]] = []

    def small_pages(params: dict[str, Any], **_: Any) -> None:
        params["MaxItems"] = "1"  # Route 53 answers up to 100 a page; one a page forces the Marker loop
        pages.append(dict(params))

    factory.client("route53", "us-east-1").meta.events.register(
        "before-parameter-build.route53.ListHostedZones", small_pages
    )
    part = global_part(scan(factory))
    assert len(part.items("route53:ListHostedZones")) == 3
    # Four pages: moto ignores HostedZoneType and pages the public zone too (AWS would not).
    assert len(pages) == 4 and all(p["HostedZoneType"] == "PrivateHostedZone" for p in pages)
