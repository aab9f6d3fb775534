"""Route 53 Resolver DNS Firewall: rule group associations with VPCs, their rules and domain lists.

Domains are stored as DNS compares them (lower case, no trailing dot); a leading `*.` is kept: it is part of
the rule's meaning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FirewallAssociation:
    id: str
    group_id: str
    vpc_id: str
    priority: int  # lower first: rule groups are evaluated in this order
    status: str  # COMPLETE | UPDATING | DELETING
    account_id: str
    region: str
    name: str = ""
    profile_id: str = ""  # Route 53 Profiles (issue 14): the Profile that delivers the group; "" for the VPC's own


@dataclass(frozen=True, slots=True)
class FirewallRule:
    group_id: str
    priority: int  # lower first within the group; the first match wins
    action: str  # ALLOW | BLOCK | ALERT
    domain_list_id: str = ""  # "" for rules that match by threat detection rather than by domain
    name: str = ""
    qtype: str = ""  # "" for every query type
    redirection: str = ""  # INSPECT_REDIRECTION_DOMAIN (default: every name of a CNAME chain) | TRUST_...
    block_response: str = ""


@dataclass(frozen=True, slots=True)
class DomainList:
    id: str
    name: str = ""
    managed_owner: str = ""  # AWS-managed: its domains cannot be listed
    domains: tuple[str, ...] | None = None  # None: not listed (managed, or ListFirewallDomains failed)


@dataclass(frozen=True)
class FirewallInventory:
    associations: Mapping[str, FirewallAssociation] = field(default_factory=dict)  # association id ->
    rules: Mapping[str, tuple[FirewallRule, ...]] = field(default_factory=dict)  # group id -> rules; absent: unknown
    domain_lists: Mapping[str, DomainList] = field(default_factory=dict)
