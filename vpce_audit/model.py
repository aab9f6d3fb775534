"""The typed model: what things are, in AWS's words, keyed the way AWS keys them.

AZ comparisons always use AZ IDs (use1-az1): names (us-east-1a) map to different physical zones per account.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EndpointType(StrEnum):
    INTERFACE = "interface"
    GATEWAY = "gateway"
    GATEWAY_LOAD_BALANCER = "gatewayloadbalancer"
    RESOURCE = "resource"
    SERVICE_NETWORK = "servicenetwork"
    UNKNOWN = "unknown"


class Egress(StrEnum):
    """How a subnet reaches the internet, from its effective route table's default route."""

    ISOLATED = "isolated"
    NAT = "nat"
    TGW = "tgw"
    PUBLIC = "public"


@dataclass(frozen=True, slots=True)
class Vpc:
    id: str
    account_id: str
    region: str
    cidrs: tuple[str, ...]
    ipv6_cidrs: tuple[str, ...]
    dhcp_options_id: str
    is_default: bool
    dns_support: bool | None  # None: the attribute could not be read
    dns_hostnames: bool | None
    name: str = ""


@dataclass(frozen=True, slots=True)
class Subnet:
    id: str
    vpc_id: str
    account_id: str
    region: str
    az_id: str
    az_name: str
    cidr: str
    ipv6_cidrs: tuple[str, ...] = ()
    name: str = ""


@dataclass(frozen=True, slots=True)
class NetworkInterface:
    id: str
    vpc_id: str
    subnet_id: str
    az_id: str
    interface_type: str
    status: str
    private_ips: tuple[str, ...]
    group_ids: tuple[str, ...]
    description: str = ""
    requester_managed: bool = False


@dataclass(frozen=True, slots=True)
class Route:
    target: str  # the id traffic goes to: igw-, nat-, tgw-, vpce-, pcx-, eni-, local ...
    state: str  # active | blackhole | filtered
    cidr: str | None = None
    ipv6_cidr: str | None = None
    prefix_list_id: str | None = None

    @property
    def destination(self) -> str:
        return self.cidr or self.ipv6_cidr or self.prefix_list_id or ""


@dataclass(frozen=True, slots=True)
class RouteTable:
    id: str
    vpc_id: str
    account_id: str
    region: str
    is_main: bool
    subnet_ids: tuple[str, ...]  # explicit associations only, as AWS reports them
    routes: tuple[Route, ...]


@dataclass(frozen=True, slots=True)
class DnsEntry:
    name: str
    hosted_zone_id: str


@dataclass(frozen=True, slots=True)
class Endpoint:
    id: str
    vpc_id: str
    account_id: str
    region: str
    type: EndpointType
    type_raw: str
    service_name: str
    state: str  # lower-cased: AWS documents TitleCase but returns camelCase
    subnet_ids: tuple[str, ...]
    eni_ids: tuple[str, ...]
    route_table_ids: tuple[str, ...]
    group_ids: tuple[str, ...]
    private_dns_enabled: bool
    dns_entries: tuple[DnsEntry, ...]
    owner_id: str = ""
    name: str = ""
    failure: str = ""  # LastError / FailureReason, as AWS words it


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    account_id: str
    region: str
    az_ids: frozenset[str]
    private_dns_names: tuple[str, ...]
    owner: str
    types: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PrefixList:
    id: str
    name: str  # equals the gateway service name, e.g. com.amazonaws.us-east-1.s3
    account_id: str
    region: str
    cidrs: tuple[str, ...] | None  # None: entries not collected


@dataclass(frozen=True, slots=True)
class SecurityGroupRule:
    protocol: str  # "-1" for all
    from_port: int | None
    to_port: int | None
    cidrs: tuple[str, ...] = ()
    ipv6_cidrs: tuple[str, ...] = ()
    group_ids: tuple[str, ...] = ()
    prefix_list_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SecurityGroup:
    id: str
    vpc_id: str
    name: str
    ingress: tuple[SecurityGroupRule, ...]
    egress: tuple[SecurityGroupRule, ...]


@dataclass(frozen=True, slots=True)
class DhcpOptions:
    id: str
    dns_servers: tuple[str, ...]  # ("AmazonProvidedDNS",) for the default set


# --- DNS: Route 53 private hosted zones and Route 53 Resolver ----------------------------------------------
# Names are stored as DNS compares them: lower case, no trailing dot, Route 53's `\052` escape decoded to `*`.


@dataclass(frozen=True, slots=True)
class RecordSet:
    zone_id: str
    name: str
    type: str  # A | AAAA | CNAME | ...
    values: tuple[str, ...] = ()  # ResourceRecords; for a CNAME the target name, normalised
    alias_target: str = ""  # AliasTarget.DNSName, normalised; "" when not an alias
    alias_zone_id: str = ""
    set_identifier: str = ""  # weighted, latency, failover ... records share a name

    @property
    def is_alias(self) -> bool:
        return bool(self.alias_target)

    @property
    def target_name(self) -> str:
        """The name this record sends clients on to (alias or CNAME), "" for literal addresses."""
        if self.alias_target:
            return self.alias_target
        return self.values[0] if self.type == "CNAME" and self.values else ""


@dataclass(frozen=True, slots=True)
class HostedZone:
    """A private hosted zone, merged across every account of the scan that saw it."""

    id: str  # bare Z..., never /hostedzone/Z...
    name: str
    owner_account: str = ""  # Owner.OwningAccount; "" when owned by a service or not reported
    owner_service: str = ""  # Owner.OwningService, e.g. servicediscovery.amazonaws.com
    vpc_ids: tuple[str, ...] = ()  # associations known from GetHostedZone or ListHostedZonesByVPC
    records: tuple[RecordSet, ...] | None = None  # None: the records were not read (see skipped_reason)
    skipped_reason: str = ""  # why the records were not read, as the collector recorded it
    seen_by: tuple[str, ...] = ()  # scanned accounts that listed, described or skipped the zone

    @property
    def owner(self) -> str:
        return self.owner_account or self.owner_service

    @property
    def reporting_account(self) -> str:
        """The account a finding about the zone belongs to: its owner, or (owned by a service, or no owner
        reported) the first scanned account that found it."""
        return self.owner_account or (self.seen_by[0] if self.seen_by else "")


@dataclass(frozen=True, slots=True)
class ResolverRule:
    id: str
    account_id: str  # the account whose scan listed it (a shared rule is listed by its users too)
    region: str
    domain: str  # "" for the root rule "."
    rule_type: str  # FORWARD | SYSTEM | RECURSIVE | DELEGATE
    status: str  # COMPLETE | DELETING | UPDATING | FAILED
    target_ips: tuple[str, ...] = ()
    resolver_endpoint_id: str = ""
    owner_id: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class ResolverRuleAssociation:
    id: str
    rule_id: str
    vpc_id: str
    account_id: str
    region: str
    status: str  # CREATING | COMPLETE | DELETING | FAILED | OVERRIDDEN
    name: str = ""


@dataclass(frozen=True, slots=True)
class ResolverEndpoint:
    id: str
    account_id: str
    region: str
    direction: str  # INBOUND | OUTBOUND
    vpc_id: str
    status: str
    ips: tuple[str, ...] | None = None  # None: ListResolverEndpointIpAddresses not collected for it
    name: str = ""
