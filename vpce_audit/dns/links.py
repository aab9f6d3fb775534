"""Which VPCs a private hosted zone leads to an interface endpoint: every VPC associated with a zone whose
records alias, CNAME or point (literal IPs) to it, whichever scanned account owns the zone, the endpoint or
the VPC (all three are joined by id)."""

from __future__ import annotations

from collections.abc import Mapping

from vpce_audit.dns.index import DnsIndex
from vpce_audit.dns.kinds import TargetKind
from vpce_audit.dns.targets import zone_targets
from vpce_audit.model.dns import HostedZone, RecordSet
from vpce_audit.model.inventory import Inventory

Link = tuple[HostedZone, RecordSet]
ZoneLinks = Mapping[str, Mapping[str, tuple[Link, ...]]]  # endpoint id -> VPC id -> links, in zone id order
_LEADING = frozenset({TargetKind.ENDPOINT, TargetKind.IPS})


def zone_links(inv: Inventory) -> ZoneLinks:
    """endpoint id -> VPC id -> the (zone, record) pairs that lead that VPC's clients to the endpoint."""
    index = DnsIndex.of(inv)
    if index.zone_links is None:
        index.zone_links = _links(inv)
    return index.zone_links


def _links(inv: Inventory) -> ZoneLinks:
    out: dict[str, dict[str, list[Link]]] = {}
    for zone_id in sorted(inv.dns.zones):
        zone = inv.dns.zones[zone_id]
        for record, target in zip(zone.records or (), zone_targets(inv, zone), strict=True):
            if target.endpoint is None or target.kind not in _LEADING:
                continue
            for vpc_id in zone.served_vpc_ids:  # a Profile's VPCs too (issue 14)
                out.setdefault(target.endpoint.id, {}).setdefault(vpc_id, []).append((zone, record))
    return {ep: {v: tuple(links) for v, links in by_vpc.items()} for ep, by_vpc in out.items()}
