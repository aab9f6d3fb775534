"""Route 53 private hosted zones, once per account whatever the number of regions.

The plan: one ListHostedZonesByVPC per VPC in scope, one account-wide ListHostedZones (its pages: 100 zones each),
one GetHostedZone per private zone the account owns (its VPC associations are how a hub's zone reaches spoke
VPCs), and the record pages of those zones. Never a call per endpoint or per record; every request is paced by
the account's Route 53 limiter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.aws.clients import ClientFactory
from vpce_audit.aws.partition import DEFAULT_PARTITION, GLOBAL_HOME, global_home
from vpce_audit.aws.ratelimit import DEFAULT_RATE, pace
from vpce_audit.collect.base import Recorder, paginate, token_pages
from vpce_audit.snapshot import Part

SERVICE = "route53"
ZONE_ID_PREFIX = "/hostedzone/"


@dataclass(frozen=True, slots=True, order=True)
class VpcRef:
    vpc_id: str
    region: str


def route53_region(regions: Iterable[str]) -> str:
    """The region to sign Route 53 requests for: us-east-1 (the aws partition's global endpoint) unless the
    scanned regions belong to the China or GovCloud partition, whose Route 53 lives elsewhere."""
    for region in regions:
        home = global_home(region)
        if home != GLOBAL_HOME[DEFAULT_PARTITION]:
            return home
    return GLOBAL_HOME[DEFAULT_PARTITION]


def route53_client(factory: ClientFactory, regions: Iterable[str], rate: float = DEFAULT_RATE) -> Any:
    """The account's one Route 53 client, paced: the factory caches it, so every thread shares its limiter."""
    client = factory.client(SERVICE, route53_region(regions))
    pace(client, rate)
    return client


def vpcs_in_scope(parts: Iterable[Part]) -> list[VpcRef]:
    """The VPCs EC2 returned, with their region. A region whose DescribeVpcs failed contributes none: its
    error is already recorded and its zones stay unknown."""
    refs = {
        VpcRef(str(v["VpcId"]), p.region)
        for p in parts
        for v in p.items(Api.DESCRIBE_VPCS)
        if isinstance(v, dict) and v.get("VpcId")
    }
    return sorted(refs)


def bare_zone_id(zone_id: str) -> str:
    # GetHostedZone says "/hostedzone/Z…", the zone summaries say "Z…".
    return zone_id.removeprefix(ZONE_ID_PREFIX)


def collect_route53(
    rec: Recorder, route53: Any, vpcs: Sequence[VpcRef], zones: Sequence[str] = (), *, account_wide: bool = True
) -> None:
    """Record the zones each VPC sees, the owned zones' associations and their records into `rec`; `zones`:
    owned zones Route 53 Profiles deliver (issue 14), read even when no in-scope VPC lists them."""
    plan = Route53Plan(rec, route53, account_wide=account_wide)
    plan.add_vpcs(vpcs)
    plan.add_zones(zones)
    while plan.step():
        pass
    plan.finish()


class Route53Plan:
    """One account's Route 53 work, fed VPCs as regions discover them (collect/scan.py) so that it can start
    before every region's EC2 collection is over. `step` does one call, zone listings of known VPCs first,
    then the association and records of an owned zone already found; `finish` (once every region has said
    its VPCs) records everything in the order a one-shot collection would, so the snapshot does not depend
    on which region answered first.

    Which zones' records are read: zones under amazonaws.com are needed whatever names are in use (a parent
    such as us-east-1.amazonaws.com shadows names, a wrong-named zone matches none) and zones for a service's
    private names are the DNS path itself; any other zone may hold aliases or CNAMEs to vpce names (custom
    names for an endpoint) and is read when it is associated with an in-scope VPC. Zones are only ever found
    through the in-scope VPCs or the account-wide ListHostedZones (which finds a hub's zone associated only with
    other accounts' VPCs, invisible from the owner's own VPCs), and every owned private zone found is read
    once: each zone is read once however many VPCs share it, and zones of other accounts or services (and
    public zones, which answer no VPC) are never read.

    Not thread-safe: the scan gives each account's plan to one thread at a time.
    """

    def __init__(
        self, rec: Recorder, route53: Any, *, account_wide: bool = True, regions: Iterable[str] | None = None
    ) -> None:
        """`account_wide`: read the owned zones only ListHostedZones found. Off for a scan limited to chosen VPCs,
        which reads the zones of those VPCs alone (reading every zone of the account would leave its scope): the
        listing is still asked, so that the scan holds it, and the zones it alone found are skipped with the
        reason. `regions`: the account's
        scanned regions; a zone found only by ListHostedZones whose VPCs all lie elsewhere serves nothing the
        scan sees, and its records are not read (None: read them all)."""
        self.rec = rec
        self.route53 = route53
        self._regions = None if regions is None else frozenset(regions)
        self._via_vpc: set[str] = set()  # owned zones a VPC listing or a Profile found: always read
        self._elsewhere: list[dict[str, str]] = []  # owned zones whose records were not read, and why
        self._vpcs: list[VpcRef] = []  # to list, in arrival order
        self._seen_vpcs: set[VpcRef] = set()
        self._listed: list[tuple[VpcRef, Any]] = []  # (vpc, result or None when the call failed)
        self._zones: list[str] = []  # owned zones found, to read
        self._seen_zones: set[str] = set()
        self._hosted: dict[str, Any] = {}  # zone id -> GetHostedZone result or None
        self._records: dict[str, Any] = {}  # zone id -> records result or None
        # Account-wide zone listing (issue 14): asked once, first when no VPC listing is waiting.
        self._account_wide = account_wide
        self._account_listed = False
        self._account_zones: list[Any] | None = None  # None: not asked yet, or the call failed

    def add_vpcs(self, vpcs: Iterable[VpcRef]) -> None:
        for vpc in vpcs:
            if vpc not in self._seen_vpcs:
                self._seen_vpcs.add(vpc)
                self._vpcs.append(vpc)

    def add_zones(self, zone_ids: Iterable[str]) -> None:
        """Owned zones found another way than a VPC's listing (Route 53 Profiles, issue 14): read them too."""
        for zone_id in zone_ids:
            zone_id = bare_zone_id(zone_id)
            if zone_id:
                self._via_vpc.add(zone_id)  # a Profile's zone may have no VPC of its own: read it whatever its VPCs
                self._queue(zone_id)

    @property
    def listing_pending(self) -> bool:
        return bool(self._vpcs)

    def step(self) -> bool:
        """Make the next call; False when there is nothing to do until more VPCs arrive."""
        if self._vpcs:
            vpc = self._vpcs.pop(0)
            result = self.rec.attempt(Api.LIST_HOSTED_ZONES_BY_VPC, partial(_zones_of_vpc, self.route53, vpc))
            self._listed.append((vpc, result))
            mine = ("OwningAccount", self.rec.account_id)
            for zone in _unique_zones([result] if result else []):
                zone_id = bare_zone_id(str(zone["HostedZoneId"]))
                if _owner(zone) == mine:
                    self._via_vpc.add(zone_id)
                    self._queue(zone_id)
            return True
        if not self._account_listed:
            self._account_listed = True
            self._account_zones = self.rec.attempt(Api.LIST_HOSTED_ZONES, partial(_account_zones, self.route53))
            for zone in self._account_zones or []:
                if self._account_wide and _readable_owned(zone):
                    self._queue(bare_zone_id(str(zone["Id"])))
            return True
        if self._zones:
            zone_id = self._zones.pop(0)
            if zone_id not in self._hosted:
                self._hosted[zone_id] = self.rec.attempt(
                    Api.GET_HOSTED_ZONE, partial(_hosted_zone, self.route53, zone_id)
                )
            hosted = self._hosted[zone_id]
            if zone_id not in self._via_vpc and not self._serves_scan(hosted):
                self._elsewhere.append(_elsewhere(zone_id, hosted, self.rec.account_id))
                return True
            self._records[zone_id] = self.rec.attempt(
                Api.LIST_RESOURCE_RECORD_SETS, partial(_record_sets, self.route53, zone_id)
            )
            return True
        return False

    def _serves_scan(self, hosted: Any) -> bool:
        """A zone found by the account-wide listing alone is read when one of its VPCs lies in a scanned region
        (another account's VPC, a hub's spoke; or a VPC gone, phz-association-stale). Its associations unknown
        (GetHostedZone failed): not read, the zone stays unknown."""
        if self._regions is None:
            return True
        if not isinstance(hosted, dict):
            return False
        return any(isinstance(v, dict) and v.get("VPCRegion") in self._regions for v in hosted.get("VPCs") or [])

    def _queue(self, zone_id: str) -> None:
        if zone_id not in self._seen_zones:
            self._seen_zones.add(zone_id)
            self._zones.append(zone_id)
        elif zone_id in self._via_vpc and zone_id in self._hosted and zone_id not in self._records:
            # The account-wide listing, which may run before any VPC is known, found it first and its
            # associations did not place it in scope; a VPC listing or a Profile now does: read its records.
            self._elsewhere = [e for e in self._elsewhere if e["HostedZoneId"] != zone_id]
            if zone_id not in self._zones:
                self._zones.append(zone_id)

    def finish(self) -> None:
        """Record what was collected. An API every call of which failed stays absent ('unknown')."""
        listed = [result for _, result in sorted(self._listed, key=lambda pair: pair[0])]
        by_vpc = _keep(self.rec, Api.LIST_HOSTED_ZONES_BY_VPC, listed)
        if self._account_zones is not None:
            self.rec.apis[Api.LIST_HOSTED_ZONES] = self._account_zones
        if by_vpc:
            zones = _unique_zones(r for r in listed if r is not None)
            mine = ("OwningAccount", self.rec.account_id)
            skipped = [_skipped(z) for z in zones if _owner(z) != mine]
            complete = all(r is not None for r in listed)  # else an owned zone may be a refused VPC's: unknown
            if self._account_zones is not None and not self._account_wide and complete:
                # A scan limited to chosen VPCs: the owned zones none of them lists are out of its scope.
                self._elsewhere += [
                    _out_of_scope(z, self.rec.account_id)
                    for z in self._account_zones
                    if _readable_owned(z) and bare_zone_id(str(z["Id"])) not in self._seen_zones
                ]
            self.rec.apis[Api.SKIPPED_ZONES] = skipped + sorted(self._elsewhere, key=lambda e: e["HostedZoneId"])
        if not (by_vpc or (self._account_wide and self._account_zones is not None)):
            return  # no zone could be found: the zones stay unknown, not "none"
        owned = sorted(self._hosted)
        _keep(self.rec, Api.GET_HOSTED_ZONE, [self._hosted[z] for z in owned])
        _keep(self.rec, Api.LIST_RESOURCE_RECORD_SETS, [self._records[z] for z in owned if z in self._records])


def _keep(rec: Recorder, api: Api, results: list[Any]) -> bool:
    """Store the successful results; with calls made and none succeeded, store nothing and say so."""
    ok = [r for r in results if r is not None]
    if results and not ok:
        return False
    rec.apis[api] = ok
    return True


def _zones_of_vpc(route53: Any, vpc: VpcRef) -> dict[str, Any]:
    """All pages of ListHostedZonesByVPC: it has no botocore paginator, so follow NextToken by hand."""
    summaries = token_pages(
        route53.list_hosted_zones_by_vpc, "HostedZoneSummaries", VPCId=vpc.vpc_id, VPCRegion=vpc.region
    )
    return {"VPCId": vpc.vpc_id, "VPCRegion": vpc.region, "HostedZoneSummaries": summaries}


def _account_zones(route53: Any) -> list[Any]:
    """Every private zone the account owns, all pages (Marker / NextMarker, botocore's paginator). Asking for
    private zones only keeps public ones, which answer no VPC, out of the pages."""
    zones = paginate(route53, "list_hosted_zones", "HostedZones", HostedZoneType="PrivateHostedZone")
    # An endpoint that ignores the filter (moto does) still stores private zones only, as the filter promises.
    return [z for z in zones if isinstance(z, dict) and (z.get("Config") or {}).get("PrivateZone") is True]


def _readable_owned(zone: Any) -> bool:
    """A zone of the account-wide listing to read: private (the filter says so; checked again) and not managed
    by another service (LinkedService, e.g. Cloud Map: its records are that service's, as in the VPC listings)."""
    if not isinstance(zone, dict) or not zone.get("Id"):
        return False
    private = (zone.get("Config") or {}).get("PrivateZone")
    return private is True and not zone.get("LinkedService")


def _hosted_zone(route53: Any, zone_id: str) -> dict[str, Any]:
    response = dict(route53.get_hosted_zone(Id=zone_id))
    response.pop("ResponseMetadata", None)
    return response


def _record_sets(route53: Any, zone_id: str) -> dict[str, Any]:
    records = paginate(route53, "list_resource_record_sets", "ResourceRecordSets", HostedZoneId=zone_id)
    return {"HostedZoneId": zone_id, "ResourceRecordSets": records}


def _elsewhere(zone_id: str, hosted: Any, account_id: str) -> dict[str, str]:
    """The SkippedZones entry of an owned zone found only by the account-wide listing and not read."""
    info = hosted.get("HostedZone") if isinstance(hosted, dict) else None
    name = str(info.get("Name", "")) if isinstance(info, dict) else ""
    reason = (
        "owned by this account and associated only with VPCs in regions this scan did not cover: its records "
        "were not read"
        if hosted is not None
        else "owned by this account, found by its zone listing alone, and its associations were not collected "
        "(route53:GetHostedZone): its records were not read"
    )
    return {"HostedZoneId": zone_id, "Name": name, "OwningAccount": account_id, "reason": reason}


def _out_of_scope(zone: dict[str, Any], account_id: str) -> dict[str, str]:
    return {
        "HostedZoneId": bare_zone_id(str(zone["Id"])),
        "Name": str(zone.get("Name", "")),
        "OwningAccount": account_id,
        "reason": "owned by this account and associated with none of the VPCs the scan was limited to: not read",
    }


def _unique_zones(listed: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each zone once, however many VPCs it is associated with."""
    zones: dict[str, dict[str, Any]] = {}
    for entry in listed:
        for summary in entry.get("HostedZoneSummaries") or []:
            if isinstance(summary, dict) and summary.get("HostedZoneId"):
                zones.setdefault(bare_zone_id(str(summary["HostedZoneId"])), summary)
    return [zones[k] for k in sorted(zones)]


def _owner(summary: dict[str, Any]) -> tuple[str, str]:
    owner = summary.get("Owner") or {}
    if owner.get("OwningAccount"):
        return "OwningAccount", str(owner["OwningAccount"])
    return "OwningService", str(owner.get("OwningService") or "unknown")


def _skipped(summary: dict[str, Any]) -> dict[str, str]:
    kind, owner = _owner(summary)
    reason = (
        f"owned by account {owner}: unverifiable, audit account {owner}"
        if kind == "OwningAccount"
        else f"owned by service {owner}: its records are managed by that service and not read"
    )
    return {
        "HostedZoneId": bare_zone_id(str(summary["HostedZoneId"])),
        "Name": str(summary.get("Name", "")),
        kind: owner,
        "reason": reason,
    }
