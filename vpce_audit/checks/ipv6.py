"""Address families (issue 15): which workload subnets get a DNS answer they can use from an interface endpoint,
given the endpoint's IpAddressType and DnsOptions.DnsRecordIpType and the subnets' own families.

A subnet's clients are IPv4-only (an IPv4 CIDR, no IPv6), dual-stack (both) or IPv6-only (Ipv6Native). An
IPv6-only client can still use an IPv4-only answer through DNS64 (EnableDns64 on the subnet) and a NAT64 route
(64:ff9b::/96 to a NAT gateway): degraded (the NAT gateway's AZ and cost), not broken."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from vpce_audit.apis import Api
from vpce_audit.checks.inputs import ENDPOINTS, WORKLOADS
from vpce_audit.checks.registry import Category, ResourceType, about, check
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Endpoint, EndpointType, Subnet
from vpce_audit.verdicts.path_family import RECORDS, Family, family

NAT64 = ipaddress.ip_network("64:ff9b::/96")
INPUTS = (*ENDPOINTS, *WORKLOADS, Api.DESCRIBE_ROUTE_TABLES)


def nat64_path(inv: Inventory, subnet: Subnet) -> bool:
    """DNS64 on and an active 64:ff9b::/96 route to a NAT gateway in the subnet's effective route table."""
    if subnet.dns64 is not True:
        return False
    table = inv.route_tables.get(inv.effective_route_table.get(subnet.id, ""))
    if table is None:
        return False
    for route in table.routes:
        if route.ipv6_cidr and route.state == "active" and route.target.startswith("nat-"):
            try:
                if ipaddress.ip_network(route.ipv6_cidr, strict=False) == NAT64:
                    return True
            except ValueError:
                continue
    return False


def _workload_subnets(inv: Inventory, ep: Endpoint) -> list[Subnet]:
    return [inv.subnets[s] for s in inv.workload_subnets.get(ep.vpc_id, ()) if s in inv.subnets]


def _judged(inv: Inventory) -> Iterator[Endpoint]:
    for ep in inv.endpoints_of(EndpointType.INTERFACE):
        if ep.available and inv.has(ep.account_id, ep.region, *INPUTS):
            yield ep


@check(
    "ipv6-only-clients-ipv4-endpoint",
    title="IPv6-only workload subnets with an IPv4-only endpoint",
    summary="Fires for an available interface endpoint with IpAddressType ipv4 in a VPC with IPv6-only workload "
    "subnets (Ipv6Native) when no available dual-stack or IPv6 endpoint of the same service in the VPC serves them. "
    "A subnet with DNS64 on and an active 64:ff9b::/96 route to a NAT gateway still reaches the endpoint through "
    "NAT64. An endpoint whose IpAddressType AWS did not report is not judged.",
    risk="The endpoint's DNS names answer with IPv4 addresses only: an IPv6-only client gets nothing it can connect "
    "to, unless DNS64 synthesises an IPv6 address and a NAT gateway translates it, which adds the NAT gateway's AZ "
    "dependency and cost to every call.",
    severity=Severity.HIGH,
    severity_rule="High when some IPv6-only subnet has no DNS64 plus NAT64 path (its clients cannot reach the "
    "service); medium when every such subnet reaches it through NAT64.",
    remediation="Make the endpoint dual-stack (IpAddressType dualstack, DnsRecordIpType dualstack), or turn on DNS64 "
    "and route 64:ff9b::/96 to a NAT gateway in those subnets.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html",
        "https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-nat64-dns64.html",
    ),
    category=Category.DNS,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=INPUTS,
)
def ipv6_only_clients_ipv4_endpoint(inv: Inventory) -> Iterator[Finding]:
    for ep in _judged(inv):
        if ep.ip_address_type != "ipv4":
            continue
        if any(
            other.service_name == ep.service_name and other.available and other.ip_address_type in ("dualstack", "ipv6")
            for other in inv.endpoints_in(ep.vpc_id, EndpointType.INTERFACE)
        ):
            continue  # an IPv6-capable endpoint of the service serves them
        v6_only = [s for s in _workload_subnets(inv, ep) if family(s) is Family.IPV6]
        if not v6_only:
            continue
        through_nat = sorted(s.id for s in v6_only if nat64_path(inv, s))
        stranded = sorted(s.id for s in v6_only if s.id not in through_nat)
        effect = (
            f"{', '.join(stranded)} get no usable answer"
            if stranded
            else f"{', '.join(through_nat)} reach it only through DNS64 and NAT64"
        )
        yield about(
            ep,
            f"{ep.service_name} is an IPv4-only endpoint and IPv6-only workload subnets {effect}",
            severity=Severity.HIGH if stranded else Severity.MEDIUM,
            related_ids=tuple(stranded + through_nat),
            evidence={
                "ip_address_type": ep.ip_address_type,
                "dns_record_ip_type": ep.dns_record_ip_type,
                "ipv6_only_subnets_without_path": stranded,
                "ipv6_only_subnets_through_nat64": through_nat,
            },
        )


@check(
    "ipv6-record-type",
    title="DNS record type leaves some clients without a usable answer",
    summary="Fires for an available dual-stack or IPv6 interface endpoint whose DnsRecordIpType publishes records "
    "some workload subnets of its VPC cannot use: AAAA only (ipv6) for IPv4-only subnets, A only for IPv6-only "
    "subnets (ipv4; and service-defined, which publishes no AAAA on the service's private DNS name, when private "
    "DNS is on). Dual-stack subnets use either. A record type this version does not know is not judged.",
    risk="Clients resolve the service's name and get only addresses of a family they do not have: the connection "
    "fails, or goes through DNS64 and NAT64 (a NAT gateway's AZ and cost) where that path exists.",
    severity=Severity.HIGH,
    severity_rule="High when some subnet's clients get no usable answer; medium when the only IPv6-only clients "
    "affected reach the endpoint through DNS64 and NAT64.",
    remediation="Set DnsRecordIpType to dualstack (ModifyVpcEndpoint DnsOptions) so A and AAAA records are published "
    "on every name.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html",
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DnsOptions.html",
    ),
    category=Category.DNS,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=INPUTS,
)
def ipv6_record_type(inv: Inventory) -> Iterator[Finding]:
    for ep in _judged(inv):
        if ep.ip_address_type not in ("dualstack", "ipv6") or ep.dns_record_ip_type not in RECORDS:
            continue
        private, own = RECORDS[ep.dns_record_ip_type]
        records = private if ep.private_dns_enabled else own
        stranded: list[str] = []
        through_nat: list[str] = []
        for subnet in _workload_subnets(inv, ep):
            kind = family(subnet)
            if kind is Family.IPV4 and "A" not in records:
                stranded.append(subnet.id)
            elif kind is Family.IPV6 and "AAAA" not in records:
                (through_nat if nat64_path(inv, subnet) else stranded).append(subnet.id)
        if not stranded and not through_nat:
            continue
        which = "the service's private DNS name" if ep.private_dns_enabled else "the endpoint's DNS names"
        yield about(
            ep,
            f"{ep.service_name}: DnsRecordIpType {ep.dns_record_ip_type} publishes only {'/'.join(sorted(records))} "
            f"on {which}; workload subnets {', '.join(sorted(stranded + through_nat))} cannot use it"
            + (" (some only through NAT64)" if through_nat else ""),
            severity=Severity.HIGH if stranded else Severity.MEDIUM,
            related_ids=tuple(sorted(stranded + through_nat)),
            evidence={
                "ip_address_type": ep.ip_address_type,
                "dns_record_ip_type": ep.dns_record_ip_type,
                "records": sorted(records),
                "names": which,
                "subnets_without_usable_answer": sorted(stranded),
                "ipv6_only_subnets_through_nat64": sorted(through_nat),
            },
        )
