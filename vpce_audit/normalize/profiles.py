"""Route 53 Profiles responses (regional parts) -> the Profiles model, and their merge into the DNS inventory.

What AWS documents (Route 53 developer guide, profiles.html and profiles-vpc-update-priority.html): a Profile
associated with a VPC applies its private hosted zones, Resolver rules and DNS Firewall rule groups to that VPC
as if they were associated with it; several Profiles may be associated with one VPC, each with a priority. So a
delivered zone joins the VPC's zones, a delivered rule becomes a rule association of the VPC and a delivered
rule group a firewall association, each marked with the Profile. What AWS leaves open (which of a VPC's own
association and a Profile's wins for the same name) is left to the DNS engine to call unknown.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from vpce_audit.apis import Api
from vpce_audit.model.dns import ResolverRuleAssociation
from vpce_audit.model.firewall import FirewallAssociation
from vpce_audit.model.inventory import DnsInventory
from vpce_audit.model.profiles import (
    FIREWALL,
    RULE,
    ZONE,
    Delivery,
    ProfileAssociation,
    ProfileInventory,
    ProfileResource,
)
from vpce_audit.normalize.fields import dicts, text
from vpce_audit.snapshot import Part

COMPLETE = "COMPLETE"


def _priority(raw: object) -> int | None:
    try:
        return int(raw)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _resource_id(arn: str) -> str:
    # arn:aws:route53:::hostedzone/Z…, …:resolver-rule/rslvr-rr-…, …:firewall-rule-group/rslvr-frg-…
    return arn.rsplit("/", 1)[-1] if "/" in arn else arn


def group_priority(properties: str) -> int | None:
    """A firewall rule group's priority inside a Profile: ResourceProperties `{"priority": 100}`."""
    try:
        doc = json.loads(properties) if properties else {}
    except ValueError:
        return None
    return _priority(doc.get("priority")) if isinstance(doc, dict) else None


def normalize_profiles(parts: Iterable[Part]) -> ProfileInventory:
    associations: dict[str, ProfileAssociation] = {}
    resources: dict[str, tuple[ProfileResource, ...]] = {}
    for part in parts:
        for a in dicts(part.items(Api.LIST_PROFILE_ASSOCIATIONS)):
            if text(a.get("Id")) and text(a.get("ProfileId")) and text(a.get("ResourceId")):
                associations[text(a.get("Id"))] = ProfileAssociation(
                    id=text(a.get("Id")),
                    profile_id=text(a.get("ProfileId")),
                    vpc_id=text(a.get("ResourceId")),
                    status=text(a.get("Status")).upper(),
                    account_id=part.account_id,
                    region=part.region,
                    priority=_priority(a.get("Priority")),
                    name=text(a.get("Name")),
                )
        for p in dicts(part.items(Api.LIST_PROFILE_RESOURCE_ASSOCIATIONS)):
            profile_id = text(p.get("ProfileId"))
            raw = p.get("ProfileResourceAssociations")
            if not profile_id or not isinstance(raw, list):
                continue  # anything but a list is no answer: the Profile's resources stay unknown
            resources[profile_id] = tuple(
                sorted(
                    (
                        ProfileResource(
                            id=text(r.get("Id")),
                            profile_id=profile_id,
                            resource_type=text(r.get("ResourceType")),
                            resource_id=_resource_id(text(r.get("ResourceArn"))),
                            status=text(r.get("Status")).upper(),
                            arn=text(r.get("ResourceArn")),
                            properties=text(r.get("ResourceProperties")),
                            name=text(r.get("Name")),
                        )
                        for r in dicts(raw)
                        if text(r.get("ResourceArn"))
                    ),
                    key=lambda r: (r.resource_type, r.resource_id, r.id),
                )
            )
    delivered: dict[tuple[str, str], list[Delivery]] = defaultdict(list)
    for assoc in sorted(associations.values(), key=lambda a: (a.priority is None, a.priority or 0, a.id)):
        for res in resources.get(assoc.profile_id, ()):
            status = assoc.status if assoc.status != COMPLETE else res.status
            delivered[assoc.vpc_id, res.resource_id].append(
                Delivery(assoc.profile_id, assoc.id, res.id, status, assoc.priority)
            )
    return ProfileInventory(associations, resources, {k: tuple(v) for k, v in delivered.items()})


def merge_profiles(dns: DnsInventory, profiles: ProfileInventory) -> DnsInventory:
    """The DNS inventory with each Profile's zones, rules and rule groups added to the VPCs it is associated
    with. A delivery whose Profile's resources were not listed adds nothing (candidates call it unknown)."""
    by_vpc = {vpc: set(ids) for vpc, ids in dns.zones_by_vpc.items()}
    rule_assocs = dict(dns.associations)
    fw_assocs = dict(dns.firewall.associations)
    for assoc in profiles.associations.values():
        for res in profiles.resources.get(assoc.profile_id, ()):
            status = assoc.status if assoc.status != COMPLETE else res.status
            key = f"{assoc.id}/{res.id}"
            if res.resource_type == ZONE and res.resource_id in dns.zones:
                by_vpc.setdefault(assoc.vpc_id, set()).add(res.resource_id)
            elif res.resource_type == RULE:
                rule_assocs[key] = ResolverRuleAssociation(
                    id=key,
                    rule_id=res.resource_id,
                    vpc_id=assoc.vpc_id,
                    account_id=assoc.account_id,
                    region=assoc.region,
                    status=status,
                    name=res.name,
                    profile_id=assoc.profile_id,
                )
            elif res.resource_type == FIREWALL:
                prio = group_priority(res.properties)
                fw_assocs[key] = FirewallAssociation(
                    id=key,
                    group_id=res.resource_id,
                    vpc_id=assoc.vpc_id,
                    priority=prio if prio is not None else 0,
                    status=status,
                    account_id=assoc.account_id,
                    region=assoc.region,
                    name=res.name,
                    profile_id=assoc.profile_id,
                )
    delivered_to: dict[str, set[str]] = defaultdict(set)
    for vpc, ids in by_vpc.items():
        for zone_id in ids:
            if vpc not in dns.zones[zone_id].vpc_ids:
                delivered_to[zone_id].add(vpc)
    zones = {
        z: replace(zone, profile_vpc_ids=tuple(sorted(delivered_to[z]))) if z in delivered_to else zone
        for z, zone in dns.zones.items()
    }
    return replace(
        dns,
        zones=zones,
        zones_by_vpc={v: tuple(sorted(ids)) for v, ids in by_vpc.items()},
        associations=rule_assocs,
        firewall=replace(dns.firewall, associations=fw_assocs),
        profiles=profiles,
    )
