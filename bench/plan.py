"""The minimal API plan of a scan, derived from what a world holds, never from what the collectors did.

The plan is what the issue promises: one paginated call per resource type per region, two DescribeVpcAttribute
calls per VPC (AWS answers one attribute per call), one GetManagedPrefixListEntries per S3/DynamoDB prefix
list once a gateway endpoint exists, the packet-path calls (network ACLs, peering, transit gateway attachments
and route tables; VPC attachments once an attachment exists; three calls per transit gateway route table),
one sts:GetCallerIdentity, per VPC one Route 53 ListHostedZonesByVPC, per account one ListHostedZones (a page
per 100 private zones the account owns), and a GetHostedZone and a ListResourceRecordSets per private zone the
account owns. Nothing grows with
the number of endpoints, subnets or ENIs. The provider side (issue 15) adds one DescribeVpcEndpointServiceConfigurations
per region; where the account owns services, a constant few listings plus one call per load balancer they name
and two per target group routing for those (AWS answers attributes and target health one resource at a time).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import boto3

# EC2 accepts at most 200 service names in one DescribeVpcEndpointServices call.
SERVICE_BATCH = 200
# Route 53 ListHostedZones pages hold at most 100 zones.
ZONE_PAGE = 100
PER_REGION_EC2 = (
    "DescribeAvailabilityZones",
    "DescribeVpcs",
    "DescribeSubnets",
    "DescribeRouteTables",
    "DescribeVpcEndpoints",
    "DescribeNetworkInterfaces",
    "DescribeVpcEndpointServiceConfigurations",  # provider side (issue 15): does the account own a service?
    "DescribeVpcBlockPublicAccessOptions",  # egress posture (issue 15)
    "DescribeVpcBlockPublicAccessExclusions",
    # packet path (issue 13)
    "DescribeNetworkAcls",
    "DescribeVpcPeeringConnections",
    "DescribeTransitGatewayAttachments",
    "DescribeTransitGatewayRouteTables",
)
# packet path (issue 13): one call of each per transit gateway route table the account owns in the region
PER_TGW_ROUTE_TABLE = (
    "GetTransitGatewayRouteTableAssociations",
    "GetTransitGatewayRouteTablePropagations",
    "SearchTransitGatewayRoutes",
)
# DescribeLoadBalancers takes at most 20 ARNs per call.
LB_BATCH = 20
PER_REGION_RESOLVER = ("ListResolverRules", "ListResolverRuleAssociations", "ListResolverEndpoints")


@dataclass(frozen=True, slots=True)
class RegionFacts:
    """What one region of the account holds, counted with uncounted clients."""

    vpcs: int
    services: int  # distinct service names across the region's endpoints
    endpoint_groups: bool  # some endpoint names a security group
    gateway_endpoints: bool
    prefix_lists: int  # S3/DynamoDB managed prefix lists
    dhcp_sets: bool  # some VPC uses a DHCP option set other than `default`
    resolver_endpoints: int = 0
    tgw_attachments: bool = False  # packet path (issue 13): some transit gateway attachment is visible
    tgw_route_tables: int = 0
    # DNS sources (issue 14): DNS Firewall rule groups associated with some VPC, and their customer domain lists
    firewall_rule_groups: int = 0
    firewall_domain_lists: int = 0  # customer lists the rules name (AWS-managed ones cannot be listed)
    firewall_managed_only: bool = False  # rules name only AWS-managed lists
    # endpoint shapes (issue 15): distinct service names per other region hosting a cross-region endpoint's
    # service, each region described in calls of its own (ServiceRegions)
    remote_services: tuple[int, ...] = ()
    # provider side (issue 15): endpoint services the account owns, the NLBs they name, the target groups
    # routing for those NLBs
    owned_services: int = 0
    service_nlbs: int = 0
    target_groups: int = 0
    # Resource and service-network endpoints (issue 15): their associations, one listing per 200 endpoints
    lattice_endpoints: int = 0
    # Route 53 Profiles (issue 14): Profiles associated with some VPC of the region (one resource listing each)
    profiles: int = 0
    # Resource endpoints (issue 15): their configurations and gateways, one listing each (100 items a page)
    resource_endpoints: int = 0
    # NAT gateways (issue 15, egress posture): one listing when a route names one
    nat_routed: bool = False


def region_facts(ec2: Any, resolver: Any | None = None, elbv2: Any | None = None) -> RegionFacts:
    """Read the facts from moto (or AWS) directly; `ec2`, `resolver` and `elbv2` must not be the scan's own
    clients (`elbv2` is built from the default session when a service names a load balancer and none is given)."""
    region = ec2.meta.region_name
    configs = ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
    nlbs = sorted({a for c in configs for a in c.get("NetworkLoadBalancerArns", [])})
    groups = 0
    if nlbs:
        elb = elbv2 or boto3.client("elbv2", region_name=region)
        groups = sum(
            1 for g in elb.describe_target_groups()["TargetGroups"] if set(g.get("LoadBalancerArns", [])) & set(nlbs)
        )
    vpcs = ec2.describe_vpcs()["Vpcs"]
    profiles = _profiles(region)
    endpoints = ec2.describe_vpc_endpoints()["VpcEndpoints"]
    names = [f"com.amazonaws.{region}.s3", f"com.amazonaws.{region}.dynamodb"]
    lists = ec2.describe_managed_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": names}])
    remote: dict[str, set[str]] = {}
    for e in endpoints:
        if e.get("ServiceName") and e.get("ServiceRegion") not in (None, "", region):
            remote.setdefault(e["ServiceRegion"], set()).add(e["ServiceName"])
    return RegionFacts(
        vpcs=len(vpcs),
        services=len(
            {
                e["ServiceName"]
                for e in endpoints
                if e.get("ServiceName") and e.get("ServiceRegion") in (None, "", region)
            }
        ),
        remote_services=tuple(len(names) for _, names in sorted(remote.items())),
        owned_services=len(configs),
        lattice_endpoints=sum(1 for e in endpoints if e["VpcEndpointType"].lower() in ("resource", "servicenetwork")),
        resource_endpoints=sum(1 for e in endpoints if e["VpcEndpointType"].lower() == "resource"),
        nat_routed=any(
            r.get("NatGatewayId") for t in ec2.describe_route_tables()["RouteTables"] for r in t.get("Routes", [])
        ),
        service_nlbs=len(nlbs),
        target_groups=groups,
        endpoint_groups=any(e.get("Groups") for e in endpoints),
        gateway_endpoints=any(e["VpcEndpointType"].lower() == "gateway" for e in endpoints),
        prefix_lists=len(lists["PrefixLists"]),
        dhcp_sets=any(v.get("DhcpOptionsId") not in (None, "default") for v in vpcs),
        resolver_endpoints=len(resolver.list_resolver_endpoints()["ResolverEndpoints"]) if resolver else 0,
        tgw_attachments=bool(ec2.describe_transit_gateway_attachments()["TransitGatewayAttachments"]),
        tgw_route_tables=len(ec2.describe_transit_gateway_route_tables()["TransitGatewayRouteTables"]),
        **(_firewall_facts(resolver, profiles) if resolver else {}),
        profiles=len(profiles),
    )


def _profiles(region: str) -> dict[str, list[Any]]:
    """Route 53 Profiles (issue 14): associated Profile id -> its resource associations."""
    client = boto3.client("route53profiles", region_name=region)
    ids = {a["ProfileId"] for a in _all(client, "list_profile_associations", "ProfileAssociations")}
    return {
        p: _all(client, "list_profile_resource_associations", "ProfileResourceAssociations", ProfileId=p)
        for p in sorted(ids)
    }


def _firewall_facts(resolver: Any, profiles: dict[str, list[Any]] | None = None) -> dict[str, Any]:
    groups = {
        a["FirewallRuleGroupId"]
        for a in _all(resolver, "list_firewall_rule_group_associations", "FirewallRuleGroupAssociations")
    }
    # A rule group a Profile delivers has its rules listed too (once, however it reaches VPCs).
    groups |= {
        str(r["ResourceArn"]).rsplit("/", 1)[-1]
        for found in (profiles or {}).values()
        for r in found
        if r.get("ResourceType") == "AWS::Route53Resolver::FirewallRuleGroup"
    }
    named = {
        r["FirewallDomainListId"]
        for g in groups
        for r in _all(resolver, "list_firewall_rules", "FirewallRules", FirewallRuleGroupId=g)
        if r.get("FirewallDomainListId")
    }
    managed = {
        d["Id"]
        for d in _all(resolver, "list_firewall_domain_lists", "FirewallDomainLists")
        if d.get("ManagedOwnerName")
    }
    return {
        "firewall_rule_groups": len(groups),
        "firewall_domain_lists": len(named - managed),
        "firewall_managed_only": bool(named) and named <= managed,
    }


def _all(client: Any, operation: str, key: str, **params: Any) -> list[Any]:
    return [i for page in client.get_paginator(operation).paginate(**params) for i in page[key]]


def minimal_plan(regions: Iterable[RegionFacts], private_zones: int = 0) -> dict[str, int]:
    """`service:Operation` -> number of calls for a scan of these regions of one account."""
    plan: Counter[str] = Counter({"sts:GetCallerIdentity": 1})
    for r in regions:
        plan.update(f"ec2:{op}" for op in PER_REGION_EC2)
        plan.update(f"route53resolver:{op}" for op in PER_REGION_RESOLVER)
        plan["route53resolver:ListResolverEndpointIpAddresses"] += r.resolver_endpoints
        for count in (r.services, *r.remote_services):
            plan["ec2:DescribeVpcEndpointServices"] += math.ceil(count / SERVICE_BATCH)
        if r.endpoint_groups:
            plan["ec2:DescribeSecurityGroups"] += 1
        if r.gateway_endpoints:
            plan["ec2:DescribeManagedPrefixLists"] += 1
            plan["ec2:GetManagedPrefixListEntries"] += r.prefix_lists
        plan["ec2:DescribeVpcAttribute"] += 2 * r.vpcs
        if r.dhcp_sets:
            plan["ec2:DescribeDhcpOptions"] += 1
        plan["route53:ListHostedZonesByVPC"] += r.vpcs
        if r.tgw_attachments:
            plan["ec2:DescribeTransitGatewayVpcAttachments"] += 1
        plan.update({f"ec2:{op}": r.tgw_route_tables for op in PER_TGW_ROUTE_TABLE})
        # DNS sources (issue 14): one association listing, one rule listing per rule group, one domain-list
        # listing when rules name lists, one domain listing per customer list.
        plan["route53resolver:ListFirewallRuleGroupAssociations"] += 1
        plan["route53resolver:ListFirewallRules"] += r.firewall_rule_groups
        if r.firewall_domain_lists or r.firewall_managed_only:
            plan["route53resolver:ListFirewallDomainLists"] += 1
        plan["route53resolver:ListFirewallDomains"] += r.firewall_domain_lists
        # Route 53 Profiles (issue 14): one association listing, one resource listing per associated Profile.
        plan["route53profiles:ListProfileAssociations"] += 1
        plan["route53profiles:ListProfileResourceAssociations"] += r.profiles
        if r.lattice_endpoints:
            plan["ec2:DescribeVpcEndpointAssociations"] += math.ceil(r.lattice_endpoints / SERVICE_BATCH)
        if r.owned_services:
            plan["ec2:DescribeVpcEndpointConnections"] += 1
        if r.service_nlbs:
            plan["elbv2:DescribeLoadBalancers"] += math.ceil(r.service_nlbs / LB_BATCH)
            plan["elbv2:DescribeTargetGroups"] += 1
            plan["elbv2:DescribeLoadBalancerAttributes"] += r.service_nlbs
            plan["elbv2:DescribeTargetGroupAttributes"] += r.target_groups
            plan["elbv2:DescribeTargetHealth"] += r.target_groups
        if r.nat_routed:
            plan["ec2:DescribeNatGateways"] += 1
        if r.resource_endpoints:  # resource endpoints' gateways (issue 15): listings, no per-id Get
            plan["vpc-lattice:ListResourceConfigurations"] += 1
            plan["vpc-lattice:ListResourceGateways"] += 1
    # Account-wide zone listing (issue 14): one call per account, a page per 100 owned private zones.
    plan["route53:ListHostedZones"] += max(1, math.ceil(private_zones / ZONE_PAGE))
    plan["route53:GetHostedZone"] += private_zones
    plan["route53:ListResourceRecordSets"] += private_zones
    return dict(sorted((k, v) for k, v in plan.items() if v))
