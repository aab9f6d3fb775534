"""The VPCs that reach an interface endpoint through a private hosted zone (a hub's spokes), and whether that
list can be complete.

Spokes' workload AZs are the endpoint's too (az_coverage's spoke_workload): a spoke left out hides an AZ gap
and makes an AZ that serves it look idle. So when an input that could reveal a spoke was not collected, the
verdict says so (`spokes_unknown`) instead of silently judging the endpoint for its own VPC alone.

Spoke discovery for an endpoint E in region R is incomplete when any of these holds:
  1. a VPC that a zone record links to E is left out although it may reach E: no scanned account described
     it (not audited), its DNS path is unknown (Resolver rules, DHCP options, DNS attributes, its zone
     listing ... not collected), or it reaches E but its subnets or ENIs were not collected;
  2. a scanned VPC in R has no zone listing (route53:ListHostedZonesByVPC): a zone only it sees may link it,
     or others, to E;
  3. a scanned account's VPCs in R are unknown (ec2:DescribeVpcs): they were not listed either;
  4. a zone named for one of E's private DNS names, or for a parent domain of one, was not read (its records
     failed, or an account outside the scan or a service owns it): it may send default clients of other VPCs
     to E. Not when its associations were read (GetHostedZone) and it serves no VPC but E's own;
  5. a zone whose records lead to E had its associations not read (route53:GetHostedZone): the VPCs it serves
     beyond the listed ones are unknown;
  6. (issue 14) a scanned account's Resolver rules in R were not collected, or a forwarding rule for E's names
     targets E's VPC where the Resolver endpoints were not collected: spokes through forwarding may be missed.
Only region R counts where a VPC's region is known: another region's AZ IDs never match R's, so its VPCs
cannot change which of E's AZs are missing or idle.

Deliberately not counted: unread zones under other names (ssm.corp.internal): their records reach only
clients configured with those names, and flagging them would mark every endpoint of every account that
shares a corporate zone; and VPCs outside the scan that no collected zone names, since nothing points at them.
"""

from __future__ import annotations

from dataclasses import dataclass

from vpce_audit.apis import Api
from vpce_audit.dns.candidates import endpoint_private_names
from vpce_audit.dns.forwarding import covers, forward_targets, rule_clients
from vpce_audit.dns.kinds import Mode, Via
from vpce_audit.dns.links import zone_links
from vpce_audit.dns.names import base, under
from vpce_audit.dns.path import VpcPath, dns_path, reaches
from vpce_audit.dns.targets import not_collected_text
from vpce_audit.model.dns import HostedZone
from vpce_audit.model.inventory import Inventory, ServiceKey
from vpce_audit.model.resources import Endpoint

SPOKE_APIS = (Api.DESCRIBE_SUBNETS, Api.DESCRIBE_NETWORK_INTERFACES)
_SHOWN = 5  # VPC ids named per reason; a thousand unlisted VPCs would bury the rest


@dataclass(frozen=True, slots=True)
class Spokes:
    az_ids: frozenset[str]  # workload AZ IDs of the spokes counted
    unknown: str = ""  # why other spokes may exist; "" when every input that reveals them was collected


class SpokeIndex:
    """What every endpoint of a region, or of a service, shares, kept with the Inventory (Inventory.derived)."""

    __slots__ = ("region_gaps", "unread", "unread_by_service")

    def __init__(self, inv: Inventory) -> None:
        self.region_gaps: dict[str, tuple[str, ...]] = {}  # region -> rules 2 and 3
        self.unread_by_service: dict[ServiceKey, tuple[HostedZone, ...]] = {}  # rule 4's zones, per service
        # Zones whose records were not read, in id order.
        self.unread = tuple(inv.dns.zones[z] for z in sorted(inv.dns.zones) if inv.dns.zones[z].records is None)

    @classmethod
    def of(cls, inv: Inventory) -> SpokeIndex:
        return inv.derived.of(cls, lambda: cls(inv))


def spokes(inv: Inventory, ep: Endpoint) -> Spokes:
    paths = [p for p in dns_path(inv, ep).vpcs if p.via in (Via.ZONE, Via.FORWARDING)]
    counted = {p.vpc_id for p in paths if p.account_id and reaches(p) and _placed(inv, p)}
    az_ids = frozenset(az for v in sorted(counted) for az in inv.workload_az_ids(v))
    reasons = [
        *(r for p in paths if p.vpc_id not in counted and (r := _left_out(inv, ep, p))),
        *_region_gaps(inv, ep.region),
        *_unread_zones(inv, ep),
        *_undescribed_links(inv, ep),
        *_unseen_forwarding(inv, ep),
    ]
    return Spokes(az_ids, "; ".join(reasons))


def _placed(inv: Inventory, path: VpcPath) -> bool:
    return inv.has(path.account_id, path.region, *SPOKE_APIS)


def _left_out(inv: Inventory, ep: Endpoint, path: VpcPath) -> str:
    """Rule 1: why a zone-linked VPC that is not counted may still be a spoke, "" when it is known not to be."""
    zones = f" (zone {', '.join(path.zone_ids)})" if path.zone_ids else " (forwarding rule)"
    if not path.account_id:
        return f"{path.vpc_id}{zones} was described by no scanned account"
    if path.region != ep.region:
        return ""
    if reaches(path):
        return f"{path.vpc_id}{zones} reaches it, but its subnets or ENIs were not collected ({', '.join(SPOKE_APIS)})"
    if path.mode is Mode.UNKNOWN:
        return f"{path.vpc_id}{zones}: its DNS path is unknown"
    return ""  # decided: its default clients go elsewhere (forwarded, public names, broken)


def _region_gaps(inv: Inventory, region: str) -> tuple[str, ...]:
    """Rules 2 and 3, the same for every endpoint of the region: computed once."""
    gaps = SpokeIndex.of(inv).region_gaps
    found = gaps.get(region)
    if found is None:
        found = gaps[region] = _region_gaps_of(inv, region)
    return found


def _region_gaps_of(inv: Inventory, region: str) -> tuple[str, ...]:
    out = []
    unlisted = sorted(v for v, vpc in inv.vpcs.items() if vpc.region == region and not inv.zones_listed(v))
    if unlisted:
        more = f" and {len(unlisted) - _SHOWN} more" if len(unlisted) > _SHOWN else ""
        shown = ", ".join(unlisted[:_SHOWN]) + more
        out.append(f"private zones of {shown} not collected (route53:ListHostedZonesByVPC)")
    gaps = inv.not_collected(Api.DESCRIBE_VPCS, region)
    if gaps:
        out.append(not_collected_text(Api.DESCRIBE_VPCS, gaps))
    return tuple(out)


def _unread_zones(inv: Inventory, ep: Endpoint) -> list[str]:
    """Rule 4."""
    out = []
    for zone in _unread_zones_named_for(inv, ep):
        others = [v for v in zone.vpc_ids if v != ep.vpc_id and (v not in inv.vpcs or inv.vpcs[v].region == ep.region)]
        if others or zone.id not in inv.dns.described_zones:
            why = zone.skipped_reason or "records not collected (route53:ListResourceRecordSets)"
            out.append(f"zone {zone.name} ({zone.id}) not read: {why}")
    return out


def _unread_zones_named_for(inv: Inventory, ep: Endpoint) -> tuple[HostedZone, ...]:
    """Unread zones that take one of the endpoint's service names: per service, since every endpoint asks."""
    index = SpokeIndex.of(inv)
    key = (ep.account_id, ep.region, ep.service_name)
    found = index.unread_by_service.get(key)
    if found is None:
        names = {base(n) for n in endpoint_private_names(inv, ep) or ()}
        found = tuple(z for z in index.unread if any(under(n, z.name) for n in names))
        index.unread_by_service[key] = found
    return found


def _undescribed_links(inv: Inventory, ep: Endpoint) -> list[str]:
    """Rule 5."""
    zones = {z.id: z for links in zone_links(inv).get(ep.id, {}).values() for z, _ in links}
    return [
        f"associations of zone {zones[z].name} ({z}) not collected (route53:GetHostedZone)"
        for z in sorted(zones)
        if z not in inv.dns.described_zones
    ]


class _ResolverGaps:
    """Region -> the (account, region) pairs with scanned VPCs whose Resolver rules were not collected. Built
    once per Inventory: asked for every endpoint, it would otherwise walk every VPC each time."""

    __slots__ = ("by_region",)

    def __init__(self, inv: Inventory) -> None:
        pairs = {(v.account_id, v.region) for v in inv.vpcs.values()}
        gaps: dict[str, list[tuple[str, str]]] = {}
        for account, region in sorted(pairs):
            if not inv.resolver_known(account, region):
                gaps.setdefault(region, []).append((account, region))
        self.by_region = {r: tuple(g) for r, g in gaps.items()}

    @classmethod
    def of(cls, inv: Inventory) -> _ResolverGaps:
        return inv.derived.of(cls, lambda: cls(inv))


def _unseen_forwarding(inv: Inventory, ep: Endpoint) -> list[str]:
    """Rule 6 (issue 14): forwarding spokes the scan cannot confirm. A scanned VPC of the region whose account's
    Resolver rules were not collected may forward the names to the endpoint's VPC; a forwarding rule for the names
    whose targets lie in the endpoint's VPC, but whose Resolver endpoints were not collected there, may be one."""
    out = []
    gaps = _ResolverGaps.of(inv).by_region.get(ep.region, ())
    if gaps:
        out.append(not_collected_text(Api.LIST_RESOLVER_RULES, gaps) + ": VPCs forwarding to it may be missed")
    names = endpoint_private_names(inv, ep) or ()
    vpc = inv.vpcs.get(ep.vpc_id)
    for rule_id in rule_clients(inv):
        rule = inv.dns.rules[rule_id]
        if not any(covers(rule.domain, n) for n in names) or vpc is None:
            continue
        unseen = [t.ip for t in forward_targets(inv, rule) if not t.known and t.vpc_id == vpc.id]
        if unseen:
            out.append(
                f"Resolver rule {rule.id} forwards to {', '.join(unseen)} in {vpc.id}, whose Resolver endpoints "
                "were not collected"
            )
    return out
