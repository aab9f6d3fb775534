"""Scan plan and execution: (account, region) units on a thread pool; Route 53 once per account, started as soon
as its first region's VPCs are known (collect/early.py) and finished when every region has said its VPCs.

Concurrency changes how fast, never what: parts and errors are sorted when the snapshot is serialised and
the report sorts everything, so --concurrency 1 and 16 give byte-identical reports.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

from vpce_audit.app.gctuning import fewer_collections
from vpce_audit.aws.clients import ClientFactory
from vpce_audit.collect.accounts import Target
from vpce_audit.collect.base import Recorder
from vpce_audit.collect.early import AccountRoute53
from vpce_audit.collect.progress import Progress
from vpce_audit.collect.units import collect_region, unseen_vpcs
from vpce_audit.errors import CollectionError
from vpce_audit.snapshot import GLOBAL_REGION, Part, Snapshot, utc_now

# Units of one account run in different regions (EC2's limits are per account and region) and Route 53 has its
# own per-account limiter, so the pool size sets no account's request rate: it only overlaps network waits.
# A 100-account, 4-region scan at 50 ms per request (bench/org.py): 80 s at 8, 61 s at 16, 52 s at 32.
DEFAULT_CONCURRENCY = 32
DEADLINE_CODE = "DeadlineExceeded"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanPlan:
    targets: tuple[Target, ...]
    regions: dict[str, tuple[str, ...]]  # account -> regions to scan
    vpc_ids: tuple[str, ...] = ()
    concurrency: int = DEFAULT_CONCURRENCY
    errors: tuple[CollectionError, ...] = ()  # failures met while planning (AssumeRole, ListAccounts ...)
    skipped_regions: tuple[tuple[str, str], ...] = ()  # (account, region) opt-in regions not enabled


class _Collector:
    """Collects every unit of a plan; thread-safe accumulation of parts and errors."""

    def __init__(
        self, plan: ScanPlan, progress: Progress, total_calls: Callable[[], int], stop: Callable[[], bool]
    ) -> None:
        self.plan = plan
        self.stop = stop
        self.progress = progress
        self.total_calls = total_calls
        self.parts: list[Part] = []
        self.errors: list[CollectionError] = list(plan.errors)
        self._lock = threading.Lock()

    def _keep(self, rec: Recorder, label: str, started: float) -> None:
        log.debug("unit %s finished in %.1f s, %d error(s)", label, time.perf_counter() - started, len(rec.errors))
        for e in rec.errors:
            log.debug("unit %s: %s:%s failed: %s", label, e.service, e.operation, e.code)
        with self._lock:
            self.parts.append(Part(rec.account_id, rec.region, utc_now(), rec.apis))
            self.errors.extend(rec.errors)
            errors = len(self.errors)
        self.progress.step(label, self.total_calls(), errors)

    def _skip(self, account_id: str, region: str, service: str) -> bool:
        """True (and an error entry, so the scan reads partial) when the time budget ran out before this unit."""
        if not self.stop():
            return False
        message = "not collected: the scan's time budget ran out before this unit started"
        log.debug("unit %s %s skipped: the time budget ran out", account_id, region)
        with self._lock:
            self.errors.append(CollectionError(account_id, region, service, "*", DEADLINE_CODE, message))
            errors = len(self.errors)
        self.progress.step(f"{account_id} {region} skipped", self.total_calls(), errors)
        return True

    def region(
        self,
        target: Target,
        region: str,
        on_vpcs: Callable[[list[Any] | None], None],
        on_zones: Callable[[list[str]], None] | None = None,
    ) -> None:
        if self._skip(target.account_id, region, "ec2"):
            return
        log.debug("unit %s %s started", target.account_id, region)
        started = time.perf_counter()
        rec = collect_region(target.factory, target.account_id, region, self.plan.vpc_ids, on_vpcs, on_zones)
        self._keep(rec, f"{target.account_id} {region}", started)

    def route53(
        self, target: Target, submit: Callable[[Callable[[], None]], None], done: Callable[[], None]
    ) -> AccountRoute53:
        """The account's Route 53 unit; `done` is called once it is kept or skipped."""
        started = time.perf_counter()

        def begin() -> bool:
            if self._skip(target.account_id, GLOBAL_REGION, "route53"):
                return False
            log.debug("unit %s route53 started", target.account_id)
            return True

        def keep(rec: Recorder | None) -> None:
            try:
                if rec is not None:
                    self._keep(rec, f"{target.account_id} route53", started)
            finally:
                done()

        # A scan limited to chosen VPCs asks about them alone: no account-wide zone listing.
        regions = self.plan.regions.get(target.account_id, ())
        return AccountRoute53(target, regions, submit, begin, keep, account_wide=not self.plan.vpc_ids)


def execute(
    plan: ScanPlan,
    *,
    progress_enabled: bool = False,
    total_calls: Callable[[], int] = lambda: 0,
    stop: Callable[[], bool] = lambda: False,
) -> Snapshot:
    """`stop` is asked before each unit starts (a Lambda's deadline): once true, the units not yet started
    are skipped and recorded as errors, so the report is partial rather than the process killed."""
    with fewer_collections():
        return _execute(plan, progress_enabled, total_calls, stop)


def _execute(
    plan: ScanPlan, progress_enabled: bool, total_calls: Callable[[], int], stop: Callable[[], bool]
) -> Snapshot:
    started = utc_now()
    units = sum(len(plan.regions.get(t.account_id, ())) + 1 for t in plan.targets)
    progress = Progress(units, enabled=progress_enabled)
    collector = _Collector(plan, progress, total_calls, stop)
    pool = ThreadPoolExecutor(max_workers=max(plan.concurrency, 1), thread_name_prefix="vpce-audit")
    # Route 53 work has a pool of its own so that it never queues behind other accounts' region units; it is
    # paced per account (5 requests a second), so a thread per account at most costs little.
    r53_pool = ThreadPoolExecutor(
        max_workers=max(1, min(plan.concurrency, len(plan.targets))), thread_name_prefix="vpce-audit-r53"
    )
    pending: list[Future[None]] = []
    pending_lock = threading.Lock()
    done = threading.Semaphore(0)

    def submit(executor: ThreadPoolExecutor, fn: Callable[[], None], counted: bool) -> None:
        with pending_lock:
            pending.append(executor.submit(_guarded, fn, done if counted else None))

    def region_unit(target: Target, region: str, r53: AccountRoute53) -> None:
        try:
            collector.region(target, region, partial(r53.region_vpcs, region), partial(r53.region_zones, region))
        finally:  # even if the region failed unexpectedly, Route 53 must finish or the wait never ends
            r53.region_finished(region)

    try:
        for target in plan.targets:
            r53 = collector.route53(target, partial(submit, r53_pool, counted=False), done.release)
            regions = plan.regions.get(target.account_id, ())
            r53.start()  # the account-wide zone listing waits for no region
            for region in regions:
                submit(pool, partial(region_unit, target, region, r53), counted=True)
        for _ in range(units):
            done.acquire()
        with pending_lock:
            for future in pending:
                future.result()  # re-raise a bug in a unit instead of reporting a silently short scan
    finally:
        progress.close()
        pool.shutdown(wait=False, cancel_futures=True)
        r53_pool.shutdown(wait=False, cancel_futures=True)
    # A call repeated per VPC or per zone fails the same way each time (one denied action): the identical
    # entries say nothing more than one, and a thousand of them would bury the others.
    errors = list(dict.fromkeys(collector.errors + unseen_vpcs_all(plan, collector.parts)))
    return Snapshot(
        collected_at=started,
        accounts=tuple(sorted(t.account_id for t in plan.targets)),
        regions=tuple(sorted({r for rs in plan.regions.values() for r in rs})),
        vpc_ids=plan.vpc_ids,
        parts=tuple(collector.parts),
        errors=tuple(errors),
        skipped_regions=plan.skipped_regions,
    )


def _guarded(fn: Callable[[], None], done: threading.Semaphore | None) -> None:
    try:
        fn()
    finally:
        if done is not None:
            done.release()


def unseen_vpcs_all(plan: ScanPlan, parts: Iterable[Part]) -> list[CollectionError]:
    regional = [p for p in parts if p.region != GLOBAL_REGION]
    if not plan.vpc_ids:
        return []
    account = plan.targets[0].account_id if len(plan.targets) == 1 else "*"
    return unseen_vpcs(account, plan.vpc_ids, regional)


def scan_account(
    factory: ClientFactory, account_id: str, regions: tuple[str, ...], vpc_ids: tuple[str, ...] = ()
) -> Snapshot:
    """One account with the given credentials, one unit at a time."""
    plan = ScanPlan((Target(account_id, factory, "caller"),), {account_id: tuple(regions)}, tuple(vpc_ids), 1)
    return execute(plan)
