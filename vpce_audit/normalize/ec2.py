"""EC2 responses -> model objects, one parser per API; nothing here decides policy."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.model.inventory import ServiceKey
from vpce_audit.model.lattice import EndpointAssociation
from vpce_audit.model.resources import (
    DhcpOptions,
    DnsEntry,
    Endpoint,
    EndpointType,
    NetworkInterface,
    PrefixList,
    Route,
    RouteTable,
    SecurityGroup,
    SecurityGroupRule,
    Service,
    Subnet,
    Vpc,
)
from vpce_audit.normalize.fields import dicts, mapping, name_tag, owner_of, text, texts
from vpce_audit.snapshot import Part

AMAZON_DNS = "AmazonProvidedDNS"
_ENDPOINT_TYPES = {t.value: t for t in EndpointType}


def az_name_map(part: Part) -> dict[str, str]:
    return {
        text(z.get("ZoneName")): text(z.get("ZoneId"))
        for z in dicts(part.items(Api.DESCRIBE_AVAILABILITY_ZONES))
        if z.get("ZoneName") and z.get("ZoneId")
    }


def vpcs(part: Part) -> dict[str, Vpc]:
    attrs: dict[str, dict[str, bool]] = defaultdict(dict)
    for item in dicts(part.items(Api.DESCRIBE_VPC_ATTRIBUTE)):
        for key, name in (("EnableDnsSupport", "support"), ("EnableDnsHostnames", "hostnames")):
            value = item.get(key)
            if isinstance(value, dict) and isinstance(value.get("Value"), bool):
                attrs[text(item.get("VpcId"))][name] = value["Value"]
    out: dict[str, Vpc] = {}
    for v in dicts(part.items(Api.DESCRIBE_VPCS)):
        vpc_id = text(v.get("VpcId"))
        if not vpc_id:
            continue
        cidrs = {text(v.get("CidrBlock"))} | {
            text(a.get("CidrBlock"))
            for a in dicts(v.get("CidrBlockAssociationSet") or [])
            if text(mapping(a.get("CidrBlockState")).get("State")).lower() in ("associated", "")
        }
        out[vpc_id] = Vpc(
            id=vpc_id,
            account_id=owner_of(v, part),
            region=part.region,
            cidrs=tuple(sorted(c for c in cidrs if c)),
            ipv6_cidrs=tuple(sorted(texts(v.get("Ipv6CidrBlockAssociationSet"), "Ipv6CidrBlock"))),
            dhcp_options_id=text(v.get("DhcpOptionsId")) or "default",
            is_default=bool(v.get("IsDefault")),
            dns_support=attrs[vpc_id].get("support"),
            dns_hostnames=attrs[vpc_id].get("hostnames"),
            name=name_tag(v),
        )
    return out


def subnets(part: Part, az_ids: dict[str, str]) -> dict[str, Subnet]:
    out: dict[str, Subnet] = {}
    for s in dicts(part.items(Api.DESCRIBE_SUBNETS)):
        subnet_id = text(s.get("SubnetId"))
        az_name = text(s.get("AvailabilityZone"))
        if not subnet_id:
            continue
        out[subnet_id] = Subnet(
            id=subnet_id,
            vpc_id=text(s.get("VpcId")),
            account_id=owner_of(s, part),
            region=part.region,
            az_id=text(s.get("AvailabilityZoneId")) or az_ids.get(az_name, ""),
            az_name=az_name,
            cidr=text(s.get("CidrBlock")),
            ipv6_cidrs=texts(s.get("Ipv6CidrBlockAssociationSet"), "Ipv6CidrBlock"),
            name=name_tag(s),
            ipv6_native=s["Ipv6Native"] if isinstance(s.get("Ipv6Native"), bool) else None,
            dns64=s["EnableDns64"] if isinstance(s.get("EnableDns64"), bool) else None,
            bpa_mode=text(mapping(s.get("BlockPublicAccessStates")).get("InternetGatewayBlockMode")),
        )
    return out


def enis(part: Part, subnets: dict[str, Subnet], az_ids: dict[str, str]) -> dict[str, NetworkInterface]:
    out: dict[str, NetworkInterface] = {}
    for n in dicts(part.items(Api.DESCRIBE_NETWORK_INTERFACES)):
        eni_id = text(n.get("NetworkInterfaceId"))
        if not eni_id:
            continue
        subnet_id = text(n.get("SubnetId"))
        subnet = subnets.get(subnet_id)
        az_id = text(n.get("AvailabilityZoneId")) or (subnet.az_id if subnet else "")
        az_id = az_id or az_ids.get(text(n.get("AvailabilityZone")), "")
        ips = {text(n.get("PrivateIpAddress"))} | set(texts(n.get("PrivateIpAddresses"), "PrivateIpAddress"))
        out[eni_id] = NetworkInterface(
            id=eni_id,
            vpc_id=text(n.get("VpcId")),
            subnet_id=subnet_id,
            az_id=az_id,
            interface_type=text(n.get("InterfaceType")).lower(),
            status=text(n.get("Status")).lower(),
            private_ips=tuple(sorted(ip for ip in ips if ip)),
            group_ids=texts(n.get("Groups"), "GroupId"),
            description=text(n.get("Description")),
            requester_managed=bool(n.get("RequesterManaged")),
            ipv6_ips=_ipv6_ips(n),
        )
    return out


def _ipv6_ips(n: dict[str, Any]) -> tuple[str, ...]:
    """The ENI's IPv6 addresses: the list, and the primary one AWS may also report on its own."""
    ips = {text(n.get("Ipv6Address"))} | set(texts(n.get("Ipv6Addresses"), "Ipv6Address"))
    return tuple(sorted(ip for ip in ips if ip))


def _route(r: dict[str, Any]) -> Route:
    target = next(
        (
            text(r.get(k))
            for k in (
                "GatewayId",
                "NatGatewayId",
                "TransitGatewayId",
                "VpcPeeringConnectionId",
                "NetworkInterfaceId",
                "InstanceId",
                "EgressOnlyInternetGatewayId",
                "LocalGatewayId",
                "CarrierGatewayId",
                "CoreNetworkArn",
            )
            if text(r.get(k))
        ),
        "",
    )
    return Route(
        target=target,
        state=text(r.get("State")).lower() or "active",
        cidr=text(r.get("DestinationCidrBlock")) or None,
        ipv6_cidr=text(r.get("DestinationIpv6CidrBlock")) or None,
        prefix_list_id=text(r.get("DestinationPrefixListId")) or None,
    )


def route_tables(part: Part) -> dict[str, RouteTable]:
    out: dict[str, RouteTable] = {}
    for t in dicts(part.items(Api.DESCRIBE_ROUTE_TABLES)):
        rt_id = text(t.get("RouteTableId"))
        if not rt_id:
            continue
        assocs = [
            a
            for a in dicts(t.get("Associations") or [])
            if text(mapping(a.get("AssociationState")).get("State")).lower() in ("associated", "")
        ]
        out[rt_id] = RouteTable(
            id=rt_id,
            vpc_id=text(t.get("VpcId")),
            account_id=owner_of(t, part),
            region=part.region,
            is_main=any(a.get("Main") is True for a in assocs),
            subnet_ids=tuple(sorted(text(a.get("SubnetId")) for a in assocs if text(a.get("SubnetId")))),
            routes=tuple(_route(r) for r in dicts(t.get("Routes") or [])),
        )
    return out


def endpoints(part: Part) -> dict[str, Endpoint]:
    out: dict[str, Endpoint] = {}
    for e in dicts(part.items(Api.DESCRIBE_VPC_ENDPOINTS)):
        ep_id = text(e.get("VpcEndpointId"))
        if not ep_id:
            continue
        type_raw = text(e.get("VpcEndpointType"))
        out[ep_id] = Endpoint(
            id=ep_id,
            vpc_id=text(e.get("VpcId")),
            account_id=owner_of(e, part),
            region=part.region,
            type=_ENDPOINT_TYPES.get(type_raw.lower(), EndpointType.UNKNOWN),
            type_raw=type_raw,
            service_name=text(e.get("ServiceName")),
            state=text(e.get("State")).lower(),
            subnet_ids=tuple(sorted(texts(e.get("SubnetIds")))),
            eni_ids=tuple(sorted(texts(e.get("NetworkInterfaceIds")))),
            route_table_ids=tuple(sorted(texts(e.get("RouteTableIds")))),
            group_ids=tuple(sorted(texts(e.get("Groups"), "GroupId"))),
            private_dns_enabled=e.get("PrivateDnsEnabled") is True,
            dns_entries=tuple(
                DnsEntry(text(d.get("DnsName")).lower().rstrip("."), text(d.get("HostedZoneId")))
                for d in dicts(e.get("DnsEntries") or [])
                if text(d.get("DnsName"))
            ),
            owner_id=text(e.get("OwnerId")),
            name=name_tag(e),
            failure=_failure(e),
            service_region=text(e.get("ServiceRegion")),
            ip_address_type=text(e.get("IpAddressType")).lower(),
            dns_record_ip_type=text(mapping(e.get("DnsOptions")).get("DnsRecordIpType")).lower(),
            inbound_resolver_only=mapping(e.get("DnsOptions")).get("PrivateDnsOnlyForInboundResolverEndpoint") is True,
            resource_configuration_arn=text(e.get("ResourceConfigurationArn")),
            service_network_arn=text(e.get("ServiceNetworkArn")),
        )
    return out


def _failure(e: dict[str, Any]) -> str:
    last: dict[str, Any] = e["LastError"] if isinstance(e.get("LastError"), dict) else {}
    parts = [text(last.get("Code")), text(last.get("Message")), text(e.get("FailureReason"))]
    return ": ".join(p for p in parts if p)


def services(part: Part, az_ids: dict[str, str]) -> dict[ServiceKey, Service]:
    out: dict[ServiceKey, Service] = {}
    for s in dicts(part.items(Api.DESCRIBE_VPC_ENDPOINT_SERVICES)):
        name = text(s.get("ServiceName"))
        if not name:
            continue
        ids = set(texts(s.get("AvailabilityZoneIds")))
        if not ids:
            ids = {az_ids[n] for n in texts(s.get("AvailabilityZones")) if n in az_ids}
        dns_names = set(texts(s.get("PrivateDnsNames"), "PrivateDnsName"))
        if text(s.get("PrivateDnsName")):
            dns_names.add(text(s.get("PrivateDnsName")))
        # Cross-region services are described on request (ServiceRegions) by the consumer's region, and
        # ServiceRegion says whose AZ IDs these are: keyed by that region, never mixed with local ones.
        region = text(s.get("ServiceRegion")) or part.region
        key = (part.account_id, region, name)
        types = texts(s.get("ServiceType"), "ServiceType")
        previous = out.get(key)
        if previous:  # S3 is listed twice (Interface and Gateway): merge
            ids |= previous.az_ids
            dns_names |= set(previous.private_dns_names)
            types = tuple(sorted(set(types) | set(previous.types)))
        out[key] = Service(
            name=name,
            account_id=part.account_id,
            region=region,
            az_ids=frozenset(ids),
            private_dns_names=tuple(sorted(n.lower().rstrip(".") for n in dns_names)),
            owner=text(s.get("Owner")),
            types=tuple(types),
        )
    return out


def prefix_lists(part: Part) -> dict[str, PrefixList]:
    entries: dict[str, tuple[str, ...]] = {
        text(p.get("PrefixListId")): texts(p.get("Entries"), "Cidr")
        for p in dicts(part.items(Api.GET_MANAGED_PREFIX_LIST_ENTRIES))
    }
    out: dict[str, PrefixList] = {}
    for p in dicts(part.items(Api.DESCRIBE_MANAGED_PREFIX_LISTS)):
        pl_id = text(p.get("PrefixListId"))
        name = text(p.get("PrefixListName"))
        if pl_id and name:
            out[pl_id] = PrefixList(pl_id, name.removeprefix("cn."), part.account_id, part.region, entries.get(pl_id))
    return out


def _rules(perms: Any) -> tuple[SecurityGroupRule, ...]:
    rules = []
    for p in dicts(perms or []):
        rules.append(
            SecurityGroupRule(
                protocol=str(p.get("IpProtocol", "-1")).lower(),
                from_port=p.get("FromPort") if isinstance(p.get("FromPort"), int) else None,
                to_port=p.get("ToPort") if isinstance(p.get("ToPort"), int) else None,
                cidrs=texts(p.get("IpRanges"), "CidrIp"),
                ipv6_cidrs=texts(p.get("Ipv6Ranges"), "CidrIpv6"),
                group_ids=texts(p.get("UserIdGroupPairs"), "GroupId"),
                prefix_list_ids=texts(p.get("PrefixListIds"), "PrefixListId"),
            )
        )
    return tuple(rules)


def security_groups(part: Part) -> dict[str, SecurityGroup]:
    return {
        text(g.get("GroupId")): SecurityGroup(
            id=text(g.get("GroupId")),
            vpc_id=text(g.get("VpcId")),
            name=text(g.get("GroupName")),
            ingress=_rules(g.get("IpPermissions")),
            egress=_rules(g.get("IpPermissionsEgress")),
        )
        for g in dicts(part.items(Api.DESCRIBE_SECURITY_GROUPS))
        if text(g.get("GroupId"))
    }


def dhcp_options(part: Part) -> dict[str, DhcpOptions]:
    out: dict[str, DhcpOptions] = {"default": DhcpOptions("default", (AMAZON_DNS,))}
    for d in dicts(part.items(Api.DESCRIBE_DHCP_OPTIONS)):
        servers: tuple[str, ...] = ()
        for conf in dicts(d.get("DhcpConfigurations") or []):
            if conf.get("Key") == "domain-name-servers":
                servers = texts(conf.get("Values"), "Value")
        if text(d.get("DhcpOptionsId")):
            out[text(d.get("DhcpOptionsId"))] = DhcpOptions(text(d.get("DhcpOptionsId")), servers)
    return out


def associations(part: Part) -> dict[str, list[EndpointAssociation]]:
    """Endpoint id -> its Lattice associations (issue 15)."""
    out: dict[str, list[EndpointAssociation]] = {}
    for a in dicts(part.items(Api.DESCRIBE_VPC_ENDPOINT_ASSOCIATIONS)):
        endpoint_id = text(a.get("VpcEndpointId"))
        if not endpoint_id:
            continue
        failure = ": ".join(p for p in (text(a.get("FailureCode")), text(a.get("FailureReason"))) if p)
        out.setdefault(endpoint_id, []).append(
            EndpointAssociation(
                id=text(a.get("Id")),
                endpoint_id=endpoint_id,
                resource_arn=text(a.get("AssociatedResourceArn")) or text(a.get("ServiceNetworkArn")),
                accessibility=text(a.get("AssociatedResourceAccessibility")),
                dns_name=text(mapping(a.get("DnsEntry")).get("DnsName")).lower().rstrip("."),
                private_dns_name=text(mapping(a.get("PrivateDnsEntry")).get("DnsName")).lower().rstrip("."),
                failure=failure,
            )
        )
    return out
