"""Route 53 off the critical path: it starts with the scan (the account-wide listing and the owned zones it
finds wait for no region), lists each VPC's zones as soon as its region knows it, and
its per-account limiter admits at most 5 requests in any rolling second (proved here with real threads)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import boto3
from botocore.awsrequest import AWSResponse

from moto_fixtures.hooks import Call, denied, intercept
from tests.conftest import collect
from vpce_audit.apis import Api
from vpce_audit.aws.ratelimit import DEFAULT_RATE, RateLimiter
from vpce_audit.snapshot import GLOBAL_REGION

EAST, WEST = "us-east-1", "eu-west-1"


def test_the_limiter_admits_at_most_five_requests_in_any_rolling_second_with_real_threads():
    starts: list[float] = []
    limiter = RateLimiter(DEFAULT_RATE, int(DEFAULT_RATE), observe=starts.append)
    threads = [threading.Thread(target=lambda: [limiter.acquire() for _ in range(3)]) for _ in range(6)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(starts) == 18 and starts == sorted(starts)
    gaps = [starts[i + 5] - starts[i] for i in range(len(starts) - 5)]
    assert min(gaps) >= 1.0  # never a sixth request within one second of five others
    # ... and it does use the 5: 18 requests need 13/5 = 2.6 s; at 4 per second they would need 3.5 s.
    assert starts[-1] - began < 3.2


@dataclass
class Timeline:
    """Every attempt with when it was sent; EC2 calls in `slow_region` take `delay` seconds."""

    slow_region: str = ""
    delay: float = 0.0
    vpcs_delay: float = 0.0  # DescribeVpcs in every region
    respond: Callable[[Call], AWSResponse | None] = lambda call: None
    calls: list[tuple[float, Call]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, call: Call) -> AWSResponse | None:
        with self.lock:
            self.calls.append((time.monotonic(), call))
        if call.service == "ec2" and call.operation == "DescribeVpcs":
            time.sleep(self.vpcs_delay)
        elif call.service == "ec2" and call.region == self.slow_region:
            time.sleep(self.delay)
        return self.respond(call)

    def times(self, service: str, region: str | None = None, operation: str | None = None) -> list[float]:
        return [
            t
            for t, c in self.calls
            if c.service == service and region in (None, c.region) and operation in (None, c.operation)
        ]

    def operations(self, service: str) -> list[str]:
        return [c.operation for _, c in self.calls if c.service == service]


def _two_regions(aws: boto3.Session) -> tuple[str, str]:
    vpcs = []
    for region in (EAST, WEST):
        vpcs.append(aws.client("ec2", region_name=region).create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"])
    aws.client("route53").create_hosted_zone(
        Name="corp.example.com",
        CallerReference="early",
        HostedZoneConfig={"PrivateZone": True},
        VPC={"VPCRegion": EAST, "VPCId": vpcs[0]},
    )
    return vpcs[0], vpcs[1]


def test_route53_starts_while_another_region_is_still_collecting(aws):
    east_vpc, west_vpc = _two_regions(aws)
    timeline = Timeline(slow_region=WEST, delay=0.15)
    with intercept(timeline):
        snapshot, _ = collect(boto3.Session(region_name=EAST), (EAST, WEST))  # hooked: made inside
    route53 = timeline.times("route53")
    assert route53 and min(route53) < max(timeline.times("ec2", WEST))
    operations = timeline.operations("route53")
    # The account-wide listing needs no VPC id: first; then each VPC's listing before any zone read queued.
    assert operations[0] == "ListHostedZones" and "ListHostedZonesByVPC" in operations
    part = next(p for p in snapshot.parts if p.region == GLOBAL_REGION)
    listed = [(e["VPCId"], e["VPCRegion"]) for e in part.items(Api.LIST_HOSTED_ZONES_BY_VPC)]
    assert listed == sorted(listed)  # in a stable order, whichever region answered first
    assert {(east_vpc, EAST), (west_vpc, WEST)} <= set(listed)  # every region's VPCs (moto adds default ones)
    assert len(part.items(Api.GET_HOSTED_ZONE)) == 1
    assert not snapshot.errors


def test_the_owned_zones_are_read_before_any_region_has_listed_its_vpcs(aws):
    _two_regions(aws)
    timeline = Timeline(vpcs_delay=0.5)
    with intercept(timeline):
        snapshot, _ = collect(boto3.Session(region_name=EAST), (EAST, WEST))
    first_answer = min(timeline.times("ec2", operation="DescribeVpcs")) + 0.5
    read = timeline.times("route53", operation="ListResourceRecordSets")
    assert read and max(timeline.times("route53", operation="GetHostedZone")) < first_answer
    assert min(read) < first_answer  # the zone's records, before any region said its VPCs
    listings = timeline.times("route53", operation="ListHostedZonesByVPC")
    assert listings and min(listings) >= first_answer
    assert timeline.operations("route53").count("GetHostedZone") == 1 and not snapshot.errors


def test_a_zone_the_account_listing_could_not_place_is_read_once_a_vpc_listing_names_it(aws):
    """The account-wide listing runs first; the zone's GetHostedZone is refused, so its associations cannot
    place it in scope and it is set aside. The VPC listing that follows names it: its records are read after
    all (as when the VPC listing came first), it is not reported skipped, and it is not asked for twice."""
    _two_regions(aws)
    timeline = Timeline(vpcs_delay=0.3, respond=lambda c: denied(c) if c.operation == "GetHostedZone" else None)
    with intercept(timeline):
        snapshot, _ = collect(boto3.Session(region_name=EAST), (EAST, WEST))
    part = next(p for p in snapshot.parts if p.region == GLOBAL_REGION)
    assert len(part.items(Api.LIST_RESOURCE_RECORD_SETS)) == 1
    assert part.items(Api.SKIPPED_ZONES) == []
    assert timeline.operations("route53").count("GetHostedZone") == 1
    assert [e.operation for e in snapshot.errors] == ["GetHostedZone"]


def test_vpc_attributes_overlap_the_regions_other_ec2_calls(aws):
    ec2 = aws.client("ec2", region_name=WEST)
    for i in range(3):
        ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")
    timeline = Timeline(slow_region=WEST, delay=0.05)
    with intercept(timeline):
        snapshot, _ = collect(boto3.Session(region_name=EAST), (WEST,))
    attributes = timeline.times("ec2", WEST, "DescribeVpcAttribute")
    assert attributes and min(attributes) < max(timeline.times("ec2", WEST, "DescribeNetworkInterfaces"))
    region = next(p for p in snapshot.parts if p.region == WEST)
    assert len(region.items(Api.DESCRIBE_VPC_ATTRIBUTE)) == 2 * 4  # three VPCs and the default one
