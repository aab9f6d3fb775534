"""Hypothesis strategies for hostile snapshots: raw API items shaped like the botocore responses the collectors
record (vpce_audit/collect/*.py, notes/dns-format.md), but with keys missing, unknown enum values, mixed case,
unicode, wrong types, duplicate ids and references to resources nobody returned.

Ids come from small pools so that generated items refer to each other often (and dangle often too).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from vpce_audit.snapshot import GLOBAL_REGION, Part, Snapshot

ACCOUNTS = ("111111111111", "222222222222")
REGIONS = ("us-east-1", "eu-west-1")

# Anything JSON can hold where a string, list or dict was expected, and names no ASCII tool expects. Constants,
# not generated values: drawing them is cheap, so a run affords thousands of whole snapshots.
JUNK: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    2**63,
    1.5,
    float("nan"),
    float("inf"),
    "",
    [],
    [1, None],
    {},
    {"Value": 1},
)
WEIRD_TEXT: tuple[str, ...] = ("ü", "名前", "💥 \u0000", "a\nb", " ", "x" * 300, "\u202eevil", "Ω.example.")
junk: st.SearchStrategy[Any] = st.sampled_from(JUNK + WEIRD_TEXT)
unicode_text: st.SearchStrategy[str] = st.sampled_from((*WEIRD_TEXT, "", "plain", "Name"))


def mostly(common: st.SearchStrategy[Any], rare: st.SearchStrategy[Any], one_in: int = 6) -> st.SearchStrategy[Any]:
    """`rare` once in `one_in` draws. (one_of flattens nested one_ofs, so repeating a branch does not weight it.)"""
    return st.integers(0, one_in - 1).flatmap(lambda n: rare if n == 0 else common)


def pick(*values: Any) -> st.SearchStrategy[Any]:
    """Mostly one of the given values, sometimes junk or arbitrary unicode."""
    # sampled_from weighs each listed element alike: repeating the known values makes them common.
    return st.sampled_from(values * 4 + JUNK + WEIRD_TEXT)


def listof(element: st.SearchStrategy[Any], max_size: int = 4) -> st.SearchStrategy[Any]:
    return mostly(st.lists(element, max_size=max_size), junk)


def item(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """An API item: usually every field present (each possibly hostile), sometimes any subset, rarely junk."""
    return mostly(st.fixed_dictionaries(fields), st.one_of(st.fixed_dictionaries({}, optional=fields), junk), 5)


def mixed_case(values: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.sampled_from(tuple(f for v in values for f in (v, v, v.upper(), v.lower(), v.capitalize(), f" {v} ")))


VPCS = pick("vpc-1", "vpc-2", "vpc-3")
SUBNETS = pick("subnet-1", "subnet-2", "subnet-3", "subnet-4", "subnet-9")
ENIS = pick("eni-1", "eni-2", "eni-3", "eni-4", "eni-9")
TABLES = pick("rtb-1", "rtb-2", "rtb-3")
ENDPOINT_IDS = pick("vpce-1", "vpce-2", "vpce-3", "vpce-4")
GROUPS = pick("sg-1", "sg-2", "sg-9")
PREFIX_LISTS = pick("pl-1", "pl-2")
AZ_NAMES = pick("us-east-1a", "us-east-1b", "us-east-1c", "eu-west-1a", "mars-1z", "")
AZ_IDS = pick("use1-az1", "use1-az2", "use1-az3", "euw1-az1", "")
OWNERS = pick(*ACCOUNTS, "333333333333", "")
CIDRS = pick("10.0.0.0/16", "10.0.1.0/24", "0.0.0.0/0", "52.216.0.0/15", "10.0.0.0/33", "banana", "::/0", "fe80::/10")
IPS = pick("10.0.0.2", "10.0.1.10", "192.168.0.2", "999.1.1.1", "fe80::1", "AmazonProvidedDNS", "")
SERVICE_NAMES = pick(
    "com.amazonaws.us-east-1.ssm",
    "com.amazonaws.us-east-1.s3",
    "com.amazonaws.us-east-1.dynamodb",
    "com.amazonaws.eu-west-1.sts",
    "com.amazonaws.vpce.us-east-1.vpce-svc-1",
    "com.amazonaws.us-east-1.Ünïcode",
)
DNS_NAMES = pick(
    "ssm.us-east-1.amazonaws.com.",
    "ssm.us-east-1.amazonaws.com",
    "SSM.US-EAST-1.AMAZONAWS.COM.",
    "\\052.s3.us-east-1.amazonaws.com.",
    "*.s3.us-east-1.amazonaws.com",
    "s3.us-east-1.amazonaws.com.",
    "us-east-1.amazonaws.com.",
    "amazonaws.com.",
    "vpce-1-abc.ssm.us-east-1.vpce.amazonaws.com.",
    "vpce-2-def-us-east-1a.ssm.us-east-1.vpce.amazonaws.com",
    "vpce-9-nobody.ssm.us-east-1.vpce.amazonaws.com.",
    "bücher.example.",
    ".",
    "",
)
ZONE_IDS = pick("Z1", "Z2", "/hostedzone/Z1", "/hostedzone/Z3", "Z7HUB22UULQXV", "")

ENDPOINT_STATES = mixed_case(
    ("available", "pending", "pendingAcceptance", "failed", "rejected", "expired", "deleting", "deleted", "partial")
) | pick("quantum-superposition", "", "AVAILABLE ")
ENDPOINT_TYPES = mixed_case(("Interface", "Gateway", "GatewayLoadBalancer", "Resource", "ServiceNetwork")) | pick(
    "Teleporter", ""
)
INTERFACE_TYPES = pick(
    "interface", "vpc_endpoint", "nat_gateway", "network_load_balancer", "lambda", "efa", "trunk", "Quantum", ""
)
RECORD_TYPES = mixed_case(("A", "AAAA", "CNAME", "TXT", "NS", "SOA", "MX", "HTTPS")) | pick("ZZZ", "")
RULE_TYPES = mixed_case(("FORWARD", "SYSTEM", "RECURSIVE", "DELEGATE")) | pick("TELEPATHY", "")
STATUSES = mixed_case(("COMPLETE", "OPERATIONAL", "CREATING", "FAILED", "DELETING", "ACTION_NEEDED")) | pick("?", "")
ASSOC_STATES = mixed_case(("associated", "associating", "disassociated", "failed")) | pick("", "weird")
ROUTE_STATES = mixed_case(("active", "blackhole")) | pick("", "half-open")

tags = listof(item({"Key": pick("Name", "name", "Owner"), "Value": unicode_text}))

az = item({"ZoneName": AZ_NAMES, "ZoneId": AZ_IDS, "RegionName": pick(*REGIONS), "State": pick("available", "x")})
vpc = item(
    {
        "VpcId": VPCS,
        "CidrBlock": CIDRS,
        "OwnerId": OWNERS,
        "DhcpOptionsId": pick("default", "dopt-1", "dopt-9"),
        "IsDefault": pick(True, False),
        "CidrBlockAssociationSet": listof(item({"CidrBlock": CIDRS, "CidrBlockState": item({"State": ASSOC_STATES})})),
        "Ipv6CidrBlockAssociationSet": listof(item({"Ipv6CidrBlock": CIDRS})),
        "Tags": tags,
    }
)
vpc_attribute = item(
    {
        "VpcId": VPCS,
        "EnableDnsSupport": item({"Value": pick(True, False)}),
        "EnableDnsHostnames": item({"Value": pick(True, False)}),
    }
)
subnet = item(
    {
        "SubnetId": SUBNETS,
        "VpcId": VPCS,
        "OwnerId": OWNERS,
        "AvailabilityZone": AZ_NAMES,
        "AvailabilityZoneId": AZ_IDS,
        "CidrBlock": CIDRS,
        "Ipv6CidrBlockAssociationSet": listof(item({"Ipv6CidrBlock": CIDRS})),
        "Tags": tags,
        "Ipv6Native": pick(True, False),  # IPv6-only subnets (issue 15)
        "EnableDns64": pick(True, False),
        "BlockPublicAccessStates": item(
            {"InternetGatewayBlockMode": pick("off", "block-bidirectional", "block-ingress", "x")}
        ),
    }
)
eni = item(
    {
        "NetworkInterfaceId": ENIS,
        "SubnetId": SUBNETS,
        "VpcId": VPCS,
        "AvailabilityZone": AZ_NAMES,
        "AvailabilityZoneId": AZ_IDS,
        "InterfaceType": INTERFACE_TYPES,
        "Status": mixed_case(("in-use", "available", "detaching")),
        "PrivateIpAddress": IPS,
        "PrivateIpAddresses": listof(item({"PrivateIpAddress": IPS})),
        "Groups": listof(item({"GroupId": GROUPS})),
        "Description": pick("Route 53 Resolver: rslvr-in-1", "VPC Endpoint Interface vpce-1", ""),
        "RequesterManaged": pick(True, False),
    }
)
route = item(
    {
        "DestinationCidrBlock": CIDRS,
        "DestinationIpv6CidrBlock": CIDRS,
        "DestinationPrefixListId": PREFIX_LISTS,
        "GatewayId": pick("local", "igw-1", "vpce-1", "vpce-2", "vpce-9"),
        "NatGatewayId": pick("nat-1"),
        "TransitGatewayId": pick("tgw-1"),
        "NetworkInterfaceId": ENIS,
        "CoreNetworkArn": pick("arn:aws:networkmanager::1:core-network/x"),
        "State": ROUTE_STATES,
    }
)
route_table = item(
    {
        "RouteTableId": TABLES,
        "VpcId": VPCS,
        "OwnerId": OWNERS,
        "Associations": listof(
            item(
                {
                    "SubnetId": SUBNETS,
                    "Main": pick(True, False),
                    "AssociationState": item({"State": ASSOC_STATES}),
                }
            )
        ),
        "Routes": listof(route, max_size=5),
    }
)
endpoint = item(
    {
        "VpcEndpointId": ENDPOINT_IDS,
        "VpcId": VPCS,
        "OwnerId": OWNERS,
        "VpcEndpointType": ENDPOINT_TYPES,
        "ServiceName": SERVICE_NAMES,
        "State": ENDPOINT_STATES,
        "SubnetIds": listof(SUBNETS),
        "NetworkInterfaceIds": listof(ENIS),
        "RouteTableIds": listof(TABLES),
        "Groups": listof(item({"GroupId": GROUPS, "GroupName": unicode_text})),
        "PrivateDnsEnabled": pick(True, False),
        "DnsEntries": listof(item({"DnsName": DNS_NAMES, "HostedZoneId": ZONE_IDS})),
        "Tags": tags,
        "LastError": item({"Code": pick("Boom"), "Message": unicode_text}),
        "FailureReason": unicode_text,
        # endpoint shapes (issue 15): cross-region, address families, inbound-only DNS, Lattice endpoints
        "ServiceRegion": pick("us-east-1", "eu-west-1", "mars-north-1"),
        "IpAddressType": pick("ipv4", "dualstack", "ipv6", "ipv7"),
        "DnsOptions": item(
            {
                "DnsRecordIpType": pick("ipv4", "dualstack", "ipv6", "service-defined", "not-specified"),
                "PrivateDnsOnlyForInboundResolverEndpoint": pick(True, False),
            }
        ),
        "ResourceConfigurationArn": pick("arn:aws:vpc-lattice:us-east-1:111111111111:resourceconfiguration/rcfg-1"),
        "ServiceNetworkArn": pick("arn:aws:vpc-lattice:us-east-1:111111111111:servicenetwork/sn-1"),
    }
)
service = item(
    {
        "ServiceName": SERVICE_NAMES,
        "ServiceType": listof(item({"ServiceType": ENDPOINT_TYPES})),
        "AvailabilityZones": listof(AZ_NAMES),
        "AvailabilityZoneIds": listof(AZ_IDS),
        "PrivateDnsName": DNS_NAMES,
        "PrivateDnsNames": listof(item({"PrivateDnsName": DNS_NAMES})),
        "Owner": pick("amazon", "333333333333"),
        "ServiceRegion": pick("us-east-1", "eu-west-1"),  # cross-region services (issue 15)
    }
)
prefix_list = item(
    {
        "PrefixListId": PREFIX_LISTS,
        "PrefixListName": pick("com.amazonaws.us-east-1.s3", "cn.com.amazonaws.us-east-1.dynamodb", "mine"),
        "OwnerId": pick("AWS"),
    }
)
prefix_entries = item({"PrefixListId": PREFIX_LISTS, "Entries": listof(item({"Cidr": CIDRS}))})
permission = item(
    {
        "IpProtocol": pick("-1", "tcp", "udp", "6", "TCP", "icmp"),
        "FromPort": st.one_of(st.integers(-1, 70000), junk),
        "ToPort": st.one_of(st.integers(-1, 70000), junk),
        "IpRanges": listof(item({"CidrIp": CIDRS})),
        "Ipv6Ranges": listof(item({"CidrIpv6": CIDRS})),
        "UserIdGroupPairs": listof(item({"GroupId": GROUPS})),
        "PrefixListIds": listof(item({"PrefixListId": PREFIX_LISTS})),
    }
)
security_group = item(
    {
        "GroupId": GROUPS,
        "VpcId": VPCS,
        "GroupName": unicode_text,
        "IpPermissions": listof(permission),
        "IpPermissionsEgress": listof(permission),
    }
)
dhcp = item(
    {
        "DhcpOptionsId": pick("dopt-1", "dopt-2"),
        "DhcpConfigurations": listof(
            item({"Key": pick("domain-name-servers", "domain-name"), "Values": listof(item({"Value": IPS}))})
        ),
    }
)

resolver_rule = item(
    {
        "Id": pick("rslvr-rr-1", "rslvr-rr-2", "rslvr-autodefined-rr-1"),
        "DomainName": DNS_NAMES,
        "RuleType": RULE_TYPES,
        "Status": STATUSES,
        "TargetIps": listof(item({"Ip": IPS, "Ipv6": IPS, "Port": st.one_of(st.integers(), junk)})),
        "ResolverEndpointId": pick("rslvr-out-1", "rslvr-out-9"),
        "OwnerId": OWNERS,
        "ShareStatus": pick("NOT_SHARED", "SHARED_WITH_ME"),
        "Name": unicode_text,
    }
)
rule_association = item(
    {
        "Id": pick("rslvr-rrassoc-1", "rslvr-rrassoc-2", "rslvr-rrassoc-3"),
        "ResolverRuleId": pick("rslvr-rr-1", "rslvr-rr-2", "rslvr-rr-9"),
        "VPCId": VPCS,
        "Status": STATUSES,
        "Name": unicode_text,
    }
)
resolver_endpoint = item(
    {
        "Id": pick("rslvr-in-1", "rslvr-out-1"),
        "Direction": mixed_case(("INBOUND", "OUTBOUND")) | pick("SIDEWAYS"),
        "HostVPCId": VPCS,
        "IpAddressCount": st.one_of(st.integers(), junk),
        "Status": STATUSES,
        "Name": unicode_text,
    }
)
resolver_ips = item(
    {
        "ResolverEndpointId": pick("rslvr-in-1", "rslvr-out-1", "rslvr-in-9"),
        "IpAddresses": listof(item({"IpId": pick("rni-1"), "SubnetId": SUBNETS, "Ip": IPS, "Status": STATUSES})),
    }
)

zone_owner = item({"OwningAccount": OWNERS, "OwningService": pick("servicediscovery.amazonaws.com")})
zone_summary = item({"HostedZoneId": ZONE_IDS, "Name": DNS_NAMES, "Owner": zone_owner})
zones_by_vpc = item(
    {"VPCId": VPCS, "VPCRegion": pick(*REGIONS), "HostedZoneSummaries": listof(zone_summary)},
)
hosted_zone = item(
    {
        "HostedZone": item(
            {
                "Id": ZONE_IDS,
                "Name": DNS_NAMES,
                "Config": item({"PrivateZone": pick(True, False)}),
                "ResourceRecordSetCount": st.one_of(st.integers(), junk),
            }
        ),
        "VPCs": listof(item({"VPCRegion": pick(*REGIONS), "VPCId": VPCS})),
    }
)
record_set = item(
    {
        "Name": DNS_NAMES,
        "Type": RECORD_TYPES,
        "TTL": st.one_of(st.integers(), junk),
        "SetIdentifier": pick("a", "b", ""),
        "ResourceRecords": listof(item({"Value": st.one_of(DNS_NAMES, IPS)})),
        "AliasTarget": item(
            {"HostedZoneId": ZONE_IDS, "DNSName": DNS_NAMES, "EvaluateTargetHealth": pick(True, False)}
        ),
    }
)
record_listing = item({"HostedZoneId": ZONE_IDS, "ResourceRecordSets": listof(record_set, max_size=6)})
skipped_zone = item(
    {
        "HostedZoneId": ZONE_IDS,
        "Name": DNS_NAMES,
        "OwningAccount": OWNERS,
        "OwningService": pick("servicediscovery.amazonaws.com"),
        "reason": unicode_text,
    }
)

# Provider side (issue 15): owned endpoint services, their connections, the NLBs behind them. ARNs from small pools
# so that services, load balancers and target groups name each other often.
LB_ARNS = pick("arn:lb/1", "arn:lb/2")
TG_ARNS = pick("arn:tg/1", "arn:tg/2")
SERVICE_IDS = pick("vpce-svc-1", "vpce-svc-2")
attribute = item(
    {
        "Key": pick("load_balancing.cross_zone.enabled"),
        "Value": pick("true", "false", "use_load_balancer_configuration", "maybe"),
    }
)
service_configuration = item(
    {
        "ServiceId": SERVICE_IDS,
        "ServiceName": SERVICE_NAMES,
        "ServiceState": pick("Available", "Pending", "Failed", "Deleted", "Exploded"),
        "AvailabilityZones": listof(AZ_NAMES),
        "AvailabilityZoneIds": listof(AZ_IDS),
        "AcceptanceRequired": pick(True, False),
        "NetworkLoadBalancerArns": listof(LB_ARNS),
        "PrivateDnsName": DNS_NAMES,
        "PrivateDnsNameConfiguration": item({"State": pick("verified", "pendingVerification", "failed", "weird")}),
    }
)
endpoint_connection = item(
    {
        "ServiceId": SERVICE_IDS,
        "VpcEndpointId": ENDPOINT_IDS,
        "VpcEndpointOwner": OWNERS,
        "VpcEndpointState": ENDPOINT_STATES,
        "VpcEndpointRegion": pick(*REGIONS),
    }
)
load_balancer = item(
    {
        "LoadBalancerArn": LB_ARNS,
        "LoadBalancerName": unicode_text,
        "Type": pick("network", "gateway", "application", "quantum"),
        "VpcId": VPCS,
        "State": item({"Code": pick("active", "provisioning", "failed")}),
        "AvailabilityZones": listof(item({"ZoneName": AZ_NAMES, "SubnetId": SUBNETS, "ZoneId": AZ_IDS})),
    }
)
lb_attributes = item({"LoadBalancerArn": LB_ARNS, "Attributes": listof(attribute)})
target_group = item(
    {
        "TargetGroupArn": TG_ARNS,
        "TargetGroupName": unicode_text,
        "LoadBalancerArns": listof(LB_ARNS),
        "TargetType": pick("ip", "instance"),
    }
)
tg_attributes = item({"TargetGroupArn": TG_ARNS, "Attributes": listof(attribute)})
target_health = item(
    {
        "TargetGroupArn": TG_ARNS,
        "TargetHealthDescriptions": listof(
            item(
                {
                    "Target": item(
                        {"Id": pick("10.0.0.1", "i-1"), "AvailabilityZone": pick("us-east-1a", "all", "", "us-east-1b")}
                    ),
                    "TargetHealth": item({"State": pick("healthy", "unhealthy", "draining", "unused", "zombie")}),
                }
            )
        ),
    }
)

# Lattice endpoint associations and VPC Block Public Access (issue 15).
association = item(
    {
        "Id": pick("vpce-rsc-asc-1", "vpce-rsc-asc-2"),
        "VpcEndpointId": ENDPOINT_IDS,
        "AssociatedResourceArn": pick("arn:aws:vpc-lattice:us-east-1:111111111111:resourceconfiguration/rcfg-1"),
        "AssociatedResourceAccessibility": pick("Accessible", "Inaccessible", "PENDING", "FAILED"),
        "DnsEntry": item({"DnsName": DNS_NAMES, "HostedZoneId": ZONE_IDS}),
        "PrivateDnsEntry": item({"DnsName": DNS_NAMES, "HostedZoneId": ZONE_IDS}),
        "FailureCode": unicode_text,
        "FailureReason": unicode_text,
    }
)
bpa_options = item(
    {
        "InternetGatewayBlockMode": pick("off", "block-bidirectional", "block-ingress", "block-everything"),
        "State": pick("update-complete"),
    }
)
bpa_exclusion = item(
    {
        "ResourceArn": pick(
            "arn:aws:ec2:us-east-1:111111111111:vpc/vpc-1", "arn:aws:ec2:us-east-1:111111111111:subnet/subnet-2", "junk"
        ),
        "InternetGatewayExclusionMode": pick("allow-bidirectional", "allow-egress", "allow-teleport"),
        "State": pick("create-complete", "update-complete", "delete-complete", "disable-in-progress"),
    }
)
# resource endpoints' gateways (issue 15): camelCase items, as vpc-lattice lists them
resource_configuration = item(
    {
        "id": pick("rcfg-1", "rcfg-2", "rcfg-group"),
        "arn": pick(
            "arn:aws:vpc-lattice:us-east-1:111111111111:resourceconfiguration/rcfg-1",
            "arn:aws:vpc-lattice:us-east-1:222222222222:resourceconfiguration/rcfg-1",
            "junk",
        ),
        "resourceGatewayId": pick("rgw-1", "rgw-2"),
        "resourceConfigurationGroupId": pick("rcfg-group"),
        "type": pick("SINGLE", "GROUP", "CHILD", "ARN", "TELEPORTER"),
    }
)
resource_gateway = item(
    {
        "id": pick("rgw-1", "rgw-2"),
        "arn": pick("arn:aws:vpc-lattice:us-east-1:111111111111:resourcegateway/rgw-1", "junk"),
        "vpcIdentifier": VPCS,
        "subnetIds": listof(SUBNETS),
        "status": pick("ACTIVE", "DELETING"),
    }
)
# NAT gateways (issue 15, egress posture): zonal, regional, or a mode this version does not know
nat_gateway = item(
    {
        "NatGatewayId": pick("nat-1", "nat-2"),
        "VpcId": VPCS,
        "SubnetId": SUBNETS,
        "State": pick("available", "failed", "deleted"),
        "AvailabilityMode": pick("zonal", "regional", "Regional", "interplanetary"),
        "ConnectivityType": pick("public", "private"),
        "NatGatewayAddresses": listof(item({"AvailabilityZoneId": pick("use1-az1", "use1-az2", "use1-az9")})),
    }
)

REGIONAL_APIS: dict[str, st.SearchStrategy[Any]] = {
    "ec2:DescribeAvailabilityZones": az,
    "ec2:DescribeVpcs": vpc,
    "ec2:DescribeVpcAttribute": vpc_attribute,
    "ec2:DescribeSubnets": subnet,
    "ec2:DescribeNetworkInterfaces": eni,
    "ec2:DescribeRouteTables": route_table,
    "ec2:DescribeVpcEndpoints": endpoint,
    "ec2:DescribeVpcEndpointServices": service,
    "ec2:DescribeManagedPrefixLists": prefix_list,
    "ec2:GetManagedPrefixListEntries": prefix_entries,
    "ec2:DescribeSecurityGroups": security_group,
    "ec2:DescribeDhcpOptions": dhcp,
    "route53resolver:ListResolverRules": resolver_rule,
    "route53resolver:ListResolverRuleAssociations": rule_association,
    "route53resolver:ListResolverEndpoints": resolver_endpoint,
    "route53resolver:ListResolverEndpointIpAddresses": resolver_ips,
    "ec2:DescribeVpcEndpointServiceConfigurations": service_configuration,
    "ec2:DescribeVpcEndpointConnections": endpoint_connection,
    "elbv2:DescribeLoadBalancers": load_balancer,
    "elbv2:DescribeLoadBalancerAttributes": lb_attributes,
    "elbv2:DescribeTargetGroups": target_group,
    "elbv2:DescribeTargetGroupAttributes": tg_attributes,
    "elbv2:DescribeTargetHealth": target_health,
    "ec2:DescribeVpcEndpointAssociations": association,
    "ec2:DescribeVpcBlockPublicAccessOptions": bpa_options,
    "ec2:DescribeVpcBlockPublicAccessExclusions": bpa_exclusion,
    "vpc-lattice:ListResourceConfigurations": resource_configuration,
    "vpc-lattice:ListResourceGateways": resource_gateway,
    "ec2:DescribeNatGateways": nat_gateway,
}
GLOBAL_APIS: dict[str, st.SearchStrategy[Any]] = {
    "route53:ListHostedZonesByVPC": zones_by_vpc,
    "route53:GetHostedZone": hosted_zone,
    "route53:ListResourceRecordSets": record_listing,
    "route53:SkippedZones": skipped_zone,
}


# Never empty unless dropped, so that most cases hold endpoints with something to judge them against.
CORE_APIS = frozenset(
    {
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeVpcs",
        "ec2:DescribeSubnets",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeVpcEndpoints",
        "ec2:DescribeVpcEndpointServices",
        "route53:ListHostedZonesByVPC",
        "route53:ListResourceRecordSets",
    }
)


def apis(catalogue: dict[str, st.SearchStrategy[Any]], max_items: int) -> st.SearchStrategy[dict[str, Any]]:
    """Every API present with a list of hostile items, except a few dropped as if their calls had failed.
    Values are always lists: that is what a collector records and what a snapshot file is checked to hold."""
    present = st.fixed_dictionaries(
        {k: st.lists(v, min_size=int(k in CORE_APIS), max_size=max_items) for k, v in catalogue.items()}
    )
    failed = st.sets(st.sampled_from(sorted(catalogue)), max_size=3)
    return st.tuples(present, failed).map(lambda pf: {k: v for k, v in pf[0].items() if k not in pf[1]})


def regional_part(max_items: int) -> st.SearchStrategy[Part]:
    return st.builds(
        lambda account, region, data: Part(account, region, "2024-01-01T00:00:00Z", data),
        st.sampled_from(ACCOUNTS),
        st.sampled_from(REGIONS),
        apis(REGIONAL_APIS, max_items),
    )


def global_part(max_items: int) -> st.SearchStrategy[Part]:
    return st.builds(
        lambda account, data: Part(account, GLOBAL_REGION, "2024-01-01T00:00:00Z", data),
        st.sampled_from(ACCOUNTS),
        apis(GLOBAL_APIS, max_items),
    )


def snapshots(max_parts: int = 2, max_items: int = 2) -> st.SearchStrategy[Snapshot]:
    """Regional parts and Route 53 parts; an (account, region) may repeat, so ids can be duplicated across
    parts as well as within one."""
    parts = st.tuples(
        st.lists(regional_part(max_items), min_size=1, max_size=max_parts),
        st.lists(global_part(max_items), max_size=1),
    ).map(lambda rg: rg[0] + rg[1])
    return parts.map(
        lambda parts: Snapshot(
            collected_at="2024-01-01T00:00:00Z",
            accounts=tuple(sorted({p.account_id for p in parts})),
            regions=tuple(sorted({p.region for p in parts})),
            parts=tuple(parts),
        )
    )
