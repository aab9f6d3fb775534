"""Whose resolver answers a VPC's clients: the DHCP option set's servers, what each of them is, and whether
the resolver behind them answers at all.

Clients ask the servers their DHCP option set names; only AmazonProvidedDNS, 169.254.169.253 and the primary
CIDR's base+2 address are the VPC's own resolver; a Resolver inbound endpoint IP is the resolver of the VPC
that hosts it; any other server answers from data no AWS API shows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from vpce_audit.dns.index import DnsIndex
from vpce_audit.dns.kinds import ServerKind
from vpce_audit.model.cidr import holds_ip, offset_address
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Vpc

AMAZON_DNS_SERVERS = frozenset({"amazonprovideddns", "169.254.169.253", "fd00:ec2::253"})


@dataclass(frozen=True, slots=True)
class DnsServer:
    """One DNS server of a VPC's DHCP option set, as that VPC's clients reach it."""

    address: str
    kind: ServerKind
    resolver_vpc_id: str = ""  # VPC: the VPC itself; INBOUND: the VPC hosting the inbound endpoint; CUSTOM: ""


@dataclass(frozen=True, slots=True)
class ResolverContext:
    """Whose resolver answers a VPC's clients, or why that cannot be told."""

    vpc_id: str
    resolver_vpc_id: str = ""  # the VPC whose Route 53 Resolver answers; differs via an inbound endpoint
    servers: tuple[str, ...] = ()
    dhcp_options_id: str = ""
    problem: str = ""  # non-empty: the answer is unknown, for this reason
    dns_off: bool = False
    custom_servers: tuple[str, ...] = ()  # servers that are not a VPC resolver

    def evidence(self, inv: Inventory) -> dict[str, Any]:
        vpc = inv.vpcs.get(self.vpc_id)
        doc: dict[str, Any] = {"vpc_id": self.vpc_id}
        if vpc is not None:
            doc |= {
                "dns_support": vpc.dns_support,
                "dns_hostnames": vpc.dns_hostnames,
                "dhcp_options_id": vpc.dhcp_options_id,
                "dns_servers": list(self.servers),
            }
        if self.resolver_vpc_id and self.resolver_vpc_id != self.vpc_id:
            doc["resolver_vpc_id"] = self.resolver_vpc_id
        return doc


def vpc_resolver_address(inv: Inventory, vpc: Vpc) -> str:
    """The VPC resolver's address inside the VPC: base of the primary CIDR plus two."""
    return offset_address(inv.dns.primary_cidr.get(vpc.id, ""), 2)


def dns_server(inv: Inventory, vpc: Vpc, address: str) -> DnsServer:
    """What `address` is for clients of `vpc`: its own resolver (including its own inbound endpoints), another
    VPC's Resolver inbound endpoint, or a custom server."""
    if address.lower() in AMAZON_DNS_SERVERS or address == vpc_resolver_address(inv, vpc):
        return DnsServer(address, ServerKind.VPC, vpc.id)
    hosts = inv.inbound_endpoints_by_ip.get(address, ())
    if holds_ip(address, vpc.cidrs):
        # An address inside the VPC is reached locally, whatever other VPC reuses it.
        if any(h.vpc_id == vpc.id for h in hosts):
            return DnsServer(address, ServerKind.VPC, vpc.id)
        return DnsServer(address, ServerKind.CUSTOM)
    other = {h.vpc_id for h in hosts}
    if len(other) == 1:
        return DnsServer(address, ServerKind.INBOUND, next(iter(other)))
    return DnsServer(address, ServerKind.CUSTOM)


def resolver_context(inv: Inventory, vpc_id: str) -> ResolverContext:
    contexts = DnsIndex.of(inv).contexts
    found = contexts.get(vpc_id)
    if found is None:
        found = contexts[vpc_id] = _resolver_context(inv, vpc_id)
    return found


def _resolver_context(inv: Inventory, vpc_id: str) -> ResolverContext:
    vpc = inv.vpcs.get(vpc_id)
    if vpc is None:
        return ResolverContext(vpc_id, problem=f"{vpc_id} was not audited (its account or region is not in the scan)")
    options = inv.dhcp_options.get(vpc.dhcp_options_id)
    if options is None:
        return ResolverContext(
            vpc_id,
            dhcp_options_id=vpc.dhcp_options_id,
            problem=f"DHCP option set {vpc.dhcp_options_id} not collected (ec2:DescribeDhcpOptions)",
        )
    if not options.dns_servers:
        return ResolverContext(
            vpc_id,
            dhcp_options_id=options.id,
            problem=f"DHCP option set {options.id} names no DNS servers",
        )
    # Keyed by address: a server listed twice is one server.
    servers = {s: dns_server(inv, vpc, s) for s in options.dns_servers}
    custom = tuple(s for s, server in servers.items() if server.kind is not ServerKind.VPC)
    resolvers = {server.resolver_vpc_id for server in servers.values() if server.kind is not ServerKind.CUSTOM}
    common = ResolverContext(vpc_id, servers=options.dns_servers, dhcp_options_id=options.id, custom_servers=custom)
    if any(server.kind is ServerKind.CUSTOM for server in servers.values()) or len(resolvers) != 1:
        return replace(
            common,
            problem=f"clients ask DNS servers {', '.join(custom)} (DHCP option set {options.id}); what they "
            "answer is not visible to AWS APIs",
        )
    (resolver_vpc_id,) = resolvers
    resolver_vpc = inv.vpcs.get(resolver_vpc_id)
    if resolver_vpc is None:
        return replace(common, problem=f"clients use the Resolver inbound endpoint of {resolver_vpc_id}, not audited")
    common = replace(common, resolver_vpc_id=resolver_vpc_id)
    if resolver_vpc.dns_support is None:
        return replace(
            common,
            problem=f"enableDnsSupport of {resolver_vpc_id} not collected (ec2:DescribeVpcAttribute)",
        )
    return replace(common, dns_off=not resolver_vpc.dns_support)


class ResolverSpokes:
    """Resolver VPC -> the other scanned VPCs whose DHCP options send every query to it (its inbound Resolver
    endpoint): they resolve as it does, so they are clients of its endpoints. Built once per Inventory."""

    __slots__ = ("by_resolver",)

    def __init__(self, inv: Inventory) -> None:
        by_resolver: dict[str, list[str]] = {}
        for vpc_id in sorted(inv.vpcs):
            resolver = resolver_context(inv, vpc_id).resolver_vpc_id
            if resolver and resolver != vpc_id:
                by_resolver.setdefault(resolver, []).append(vpc_id)
        self.by_resolver = {r: tuple(v) for r, v in by_resolver.items()}

    @classmethod
    def of(cls, inv: Inventory) -> ResolverSpokes:
        return inv.derived.of(cls, lambda: cls(inv))


def dhcp_spokes(inv: Inventory, resolver_vpc_id: str) -> tuple[str, ...]:
    """The VPCs whose DHCP options name only addresses that `resolver_vpc_id`'s resolver answers."""
    return ResolverSpokes.of(inv).by_resolver.get(resolver_vpc_id, ())
