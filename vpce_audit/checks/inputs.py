"""The collected inputs behind the verdicts several checks share, named once so that each check's catalogue entry
can say everything it reads: its own data plus what the verdicts it builds on read.

tests/catalogue_probe.py checks these against what a check really reads on every moto world (the Inventory
fields it touches and the APIs it asks `has` about), so a group cannot silently fall behind its verdict.
"""

from __future__ import annotations

from vpce_audit.apis import Api

ENDPOINTS = (Api.DESCRIBE_VPC_ENDPOINTS,)
# Workload subnets: subnets holding a non-infrastructure ENI (normalize/derive.py).
WORKLOADS = (Api.DESCRIBE_SUBNETS, Api.DESCRIBE_NETWORK_INTERFACES)
# A subnet's egress posture: its effective route table's default route, less what VPC Block Public Access blocks.
EGRESS = (
    *WORKLOADS,
    Api.DESCRIBE_ROUTE_TABLES,
    Api.DESCRIBE_VPC_BLOCK_PUBLIC_ACCESS_OPTIONS,
    Api.DESCRIBE_VPC_BLOCK_PUBLIC_ACCESS_EXCLUSIONS,
)
PREFIX_LISTS = (Api.DESCRIBE_MANAGED_PREFIX_LISTS, Api.GET_MANAGED_PREFIX_LIST_ENTRIES)
# Route 53 Profiles (issue 14): the zones, rules and rule groups they deliver are a VPC's too (dns/profiles.py).
PROFILES = (Api.LIST_PROFILE_ASSOCIATIONS, Api.LIST_PROFILE_RESOURCE_ASSOCIATIONS)
ZONES = (
    Api.LIST_HOSTED_ZONES_BY_VPC,
    Api.GET_HOSTED_ZONE,
    Api.LIST_RESOURCE_RECORD_SETS,
    Api.SKIPPED_ZONES,
    Api.LIST_HOSTED_ZONES,  # account-wide listing (issue 14): an owner finds its zones associated elsewhere only
    *PROFILES,
)
RESOLVER_RULES = (Api.LIST_RESOLVER_RULES, Api.LIST_RESOLVER_RULE_ASSOCIATIONS, *PROFILES)
RESOLVER_ENDPOINTS = (Api.LIST_RESOLVER_ENDPOINTS, Api.LIST_RESOLVER_ENDPOINT_IP_ADDRESSES)
# DNS sources (issue 14): DNS Firewall filters every name a VPC's resolver answers (dns/firewall.py).
FIREWALL = (
    *PROFILES,
    Api.LIST_FIREWALL_RULE_GROUP_ASSOCIATIONS,
    Api.LIST_FIREWALL_RULES,
    Api.LIST_FIREWALL_DOMAIN_LISTS,
    Api.LIST_FIREWALL_DOMAINS,
)
# What in a VPC relies on its resolver: endpoints with private DNS and associated private zones.
RESOLVER_RELIANCE = (Api.DESCRIBE_VPCS, *ENDPOINTS, *ZONES)
# Which answer a VPC's clients get for a name (dns/resolve.py): DNS attributes, DHCP servers (and whether they
# are Resolver inbound endpoints), private DNS of the VPC's endpoints, private zones, Resolver rules.
RESOLUTION = (
    Api.DESCRIBE_VPCS,
    Api.DESCRIBE_VPC_ATTRIBUTE,
    Api.DESCRIBE_DHCP_OPTIONS,
    *ENDPOINTS,
    Api.DESCRIBE_VPC_ENDPOINT_SERVICES,
    *ZONES,
    *RESOLVER_RULES,
    *RESOLVER_ENDPOINTS,
    *FIREWALL,
)
# Where a zone record leads (dns/path.py record_target): an endpoint by its DNS names or its ENIs' IPs.
RECORD_TARGETS = (*ENDPOINTS, Api.DESCRIBE_NETWORK_INTERFACES, Api.DESCRIBE_SUBNETS, *ZONES)
# An interface endpoint's DNS path for every VPC that reaches it (dns/path.py).
DNS_PATH = (*RESOLUTION, *RECORD_TARGETS)
# Interface endpoint AZ coverage (verdicts/coverage.py): ENIs, workload and service AZs by AZ ID (services list
# their AZs by name), and the spokes a DNS path reveals (verdicts/spokes.py).
AZ_COVERAGE = (*DNS_PATH, *WORKLOADS, Api.DESCRIBE_VPC_ENDPOINT_SERVICES, Api.DESCRIBE_AVAILABILITY_ZONES)
# Gateway endpoint route coverage (verdicts/coverage.py): workload subnets' effective tables and their routes.
ROUTE_COVERAGE = (*ENDPOINTS, *EGRESS, *PREFIX_LISTS)
# Security-group admission (verdicts/admission.py): the endpoint's groups, the workload ENIs and their groups.
ADMISSION = (
    Api.DESCRIBE_VPCS,
    *ENDPOINTS,
    Api.DESCRIBE_VPC_ENDPOINT_SERVICES,
    Api.DESCRIBE_SECURITY_GROUPS,
    *WORKLOADS,
)
# Packet path (issue 13, verdicts/network_path.py): the spokes DNS reveals, their subnets and route tables, NACLs,
# peering, transit gateway attachments and route tables, and the endpoint's security groups.
PACKET = (
    Api.DESCRIBE_ROUTE_TABLES,
    Api.DESCRIBE_NETWORK_ACLS,
    Api.DESCRIBE_VPC_PEERING_CONNECTIONS,
    Api.DESCRIBE_TRANSIT_GATEWAY_ATTACHMENTS,
    Api.DESCRIBE_TRANSIT_GATEWAY_VPC_ATTACHMENTS,
    Api.DESCRIBE_TRANSIT_GATEWAY_ROUTE_TABLES,
    Api.GET_TRANSIT_GATEWAY_ROUTE_TABLE_ASSOCIATIONS,
    Api.GET_TRANSIT_GATEWAY_ROUTE_TABLE_PROPAGATIONS,
    Api.SEARCH_TRANSIT_GATEWAY_ROUTES,
)
NETWORK_PATH = (*DNS_PATH, *WORKLOADS, *PACKET, *ADMISSION)
# Resource endpoints' gateways (issue 15, verdicts/resource_gateway.py): the endpoint's subnets, its resource
# configuration, that configuration's gateway and the gateway's subnets, by AZ ID.
RESOURCE_GATEWAY = (
    *ENDPOINTS,
    Api.DESCRIBE_SUBNETS,
    Api.LIST_RESOURCE_CONFIGURATIONS,
    Api.LIST_RESOURCE_GATEWAYS,
)
