"""Snapshot -> Inventory. Parsers (ec2, dns) read raw AWS items defensively: a missing field is unknown,
never healthy; derive decides the policy every verdict shares once the resources are known."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from vpce_audit.model.inventory import Inventory, ServiceKey
from vpce_audit.model.lattice import EndpointAssociation
from vpce_audit.model.resources import (
    DhcpOptions,
    Egress,
    Endpoint,
    NetworkInterface,
    PrefixList,
    RouteTable,
    SecurityGroup,
    Service,
    Subnet,
    Vpc,
)
from vpce_audit.normalize import derive, ec2, egress
from vpce_audit.normalize.dns import normalize_dns
from vpce_audit.normalize.firewall import normalize_firewall
from vpce_audit.normalize.lattice import normalize_lattice
from vpce_audit.normalize.nat import nat_gateways
from vpce_audit.normalize.network import normalize_network
from vpce_audit.normalize.profiles import merge_profiles, normalize_profiles
from vpce_audit.normalize.provider import provider
from vpce_audit.snapshot import Snapshot


def normalize(snapshot: Snapshot) -> Inventory:
    vpcs: dict[str, Vpc] = {}
    subnets: dict[str, Subnet] = {}
    enis: dict[str, NetworkInterface] = {}
    route_tables: dict[str, RouteTable] = {}
    endpoints: dict[str, Endpoint] = {}
    services: dict[ServiceKey, Service] = {}
    prefix_lists: dict[str, PrefixList] = {}
    groups: dict[str, SecurityGroup] = {}
    dhcp: dict[str, DhcpOptions] = {}
    collected: set[tuple[str, str, str]] = set()
    az_maps: dict[tuple[str, str], dict[str, str]] = {}
    lattice: dict[str, list[EndpointAssociation]] = {}
    bpa: dict[tuple[str, str], tuple[str | None, dict[str, str] | None]] = {}  # (account, region) -> mode, exclusions

    # A fixed order, whatever order the threads finished in (or a saved file lists them in): an id seen in two
    # parts resolves the same way, for the network and the DNS parts alike.
    parts = sorted(snapshot.parts, key=lambda p: (p.account_id, p.region))
    for part in parts:
        collected.update((part.account_id, part.region, api) for api in part.apis)
        az_ids = ec2.az_name_map(part)
        az_maps[(part.account_id, part.region)] = az_ids
        subnets.update(ec2.subnets(part, az_ids))
        vpcs.update(ec2.vpcs(part))
        enis.update(ec2.enis(part, subnets, az_ids))
        route_tables.update(ec2.route_tables(part))
        endpoints.update(ec2.endpoints(part))
        services.update(ec2.services(part, az_ids))
        prefix_lists.update(ec2.prefix_lists(part))
        groups.update(ec2.security_groups(part))
        dhcp.update(ec2.dhcp_options(part))
        lattice.update(ec2.associations(part))
        bpa[(part.account_id, part.region)] = (egress.region_mode(part), egress.exclusions(part))

    subnets_by_vpc: dict[str, list[str]] = defaultdict(list)
    for subnet in sorted(subnets.values(), key=lambda s: s.id):
        subnets_by_vpc[subnet.vpc_id].append(subnet.id)
    endpoint_enis = frozenset(e for ep in endpoints.values() for e in ep.eni_ids)
    effective = derive.effective_route_tables(subnets, route_tables)
    workload, assumed = derive.workload_subnets(vpcs, subnets_by_vpc, enis, endpoint_enis)
    return Inventory(
        vpcs=vpcs,
        subnets=subnets,
        enis=enis,
        route_tables=route_tables,
        endpoints=endpoints,
        services=services,
        prefix_lists=prefix_lists,
        security_groups=groups,
        dhcp_options=dhcp,
        collected=frozenset(collected),
        scanned=frozenset((p.account_id, p.region) for p in snapshot.parts),
        subnets_by_vpc={k: tuple(v) for k, v in subnets_by_vpc.items()},
        effective_route_table=effective,
        workload_subnets=workload,
        workload_assumed=assumed,
        egress={s: _egress(subnets[s], route_tables[rt], bpa) for s, rt in effective.items()},
        endpoint_enis=endpoint_enis,
        dns=merge_profiles(  # firewall and Route 53 Profiles: issue 14
            replace(normalize_dns(parts), firewall=normalize_firewall(parts)), normalize_profiles(parts)
        ),
        network=normalize_network(parts),
        provider=provider(parts, subnets, az_maps),
        associations={ep: tuple(sorted(found, key=lambda a: a.id)) for ep, found in lattice.items()},
        lattice=normalize_lattice(parts),  # resource endpoints' gateways (issue 15)
        nat_gateways=nat_gateways(parts, subnets),  # egress posture (issue 15)
    )


def _egress(
    subnet: Subnet, table: RouteTable, bpa: dict[tuple[str, str], tuple[str | None, dict[str, str] | None]]
) -> Egress:
    """The route table's posture, less what VPC Block Public Access blocks (normalize/egress.py). BPA not
    collected: judged from routes alone, as before BPA existed."""
    mode, excluded = bpa.get((subnet.account_id, subnet.region), (None, None))
    return egress.apply(derive.egress(table), egress.subnet_mode(subnet, mode, excluded))
