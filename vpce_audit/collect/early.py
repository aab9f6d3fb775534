"""Route 53 off the critical path: an account's Route 53 work starts with the scan, not after its EC2 work.

Route 53 is paced per account (5 requests in any rolling second) and so is the slowest chain of a small
account's scan; waiting for every region's EC2 collection before starting it puts the whole chain after the
slowest region. The account-wide zone listing needs no VPC id: it goes first, and the owned zones it finds are
read while the regions are still listing their VPCs. Each region hands over its VPC ids as soon as DescribeVpcs
answers; their zone listings then go before any zone read still queued, and the work finishes when every
region has said its VPCs (or failed, or was skipped).

The work never blocks a pool thread waiting for a region: a drain task runs while there is something to do and
returns; the next region's VPCs submit another. One drain at a time per account, so the plan needs no lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from vpce_audit.collect.accounts import Target
from vpce_audit.collect.base import Recorder
from vpce_audit.collect.route53 import SERVICE as ROUTE53
from vpce_audit.collect.route53 import Route53Plan, VpcRef, route53_client, route53_region
from vpce_audit.snapshot import GLOBAL_REGION


class AccountRoute53:
    """The Route 53 unit of one account, fed by its region units."""

    def __init__(
        self,
        target: Target,
        regions: Iterable[str],
        submit: Callable[[Callable[[], None]], None],
        begin: Callable[[], bool],
        keep: Callable[[Recorder | None], None],
        account_wide: bool = True,
    ) -> None:
        """`submit` runs a task on the scan's pool; `begin` is asked once before the first call (False: the
        time budget ran out, the unit is skipped); `keep` is called exactly once, with the finished recorder,
        or None when the unit was skipped or failed unexpectedly (the failure is raised from the task)."""
        self.target = target
        self._regions_left = set(regions)
        self._profiles_left = set(regions)  # regions whose Route 53 Profiles have not said their zones (issue 14)
        self._incoming_zones: list[str] = []
        self._all_regions = frozenset(self._regions_left)
        self._home = route53_region(sorted(self._regions_left))
        self._submit = submit
        self._begin = begin
        self._keep = keep
        self._lock = threading.Lock()
        self._incoming: list[VpcRef] = []
        self._running = False
        self._done = False
        self._started: bool | None = None  # None: not asked yet
        self._plan: Route53Plan | None = None
        self._account_wide = account_wide  # ListHostedZones too (not in a scan limited to chosen VPCs)

    def region_vpcs(self, region: str, vpcs: list[Any] | None) -> None:
        """A region's DescribeVpcs answered (None: it failed). Later calls for the region are ignored."""
        refs = [VpcRef(str(v["VpcId"]), region) for v in vpcs or [] if isinstance(v, dict) and v.get("VpcId")]
        with self._lock:
            if region not in self._regions_left:
                return
            self._regions_left.discard(region)
            self._incoming += refs
        self._kick()

    def region_zones(self, region: str, zone_ids: list[str]) -> None:
        """The private zones the region's Route 53 Profiles deliver (issue 14). Later calls are ignored."""
        with self._lock:
            if region not in self._profiles_left:
                return
            self._profiles_left.discard(region)
            self._incoming_zones += zone_ids
        self._kick()

    def region_finished(self, region: str) -> None:
        """The region unit ended: if it never said its VPCs or Profiles' zones (skipped, failed early), it has
        none to give."""
        self.region_vpcs(region, None)
        self.region_zones(region, [])

    def start(self) -> None:
        """At the scan's start: the work that needs no region's answer (the account-wide listing) begins."""
        self._kick()

    def _kick(self) -> None:
        with self._lock:
            if self._running or self._done:
                return
            waiting = self._regions_left or self._profiles_left
            if not self._incoming and not self._incoming_zones and waiting and self._started is not None:
                return
            self._running = True
        self._submit(self._drain)

    def _drain(self) -> None:
        try:
            finished = self._work()
        except BaseException:
            with self._lock:
                self._running, self._done = False, True
            self._keep(None)
            raise
        if finished:
            return
        with self._lock:
            self._running = False
        self._kick()  # VPCs may have arrived between the last look and now

    def _work(self) -> bool:
        """Run while there is work; True once the account's Route 53 part is kept."""
        if self._started is None:
            self._started = self._begin()
        plan = self._plan
        if plan is None and self._started:
            rec = Recorder(self.target.account_id, GLOBAL_REGION)
            plan = self._plan = Route53Plan(
                rec,
                route53_client(self.target.factory, (self._home,)),
                account_wide=self._account_wide,
                regions=self._all_regions,
            )
        while True:
            with self._lock:
                if plan is not None:
                    plan.add_vpcs(self._incoming)
                    plan.add_zones(self._incoming_zones)
                self._incoming, self._incoming_zones = [], []
                last = not self._regions_left and not self._profiles_left
            if plan is not None and plan.step():
                continue
            if not last:
                return False
            with self._lock:
                if self._incoming or self._incoming_zones:  # arrived since the look above: do them first
                    continue
                self._done = True
            self._finish(plan)
            return True

    def _finish(self, plan: Route53Plan | None) -> None:
        if plan is None:  # skipped: the error is already recorded
            self._keep(None)
            return
        try:
            plan.finish()
        finally:
            self.target.factory.release(ROUTE53, self._home)
        self._keep(plan.rec)
