"""The packet-path model (issue 13): network ACLs, VPC peering connections, transit gateway attachments and
route tables, in AWS's words, plus the indexes the path verdict asks, built once by the normaliser.

`None` in a field means "not collected", never "none": the verdict then says unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class NaclEntry:
    rule_number: int
    egress: bool
    allow: bool
    protocol: str  # "-1" all, "6" TCP, "17" UDP, "1" ICMP ...; AWS returns numbers as strings
    cidr: str | None = None  # IPv4 entries
    ipv6_cidr: str | None = None  # IPv6 entries: never applied to IPv4 traffic, and vice versa
    port_from: int | None = None
    port_to: int | None = None


@dataclass(frozen=True, slots=True)
class NetworkAcl:
    id: str
    vpc_id: str
    account_id: str
    region: str
    is_default: bool
    subnet_ids: tuple[str, ...]
    entries: tuple[NaclEntry, ...]  # sorted by rule number: first match wins


@dataclass(frozen=True, slots=True)
class Peering:
    id: str
    status: str  # active | pending-acceptance | deleted | rejected | failed | expired ...
    requester_vpc: str
    accepter_vpc: str
    requester_region: str = ""
    accepter_region: str = ""

    def other(self, vpc_id: str) -> str:
        """The VPC on the other side, "" when `vpc_id` is not one of its two."""
        if vpc_id == self.requester_vpc:
            return self.accepter_vpc
        return self.requester_vpc if vpc_id == self.accepter_vpc else ""


@dataclass(frozen=True, slots=True)
class TgwAttachment:
    id: str
    tgw_id: str
    tgw_owner_id: str
    resource_type: str  # vpc | vpn | peering | direct-connect-gateway | connect | network-function ...
    resource_id: str  # the VPC for a VPC attachment
    resource_owner_id: str
    state: str  # available | pending | deleting | failed ...
    route_table_id: str = ""  # the associated TGW route table, "" when none
    association_state: str = ""
    subnet_ids: tuple[str, ...] | None = None  # VPC attachments; None when not collected
    appliance_mode: bool = False
    # Options.Ipv6Support of a VPC attachment: IPv6 traffic crosses it only when enabled; None when not reported
    ipv6_support: bool | None = None


@dataclass(frozen=True, slots=True)
class TgwRoute:
    cidr: str
    type: str  # static | propagated
    state: str  # active | blackhole
    attachment_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TgwRouteTable:
    id: str
    tgw_id: str
    account_id: str
    region: str
    associations: tuple[str, ...] | None  # attachment ids; None when not collected
    propagations: tuple[str, ...] | None
    routes: tuple[TgwRoute, ...] | None  # longest prefix first; None when not collected
    truncated: bool = False  # AWS said more routes exist than it returned


@dataclass(frozen=True)
class NetworkInventory:
    nacls: Mapping[str, NetworkAcl] = field(default_factory=dict)
    nacl_of_subnet: Mapping[str, str] = field(default_factory=dict)
    peerings: Mapping[str, Peering] = field(default_factory=dict)
    attachments: Mapping[str, TgwAttachment] = field(default_factory=dict)
    # (tgw id, vpc id) -> its VPC attachment (one per pair, AWS enforces it)
    vpc_attachment: Mapping[tuple[str, str], str] = field(default_factory=dict)
    tgw_route_tables: Mapping[str, TgwRouteTable] = field(default_factory=dict)
    # accounts whose TGW route tables were read, per region: a table missing there is a fact, elsewhere a gap
    tgw_tables_read: frozenset[tuple[str, str]] = frozenset()
