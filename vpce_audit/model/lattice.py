"""Associations of resource and service-network endpoints (VPC Lattice, issue 15), as
DescribeVpcEndpointAssociations gives them."""

from __future__ import annotations

from dataclasses import dataclass


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
