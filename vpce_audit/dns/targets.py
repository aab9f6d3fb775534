"""Where a record of a private hosted zone sends clients: an interface endpoint (by its DNS name, or by the
literal IPs its ENIs hold), a name no endpoint has, or something the scan cannot verify.

A name that cannot be verified is told apart by why: its account or region is outside the scan (`unaudited`,
worth a note), or inside it but the endpoint list failed there (`uncollected`: the error entry says it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from vpce_audit.apis import Api
from vpce_audit.dns.index import DnsIndex
from vpce_audit.dns.kinds import TargetKind
from vpce_audit.dns.names import is_vpce_name, vpce_id_of, vpce_region, zonal_az_name
from vpce_audit.model.dns import HostedZone, RecordSet
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Endpoint, EndpointType

DESCRIBE_ENDPOINTS = Api.DESCRIBE_VPC_ENDPOINTS
RecordKey = tuple[str, str, str, str]  # (zone id, record name, type, set identifier)
NO_CANDIDATES = "no audited endpoint holds these IPs or serves this name"


@dataclass(frozen=True, slots=True)
class Target:
    kind: TargetKind
    name: str = ""  # the alias or CNAME target
    endpoint: Endpoint | None = None  # ENDPOINT: the one named; IPS: the one the IPs are meant for
    zonal_az: str = ""  # AZ name of a zonal endpoint name
    ips: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()  # IPS: addresses no current ENI of the service's endpoints holds
    ips_known: bool = True  # IPS: False when the target's ENIs were not collected
    detail: str = ""


@dataclass(frozen=True, slots=True)
class EndpointLookup:
    """Live interface endpoints by what a record can name them by. Every record asks: a scan of all
    endpoints for each would be quadratic."""

    by_name: Mapping[str, Endpoint]  # any DNS name of the endpoint (regional, zonal, private)
    by_ip: Mapping[str, tuple[Endpoint, ...]]  # an ENI's private IP -> the endpoints holding it
    by_service: Mapping[str, tuple[Endpoint, ...]]  # service name -> its endpoints
    services_by_name: Mapping[str, frozenset[str]]  # private DNS name -> the services publishing it
    services_by_wildcard: Mapping[str, frozenset[str]]  # d of a wildcard name *.d -> the services publishing it


def endpoint_ips(inv: Inventory, ep: Endpoint) -> frozenset[str]:
    return frozenset(ip for e in ep.eni_ids if e in inv.enis for ip in inv.enis[e].private_ips)


def endpoint_lookup(inv: Inventory) -> EndpointLookup:
    index = DnsIndex.of(inv)
    if index.endpoints is None:
        index.endpoints = _build_lookup(inv)
    return index.endpoints


def _build_lookup(inv: Inventory) -> EndpointLookup:
    interface = tuple(inv.endpoints_of(EndpointType.INTERFACE))
    by_ip: dict[str, list[Endpoint]] = {}
    by_service: dict[str, list[Endpoint]] = {}
    for ep in interface:
        for ip in sorted(endpoint_ips(inv, ep)):
            by_ip.setdefault(ip, []).append(ep)
        by_service.setdefault(ep.service_name, []).append(ep)
    exact: dict[str, set[str]] = {}
    wildcard: dict[str, set[str]] = {}
    for service in inv.services.values():
        for n in service.private_dns_names:
            exact.setdefault(n, set()).add(service.name)
            if n.startswith("*."):
                wildcard.setdefault(n[2:], set()).add(service.name)
    return EndpointLookup(
        by_name={entry.name: ep for ep in interface for entry in ep.dns_entries if entry.name},
        by_ip={ip: tuple(eps) for ip, eps in by_ip.items()},
        by_service={s: tuple(eps) for s, eps in by_service.items()},
        services_by_name={n: frozenset(s) for n, s in exact.items()},
        services_by_wildcard={d: frozenset(s) for d, s in wildcard.items()},
    )


def services_for_name(inv: Inventory, name: str) -> frozenset[str]:
    """Service names whose private DNS names include `name`, literally or through their wildcard."""
    return _services_for(endpoint_lookup(inv), name)


def _services_for(lookup: EndpointLookup, name: str) -> frozenset[str]:
    wildcard = lookup.services_by_wildcard
    found = set(lookup.services_by_name.get(name, ()))
    if wildcard and name:
        # A wildcard `*.d` covers the names strictly below d: d is what follows one of the name's dots ("" = root).
        found.update(wildcard.get("", ()))
        dot = name.find(".")
        while dot != -1:
            found.update(wildcard.get(name[dot + 1 :], ()))
            dot = name.find(".", dot + 1)
    return frozenset(found)


def record_target(inv: Inventory, zone: HostedZone, record: RecordSet) -> Target:
    # Every record is asked about by several checks and by the spokes of each endpoint: decided once.
    index = DnsIndex.of(inv)
    targets = index.record_targets
    key = (zone.id, record.name, record.type, record.set_identifier)
    found = targets.get(key)
    if found is None:
        found = index.inherited.get(key) or _record_target(inv, endpoint_lookup(inv), zone, record)
        targets[key] = found
    return found


def invariant_targets(inv: Inventory) -> Mapping[RecordKey, Target]:
    """The record targets decided so far that stay true in any view of `inv` which only takes ENIs and DNS
    names away from its endpoints: a record naming no vpce name (its target is the name, or its type), and
    literal IPs no endpoint holds for a name no service publishes (a view holds fewer IPs, the same services).
    Everything else (a vpce name, IPs an endpoint holds) is decided again in the view."""
    index = DnsIndex.of(inv)
    if index.invariant is None:
        index.invariant = {key: t for key, t in index.record_targets.items() if _invariant(t)}
    return index.invariant


def inherit_targets(source: Inventory, view: Inventory) -> None:
    """Let `view`, an Inventory made from `source` by taking ENIs and endpoint DNS names away (nothing
    added), reuse source's invariant record targets instead of deciding every record of every zone again."""
    DnsIndex.of(view).inherited = invariant_targets(source)


def _invariant(target: Target) -> bool:
    if target.kind is TargetKind.OTHER:
        return True
    return target.kind is TargetKind.IPS and target.endpoint is None and target.detail == NO_CANDIDATES


def zone_targets(inv: Inventory, zone: HostedZone) -> tuple[Target, ...]:
    """The target of each record of the zone, in record order (none when its records were not read): for the
    passes over every record of every zone, which would otherwise look each one up on its own."""
    by_zone = DnsIndex.of(inv).zone_targets
    found = by_zone.get(zone.id)
    if found is None:
        found = by_zone[zone.id] = tuple(record_target(inv, zone, r) for r in zone.records or ())
    return found


def _record_target(inv: Inventory, lookup: EndpointLookup, zone: HostedZone, record: RecordSet) -> Target:
    name = record.target_name
    if name:
        return _name_target(inv, lookup, zone, name) if is_vpce_name(name) else Target(TargetKind.OTHER, name)
    if record.type in ("A", "AAAA"):
        return _ips_target(inv, lookup, zone, record)
    return Target(TargetKind.OTHER, detail=f"{record.type} record")


def _name_target(inv: Inventory, lookup: EndpointLookup, zone: HostedZone, name: str) -> Target:
    ep = lookup.by_name.get(name)
    if ep is not None:
        az_name = zonal_az_name(name)
        az_id = next(
            (inv.subnets[s].az_id for s in ep.subnet_ids if s in inv.subnets and inv.subnets[s].az_name == az_name),
            "",
        )
        detail = f"{az_name} ({az_id})" if az_name and az_id else az_name
        return Target(TargetKind.ENDPOINT, name, ep, az_name, detail=detail)
    vpce_id = vpce_id_of(name)
    known = inv.endpoints.get(vpce_id)
    if known is not None:
        state = known.state if not known.live else f"{known.state} without that name"
        return Target(TargetKind.DANGLING, name, detail=f"{vpce_id} is {state}")
    region = vpce_region(name)
    account = zone.owner_account
    if account and region and (account, region) in inv.scanned:
        # Scanned is not collected: an endpoint list that failed here, or in any other scanned account of the
        # region (a CNAME may name another account's endpoint), leaves the name unverifiable, not dangling.
        gaps = inv.not_collected(DESCRIBE_ENDPOINTS, region)
        if gaps:
            detail = f"{vpce_id or name}: {not_collected_text(DESCRIBE_ENDPOINTS, gaps)}"
            return Target(TargetKind.UNCOLLECTED, name, detail=detail)
        return Target(TargetKind.DANGLING, name, detail=f"no endpoint of audited account {account} in {region} has it")
    where = f"account {account or zone.owner or '?'} in {region or '?'}"
    return Target(TargetKind.UNAUDITED, name, detail=f"{vpce_id or name}: its endpoints ({where}) were not audited")


def not_collected_text(api: str, parts: Iterable[tuple[str, str]]) -> str:
    """ "ec2:X was not collected for account A in R, account B in R"."""
    return f"{api} was not collected for " + ", ".join(f"account {a} in {r}" for a, r in parts)


def _ips_target(inv: Inventory, lookup: EndpointLookup, zone: HostedZone, record: RecordSet) -> Target:
    ips = record.values
    services = _services_for(lookup, record.name)
    if services:
        candidates = sorted((ep for s in services for ep in lookup.by_service.get(s, ())), key=lambda e: e.id)
    else:
        held_by = {ep.id: ep for ip in ips for ep in lookup.by_ip.get(ip, ())}
        candidates = sorted(held_by.values(), key=lambda e: e.id)
    if not candidates:
        return Target(TargetKind.IPS, ips=ips, detail=NO_CANDIDATES)

    def rank(ep: Endpoint) -> tuple[int, bool, bool]:
        held = endpoint_ips(inv, ep)
        return (sum(ip in held for ip in ips), ep.vpc_id in zone.vpc_ids, ep.account_id == zone.owner_account)

    ranked = sorted(candidates, key=lambda e: (rank(e), e.id), reverse=True)
    if len(ranked) > 1 and rank(ranked[0]) == rank(ranked[1]):
        ids = ", ".join(sorted(e.id for e in ranked if rank(e) == rank(ranked[0])))
        return Target(TargetKind.IPS, ips=ips, detail=f"cannot tell which endpoint these IPs are meant for ({ids})")
    best = ranked[0]
    # Which IPs are stale is only known when every scanned account of the region listed its endpoints and
    # their ENIs: an address may belong to an endpoint whose account's list failed.
    for api in (DESCRIBE_ENDPOINTS, Api.DESCRIBE_NETWORK_INTERFACES):
        gaps = inv.not_collected(api, best.region)
        if gaps:
            detail = not_collected_text(api, gaps)
            return Target(TargetKind.IPS, ips=ips, endpoint=best, ips_known=False, detail=detail)
    held = set().union(*(endpoint_ips(inv, ep) for ep in candidates)) if services else set(endpoint_ips(inv, best))
    return Target(TargetKind.IPS, ips=ips, endpoint=best, stale=tuple(ip for ip in ips if ip not in held))
