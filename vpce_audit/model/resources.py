"""The typed model: what things are, in AWS's words, keyed the way AWS keys them.

AZ comparisons always use AZ IDs (use1-az1): names (us-east-1a) map to different physical zones per account.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

AVAILABLE = "available"
# Endpoints in these states are gone for our purposes: they serve nobody and nothing should cover them.
GONE_STATES = frozenset({"deleted", "deleting"})


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
    # IPv6 (issue 15): Ipv6Native (an IPv6-only subnet) and EnableDns64 (the Resolver synthesises AAAA answers
    # in 64:ff9b::/96 for IPv4-only names); None when AWS did not say (older snapshots, older APIs)
    ipv6_native: bool | None = None
    dns64: bool | None = None
    # BlockPublicAccessStates.InternetGatewayBlockMode: the VPC BPA mode in force here, exclusions applied
    bpa_mode: str = ""


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
    ipv6_ips: tuple[str, ...] = ()  # Ipv6Addresses (a dual-stack or IPv6 endpoint's ENI): the IPv6 packet path


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
    # Endpoint shapes (issue 15): each as AWS reports it, "" when absent (older endpoints, older APIs).
    service_region: str = ""  # ServiceRegion: where the service is hosted; "" or the endpoint's region: local
    ip_address_type: str = ""  # IpAddressType: ipv4 | dualstack | ipv6
    dns_record_ip_type: str = ""  # DnsOptions.DnsRecordIpType: ipv4 | dualstack | ipv6 | service-defined
    # DnsOptions.PrivateDnsOnlyForInboundResolverEndpoint (S3): the private names answer only queries that
    # arrive through a Resolver inbound endpoint; the VPC's own clients take the gateway endpoint.
    inbound_resolver_only: bool = False
    resource_configuration_arn: str = ""  # Resource endpoints
    service_network_arn: str = ""  # ServiceNetwork endpoints

    @property
    def cross_region(self) -> bool:
        """The service is hosted in another region: its AZ IDs are that region's, never comparable with ours."""
        return bool(self.service_region) and self.service_region != self.region

    @property
    def available(self) -> bool:
        """Carries traffic: every other state (pending, failed, rejected ...) serves nobody."""
        return self.state == AVAILABLE

    @property
    def live(self) -> bool:
        """Not deleted or being deleted: still an endpoint to report on, whatever its state."""
        return self.state not in GONE_STATES


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
