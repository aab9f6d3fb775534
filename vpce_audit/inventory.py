"""Inventory: the normalised model of every scanned account and region, indexed for the checks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from vpce_audit.model import (
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

ServiceKey = tuple[str, str, str]  # (account_id, region, service name)


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
    # Derived indexes, computed once by the normaliser.
    subnets_by_vpc: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    effective_route_table: Mapping[str, str] = field(default_factory=dict)  # subnet -> route table
    workload_subnets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # vpc -> subnets
    workload_assumed: frozenset[str] = frozenset()  # VPCs with no workload ENI: every subnet counts
    egress: Mapping[str, Egress] = field(default_factory=dict)  # subnet -> posture
    endpoint_enis: frozenset[str] = frozenset()

    def has(self, account_id: str, region: str, *apis: str) -> bool:
        return all((account_id, region, api) in self.collected for api in apis)

    def endpoints_of(self, *types: EndpointType) -> Iterator[Endpoint]:
        """Live endpoints of the given types, in id order. Deleted and deleting ones are gone for our purposes."""
        for ep_id in sorted(self.endpoints):
            ep = self.endpoints[ep_id]
            if ep.type in types and ep.state not in ("deleted", "deleting"):
                yield ep

    def service_of(self, ep: Endpoint) -> Service | None:
        return self.services.get((ep.account_id, ep.region, ep.service_name))

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
