"""Route 53 Profiles: which Profiles are associated with which VPCs, and what each delivers (private hosted
zones, Resolver rules, DNS Firewall rule groups). normalize/profiles.py merges the deliveries into the DNS
inventory with their provenance, so every zone, rule and rule group a VPC sees is judged however it got there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

ZONE = "AWS::Route53::HostedZone"
RULE = "AWS::Route53Resolver::ResolverRule"
FIREWALL = "AWS::Route53Resolver::FirewallRuleGroup"


@dataclass(frozen=True, slots=True)
class ProfileAssociation:
    id: str
    profile_id: str
    vpc_id: str
    status: str  # COMPLETE | CREATING | UPDATING | DELETING | DELETED | FAILED
    account_id: str
    region: str
    priority: int | None = None  # lower first (100-9900); absent in older API models
    name: str = ""


@dataclass(frozen=True, slots=True)
class ProfileResource:
    id: str
    profile_id: str
    resource_type: str  # ZONE | RULE | FIREWALL | a type vpce-audit does not judge
    resource_id: str  # bare zone id, rule id or rule group id (the ARN's last segment)
    status: str
    arn: str = ""
    properties: str = ""  # ResourceProperties, JSON (a rule group's priority)
    name: str = ""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One resource a Profile delivers to one VPC: what a zone, rule or rule group of that VPC came through."""

    profile_id: str
    association_id: str
    resource_association_id: str
    status: str  # COMPLETE only when both the Profile's association and the resource's are
    priority: int | None = None  # the Profile association's priority

    def evidence(self) -> dict[str, object]:
        doc: dict[str, object] = {"profile_id": self.profile_id, "profile_association_id": self.association_id}
        if self.priority is not None:
            doc["profile_priority"] = self.priority
        if self.status != "COMPLETE":
            doc["profile_status"] = self.status
        return doc


@dataclass(frozen=True)
class ProfileInventory:
    associations: Mapping[str, ProfileAssociation] = field(default_factory=dict)  # association id ->
    resources: Mapping[str, tuple[ProfileResource, ...]] = field(default_factory=dict)  # profile id ->; absent: unknown
    # (vpc id, resource id) -> the Profiles delivering that zone, rule or rule group to the VPC, by priority
    delivered: Mapping[tuple[str, str], tuple[Delivery, ...]] = field(default_factory=dict)

    def of_vpc(self, vpc_id: str) -> tuple[ProfileAssociation, ...]:
        """The Profile associations of a VPC, by priority (None last) then id."""
        found = (a for a in self.associations.values() if a.vpc_id == vpc_id)
        return tuple(sorted(found, key=lambda a: (a.priority is None, a.priority or 0, a.id)))

    def deliveries(self, vpc_id: str, resource_id: str) -> tuple[Delivery, ...]:
        return self.delivered.get((vpc_id, resource_id), ())
