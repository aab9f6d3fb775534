"""Route 53 private hosted zones, once per account whatever the number of regions.

The plan: one ListHostedZonesByVPC per VPC in scope, one GetHostedZone per zone the account owns (its VPC
associations are how a hub's zone reaches spoke VPCs), and the record pages of those zones. Never a call per
endpoint or per record; every request is paced by the account's Route 53 limiter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.aws.clients import ClientFactory
from vpce_audit.aws.partition import DEFAULT_PARTITION, GLOBAL_HOME, global_home
from vpce_audit.aws.ratelimit import DEFAULT_RATE, pace
from vpce_audit.collect.base import Recorder, paginate
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


def collect_route53(rec: Recorder, route53: Any, vpcs: Sequence[VpcRef]) -> None:
    """Record the zones each VPC sees, the owned zones' associations and their records into `rec`."""
    listed = _record_each(rec, Api.LIST_HOSTED_ZONES_BY_VPC, vpcs, partial(_zones_of_vpc, route53))
    if listed is None:
        return
    zones = _unique_zones(listed)
    mine = ("OwningAccount", rec.account_id)
    rec.apis[Api.SKIPPED_ZONES] = [_skipped(z) for z in zones if _owner(z) != mine]
    zone_ids = [bare_zone_id(str(z["HostedZoneId"])) for z in zones if _owner(z) == mine]
    _record_each(rec, Api.GET_HOSTED_ZONE, zone_ids, partial(_hosted_zone, route53))
    # Which zones' records to read. Zones under amazonaws.com are needed whatever names are in use (a parent
    # such as us-east-1.amazonaws.com shadows names, a wrong-named zone matches none) and zones for a service's
    # private names are the DNS path itself; any other zone may hold aliases or CNAMEs to vpce names (custom
    # names for an endpoint) and is read when it is associated with an in-scope VPC. Zones are only ever found
    # through the in-scope VPCs, so together these rules read every owned zone found, once each; what keeps
    # the plan small is that discovery is per VPC in scope (no account-wide ListHostedZones), each zone is
    # read once however many VPCs share it, and zones of other accounts or services are never read.
    _record_each(rec, Api.LIST_RESOURCE_RECORD_SETS, zone_ids, partial(_record_sets, route53))


def _record_each(rec: Recorder, api: Api, keys: Sequence[Any], fetch: Callable[[Any], Any]) -> list[Any] | None:
    """One call per key; a failure drops that key's entry and logs an error, the others are kept. The API is
    absent only when every call failed, which the normaliser reads as 'unknown', not 'empty'."""
    results = [r for key in keys if (r := rec.attempt(api, partial(fetch, key))) is not None]
    if keys and not results:
        return None
    rec.apis[api] = results
    return results


def _zones_of_vpc(route53: Any, vpc: VpcRef) -> dict[str, Any]:
    """All pages of ListHostedZonesByVPC: it has no botocore paginator, so follow NextToken by hand."""
    summaries: list[Any] = []
    params: dict[str, str] = {"VPCId": vpc.vpc_id, "VPCRegion": vpc.region}
    seen: set[str] = set()
    while True:
        page = route53.list_hosted_zones_by_vpc(**params)
        summaries.extend(page.get("HostedZoneSummaries") or [])
        token = page.get("NextToken")
        if not token or token in seen:  # a repeated token would loop forever
            break
        seen.add(token)
        params["NextToken"] = token
    return {"VPCId": vpc.vpc_id, "VPCRegion": vpc.region, "HostedZoneSummaries": summaries}


def _hosted_zone(route53: Any, zone_id: str) -> dict[str, Any]:
    response = dict(route53.get_hosted_zone(Id=zone_id))
    response.pop("ResponseMetadata", None)
    return response


def _record_sets(route53: Any, zone_id: str) -> dict[str, Any]:
    records = paginate(route53, "list_resource_record_sets", "ResourceRecordSets", HostedZoneId=zone_id)
    return {"HostedZoneId": zone_id, "ResourceRecordSets": records}


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
