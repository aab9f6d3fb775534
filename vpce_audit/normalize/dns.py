"""Route 53 (the "global" part) and Route 53 Resolver (regional parts) responses -> the DNS model."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.model.dns import (
    HostedZone,
    RecordSet,
    ResolverAddress,
    ResolverEndpoint,
    ResolverRule,
    ResolverRuleAssociation,
)
from vpce_audit.model.inventory import DnsInventory
from vpce_audit.normalize.fields import account_id, dicts, mapping, text, texts
from vpce_audit.snapshot import Part

_ESCAPE = re.compile(r"\\(\d{3})")


def dns_name(raw: Any) -> str:
    """A DNS name as DNS compares it: Route 53 writes `*` as `\052` (octal escapes), ends names with a dot
    and keeps the case it was given."""
    name = text(raw)
    if "\\" in name:  # rare (wildcards, odd characters): most names skip the regex
        name = _ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), name)
    name = name.strip().lower()
    return "" if name == "." else name.rstrip(".")


def bare_zone_id(raw: Any) -> str:
    return text(raw).removeprefix("/hostedzone/")


def normalize_dns(parts: Iterable[Part]) -> DnsInventory:
    parts = tuple(parts)
    audited = {p.account_id for p in parts}
    # Accounts whose zone listing answered: only they can be said to have found (or not found) a zone.
    listing = {p.account_id for p in parts if p.has(Api.LIST_HOSTED_ZONES_BY_VPC)}
    # Accounts whose account-wide ListHostedZones answered: they read every private zone they own (issue 14).
    owners_listed = {p.account_id for p in parts if p.has(Api.LIST_HOSTED_ZONES)}
    owner_listed_zones = {
        (p.account_id, bare_zone_id(z.get("Id"))) for p in parts for z in dicts(p.items(Api.LIST_HOSTED_ZONES))
    }
    zones: dict[str, dict[str, Any]] = {}  # zone id -> fields, merged over every account that saw the zone
    listed: set[str] = set()
    records: dict[str, tuple[RecordSet, ...]] = {}
    readers: dict[str, str] = {}  # zone id -> the account that listed its records: only an owner can
    for part in parts:
        _zone_listings(part, zones, listed)
        _owned_zones(part, zones)
        _skipped_zones(part, zones)
        for entry in dicts(part.items(Api.LIST_RESOURCE_RECORD_SETS)):
            zone_id = bare_zone_id(entry.get("HostedZoneId"))
            rrsets = entry.get("ResourceRecordSets")
            # Anything but a list is no answer: the records stay unknown, never "none" (that would be NXDOMAIN).
            if zone_id and isinstance(rrsets, list):
                records[zone_id] = tuple(_record(zone_id, r) for r in dicts(rrsets))
                readers.setdefault(zone_id, part.account_id)
    hosted: dict[str, HostedZone] = {}
    by_vpc: dict[str, set[str]] = defaultdict(set)
    for zone_id, f in zones.items():
        if f.get("public"):
            continue  # a public zone answers nobody's private queries
        zone_records = records.get(zone_id)
        hosted[zone_id] = HostedZone(
            id=zone_id,
            name=f.get("name", ""),
            owner_account=f.get("owner_account") or readers.get(zone_id, ""),
            owner_service=f.get("owner_service", ""),
            vpc_ids=tuple(sorted(f.get("vpcs", ()))),
            records=zone_records,
            skipped_reason=""
            if zone_records is not None
            else _skip_reason(zone_id, f, audited, listing, (owners_listed, owner_listed_zones)),
            seen_by=tuple(sorted(f["seen_by"] | f.get("skipped_by", set()))),
            associations=tuple(sorted(f.get("associations", ()))),
        )
        for vpc_id in f.get("vpcs", ()):
            by_vpc[vpc_id].add(zone_id)
    return DnsInventory(
        zones=hosted,
        listed_vpcs=frozenset(listed),
        described_zones=frozenset(z for z in hosted if zones[z].get("described")),
        zones_by_vpc={v: tuple(sorted(z for z in ids if z in hosted)) for v, ids in by_vpc.items()},
        rules=_resolver_rules(parts),
        associations=_rule_associations(parts),
        resolver_endpoints=_resolver_endpoints(parts),
        primary_cidr={
            text(v.get("VpcId")): text(v.get("CidrBlock"))
            for part in parts
            for v in dicts(part.items(Api.DESCRIBE_VPCS))
            if text(v.get("VpcId")) and text(v.get("CidrBlock"))
        },
    )


def _skip_reason(
    zone_id: str,
    fields: dict[str, Any],
    audited: set[str],
    listing: set[str],
    account_wide: tuple[set[str], set[tuple[str, str]]],
) -> str:
    """Why a zone's records are absent. "" when its owner found it and its records failed: the resolver then
    says the records were not collected."""
    owner = fields.get("owner_account", "")
    if fields.get("own_skip"):  # its owner found it by the account-wide listing and chose not to read it
        return str(fields["own_skip"])
    if owner not in audited or "skipped" not in fields:
        return str(fields.get("skipped", ""))
    owners_listed, owner_listed_zones = account_wide
    if owner in fields.get("seen_by", ()) or (owner, zone_id) in owner_listed_zones:
        return ""  # the owner found the zone (through a VPC or its account-wide listing) and its read failed
    if owner not in listing:
        return f"owned by account {owner}, whose zone listing was not collected (route53:ListHostedZonesByVPC)"
    # The owner was scanned too, but its account-wide listing failed, so it found zones only through its own
    # in-scope VPCs: a hub zone associated with spokes alone was not read. "Audit account N" would be wrong advice.
    return f"owned by account {owner}, which was audited but did not read it: the zone is associated with none " + (
        "of that account's scanned VPCs"
        if owner in owners_listed
        else "of that account's scanned VPCs and its account-wide zone listing was not collected "
        "(route53:ListHostedZones)"
    )


def _zone(zones: dict[str, dict[str, Any]], zone_id: str) -> dict[str, Any]:
    return zones.setdefault(zone_id, {"vpcs": set(), "seen_by": set()})


def _zone_listings(part: Part, zones: dict[str, dict[str, Any]], listed: set[str]) -> None:
    for entry in dicts(part.items(Api.LIST_HOSTED_ZONES_BY_VPC)):
        vpc_id = text(entry.get("VPCId"))
        if not vpc_id:
            continue
        listed.add(vpc_id)
        for summary in dicts(entry.get("HostedZoneSummaries") or []):
            zone_id = bare_zone_id(summary.get("HostedZoneId"))
            if not zone_id:
                continue
            z = _zone(zones, zone_id)
            z["vpcs"].add(vpc_id)
            z["seen_by"].add(part.account_id)
            z.setdefault("name", dns_name(summary.get("Name")))
            owner = mapping(summary.get("Owner"))
            if account_id(owner.get("OwningAccount")):
                z["owner_account"] = account_id(owner.get("OwningAccount"))
            elif text(owner.get("OwningService")):
                z["owner_service"] = text(owner.get("OwningService"))


def _owned_zones(part: Part, zones: dict[str, dict[str, Any]]) -> None:
    for entry in dicts(part.items(Api.GET_HOSTED_ZONE)):
        info = mapping(entry.get("HostedZone"))
        zone_id = bare_zone_id(info.get("Id"))
        if not zone_id:
            continue
        z = _zone(zones, zone_id)
        z["described"] = True
        z["seen_by"].add(part.account_id)
        z["name"] = dns_name(info.get("Name")) or z.get("name", "")
        z.setdefault("owner_account", part.account_id)  # GetHostedZone is only asked of the owner
        config = mapping(info.get("Config"))
        if config.get("PrivateZone") is False:
            z["public"] = True
        vpcs = [(text(v.get("VPCId")), text(v.get("VPCRegion"))) for v in dicts(entry.get("VPCs") or [])]
        z["vpcs"].update(vpc for vpc, _ in vpcs if vpc)
        z.setdefault("associations", set()).update((vpc, region) for vpc, region in vpcs if vpc)


def _skipped_zones(part: Part, zones: dict[str, dict[str, Any]]) -> None:
    for entry in dicts(part.items(Api.SKIPPED_ZONES)):
        zone_id = bare_zone_id(entry.get("HostedZoneId"))
        if not zone_id:
            continue
        z = _zone(zones, zone_id)
        z.setdefault("skipped_by", set()).add(part.account_id)
        z.setdefault("name", dns_name(entry.get("Name")))
        if account_id(entry.get("OwningAccount")):
            z.setdefault("owner_account", account_id(entry.get("OwningAccount")))
        elif text(entry.get("OwningService")):
            z.setdefault("owner_service", text(entry.get("OwningService")))
        z.setdefault("skipped", text(entry.get("reason")))
        if account_id(entry.get("OwningAccount")) == part.account_id:
            z["own_skip"] = text(entry.get("reason"))


def _record(zone_id: str, r: dict[str, Any]) -> RecordSet:
    rtype = text(r.get("Type")).upper()
    values = texts(r.get("ResourceRecords"), "Value")
    alias = mapping(r.get("AliasTarget"))
    return RecordSet(
        zone_id=zone_id,
        name=dns_name(r.get("Name")),
        type=rtype,
        values=tuple(dns_name(v) for v in values) if rtype == "CNAME" else tuple(v.strip() for v in values),
        alias_target=dns_name(alias.get("DNSName")),
        alias_zone_id=text(alias.get("HostedZoneId")),
        set_identifier=text(r.get("SetIdentifier")),
    )


def _resolver_rules(parts: tuple[Part, ...]) -> dict[str, ResolverRule]:
    out: dict[str, ResolverRule] = {}
    for part in parts:
        for r in dicts(part.items(Api.LIST_RESOLVER_RULES)):
            rule_id = text(r.get("Id"))
            if not rule_id or rule_id in out:  # a shared rule is listed by its owner and by its users
                continue
            out[rule_id] = ResolverRule(
                id=rule_id,
                account_id=part.account_id,
                region=part.region,
                domain=dns_name(r.get("DomainName")),
                rule_type=text(r.get("RuleType")).upper(),
                status=text(r.get("Status")).upper(),
                target_ips=tuple(text(t.get("Ip")) or text(t.get("Ipv6")) for t in dicts(r.get("TargetIps") or [])),
                resolver_endpoint_id=text(r.get("ResolverEndpointId")),
                owner_id=text(r.get("OwnerId")),
                name=text(r.get("Name")),
            )
    return out


def _rule_associations(parts: tuple[Part, ...]) -> dict[str, ResolverRuleAssociation]:
    return {
        text(a.get("Id")): ResolverRuleAssociation(
            id=text(a.get("Id")),
            rule_id=text(a.get("ResolverRuleId")),
            vpc_id=text(a.get("VPCId")),
            account_id=part.account_id,
            region=part.region,
            status=text(a.get("Status")).upper(),
            name=text(a.get("Name")),
        )
        for part in parts
        for a in dicts(part.items(Api.LIST_RESOLVER_RULE_ASSOCIATIONS))
        if text(a.get("Id"))
    }


def _resolver_endpoints(parts: tuple[Part, ...]) -> dict[str, ResolverEndpoint]:
    out: dict[str, ResolverEndpoint] = {}
    for part in parts:
        addresses: dict[str, tuple[ResolverAddress, ...]] = {
            text(e.get("ResolverEndpointId")): tuple(
                ResolverAddress(
                    ip=text(i.get("Ip")) or text(i.get("Ipv6")),
                    subnet_id=text(i.get("SubnetId")),
                    status=text(i.get("Status")).upper(),
                )
                for i in dicts(e.get("IpAddresses") or [])
                if text(i.get("Ip")) or text(i.get("Ipv6"))
            )
            for e in dicts(part.items(Api.LIST_RESOLVER_ENDPOINT_IP_ADDRESSES))
        }
        for e in dicts(part.items(Api.LIST_RESOLVER_ENDPOINTS)):
            rep_id = text(e.get("Id"))
            if rep_id:
                out[rep_id] = ResolverEndpoint(
                    id=rep_id,
                    account_id=part.account_id,
                    region=part.region,
                    direction=text(e.get("Direction")).upper(),
                    vpc_id=text(e.get("HostVPCId")),
                    status=text(e.get("Status")).upper(),
                    ips=None if rep_id not in addresses else tuple(a.ip for a in addresses[rep_id]),
                    name=text(e.get("Name")),
                    addresses=addresses.get(rep_id),
                    status_message=text(e.get("StatusMessage")),
                )
    return out
