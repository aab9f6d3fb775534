"""Every API name a snapshot part can hold: the keys the collectors record and the normaliser and checks read.

A name is `service:Operation` (botocore's service name, the operation as AWS spells it), which for the services
vpce-audit calls is also the IAM action. The members are plain strings (a StrEnum), so a snapshot written with
them is byte-identical to one written with literals, and a snapshot read back from JSON, whose keys are plain
strings, answers the same lookups. Functions that take an API name are typed with `Api`, so a misspelt literal
is a type error instead of a lookup that never matches (which would make a check silently quiet).

Synthetic entries are not AWS actions: the collectors derive them from other responses (see SYNTHETIC).
Planning calls (sts:GetCallerIdentity, sts:AssumeRole, organizations:ListAccounts, ec2:DescribeRegions) decide
what to scan and are never stored in a part, so they are not here.
"""

from __future__ import annotations

from enum import StrEnum


class Api(StrEnum):
    # EC2, per account and region
    DESCRIBE_AVAILABILITY_ZONES = "ec2:DescribeAvailabilityZones"
    DESCRIBE_VPCS = "ec2:DescribeVpcs"
    DESCRIBE_VPC_ATTRIBUTE = "ec2:DescribeVpcAttribute"
    DESCRIBE_SUBNETS = "ec2:DescribeSubnets"
    DESCRIBE_ROUTE_TABLES = "ec2:DescribeRouteTables"
    DESCRIBE_VPC_ENDPOINTS = "ec2:DescribeVpcEndpoints"
    DESCRIBE_NETWORK_INTERFACES = "ec2:DescribeNetworkInterfaces"
    DESCRIBE_VPC_ENDPOINT_SERVICES = "ec2:DescribeVpcEndpointServices"
    DESCRIBE_SECURITY_GROUPS = "ec2:DescribeSecurityGroups"
    DESCRIBE_MANAGED_PREFIX_LISTS = "ec2:DescribeManagedPrefixLists"
    GET_MANAGED_PREFIX_LIST_ENTRIES = "ec2:GetManagedPrefixListEntries"
    DESCRIBE_DHCP_OPTIONS = "ec2:DescribeDhcpOptions"
    # Packet path (issue 13): network ACLs, peering, transit gateways; route-table calls once per TGW route table
    DESCRIBE_NETWORK_ACLS = "ec2:DescribeNetworkAcls"
    DESCRIBE_VPC_PEERING_CONNECTIONS = "ec2:DescribeVpcPeeringConnections"
    DESCRIBE_TRANSIT_GATEWAY_ATTACHMENTS = "ec2:DescribeTransitGatewayAttachments"
    DESCRIBE_TRANSIT_GATEWAY_VPC_ATTACHMENTS = "ec2:DescribeTransitGatewayVpcAttachments"
    DESCRIBE_TRANSIT_GATEWAY_ROUTE_TABLES = "ec2:DescribeTransitGatewayRouteTables"
    GET_TRANSIT_GATEWAY_ROUTE_TABLE_ASSOCIATIONS = "ec2:GetTransitGatewayRouteTableAssociations"
    GET_TRANSIT_GATEWAY_ROUTE_TABLE_PROPAGATIONS = "ec2:GetTransitGatewayRouteTablePropagations"
    SEARCH_TRANSIT_GATEWAY_ROUTES = "ec2:SearchTransitGatewayRoutes"
    # Route 53 Resolver, per account and region
    LIST_RESOLVER_RULES = "route53resolver:ListResolverRules"
    LIST_RESOLVER_RULE_ASSOCIATIONS = "route53resolver:ListResolverRuleAssociations"
    LIST_RESOLVER_ENDPOINTS = "route53resolver:ListResolverEndpoints"
    LIST_RESOLVER_ENDPOINT_IP_ADDRESSES = "route53resolver:ListResolverEndpointIpAddresses"
    # Route 53, per account (the `global` part)
    LIST_HOSTED_ZONES_BY_VPC = "route53:ListHostedZonesByVPC"
    GET_HOSTED_ZONE = "route53:GetHostedZone"
    LIST_RESOURCE_RECORD_SETS = "route53:ListResourceRecordSets"
    # Zones found in the listings whose records were not read (another account's or an AWS service's), with
    # the reason: derived from ListHostedZonesByVPC, not an API of its own.
    SKIPPED_ZONES = "route53:SkippedZones"
    # DNS sources (issue 14): Route 53 Resolver DNS Firewall, per account and region. ListFirewallRules is
    # asked per rule group and ListFirewallDomains per customer domain list; both are stored wrapped with the id.
    LIST_FIREWALL_RULE_GROUP_ASSOCIATIONS = "route53resolver:ListFirewallRuleGroupAssociations"
    LIST_FIREWALL_RULES = "route53resolver:ListFirewallRules"
    LIST_FIREWALL_DOMAIN_LISTS = "route53resolver:ListFirewallDomainLists"
    LIST_FIREWALL_DOMAINS = "route53resolver:ListFirewallDomains"
    # Provider side of PrivateLink (issue 15): endpoint services the scanned account owns and the Network Load
    # Balancers behind them, per account and region; nothing is called when the account owns no service.
    DESCRIBE_VPC_ENDPOINT_SERVICE_CONFIGURATIONS = "ec2:DescribeVpcEndpointServiceConfigurations"
    DESCRIBE_VPC_ENDPOINT_CONNECTIONS = "ec2:DescribeVpcEndpointConnections"
    DESCRIBE_LOAD_BALANCERS = "elbv2:DescribeLoadBalancers"
    DESCRIBE_LOAD_BALANCER_ATTRIBUTES = "elbv2:DescribeLoadBalancerAttributes"
    DESCRIBE_TARGET_GROUPS = "elbv2:DescribeTargetGroups"
    DESCRIBE_TARGET_GROUP_ATTRIBUTES = "elbv2:DescribeTargetGroupAttributes"
    DESCRIBE_TARGET_HEALTH = "elbv2:DescribeTargetHealth"
    # Resource and service-network endpoints (VPC Lattice, issue 15): what each is associated with.
    DESCRIBE_VPC_ENDPOINT_ASSOCIATIONS = "ec2:DescribeVpcEndpointAssociations"
    # Egress posture (issue 15): VPC Block Public Access removes the internet fallback of a DNS or route gap.
    DESCRIBE_VPC_BLOCK_PUBLIC_ACCESS_OPTIONS = "ec2:DescribeVpcBlockPublicAccessOptions"
    DESCRIBE_VPC_BLOCK_PUBLIC_ACCESS_EXCLUSIONS = "ec2:DescribeVpcBlockPublicAccessExclusions"
    # Route 53 Profiles (issue 14), per account and region: every Profile association of the region (filtered by
    # VPC when judged), then ListProfileResourceAssociations once per associated Profile, stored wrapped with its id.
    LIST_PROFILE_ASSOCIATIONS = "route53profiles:ListProfileAssociations"
    LIST_PROFILE_RESOURCE_ASSOCIATIONS = "route53profiles:ListProfileResourceAssociations"

    # Resource endpoints' gateways (issue 15): the resource configurations an account owns or is shared (each
    # names its resource gateway) and the gateways it owns (their subnets): listed per region, only when the
    # region holds a Resource endpoint.
    LIST_RESOURCE_CONFIGURATIONS = "vpc-lattice:ListResourceConfigurations"
    LIST_RESOURCE_GATEWAYS = "vpc-lattice:ListResourceGateways"
    # Egress posture (issue 15): the NAT gateways the region's route tables name, zonal (one AZ) or regional.
    DESCRIBE_NAT_GATEWAYS = "ec2:DescribeNatGateways"
    # Account-wide zone listing (issue 14): the private zones an account owns, in the `global` part; finds a
    # hub's zone associated only with other accounts' VPCs.
    LIST_HOSTED_ZONES = "route53:ListHostedZones"

    @property
    def service(self) -> str:
        """botocore's service name: `ec2`, `route53`, `route53resolver`, `route53profiles`, `elbv2`, `vpc-lattice`."""
        return self.value.split(":", 1)[0]

    @property
    def operation(self) -> str:
        """The operation as AWS spells it: `DescribeVpcs`."""
        return self.value.split(":", 1)[1]

    @property
    def synthetic(self) -> bool:
        """True for entries the collectors derive; they are no IAM action and need no permission."""
        return self in SYNTHETIC


SYNTHETIC: frozenset[Api] = frozenset({Api.SKIPPED_ZONES})
