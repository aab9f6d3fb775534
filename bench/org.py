"""`python -m bench.org`: an organisation scan of N accounts x M regions with a simulated per-call latency.

An AWS Organization in moto (the management account and N-1 members, each with a VPC and a one-AZ endpoint
in every region), scanned as `vpce-audit scan --role-name R --organization --region ...` would: roles assumed
from the management account, (account, region) units on the thread pool, Route 53 once per account behind
its 4-requests-per-second limiter. Every request waits `--latency` seconds first (a botocore before-send hook,
standing in for the network and AWS).

moto answers from a process of its own on 127.0.0.1 (as AWS answers from its own machines), so the scanner's
process spends CPU on its own work only; `--in-process` adds a run with moto inside the scanner's process.

Prints the wall time (planning and collection), API calls per second, the peak Route 53 requests in any rolling
second per account (read from the limiter), the CPU the scanner used and the CPU moto used, for the default
pool and a narrower one, and their speedup over --concurrency 1, measured on a smaller organisation (a
sequential scan of the full one takes many minutes). Figures, not pass/fail.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, Protocol
from unittest import mock

import boto3
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber
from moto.server import ThreadedMotoServer

from moto_fixtures import Builder, fake_aws_env
from moto_fixtures.hooks import Latency, intercept
from moto_fixtures.org_worlds import NO_DEFAULT_AMIS, create_organization, first_az_ids, member_session, region_list
from moto_fixtures.worlds import subnets_in
from vpce_audit.aws.clients import CallCounter
from vpce_audit.aws.ratelimit import DEFAULT_RATE, limiter_of
from vpce_audit.collect.route53 import route53_client
from vpce_audit.collect.scan import DEFAULT_CONCURRENCY, ScanPlan, execute
from vpce_audit.collect.scope import ScopeRequest, build_plan
from vpce_audit.report.model import build_report

ROLE = "VpceAuditScan"
HOME = "us-east-1"
REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2", "eu-central-1", "ap-northeast-1")
NARROW = 16  # compared with the default


def lean_stack(b: Builder) -> None:
    """One VPC with subnets in three AZs and a kms endpoint in one of them: az-single, few create calls."""
    azs = first_az_ids(b)
    vpc = b.vpc("10.0.0.0/16", "app")
    ids = {f"subnet.{az}": s for az, s in zip(azs, b.subnets(vpc, azs), strict=True)}
    b.interface_endpoint(vpc, "kms", subnets_in(ids, azs[0]), name="kms")


@contextmanager
def organisation(accounts: int, regions: tuple[str, ...]) -> Iterator[list[Builder]]:
    """The management account and accounts-1 members, a lean stack in each of `regions` (in-process moto)."""
    with fake_aws_env(**NO_DEFAULT_AMIS), mock_aws(), region_list(regions, ()):
        session = boto3.Session(region_name=HOME)
        builders: list[Builder] = []
        try:
            members = create_organization(session, accounts - 1)
            for index, account in enumerate([None, *members]):
                acting = session if account is None else member_session(session, account, HOME)
                for region in regions:
                    builders.append(Builder(acting, region))
                    lean_stack(builders[-1])
                if (index + 1) % 25 == 0:
                    print(f"  built {index + 1} accounts", file=sys.stderr)
            yield builders
        finally:
            for b in reversed(builders):
                b.close()


def _serve(accounts: int, regions: tuple[str, ...], pipe: Connection) -> None:
    """In a process of its own: build the organisation, serve it on 127.0.0.1, answer "cpu" with this process's
    CPU seconds until told "stop"."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with organisation(accounts, regions):
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        pipe.send(f"http://{host}:{port}")
        try:
            while pipe.recv() == "cpu":
                pipe.send(time.process_time())
        finally:
            server.stop()


class MotoProcess:
    """An organisation served by moto in its own process, as AWS answers from its own machines: the scanner's
    process then spends CPU only on its own work, and the two share the machine's cores."""

    def __init__(self, accounts: int, regions: tuple[str, ...]) -> None:
        self._pipe, child = multiprocessing.Pipe()
        self._process = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(accounts, regions, child), daemon=True
        )
        self._process.start()
        self.url = str(self._pipe.recv())

    def cpu(self) -> float:
        self._pipe.send("cpu")
        return float(self._pipe.recv())

    def close(self) -> None:
        self._pipe.send("stop")
        self._process.join(timeout=30)


@contextmanager
def served_organisation(accounts: int, regions: tuple[str, ...]) -> Iterator[MotoProcess]:
    server = MotoProcess(accounts, regions)
    try:
        with fake_aws_env(AWS_ENDPOINT_URL=server.url):
            yield server
    finally:
        server.close()


class _Recorded(deque[float]):
    """A limiter's window of start times that also keeps every start (appended under the limiter's lock)."""

    def __init__(self, window: deque[float], history: list[float]) -> None:
        super().__init__(window, maxlen=window.maxlen)
        self.history = history

    def append(self, start: float) -> None:
        super().append(start)
        self.history.append(start)


class Route53Stamps:
    """When each account's Route 53 requests start, as its limiter let them: read inside the limiter, so a
    thread descheduled between the limiter and a later hook cannot shift a stamp into another second."""

    def __init__(self) -> None:
        self.sent: dict[str, list[float]] = {}

    def watch(self, plan: ScanPlan) -> None:
        for target in plan.targets:
            limiter = limiter_of(route53_client(target.factory, plan.regions.get(target.account_id, ())))
            assert limiter is not None
            limiter._starts = _Recorded(limiter._starts, self.sent.setdefault(target.account_id, []))

    def peak(self) -> tuple[int, float]:
        """(the most requests any account started in a rolling second, the mean per account of its own peak)."""
        peaks = [_peak(sorted(times)) for times in self.sent.values() if times]
        return max(peaks, default=0), (sum(peaks) / len(peaks) if peaks else 0.0)


def _peak(times: list[float]) -> int:
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


class Clock(Protocol):
    seconds: float

    def running(self) -> contextlib.AbstractContextManager[None]: ...


class MotoClock:
    """CPU time the scan's threads spent inside moto answering requests (moto in the scanner's process)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._lock = threading.Lock()
        self._real = BotocoreStubber.__call__

    @contextmanager
    def running(self) -> Iterator[None]:
        clock, real = self, self._real

        def timed(stubber: BotocoreStubber, *args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            try:
                return real(stubber, *args, **kwargs)
            finally:
                spent = time.thread_time() - started
                with clock._lock:
                    clock.seconds += spent

        with mock.patch.object(BotocoreStubber, "__call__", timed):
            yield


class ServerClock:
    """CPU time moto's own process spent while the scan ran."""

    def __init__(self, server: MotoProcess) -> None:
        self.seconds = 0.0
        self._server = server

    @contextmanager
    def running(self) -> Iterator[None]:
        before = self._server.cpu()
        try:
            yield
        finally:
            self.seconds = self._server.cpu() - before


@dataclass(frozen=True)
class Run:
    accounts: int
    regions: int
    concurrency: int
    plan_seconds: float
    scan_seconds: float
    calls: int
    cpu_seconds: float
    moto_seconds: float
    peak: int
    mean_peak: float
    findings: int
    errors: int

    @property
    def wall(self) -> float:
        return self.plan_seconds + self.scan_seconds


def scan(accounts: int, regions: tuple[str, ...], concurrency: int, latency: float, moto: Clock) -> Run:
    gc.collect()  # the previous run's garbage is not this run's time
    counter, stamps = CallCounter(), Route53Stamps()
    request = ScopeRequest(regions=regions, role_name=ROLE, organization=True, concurrency=concurrency)
    cpu = time.process_time()
    with intercept(Latency(latency)), moto.running():
        started = time.perf_counter()
        plan = build_plan(request, counter, HOME)
        planned = time.perf_counter()
        stamps.watch(plan)
        snapshot = execute(plan, total_calls=lambda: counter.total)
        finished = time.perf_counter()
    report = build_report(snapshot)
    peak, mean_peak = stamps.peak()
    return Run(
        accounts=len(snapshot.accounts),
        regions=len(snapshot.regions),
        concurrency=concurrency,
        plan_seconds=planned - started,
        scan_seconds=finished - planned,
        calls=counter.total,
        cpu_seconds=time.process_time() - cpu,
        moto_seconds=moto.seconds,
        peak=peak,
        mean_peak=mean_peak,
        findings=len(report.findings),
        errors=len(report.errors),
    )


def show(run: Run, label: str) -> None:
    print(
        f"{label:<28} {run.accounts:>4}x{run.regions:<2} c={run.concurrency:<3} "
        f"plan {run.plan_seconds:6.1f}s  scan {run.scan_seconds:6.1f}s  wall {run.wall:6.1f}s  "
        f"{run.calls:>6} calls  {run.calls / run.wall:6.1f} calls/s  "
        f"cpu {run.cpu_seconds:5.1f}s, moto {run.moto_seconds:5.1f}s  "
        f"route53 peak/s {run.peak} (mean {run.mean_peak:.1f})  findings {run.findings}  errors {run.errors}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.org", description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100, help="accounts in the organisation (default 100)")
    parser.add_argument("--regions", type=int, default=4, help=f"regions scanned, at most {len(REGIONS)}")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every request (0.05)")
    parser.add_argument("--baseline-accounts", type=int, default=10, help="organisation size for the speedups")
    parser.add_argument(
        "--in-process", action="store_true", help="also scan with moto inside this process (its CPU counted as ours)"
    )
    args = parser.parse_args(argv)
    regions = REGIONS[: max(1, min(args.regions, len(REGIONS)))]
    print(
        f"organisation scan, +{args.latency * 1000:.0f} ms per request, Route 53 paced at {DEFAULT_RATE:.0f}/s "
        f"per account (AWS allows 5); {os.cpu_count()} CPUs"
    )
    started = time.perf_counter()
    with served_organisation(args.accounts, regions) as server:
        print(
            f"built {args.accounts} accounts x {len(regions)} regions in moto in {time.perf_counter() - started:.0f}s; "
            "moto serves them from its own process on 127.0.0.1, as AWS answers from its own machines"
        )
        for concurrency in (NARROW, DEFAULT_CONCURRENCY):
            run = scan(args.accounts, regions, concurrency, args.latency, ServerClock(server))
            show(run, f"full, concurrency {concurrency}")
    baseline = min(args.baseline_accounts, args.accounts)
    with served_organisation(baseline, regions) as server:
        clock = ServerClock(server)
        runs = {c: scan(baseline, regions, c, args.latency, clock) for c in (1, NARROW, DEFAULT_CONCURRENCY)}
    for concurrency, run in runs.items():
        show(run, f"baseline, concurrency {concurrency}")
    for concurrency in (NARROW, DEFAULT_CONCURRENCY):
        speedup = runs[1].wall / runs[concurrency].wall
        print(f"speedup of --concurrency {concurrency} over --concurrency 1 ({baseline} accounts): {speedup:.1f}x")
    if args.in_process:
        # The worst case: moto answering inside the scanner's own process, under the same interpreter lock.
        with organisation(args.accounts, regions):
            show(
                scan(args.accounts, regions, DEFAULT_CONCURRENCY, args.latency, MotoClock()),
                f"in-process moto, concurrency {DEFAULT_CONCURRENCY}",
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
