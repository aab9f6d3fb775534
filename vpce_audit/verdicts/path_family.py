"""Which address family a client subnet's calls to an interface endpoint use (issues 13 and 15): the packet path
is judged in that family alone, since AWS evaluates routes, NACL entries and security group ranges per family.

A subnet's clients are IPv4-only (an IPv4 CIDR, no IPv6), dual-stack (both) or IPv6-only (Ipv6Native). The
endpoint's IpAddressType gives its ENIs addresses of one family or both; its DnsRecordIpType says which records
its names publish (A, AAAA or both). The choice, the same the ipv6 checks make (checks/ipv6.py):

  IPv4 endpoint (or IpAddressType not reported)   IPv4 for every client with an IPv4 CIDR, as before issue 15
  IPv6-only client, AAAA published                IPv6
  dual-stack client, A published                  IPv4: resolvers and clients that get both prefer neither
                                                  reliably, and the A path is the one every client can take
  dual-stack client, AAAA only                    IPv6
  IPv4-only client, A published                   IPv4
  a client the records give nothing it can use    not judged: ipv6-record-type or ipv6-only-clients-ipv4-endpoint
                                                  reports it (an IPv6-only client reaching an IPv4 answer through
                                                  DNS64 and NAT64 crosses a NAT gateway, not modelled here)
  IPv6-only client, DnsRecordIpType not reported  unknown: which records it gets cannot be told

The records a client resolves are those of the service's private name when private DNS is on, else the
endpoint's own names (service-defined publishes no AAAA on the private name). A spoke reaching the endpoint
through a private zone is judged the same way: the zone's own records are not read for their type, so a zone
holding only an A alias for an IPv6-only spoke is judged as if it held the AAAA alias too (a known limit).
"""

from __future__ import annotations

from enum import StrEnum

from vpce_audit.model.resources import Endpoint, Subnet


class Family(StrEnum):
    IPV4 = "ipv4-only"
    DUAL = "dual-stack"
    IPV6 = "ipv6-only"


def family(subnet: Subnet) -> Family | None:
    """None when the subnet's family cannot be told (no CIDR of either kind reported)."""
    if subnet.ipv6_native is True or (not subnet.cidr and subnet.ipv6_cidrs):
        return Family.IPV6
    if subnet.cidr and subnet.ipv6_cidrs:
        return Family.DUAL
    if subnet.cidr:
        return Family.IPV4
    return None


# Which record types each DnsRecordIpType publishes on the service's private (default) name and on the
# endpoint's own regional and zonal names. service-defined: no AAAA on the private name.
RECORDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "ipv4": (frozenset({"A"}), frozenset({"A"})),
    "ipv6": (frozenset({"AAAA"}), frozenset({"AAAA"})),
    "dualstack": (frozenset({"A", "AAAA"}), frozenset({"A", "AAAA"})),
    "service-defined": (frozenset({"A"}), frozenset({"A", "AAAA"})),
}

IPV6_TYPES = ("dualstack", "ipv6")

# What `path_family` answers besides "ipv4" and "ipv6".
SKIP = ""  # the client gets no usable answer: not judged (the ipv6 checks report it)
UNKNOWN = "unknown"


def records(ep: Endpoint) -> frozenset[str] | None:
    """The record types the endpoint's names give its clients; None when DnsRecordIpType is not known."""
    if ep.ip_address_type == "ipv6" and ep.dns_record_ip_type not in RECORDS:
        return frozenset({"AAAA"})  # an IPv6 endpoint publishes nothing else
    found = RECORDS.get(ep.dns_record_ip_type)
    if found is None:
        return None
    private, own = found
    return private if ep.private_dns_enabled else own


def path_family(ep: Endpoint, subnet: Subnet) -> str:
    """ "ipv4", "ipv6", SKIP or UNKNOWN for the calls from `subnet` to `ep` (see the module docstring)."""
    kind = family(subnet)
    if kind is None:
        return SKIP
    if ep.ip_address_type not in IPV6_TYPES:
        return "ipv4" if subnet.cidr else SKIP
    published = records(ep)
    if published is None:
        return UNKNOWN if kind is Family.IPV6 else "ipv4"
    if kind is Family.IPV6:
        return "ipv6" if "AAAA" in published else SKIP
    if "A" in published and subnet.cidr:
        return "ipv4"
    return "ipv6" if kind is Family.DUAL and "AAAA" in published else SKIP
