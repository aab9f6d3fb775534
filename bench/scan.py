"""`make bench`: a 50-VPC, 500-interface-endpoint moto world, scanned in-process.

Prints the API calls by operation against the minimal plan, the scan's wall time (with the time spent inside
each service's calls, Route 53's client-side pacing included), and the median time of the pure part
(normalize, checks, report rendering) over several runs. Figures, not pass/fail: nothing here is asserted.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache, partial
from typing import Any

import boto3
from moto import mock_aws

from bench.plan import minimal_plan, region_facts
from bench.timeline import Timeline
from moto_fixtures import Builder, fake_aws_env
from moto_fixtures.builder import AZ1, AZ2, AZ3
from moto_fixtures.dns_firewall import Rule, firewall_rule_group
from moto_fixtures.network import OPEN, nacl, tgw_connect
from moto_fixtures.route53_profiles import firewall_resource, profile, rule_resource
from moto_fixtures.worlds import isolated_vpc
from vpce_audit.aws.clients import ClientFactory
from vpce_audit.checks import REGISTRY, run_checks
from vpce_audit.collect.scan import scan_account
from vpce_audit.collect.units import caller_account
from vpce_audit.normalize import normalize
from vpce_audit.report.json import render_json
from vpce_audit.report.model import build_report
from vpce_audit.report.table import render_table
from vpce_audit.snapshot import Snapshot

REGION = "us-east-1"
VPCS = 50
ENDPOINTS_PER_VPC = 10  # 500 interface endpoints, each in the VPC's three AZs
DYNAMODB_EVERY = 5  # every VPC gets S3; every fifth also DynamoDB
RUNS = 7
FIREWALL_GROUPS = 4  # DNS Firewall rule groups (issue 14)
PROFILES = 3  # Route 53 Profiles (issue 14), each delivering a Resolver rule and a rule group of its own
TOP = 6  # slowest operations shown
SERVICES = (
    "ssm",
    "ssmmessages",
    "ec2messages",
    "ec2",
    "kms",
    "sts",
    "logs",
    "ecr.api",
    "ecr.dkr",
    "secretsmanager",
)


class BenchBuilder(Builder):
    """The fixtures' builder, asking moto for a service's private DNS names once instead of per endpoint."""

    @cache  # noqa: B019 - one builder per run, freed with the process
    def private_dns_names(self, service_name: str) -> tuple[str, ...]:
        return super().private_dns_names(service_name)


def build(session: boto3.Session) -> Builder:
    b = BenchBuilder(session, REGION)
    azs = (AZ1, AZ2, AZ3)
    attached = []
    vpcs: list[str] = []
    for i in range(VPCS):
        ids = isolated_vpc(b, f"bench-{i:02d}", azs, cidr=f"10.{i}.0.0/16")
        subnets = [ids[f"subnet.{az}"] for az in azs]
        # Packet path (issue 13): a custom NACL on every subnet, every VPC attached to one transit gateway.
        nacl(b, ids["vpc"], subnets, OPEN)
        attached.append((ids["vpc"], f"10.{i}.0.0/16", ids["rt"], subnets))
        for service in SERVICES[:ENDPOINTS_PER_VPC]:
            b.interface_endpoint(ids["vpc"], service, subnets, [ids["sg"]])
        b.gateway_endpoint(ids["vpc"], "s3", [ids["rt"]])
        if i % DYNAMODB_EVERY == 0:
            b.gateway_endpoint(ids["vpc"], "dynamodb", [ids["rt"]])
        vpcs.append(ids["vpc"])
    # Attachments and propagated routes only: a route to every other VPC in each table would add 2,450
    # CreateRoute calls to the build and nothing to the scan's call count.
    tgw_connect(b, attached, routes=False)
    # DNS sources (issue 14): DNS Firewall rule groups shared by many VPCs, each with a customer block list, an
    # AWS-managed threat list and an ALLOW for AWS names; every VPC has one or two groups.
    for g in range(FIREWALL_GROUPS):
        firewall_rule_group(
            b,
            vpcs[g::FIREWALL_GROUPS] + ([vpcs[0]] if g else []),
            [
                Rule(10, "BLOCK", managed="AWSManagedDomainsMalwareDomainList"),
                Rule(20, "BLOCK", tuple(f"bad{n}.example.com" for n in range(50))),
                Rule(30, "ALLOW", ("*.amazonaws.com",)),
            ],
            priority=101 + g,
        )
    # Route 53 Profiles (issue 14): each associated with a third of the VPCs, delivering a forwarding rule for a
    # corporate domain and a rule group associated with no VPC directly (its rules are listed once, too).
    for p in range(PROFILES):
        rule, _ = b.resolver_rule(f"corp{p}.example.com", [], name=f"bench-profile-{p}")
        group = firewall_rule_group(b, [], [Rule(10, "BLOCK", (f"bad.corp{p}.example.com",))])
        profile(b, vpcs[p::PROFILES], [rule_resource(b, rule), firewall_resource(b, group, 200 + p)], priority=100)
    return b


class ServiceClock:
    """Seconds spent between before-call and after-call, per operation (client-side pacing included)."""

    def __init__(self, session: boto3.Session) -> None:
        self.spent: defaultdict[str, float] = defaultdict(float)
        self._started: dict[int, float] = {}
        # Registered on the session before the scan's clients exist, so every client inherits them.
        session.events.register("before-call", self._start)
        session.events.register("after-call", self._stop)

    def _start(self, model: Any, context: Any = None, **_: Any) -> None:
        self._started[id(context)] = time.perf_counter()

    def _stop(self, model: Any, context: Any = None, **_: Any) -> None:
        started = self._started.pop(id(context), None)
        if started is not None:
            self.spent[f"{model.service_model.service_name}:{model.name}"] += time.perf_counter() - started


def median_seconds(func: Callable[[], Any], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def offline_figures(snapshot: Snapshot) -> dict[str, float]:
    inv = normalize(snapshot)
    per_check = {f"  check {cid}": median_seconds(partial(REGISTRY[cid].run, inv)) for cid in sorted(REGISTRY)}
    return {
        "normalize": median_seconds(lambda: normalize(snapshot)),
        "checks (all)": median_seconds(lambda: run_checks(inv)),
        **per_check,
        "normalize + checks + verdicts (build_report)": median_seconds(lambda: build_report(snapshot)),
        "normalize + checks + JSON and table rendering": median_seconds(
            lambda: (lambda r: (render_json(r), render_table(r)))(build_report(snapshot))
        ),
    }


@contextmanager
def world() -> Iterator[boto3.Session]:
    with fake_aws_env(), mock_aws():
        session = boto3.Session(region_name=REGION)
        started = time.perf_counter()
        builder = build(session)
        print(f"world: {VPCS} VPCs x 3 AZ subnets with workloads, {VPCS * ENDPOINTS_PER_VPC} interface endpoints, ")
        print(
            f"       {VPCS + VPCS // DYNAMODB_EVERY} gateway endpoints; built in {time.perf_counter() - started:.1f}s"
        )
        try:
            yield session
        finally:
            builder.close()


def main() -> int:
    with world() as session:
        plan = minimal_plan([region_facts(session.client("ec2"), session.client("route53resolver"))])
        factory = ClientFactory(session)
        clock = ServiceClock(session)
        timeline = Timeline(session)
        started = time.perf_counter()
        timeline.restart()
        snapshot = scan_account(factory, caller_account(factory), (REGION,))
        wall = time.perf_counter() - started
        calls = factory.counter.counts()

    report = build_report(snapshot)
    print(f"report: {len(report.endpoints)} endpoints, {len(report.findings)} findings, {len(report.errors)} errors")
    print("\nAPI calls by operation          made   plan")
    for op in sorted(set(calls) | set(plan)):
        mark = "" if calls.get(op, 0) == plan.get(op, 0) else "   <-- differs"
        print(f"  {op:<45} {calls.get(op, 0):>5}  {plan.get(op, 0):>5}{mark}")
    total, planned = sum(calls.values()), sum(plan.values())
    print(f"  {'total':<45} {total:>5}  {planned:>5}")
    print(f"calls equal the minimal plan: {'yes' if calls == plan else 'NO'}")
    print(f"Route 53 / Resolver / Profiles calls for account {snapshot.accounts[0]}, {REGION} + global:")
    for service in ("route53", "route53resolver", "route53profiles"):
        made = {op: n for op, n in calls.items() if op.startswith(service + ":")}
        print(
            f"  {service:<16} {sum(made.values()):>4}  "
            + ", ".join(f"{op.split(':')[1]} {n}" for op, n in sorted(made.items()))
        )

    print(f"\nscan wall time (in-process moto): {wall:.2f}s")
    for op, seconds in sorted(clock.spent.items(), key=lambda kv: -kv[1])[:TOP]:
        print(f"  inside {op:<45} {seconds:6.2f}s")
    print("request timeline (first and last request per service, from the scan's start):")
    print("\n".join(timeline.lines()))

    print(f"\noffline, median of {RUNS} runs:")
    figures: dict[str, float] = offline_figures(snapshot)
    for label, seconds in figures.items():
        print(f"  {label:<48} {seconds * 1000:8.1f} ms")
    return 0 if calls == plan else 1


if __name__ == "__main__":
    sys.exit(main())
