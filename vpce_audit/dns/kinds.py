"""The DNS engine's vocabulary: what a resolution ends in, how an endpoint's clients reach it, and the kinds of
servers, candidates and record targets the engine tells apart.

String-valued enums: the values are the words the JSON report has always used, so a report does not change,
and code compares members, so renaming one is a type error rather than a silent mismatch.
"""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """How the resolution of one name in one VPC ends."""

    RECORDS = "records"  # a customer zone answered with these records
    PRIVATE_DNS = "private-dns"  # an endpoint's managed private DNS zone answered
    FORWARDED = "forwarded"  # a Resolver rule sends the name to other servers
    PUBLIC = "public"  # no zone or rule matches: public DNS answers
    NXDOMAIN = "nxdomain"  # a matching zone has no such name
    NODATA = "nodata"  # the name exists in the zone but has no address record
    DNS_OFF = "dns-off"  # enableDnsSupport is false: the VPC resolver does not answer
    UNKNOWN = "unknown"  # the data to decide was not collected; the reason names the API
    BLOCKED = "blocked"  # DNS Firewall blocks a name of the chain (issue 14)


NO_ANSWER = frozenset({Outcome.NXDOMAIN, Outcome.NODATA})


class Mode(StrEnum):
    """How clients of one VPC reach an interface endpoint (dns/path.py explains each)."""

    PRIVATE_DNS = "private-dns"
    ALIAS_REGIONAL = "phz-alias-regional"
    ALIAS_ZONAL = "phz-alias-zonal"
    STATIC_IPS = "phz-static-ips"
    NAMES_ONLY = "endpoint-names-only"
    FORWARDED = "forwarded"
    BROKEN = "broken"
    UNKNOWN = "unknown"


# When a VPC's names disagree, the verdict is the worst of them: a false "healthy" is the costliest mistake.
WORST_FIRST = (
    Mode.BROKEN,
    Mode.UNKNOWN,
    Mode.FORWARDED,
    Mode.NAMES_ONLY,
    Mode.STATIC_IPS,
    Mode.ALIAS_ZONAL,
    Mode.ALIAS_REGIONAL,
    Mode.PRIVATE_DNS,
)
# Modes in which a zone-reached VPC's clients really use this endpoint.
REACHING_MODES = frozenset({Mode.ALIAS_REGIONAL, Mode.ALIAS_ZONAL, Mode.STATIC_IPS})


class Via(StrEnum):
    """Why a VPC is on an endpoint's DNS path."""

    ENDPOINT_VPC = "endpoint-vpc"  # it is the endpoint's own VPC
    ZONE = "zone"  # a private hosted zone associated with it has records leading to the endpoint
    FORWARDING = "forwarding"  # a Resolver rule forwards the names to the endpoint's side (issue 14)


class ServerKind(StrEnum):
    """What a DNS server of a DHCP option set is, seen from the VPC that uses it."""

    VPC = "vpc"  # the VPC's own resolver (AmazonProvidedDNS, base+2, its own Resolver inbound endpoints)
    INBOUND = "inbound"  # another VPC's Resolver inbound endpoint: that VPC's resolver answers
    CUSTOM = "custom"  # anything else: it answers from data no AWS API shows


class CandidateKind(StrEnum):
    """What may answer a name in a VPC: Resolver's rules of precedence tell them apart."""

    RULE = "rule"  # a FORWARD or DELEGATE rule
    SYSTEM = "system"  # a SYSTEM (or RECURSIVE) rule: back to the zones and public DNS
    ZONE = "zone"  # a private hosted zone associated with the VPC
    PRIVATE_DNS = "private-dns"  # the managed private DNS zone of an interface endpoint in the VPC


class TargetKind(StrEnum):
    """Where a record of a private hosted zone sends clients."""

    ENDPOINT = "endpoint"  # an interface endpoint's DNS name
    DANGLING = "dangling"  # an endpoint name no endpoint has
    IPS = "ips"  # literal addresses (A/AAAA)
    OTHER = "other"  # a name that is not an endpoint's, or a record type that holds no address
    UNAUDITED = "unaudited"  # an endpoint name in an account or region outside the scan
    UNCOLLECTED = "uncollected"  # inside the scan, but the endpoint list that would decide it failed
