"""VPC Lattice shapes (issue 15): associations of resource and service-network endpoints, as
DescribeVpcEndpointAssociations gives them, and the resource configurations and gateways behind resource endpoints."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class EndpointAssociation:
    id: str
    endpoint_id: str
    resource_arn: str  # AssociatedResourceArn: the resource configuration, service or service network
    accessibility: str  # AssociatedResourceAccessibility, as AWS words it ("" when absent)
    dns_name: str  # DnsEntry.DnsName, lower-cased, no trailing dot
    private_dns_name: str  # PrivateDnsEntry.DnsName
    failure: str  # FailureCode: FailureReason

    def to_dict(self) -> dict[str, str]:
        return {
            "id": self.id,
            "resource_arn": self.resource_arn,
            "accessibility": self.accessibility,
            "dns_name": self.dns_name,
            "private_dns_name": self.private_dns_name,
            "failure": self.failure,
        }


# --- resource endpoints' gateways (ListResourceConfigurations, ListResourceGateways) ---------------------------


@dataclass(frozen=True, slots=True)
class ResourceConfiguration:
    """A resource configuration as ListResourceConfigurations lists it (owned by or shared with the account)."""

    arn: str
    id: str
    account_id: str  # the owner, from the ARN (a shared configuration is listed by its consumers too)
    region: str
    gateway_id: str  # resourceGatewayId ("" when absent: a CHILD may name only its group)
    group_id: str  # resourceConfigurationGroupId: a CHILD's GROUP, whose gateway it uses
    type: str  # SINGLE, GROUP, CHILD, ARN, as AWS words it


@dataclass(frozen=True, slots=True)
class ResourceGateway:
    """A resource gateway as ListResourceGateways lists it: its subnets give its AZs."""

    id: str
    arn: str
    account_id: str
    region: str
    vpc_id: str
    subnet_ids: tuple[str, ...]
    status: str


@dataclass(frozen=True, slots=True)
class LatticeInventory:
    """Resource configurations by ARN and resource gateways by id, from every scanned part that listed them.
    Only what was listed is here: absence is unknown, never "no gateway" (see verdicts/resource_gateway.py)."""

    configurations: dict[str, ResourceConfiguration] = field(default_factory=dict)
    gateways: dict[str, ResourceGateway] = field(default_factory=dict)

    def configuration_by_id(self, config_id: str) -> ResourceConfiguration | None:
        return next((c for c in self.configurations.values() if c.id == config_id), None)
