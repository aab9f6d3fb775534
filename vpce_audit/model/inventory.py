"""Inventory: the normalised model of every scanned account and region, indexed for the checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from vpce_audit.apis import Api
from vpce_audit.model.dns import HostedZone, ResolverEndpoint, ResolverRule, ResolverRuleAssociation
from vpce_audit.model.firewall import FirewallInventory
from vpce_audit.model.lattice import EndpointAssociation, LatticeInventory
from vpce_audit.model.nat import NatGateway
from vpce_audit.model.network import NetworkInventory
from vpce_audit.model.profiles import ProfileInventory
from vpce_audit.model.provider import ProviderInventory
from vpce_audit.model.resources import (
    DhcpOptions,
    Egress,
    Endpoint,
    EndpointType,
    NetworkInterface,
    PrefixList,
    RouteTable,
    SecurityGroup,
    Service,
    Subnet,
    Vpc,
)
from vpce_audit.snapshot import GLOBAL_REGION

ServiceKey = tuple[str, str, str]  # (account_id, region, service name)
T = TypeVar("T")


class Derived:
    """What later stages derive from one Inventory (the DNS engine's index, the verdicts' caches), built on
    first use and kept beside it. Keyed by the deriving class, so each stage owns a typed object instead of
    sharing a dict of string keys; the model itself never imports those stages.

    An Inventory made with dataclasses.replace starts with an empty one (the field is init=False): indexes
    of the original never answer for the copy."""

    __slots__ = ("_built",)

    def __init__(self) -> None:
        self._built: dict[type, Any] = {}  # kind -> an instance of it

    def of(self, kind: type[T], build: Callable[[], T]) -> T:
        try:
            found: T = self._built[kind]
        except KeyError:
            found = self._built[kind] = build()
        return found


@dataclass(frozen=True)
class DnsInventory:
    """Route 53 zones and Route 53 Resolver objects of every scanned account, joined by id."""

    zones: Mapping[str, HostedZone] = field(default_factory=dict)  # bare zone id -> zone
    # VPCs whose ListHostedZonesByVPC answered: only for these is "no zone" a fact rather than a gap.
    listed_vpcs: frozenset[str] = frozenset()
    zones_by_vpc: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # every association seen
    rules: Mapping[str, ResolverRule] = field(default_factory=dict)
    associations: Mapping[str, ResolverRuleAssociation] = field(default_factory=dict)
    resolver_endpoints: Mapping[str, ResolverEndpoint] = field(default_factory=dict)
    primary_cidr: Mapping[str, str] = field(default_factory=dict)  # vpc -> CidrBlock (where its resolver is)
    # Zones whose GetHostedZone answered: only for these are the VPC associations complete (the others' come
    # from the listings of scanned VPCs alone).
    described_zones: frozenset[str] = frozenset()
    # DNS sources (issue 14): DNS Firewall rule groups, their associations, rules and domain lists.
    firewall: FirewallInventory = field(default_factory=FirewallInventory)
    # Route 53 Profiles (issue 14): associations and deliveries; what they deliver is merged into the fields
    # above (zones_by_vpc, associations, firewall.associations) with its provenance kept here.
    profiles: ProfileInventory = field(default_factory=ProfileInventory)


@dataclass(frozen=True)
class Inventory:
    vpcs: Mapping[str, Vpc] = field(default_factory=dict)
    subnets: Mapping[str, Subnet] = field(default_factory=dict)
    enis: Mapping[str, NetworkInterface] = field(default_factory=dict)
    route_tables: Mapping[str, RouteTable] = field(default_factory=dict)
    endpoints: Mapping[str, Endpoint] = field(default_factory=dict)
    services: Mapping[ServiceKey, Service] = field(default_factory=dict)
    prefix_lists: Mapping[str, PrefixList] = field(default_factory=dict)
    security_groups: Mapping[str, SecurityGroup] = field(default_factory=dict)
    dhcp_options: Mapping[str, DhcpOptions] = field(default_factory=dict)
    # (account_id, region, "service:Operation") for every API that answered; absent means unknown, not empty.
    collected: frozenset[tuple[str, str, str]] = frozenset()
    # (account_id, region) of every part the scan holds ("global" for Route 53): the scan covered it, so an API
    # it always calls that is absent there failed. Outside this set nothing was asked: "not audited".
    scanned: frozenset[tuple[str, str]] = frozenset()
    # Derived indexes, computed once by the normaliser.
    subnets_by_vpc: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    effective_route_table: Mapping[str, str] = field(default_factory=dict)  # subnet -> route table
    workload_subnets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # vpc -> subnets
    workload_assumed: frozenset[str] = frozenset()  # VPCs with no workload ENI: every subnet counts
    egress: Mapping[str, Egress] = field(default_factory=dict)  # subnet -> posture
    endpoint_enis: frozenset[str] = frozenset()
    dns: DnsInventory = field(default_factory=DnsInventory)
    # Packet path (issue 13): NACLs, peering, transit gateways.
    network: NetworkInventory = field(default_factory=NetworkInventory)
    # Endpoint services the scanned accounts own and the load balancers behind them (issue 15).
    provider: ProviderInventory = field(default_factory=ProviderInventory)
    # Resource and service-network endpoints' associations (issue 15): endpoint id -> associations.
    associations: Mapping[str, tuple[EndpointAssociation, ...]] = field(default_factory=dict)
    # Resource configurations and resource gateways behind resource endpoints (issue 15).
    lattice: LatticeInventory = field(default_factory=LatticeInventory)
    # NAT gateways the route tables name (issue 15, egress posture): zonal (one AZ) or regional (every AZ).
    nat_gateways: Mapping[str, NatGateway] = field(default_factory=dict)
    # Indexes and verdicts later stages derive from the whole inventory (DNS paths, AZ coverage), computed
    # once, on first use. Not an init field: dataclasses.replace gives the new Inventory an empty one.
    derived: Derived = field(default_factory=Derived, init=False, compare=False, repr=False)

    def has(self, account_id: str, region: str, *apis: Api) -> bool:
        return all((account_id, region, api) in self.collected for api in apis)

    def not_collected(self, api: Api, region: str | None = None) -> tuple[tuple[str, str], ...]:
        """(account, region) of the scanned regional parts (in `region`, or any) where `api` did not answer."""
        return tuple(
            (account, r)
            for account, r in sorted(self.scanned)
            if r != GLOBAL_REGION and region in (None, r) and not self.has(account, r, api)
        )

    # The cached properties below are kept in the instance's __dict__: dataclasses.replace builds a new
    # instance, which computes its own.

    @cached_property
    def live_endpoints(self) -> tuple[Endpoint, ...]:
        """Endpoints that exist, in id order. Deleted and deleting ones are gone for our purposes."""
        return tuple(ep for ep in (self.endpoints[i] for i in sorted(self.endpoints)) if ep.live)

    @cached_property
    def live_endpoints_by_vpc(self) -> Mapping[str, tuple[Endpoint, ...]]:
        """VPC id -> its live endpoints, in id order. For questions asked per VPC or per endpoint: a pass
        over every endpoint each time is quadratic in a large account."""
        index: dict[str, list[Endpoint]] = {}
        for ep in self.live_endpoints:
            index.setdefault(ep.vpc_id, []).append(ep)
        return {vpc: tuple(eps) for vpc, eps in index.items()}

    def endpoints_of(self, *types: EndpointType) -> Iterator[Endpoint]:
        """Live endpoints of the given types, in id order."""
        return (ep for ep in self.live_endpoints if ep.type in types)

    def endpoints_in(self, vpc_id: str, *types: EndpointType) -> tuple[Endpoint, ...]:
        """Live endpoints of the given types in one VPC, in id order."""
        return tuple(ep for ep in self.live_endpoints_by_vpc.get(vpc_id, ()) if ep.type in types)

    def service_of(self, ep: Endpoint) -> Service | None:
        """The service as described for the region hosting it (its own for a cross-region endpoint)."""
        return self.services.get((ep.account_id, ep.service_region or ep.region, ep.service_name))

    def workload_az_ids(self, vpc_id: str) -> frozenset[str]:
        return frozenset(self.subnets[s].az_id for s in self.workload_subnets.get(vpc_id, ()) if s in self.subnets)

    def endpoint_az_ids(self, ep: Endpoint) -> frozenset[str]:
        """AZs where the endpoint really has an ENI: ENIs are the capacity, SubnetIds only the intent."""
        return frozenset(self.enis[e].az_id for e in ep.eni_ids if e in self.enis and self.enis[e].az_id)

    def gateway_prefix_list(self, ep: Endpoint) -> PrefixList | None:
        for pl in self.prefix_lists.values():
            if pl.account_id == ep.account_id and pl.region == ep.region and pl.name == ep.service_name:
                return pl
        return None

    # --- DNS ---------------------------------------------------------------------------------------------

    def zones_of(self, vpc_id: str) -> tuple[HostedZone, ...]:
        """Private zones known to be associated with the VPC (complete only if `zones_listed(vpc_id)`)."""
        return tuple(self.dns.zones[z] for z in self.dns.zones_by_vpc.get(vpc_id, ()) if z in self.dns.zones)

    def zones_listed(self, vpc_id: str) -> bool:
        return vpc_id in self.dns.listed_vpcs

    def resolver_known(self, account_id: str, region: str) -> bool:
        return self.has(account_id, region, Api.LIST_RESOLVER_RULES, Api.LIST_RESOLVER_RULE_ASSOCIATIONS)

    def rule_associations_of(self, vpc_id: str) -> tuple[ResolverRuleAssociation, ...]:
        return tuple(a for _, a in sorted(self.dns.associations.items()) if a.vpc_id == vpc_id)

    @cached_property
    def inbound_endpoints_by_ip(self) -> Mapping[str, tuple[ResolverEndpoint, ...]]:
        """Resolver INBOUND endpoint IPs -> endpoints (private IPs repeat across VPCs, hence a tuple). Asked
        for every DNS server of every VPC: built once."""
        out: dict[str, list[ResolverEndpoint]] = {}
        for _, rep in sorted(self.dns.resolver_endpoints.items()):
            if rep.direction == "INBOUND":
                for ip in rep.ips or ():
                    out.setdefault(ip, []).append(rep)
        return {ip: tuple(eps) for ip, eps in out.items()}
