"""`python -m bench.route53`: Route 53 calls per scan and what the per-account pacing costs.

A 50-VPC hub-and-spoke world in moto: a hub VPC holds the interface endpoints, ten service zones (e.g.
ssm.us-east-1.amazonaws.com) and a 1000-record corp zone are associated with every VPC. The scan runs paced
(the default 4 requests/s) and unpaced, with no added latency and with a simulated per-request latency,
and prints the Route 53 calls against the plan, the Route 53 time, the pacing wait and the peak requests in
any rolling second. Figures, not pass/fail.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from moto import mock_aws

from moto_fixtures import Builder, fake_aws_env
from moto_fixtures.builder import AZ1, AZ2, AZ3
from vpce_audit.aws.clients import ClientFactory
from vpce_audit.aws.ratelimit import DEFAULT_RATE, limiter_of, pace
from vpce_audit.collect.scan import scan_account
from vpce_audit.collect.units import caller_account

REGION = "us-east-1"
SPOKES = 49  # plus the hub: 50 VPCs
SERVICES = ("ssm", "ssmmessages", "ec2messages", "ec2", "kms", "sts", "logs", "ecr.api", "ecr.dkr", "secretsmanager")
CORP_ZONE = "corp.example.com"
CORP_RECORDS = 1000
PAGE = 300  # ListResourceRecordSets page size
LATENCY = 0.05  # seconds per request in the simulated run, as in issue 4's organisation benchmark


@dataclass(frozen=True)
class Run:
    label: str
    calls: dict[str, int]
    route53_seconds: float
    waited: float
    peak_per_second: int
    scan_seconds: float


class Stamps:
    """When each Route 53 request left (after the limiter), and the span of Route 53 calls."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.sent: list[float] = []
        self.first: float | None = None
        self.last = 0.0
        self._lock = threading.Lock()

    def call(self, **_: Any) -> None:
        with self._lock:
            if self.first is None:
                self.first = time.perf_counter()

    def send(self, **_: Any) -> None:
        with self._lock:
            self.sent.append(time.monotonic())
        if self.latency:
            time.sleep(self.latency)

    def done(self, **_: Any) -> None:
        with self._lock:
            self.last = time.perf_counter()

    def peak(self) -> int:
        ordered = sorted(self.sent)
        return max((sum(1 for s in ordered if t <= s < t + 1.0) for t in ordered), default=0)


def build(session: boto3.Session) -> Builder:
    b = Builder(session, REGION)
    azs = (AZ1, AZ2, AZ3)
    hub = b.vpc("10.0.0.0/16", "hub")
    subnets = b.subnets(hub, azs, prefix="10.0")
    sg = b.security_group(hub, "hub-endpoints", https_from=("10.0.0.0/8",))
    endpoints = {s: b.interface_endpoint(hub, s, subnets, [sg], private_dns=False) for s in SERVICES}
    vpcs = [hub] + [b.vpc(f"10.{i}.0.0/16", f"spoke-{i:02d}") for i in range(1, SPOKES + 1)]
    r53 = session.client("route53", region_name=REGION)
    for service, endpoint in endpoints.items():
        name = f"{service}.{REGION}.amazonaws.com"
        zone = _zone(r53, name, vpcs)
        alias = {"HostedZoneId": "Z7HUB22UULQXV", "DNSName": f"{endpoint}.{name}", "EvaluateTargetHealth": False}
        _create(r53, zone, [{"Name": name, "Type": "A", "AliasTarget": alias}])
    corp = _zone(r53, CORP_ZONE, vpcs)
    _create(
        r53,
        corp,
        [
            {"Name": f"h{i:04d}.{CORP_ZONE}", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "10.0.0.9"}]}
            for i in range(CORP_RECORDS)
        ],
    )
    return b


def _zone(r53: Any, name: str, vpcs: list[str]) -> str:
    zone_id = str(
        r53.create_hosted_zone(
            Name=name,
            CallerReference=name,
            VPC={"VPCRegion": REGION, "VPCId": vpcs[0]},
            HostedZoneConfig={"PrivateZone": True},
        )["HostedZone"]["Id"]
    )
    for vpc in vpcs[1:]:
        r53.associate_vpc_with_hosted_zone(HostedZoneId=zone_id, VPC={"VPCRegion": REGION, "VPCId": vpc})
    return zone_id


def _create(r53: Any, zone_id: str, records: list[dict[str, Any]]) -> None:
    changes = [{"Action": "CREATE", "ResourceRecordSet": r} for r in records]
    r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})


def scan_once(session: boto3.Session, label: str, paced: bool, latency: float) -> Run:
    factory = ClientFactory(session)
    client = factory.client("route53", "us-east-1")
    # Attach the limiter now, before the stamps, so they see requests as they leave it. The first limiter
    # attached wins: the scan's own `pace` is then a no-op.
    pace(client, DEFAULT_RATE if paced else 1_000_000.0)
    stamps = Stamps(latency)
    client.meta.events.register("before-call.route53", stamps.call)
    client.meta.events.register("before-send.route-53", stamps.send)  # after the limiter: registered later
    client.meta.events.register("after-call.route53", stamps.done)
    started = time.perf_counter()
    scan_account(factory, caller_account(factory), (REGION,))
    scan_seconds = time.perf_counter() - started
    limiter = limiter_of(client)
    return Run(
        label=label,
        calls={k: v for k, v in factory.counter.counts().items() if k.startswith("route53:")},
        route53_seconds=stamps.last - (stamps.first or stamps.last),
        waited=limiter.waited if limiter else 0.0,
        peak_per_second=stamps.peak(),
        scan_seconds=scan_seconds,
    )


def plan(vpcs: int) -> dict[str, int]:
    zones = len(SERVICES) + 1
    pages = len(SERVICES) + math.ceil((CORP_RECORDS + 2) / PAGE)  # + SOA and NS
    return {
        "route53:GetHostedZone": zones,
        "route53:ListHostedZones": 1,  # account-wide (issue 14): one page holds up to 100 zones
        "route53:ListHostedZonesByVPC": vpcs,
        "route53:ListResourceRecordSets": pages,
    }


@contextmanager
def world() -> Iterator[tuple[boto3.Session, int]]:
    with fake_aws_env(), mock_aws():
        session = boto3.Session(region_name=REGION)
        started = time.perf_counter()
        builder = build(session)
        vpcs = len(session.client("ec2").describe_vpcs()["Vpcs"])  # includes moto's default VPC
        print(
            f"world: {vpcs} VPCs (hub, {SPOKES} spokes, default), {len(SERVICES)} hub endpoints, "
            f"{len(SERVICES)} service zones + {CORP_ZONE} ({CORP_RECORDS} records) on every VPC but the default; "
            f"built in {time.perf_counter() - started:.1f}s"
        )
        try:
            yield session, vpcs
        finally:
            builder.close()


def main() -> int:
    with world() as (session, vpcs):
        runs = [
            scan_once(session, f"paced {DEFAULT_RATE:.0f}/s, in-process moto", paced=True, latency=0.0),
            scan_once(session, "unpaced, in-process moto", paced=False, latency=0.0),
            scan_once(
                session,
                f"paced {DEFAULT_RATE:.0f}/s, +{LATENCY * 1000:.0f} ms per request",
                paced=True,
                latency=LATENCY,
            ),
            scan_once(session, f"unpaced, +{LATENCY * 1000:.0f} ms per request", paced=False, latency=LATENCY),
        ]
    expected = plan(vpcs)
    calls = runs[0].calls
    print("\nRoute 53 calls per scan            made   plan")
    for op in sorted(set(calls) | set(expected)):
        mark = "" if calls.get(op, 0) == expected.get(op, 0) else "   <-- differs"
        print(f"  {op:<32} {calls.get(op, 0):>5}  {expected.get(op, 0):>5}{mark}")
    print(f"  {'total':<32} {sum(calls.values()):>5}  {sum(expected.values()):>5}")
    print(f"\nlimit: {DEFAULT_RATE:.0f} requests in any rolling second per account (AWS allows 5)")
    print("peak/s counts timestamps taken just after the limiter; thread scheduling jitter can add one")
    print(f"{'run':<36} {'route53 s':>9} {'waited s':>9} {'peak/s':>7} {'scan s':>7}")
    for r in runs:
        print(f"{r.label:<36} {r.route53_seconds:>9.2f} {r.waited:>9.2f} {r.peak_per_second:>7} {r.scan_seconds:>7.2f}")
    paced, unpaced = runs[2], runs[3]
    print(
        f"pacing cost at {LATENCY * 1000:.0f} ms per request: "
        f"{paced.route53_seconds - unpaced.route53_seconds:+.1f}s on the Route 53 phase"
    )
    return 0 if all(r.calls == expected for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
