"""Route 53 off the critical path: it starts when the first region's VPCs are known, lists zones first, and
its per-account limiter admits at most 5 requests in any rolling second (proved here with real threads)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import boto3

from moto_fixtures.hooks import Call, intercept
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
    calls: list[tuple[float, Call]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, call: Call) -> None:
        with self.lock:
            self.calls.append((time.monotonic(), call))
        if call.service == "ec2" and call.region == self.slow_region and call.operation != "DescribeVpcs":
            time.sleep(self.delay)

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
    assert timeline.operations("route53")[0] == "ListHostedZonesByVPC"  # zone listings first
    part = next(p for p in snapshot.parts if p.region == GLOBAL_REGION)
    listed = [(e["VPCId"], e["VPCRegion"]) for e in part.items(Api.LIST_HOSTED_ZONES_BY_VPC)]
    assert listed == sorted(listed)  # in a stable order, whichever region answered first
    assert {(east_vpc, EAST), (west_vpc, WEST)} <= set(listed)  # every region's VPCs (moto adds default ones)
    assert len(part.items(Api.GET_HOSTED_ZONE)) == 1
    assert not snapshot.errors


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
