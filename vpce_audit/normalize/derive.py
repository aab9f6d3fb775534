"""Domain policy the whole inventory shares, decided once from the parsed resources: which route table a
subnet really uses, which subnets hold workloads, and how each subnet reaches the internet."""

from __future__ import annotations

from collections import defaultdict

from vpce_audit.model.resources import Egress, NetworkInterface, RouteTable, Subnet, Vpc

# ENIs that are infrastructure, not workloads: they do not make a subnet a client of an endpoint.
NON_WORKLOAD_ENI_TYPES = frozenset(
    {
        "vpc_endpoint",
        "gateway_load_balancer_endpoint",
        "gateway_load_balancer",
        "nat_gateway",
        "natgateway",
        "transit_gateway",
        "network_load_balancer",
        "load_balancer",
    }
)
RESOLVER_ENI_DESCRIPTION = "Route 53 Resolver"


def effective_route_tables(subnets: dict[str, Subnet], tables: dict[str, RouteTable]) -> dict[str, str]:
    """A subnet uses its explicitly associated table, else its VPC's main table (AWS omits implicit ones)."""
    explicit = {s: t.id for t in tables.values() for s in t.subnet_ids}
    main = {t.vpc_id: t.id for t in sorted(tables.values(), key=lambda t: t.id) if t.is_main}
    out: dict[str, str] = {}
    for subnet in subnets.values():
        rt = explicit.get(subnet.id) or main.get(subnet.vpc_id)
        if rt:
            out[subnet.id] = rt
    return out


def workload_subnets(
    vpcs: dict[str, Vpc],
    subnets_by_vpc: dict[str, list[str]],
    enis: dict[str, NetworkInterface],
    endpoint_enis: frozenset[str],
) -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    busy: dict[str, set[str]] = defaultdict(set)
    for eni in enis.values():
        if eni.id not in endpoint_enis and not _infrastructure(eni):
            busy[eni.vpc_id].add(eni.subnet_id)
    workload: dict[str, tuple[str, ...]] = {}
    assumed: set[str] = set()
    for vpc_id in set(vpcs) | set(subnets_by_vpc):
        all_subnets = subnets_by_vpc.get(vpc_id, [])
        chosen = [s for s in all_subnets if s in busy.get(vpc_id, set())]
        if not chosen:
            # No workload ENI at all: judge against every subnet rather than against nothing.
            chosen = list(all_subnets)
            assumed.add(vpc_id)
        workload[vpc_id] = tuple(chosen)
    return workload, frozenset(assumed)


def _infrastructure(eni: NetworkInterface) -> bool:
    # Resolver endpoint ENIs are typed `interface` like an instance's; AWS names them in the description.
    return eni.interface_type in NON_WORKLOAD_ENI_TYPES or eni.description.startswith(RESOLVER_ENI_DESCRIPTION)


def egress(table: RouteTable) -> Egress:
    # IPv4 only: the S3/DynamoDB gateway paths and the endpoints' clients are judged for IPv4 traffic, and an
    # IPv6-only default route (IGW or egress-only) gives IPv4 clients no way out.
    route = next((r for r in table.routes if r.cidr == "0.0.0.0/0"), None)
    if route is None or route.state == "blackhole":
        return Egress.ISOLATED
    if route.target.startswith("igw-"):
        return Egress.PUBLIC
    if route.target.startswith(("tgw-", "pcx-", "vgw-", "lgw-", "arn:")):
        return Egress.TGW
    return Egress.NAT  # NAT gateway, NAT instance, appliance ENI or GWLB endpoint: egress via a middlebox
