"""The provider side of PrivateLink (issue 15): endpoint services a scanned account owns, the connections
consumers made to them, and the Network Load Balancers behind them, in AWS's words. Absent data is None or
missing from a mapping, never an empty fact."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ServiceConfiguration:
    id: str  # vpce-svc-...
    name: str  # the ServiceName consumers' endpoints name
    account_id: str
    region: str
    state: str  # ServiceState, lower-cased: available | pending | deleting | deleted | failed | ...
    az_names: tuple[str, ...]
    az_ids: frozenset[str]  # AvailabilityZoneIds, else the names mapped through the account's AZ map
    acceptance_required: bool | None
    nlb_arns: tuple[str, ...]
    private_dns_name: str
    private_dns_state: str  # PrivateDnsNameConfiguration.State, lower-cased; "" when AWS gave none


@dataclass(frozen=True, slots=True)
class EndpointConnection:
    service_id: str
    endpoint_id: str
    endpoint_owner: str
    state: str  # VpcEndpointState, lower-cased: pendingacceptance | available | rejected | ...
    endpoint_region: str = ""  # VpcEndpointRegion: the consumer's region (cross-region consumers)


@dataclass(frozen=True, slots=True)
class LoadBalancerZone:
    az_id: str  # "" when neither the subnet nor the zone name could be mapped
    az_name: str
    subnet_id: str


@dataclass(frozen=True, slots=True)
class LoadBalancer:
    arn: str
    name: str
    type: str  # network | gateway | application, as DescribeLoadBalancers says (never from the ARN)
    account_id: str
    region: str
    vpc_id: str
    state: str
    zones: tuple[LoadBalancerZone, ...]
    cross_zone: bool | None  # load_balancing.cross_zone.enabled; None when the attributes were not read


@dataclass(frozen=True, slots=True)
class TargetHealth:
    target_id: str
    az: str  # Target.AvailabilityZone: a zone name, "all", or "" when AWS did not say
    state: str  # healthy | unhealthy | initial | draining | unused | unavailable | ...


@dataclass(frozen=True, slots=True)
class TargetGroup:
    arn: str
    name: str
    lb_arns: tuple[str, ...]
    target_type: str
    # load_balancing.cross_zone.enabled: true | false | use_load_balancer_configuration; None: not read
    cross_zone: str | None
    targets: tuple[TargetHealth, ...] | None  # None: DescribeTargetHealth did not answer for this group


@dataclass(frozen=True)
class ProviderInventory:
    services: Mapping[str, ServiceConfiguration] = field(default_factory=dict)  # service id -> configuration
    connections: tuple[EndpointConnection, ...] = ()
    load_balancers: Mapping[str, LoadBalancer] = field(default_factory=dict)  # ARN -> load balancer
    target_groups: Mapping[str, TargetGroup] = field(default_factory=dict)  # ARN -> target group
    # (account, region) -> AZ name -> AZ ID, for zone names the provider's APIs give without an id
    az_ids: Mapping[tuple[str, str], Mapping[str, str]] = field(default_factory=dict)
