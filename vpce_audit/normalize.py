"""Snapshot -> Inventory. Reads raw AWS items defensively: a missing field is unknown, never healthy."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from vpce_audit.inventory import DnsInventory, Inventory, ServiceKey
from vpce_audit.model import (
    DhcpOptions,
    DnsEntry,
    Egress,
    Endpoint,
    EndpointType,
    HostedZone,
    NetworkInterface,
    PrefixList,
    RecordSet,
    ResolverEndpoint,
    ResolverRule,
    ResolverRuleAssociation,
    Route,
    RouteTable,
    SecurityGroup,
    SecurityGroupRule,
    Service,
    Subnet,
    Vpc,
)
from vpce_audit.snapshot import Part, Snapshot

AMAZON_DNS = "AmazonProvidedDNS"
# ENIs that are infrastructure, not workloads: they do not make a subnet a client of an endpoint.
NON_WORKLOAD_ENI_TYPES = frozenset(
    {
        "vpc_endpoint",
        "gateway_load_balancer_endpoint",
        "gateway_load_balancer",
        "nat_gateway",
        "natgateway",
        "transit_gateway",
        "network_load_balancer",
        "load_balancer",
    }
)
RESOLVER_ENI_DESCRIPTION = "Route 53 Resolver"
_ENDPOINT_TYPES = {t.value: t for t in EndpointType}
_ACCOUNT_ID = re.compile(r"[0-9]{12}")


def normalize(snapshot: Snapshot) -> Inventory:
    vpcs: dict[str, Vpc] = {}
    subnets: dict[str, Subnet] = {}
    enis: dict[str, NetworkInterface] = {}
    route_tables: dict[str, RouteTable] = {}
    endpoints: dict[str, Endpoint] = {}
    services: dict[ServiceKey, Service] = {}
    prefix_lists: dict[str, PrefixList] = {}
    groups: dict[str, SecurityGroup] = {}
    dhcp: dict[str, DhcpOptions] = {}
    collected: set[tuple[str, str, str]] = set()

    # A fixed order, whatever order the threads finished in: an id seen in two parts resolves the same way.
    for part in sorted(snapshot.parts, key=lambda p: (p.account_id, p.region)):
        collected.update((part.account_id, part.region, api) for api in part.apis)
        az_ids = _az_name_map(part)
        subnets.update(_subnets(part, az_ids))
        vpcs.update(_vpcs(part))
        enis.update(_enis(part, subnets, az_ids))
        route_tables.update(_route_tables(part))
        endpoints.update(_endpoints(part))
        services.update(_services(part, az_ids))
        prefix_lists.update(_prefix_lists(part))
        groups.update(_security_groups(part))
        dhcp.update(_dhcp_options(part))

    subnets_by_vpc: dict[str, list[str]] = defaultdict(list)
    for subnet in sorted(subnets.values(), key=lambda s: s.id):
        subnets_by_vpc[subnet.vpc_id].append(subnet.id)
    endpoint_enis = frozenset(e for ep in endpoints.values() for e in ep.eni_ids)
    effective = _effective_route_tables(subnets, route_tables)
    workload, assumed = _workload_subnets(vpcs, subnets_by_vpc, enis, endpoint_enis)
    return Inventory(
        vpcs=vpcs,
        subnets=subnets,
        enis=enis,
        route_tables=route_tables,
        endpoints=endpoints,
        services=services,
        prefix_lists=prefix_lists,
        security_groups=groups,
        dhcp_options=dhcp,
        collected=frozenset(collected),
        scanned=frozenset((p.account_id, p.region) for p in snapshot.parts),
        subnets_by_vpc={k: tuple(v) for k, v in subnets_by_vpc.items()},
        effective_route_table=effective,
        workload_subnets=workload,
        workload_assumed=assumed,
        egress={s: _egress(route_tables[rt]) for s, rt in effective.items()},
        endpoint_enis=endpoint_enis,
        dns=normalize_dns(snapshot.parts),
    )


def _dicts(items: Any) -> Iterable[dict[str, Any]]:
    # A damaged snapshot can hold anything where a list belongs: such a value holds no items.
    if not isinstance(items, list | tuple):
        return ()
    return (i for i in items if isinstance(i, dict))


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _strs(values: Any, key: str | None = None) -> tuple[str, ...]:
    if not isinstance(values, list):
        return ()
    if key is None:
        return tuple(v for v in values if isinstance(v, str))
    found = (v.get(key) for v in values if isinstance(v, dict))
    return tuple(s for s in found if isinstance(s, str) and s)


def _account_id(value: Any) -> str:
    """`value` if it is an account id (12 digits), else "": reports and other tools rely on the shape."""
    return value if isinstance(value, str) and _ACCOUNT_ID.fullmatch(value) else ""


def _owner(item: dict[str, Any], part: Part) -> str:
    """The account that owns a resource: OwnerId (a shared VPC's subnets belong to the VPC's owner, not the
    account that listed them), or the listing account when OwnerId is not an account id at all."""
    return _account_id(item.get("OwnerId")) or part.account_id


def _name_tag(item: dict[str, Any]) -> str:
    for tag in _dicts(item.get("Tags")):
        if tag.get("Key") == "Name":
            return _str(tag.get("Value"))
    return ""


def _az_name_map(part: Part) -> dict[str, str]:
    return {
        _str(z.get("ZoneName")): _str(z.get("ZoneId"))
        for z in _dicts(part.items("ec2:DescribeAvailabilityZones"))
        if z.get("ZoneName") and z.get("ZoneId")
    }


def _vpcs(part: Part) -> dict[str, Vpc]:
    attrs: dict[str, dict[str, bool]] = defaultdict(dict)
    for item in _dicts(part.items("ec2:DescribeVpcAttribute")):
        for key, name in (("EnableDnsSupport", "support"), ("EnableDnsHostnames", "hostnames")):
            value = item.get(key)
            if isinstance(value, dict) and isinstance(value.get("Value"), bool):
                attrs[_str(item.get("VpcId"))][name] = value["Value"]
    out: dict[str, Vpc] = {}
    for v in _dicts(part.items("ec2:DescribeVpcs")):
        vpc_id = _str(v.get("VpcId"))
        if not vpc_id:
            continue
        cidrs = {_str(v.get("CidrBlock"))} | {
            _str(a.get("CidrBlock"))
            for a in _dicts(v.get("CidrBlockAssociationSet") or [])
            if _str(_dict(a.get("CidrBlockState")).get("State")).lower() in ("associated", "")
        }
        out[vpc_id] = Vpc(
            id=vpc_id,
            account_id=_owner(v, part),
            region=part.region,
            cidrs=tuple(sorted(c for c in cidrs if c)),
            ipv6_cidrs=tuple(sorted(_strs(v.get("Ipv6CidrBlockAssociationSet"), "Ipv6CidrBlock"))),
            dhcp_options_id=_str(v.get("DhcpOptionsId")) or "default",
            is_default=bool(v.get("IsDefault")),
            dns_support=attrs[vpc_id].get("support"),
            dns_hostnames=attrs[vpc_id].get("hostnames"),
            name=_name_tag(v),
        )
    return out


def _subnets(part: Part, az_ids: dict[str, str]) -> dict[str, Subnet]:
    out: dict[str, Subnet] = {}
    for s in _dicts(part.items("ec2:DescribeSubnets")):
        subnet_id = _str(s.get("SubnetId"))
        az_name = _str(s.get("AvailabilityZone"))
        if not subnet_id:
            continue
        out[subnet_id] = Subnet(
            id=subnet_id,
            vpc_id=_str(s.get("VpcId")),
            account_id=_owner(s, part),
            region=part.region,
            az_id=_str(s.get("AvailabilityZoneId")) or az_ids.get(az_name, ""),
            az_name=az_name,
            cidr=_str(s.get("CidrBlock")),
            ipv6_cidrs=_strs(s.get("Ipv6CidrBlockAssociationSet"), "Ipv6CidrBlock"),
            name=_name_tag(s),
        )
    return out


def _enis(part: Part, subnets: dict[str, Subnet], az_ids: dict[str, str]) -> dict[str, NetworkInterface]:
    out: dict[str, NetworkInterface] = {}
    for n in _dicts(part.items("ec2:DescribeNetworkInterfaces")):
        eni_id = _str(n.get("NetworkInterfaceId"))
        if not eni_id:
            continue
        subnet_id = _str(n.get("SubnetId"))
        subnet = subnets.get(subnet_id)
        az_id = _str(n.get("AvailabilityZoneId")) or (subnet.az_id if subnet else "")
        az_id = az_id or az_ids.get(_str(n.get("AvailabilityZone")), "")
        ips = {_str(n.get("PrivateIpAddress"))} | set(_strs(n.get("PrivateIpAddresses"), "PrivateIpAddress"))
        out[eni_id] = NetworkInterface(
            id=eni_id,
            vpc_id=_str(n.get("VpcId")),
            subnet_id=subnet_id,
            az_id=az_id,
            interface_type=_str(n.get("InterfaceType")).lower(),
            status=_str(n.get("Status")).lower(),
            private_ips=tuple(sorted(ip for ip in ips if ip)),
            group_ids=_strs(n.get("Groups"), "GroupId"),
            description=_str(n.get("Description")),
            requester_managed=bool(n.get("RequesterManaged")),
        )
    return out


def _route(r: dict[str, Any]) -> Route:
    target = next(
        (
            _str(r.get(k))
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
            if _str(r.get(k))
        ),
        "",
    )
    return Route(
        target=target,
        state=_str(r.get("State")).lower() or "active",
        cidr=_str(r.get("DestinationCidrBlock")) or None,
        ipv6_cidr=_str(r.get("DestinationIpv6CidrBlock")) or None,
        prefix_list_id=_str(r.get("DestinationPrefixListId")) or None,
    )


def _route_tables(part: Part) -> dict[str, RouteTable]:
    out: dict[str, RouteTable] = {}
    for t in _dicts(part.items("ec2:DescribeRouteTables")):
        rt_id = _str(t.get("RouteTableId"))
        if not rt_id:
            continue
        assocs = [
            a
            for a in _dicts(t.get("Associations") or [])
            if _str(_dict(a.get("AssociationState")).get("State")).lower() in ("associated", "")
        ]
        out[rt_id] = RouteTable(
            id=rt_id,
            vpc_id=_str(t.get("VpcId")),
            account_id=_owner(t, part),
            region=part.region,
            is_main=any(a.get("Main") is True for a in assocs),
            subnet_ids=tuple(sorted(_str(a.get("SubnetId")) for a in assocs if _str(a.get("SubnetId")))),
            routes=tuple(_route(r) for r in _dicts(t.get("Routes") or [])),
        )
    return out


def _endpoints(part: Part) -> dict[str, Endpoint]:
    out: dict[str, Endpoint] = {}
    for e in _dicts(part.items("ec2:DescribeVpcEndpoints")):
        ep_id = _str(e.get("VpcEndpointId"))
        if not ep_id:
            continue
        type_raw = _str(e.get("VpcEndpointType"))
        out[ep_id] = Endpoint(
            id=ep_id,
            vpc_id=_str(e.get("VpcId")),
            account_id=_owner(e, part),
            region=part.region,
            type=_ENDPOINT_TYPES.get(type_raw.lower(), EndpointType.UNKNOWN),
            type_raw=type_raw,
            service_name=_str(e.get("ServiceName")),
            state=_str(e.get("State")).lower(),
            subnet_ids=tuple(sorted(_strs(e.get("SubnetIds")))),
            eni_ids=tuple(sorted(_strs(e.get("NetworkInterfaceIds")))),
            route_table_ids=tuple(sorted(_strs(e.get("RouteTableIds")))),
            group_ids=tuple(sorted(_strs(e.get("Groups"), "GroupId"))),
            private_dns_enabled=e.get("PrivateDnsEnabled") is True,
            dns_entries=tuple(
                DnsEntry(_str(d.get("DnsName")).lower().rstrip("."), _str(d.get("HostedZoneId")))
                for d in _dicts(e.get("DnsEntries") or [])
                if _str(d.get("DnsName"))
            ),
            owner_id=_str(e.get("OwnerId")),
            name=_name_tag(e),
            failure=_failure(e),
        )
    return out


def _failure(e: dict[str, Any]) -> str:
    last: dict[str, Any] = e["LastError"] if isinstance(e.get("LastError"), dict) else {}
    parts = [_str(last.get("Code")), _str(last.get("Message")), _str(e.get("FailureReason"))]
    return ": ".join(p for p in parts if p)


def _services(part: Part, az_ids: dict[str, str]) -> dict[ServiceKey, Service]:
    out: dict[ServiceKey, Service] = {}
    for s in _dicts(part.items("ec2:DescribeVpcEndpointServices")):
        name = _str(s.get("ServiceName"))
        if not name:
            continue
        ids = set(_strs(s.get("AvailabilityZoneIds")))
        if not ids:
            ids = {az_ids[n] for n in _strs(s.get("AvailabilityZones")) if n in az_ids}
        dns_names = set(_strs(s.get("PrivateDnsNames"), "PrivateDnsName"))
        if _str(s.get("PrivateDnsName")):
            dns_names.add(_str(s.get("PrivateDnsName")))
        key = (part.account_id, part.region, name)
        types = _strs(s.get("ServiceType"), "ServiceType")
        previous = out.get(key)
        if previous:  # S3 is listed twice (Interface and Gateway): merge
            ids |= previous.az_ids
            dns_names |= set(previous.private_dns_names)
            types = tuple(sorted(set(types) | set(previous.types)))
        out[key] = Service(
            name=name,
            account_id=part.account_id,
            region=part.region,
            az_ids=frozenset(ids),
            private_dns_names=tuple(sorted(n.lower().rstrip(".") for n in dns_names)),
            owner=_str(s.get("Owner")),
            types=tuple(types),
        )
    return out


def _prefix_lists(part: Part) -> dict[str, PrefixList]:
    entries: dict[str, tuple[str, ...]] = {
        _str(p.get("PrefixListId")): _strs(p.get("Entries"), "Cidr")
        for p in _dicts(part.items("ec2:GetManagedPrefixListEntries"))
    }
    out: dict[str, PrefixList] = {}
    for p in _dicts(part.items("ec2:DescribeManagedPrefixLists")):
        pl_id = _str(p.get("PrefixListId"))
        name = _str(p.get("PrefixListName"))
        if pl_id and name:
            out[pl_id] = PrefixList(pl_id, name.removeprefix("cn."), part.account_id, part.region, entries.get(pl_id))
    return out


def _rules(perms: Any) -> tuple[SecurityGroupRule, ...]:
    rules = []
    for p in _dicts(perms or []):
        rules.append(
            SecurityGroupRule(
                protocol=str(p.get("IpProtocol", "-1")).lower(),
                from_port=p.get("FromPort") if isinstance(p.get("FromPort"), int) else None,
                to_port=p.get("ToPort") if isinstance(p.get("ToPort"), int) else None,
                cidrs=_strs(p.get("IpRanges"), "CidrIp"),
                ipv6_cidrs=_strs(p.get("Ipv6Ranges"), "CidrIpv6"),
                group_ids=_strs(p.get("UserIdGroupPairs"), "GroupId"),
                prefix_list_ids=_strs(p.get("PrefixListIds"), "PrefixListId"),
            )
        )
    return tuple(rules)


def _security_groups(part: Part) -> dict[str, SecurityGroup]:
    return {
        _str(g.get("GroupId")): SecurityGroup(
            id=_str(g.get("GroupId")),
            vpc_id=_str(g.get("VpcId")),
            name=_str(g.get("GroupName")),
            ingress=_rules(g.get("IpPermissions")),
            egress=_rules(g.get("IpPermissionsEgress")),
        )
        for g in _dicts(part.items("ec2:DescribeSecurityGroups"))
        if _str(g.get("GroupId"))
    }


def _dhcp_options(part: Part) -> dict[str, DhcpOptions]:
    out: dict[str, DhcpOptions] = {"default": DhcpOptions("default", (AMAZON_DNS,))}
    for d in _dicts(part.items("ec2:DescribeDhcpOptions")):
        servers: tuple[str, ...] = ()
        for conf in _dicts(d.get("DhcpConfigurations") or []):
            if conf.get("Key") == "domain-name-servers":
                servers = _strs(conf.get("Values"), "Value")
        if _str(d.get("DhcpOptionsId")):
            out[_str(d.get("DhcpOptionsId"))] = DhcpOptions(_str(d.get("DhcpOptionsId")), servers)
    return out


def _effective_route_tables(subnets: dict[str, Subnet], tables: dict[str, RouteTable]) -> dict[str, str]:
    """A subnet uses its explicitly associated table, else its VPC's main table (AWS omits implicit ones)."""
    explicit = {s: t.id for t in tables.values() for s in t.subnet_ids}
    main = {t.vpc_id: t.id for t in sorted(tables.values(), key=lambda t: t.id) if t.is_main}
    out: dict[str, str] = {}
    for subnet in subnets.values():
        rt = explicit.get(subnet.id) or main.get(subnet.vpc_id)
        if rt:
            out[subnet.id] = rt
    return out


def _workload_subnets(
    vpcs: dict[str, Vpc],
    subnets_by_vpc: dict[str, list[str]],
    enis: dict[str, NetworkInterface],
    endpoint_enis: frozenset[str],
) -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    busy: dict[str, set[str]] = defaultdict(set)
    for eni in enis.values():
        if eni.id not in endpoint_enis and not _infrastructure(eni):
            busy[eni.vpc_id].add(eni.subnet_id)
    workload: dict[str, tuple[str, ...]] = {}
    assumed: set[str] = set()
    for vpc_id in set(vpcs) | set(subnets_by_vpc):
        all_subnets = subnets_by_vpc.get(vpc_id, [])
        chosen = [s for s in all_subnets if s in busy.get(vpc_id, set())]
        if not chosen:
            # No workload ENI at all: judge against every subnet rather than against nothing.
            chosen = list(all_subnets)
            assumed.add(vpc_id)
        workload[vpc_id] = tuple(chosen)
    return workload, frozenset(assumed)


def _infrastructure(eni: NetworkInterface) -> bool:
    # Resolver endpoint ENIs are typed `interface` like an instance's; AWS names them in the description.
    return eni.interface_type in NON_WORKLOAD_ENI_TYPES or eni.description.startswith(RESOLVER_ENI_DESCRIPTION)


def _egress(table: RouteTable) -> Egress:
    # IPv4 only: the S3/DynamoDB gateway paths and the endpoints' clients are judged for IPv4 traffic, and an
    # IPv6-only default route (IGW or egress-only) gives IPv4 clients no way out.
    route = next((r for r in table.routes if r.cidr == "0.0.0.0/0"), None)
    if route is None or route.state == "blackhole":
        return Egress.ISOLATED
    if route.target.startswith("igw-"):
        return Egress.PUBLIC
    if route.target.startswith(("tgw-", "pcx-", "vgw-", "lgw-", "arn:")):
        return Egress.TGW
    return Egress.NAT  # NAT gateway, NAT instance, appliance ENI or GWLB endpoint: egress via a middlebox


# --- DNS: Route 53 (Part "global") and Route 53 Resolver (regional parts) ------------------------------------

_ESCAPE = re.compile(r"\\(\d{3})")


def dns_name(raw: Any) -> str:
    """A DNS name as DNS compares it: Route 53 writes `*` as `\052` (octal escapes), ends names with a dot
    and keeps the case it was given."""
    name = _str(raw)
    if "\\" in name:  # rare (wildcards, odd characters): most names skip the regex
        name = _ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), name)
    name = name.strip().lower()
    return "" if name == "." else name.rstrip(".")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def bare_zone_id(raw: Any) -> str:
    return _str(raw).removeprefix("/hostedzone/")


def normalize_dns(parts: Iterable[Part]) -> DnsInventory:
    parts = tuple(parts)
    audited = {p.account_id for p in parts}
    # Accounts whose zone listing answered: only they can be said to have found (or not found) a zone.
    listing = {p.account_id for p in parts if p.has("route53:ListHostedZonesByVPC")}
    zones: dict[str, dict[str, Any]] = {}  # zone id -> fields, merged over every account that saw the zone
    listed: set[str] = set()
    records: dict[str, tuple[RecordSet, ...]] = {}
    readers: dict[str, str] = {}  # zone id -> the account that listed its records: only an owner can
    for part in parts:
        _zone_listings(part, zones, listed)
        _owned_zones(part, zones)
        _skipped_zones(part, zones)
        for entry in _dicts(part.items("route53:ListResourceRecordSets")):
            zone_id = bare_zone_id(entry.get("HostedZoneId"))
            rrsets = entry.get("ResourceRecordSets")
            # Anything but a list is no answer: the records stay unknown, never "none" (that would be NXDOMAIN).
            if zone_id and isinstance(rrsets, list):
                records[zone_id] = tuple(_record(zone_id, r) for r in _dicts(rrsets))
                readers.setdefault(zone_id, part.account_id)
    hosted: dict[str, HostedZone] = {}
    by_vpc: dict[str, set[str]] = defaultdict(set)
    for zone_id, f in zones.items():
        if f.get("public"):
            continue  # a public zone answers nobody's private queries
        zone_records = records.get(zone_id)
        hosted[zone_id] = HostedZone(
            id=zone_id,
            name=f.get("name", ""),
            owner_account=f.get("owner_account") or readers.get(zone_id, ""),
            owner_service=f.get("owner_service", ""),
            vpc_ids=tuple(sorted(f.get("vpcs", ()))),
            records=zone_records,
            skipped_reason="" if zone_records is not None else _skip_reason(f, audited, listing),
            seen_by=tuple(sorted(f["seen_by"] | f.get("skipped_by", set()))),
        )
        for vpc_id in f.get("vpcs", ()):
            by_vpc[vpc_id].add(zone_id)
    return DnsInventory(
        zones=hosted,
        listed_vpcs=frozenset(listed),
        described_zones=frozenset(z for z in hosted if zones[z].get("described")),
        zones_by_vpc={v: tuple(sorted(z for z in ids if z in hosted)) for v, ids in by_vpc.items()},
        rules=_resolver_rules(parts),
        associations=_rule_associations(parts),
        resolver_endpoints=_resolver_endpoints(parts),
        primary_cidr={
            _str(v.get("VpcId")): _str(v.get("CidrBlock"))
            for part in parts
            for v in _dicts(part.items("ec2:DescribeVpcs"))
            if _str(v.get("VpcId")) and _str(v.get("CidrBlock"))
        },
    )


def _skip_reason(fields: dict[str, Any], audited: set[str], listing: set[str]) -> str:
    """Why a zone's records are absent. "" when its owner found it and its records failed: the resolver then
    says the records were not collected."""
    owner = fields.get("owner_account", "")
    if owner not in audited or "skipped" not in fields:
        return str(fields.get("skipped", ""))
    if owner in fields.get("seen_by", ()):
        return ""
    if owner not in listing:
        return f"owned by account {owner}, whose zone listing was not collected (route53:ListHostedZonesByVPC)"
    # The owner was scanned too, but finds zones only through its own in-scope VPCs: a hub zone that is
    # associated with spokes alone is never read. "Audit account N" would be wrong advice.
    return (
        f"owned by account {owner}, which was audited but did not read it: the zone is associated with none "
        "of that account's scanned VPCs"
    )


def _zone(zones: dict[str, dict[str, Any]], zone_id: str) -> dict[str, Any]:
    return zones.setdefault(zone_id, {"vpcs": set(), "seen_by": set()})


def _zone_listings(part: Part, zones: dict[str, dict[str, Any]], listed: set[str]) -> None:
    for entry in _dicts(part.items("route53:ListHostedZonesByVPC")):
        vpc_id = _str(entry.get("VPCId"))
        if not vpc_id:
            continue
        listed.add(vpc_id)
        for summary in _dicts(entry.get("HostedZoneSummaries") or []):
            zone_id = bare_zone_id(summary.get("HostedZoneId"))
            if not zone_id:
                continue
            z = _zone(zones, zone_id)
            z["vpcs"].add(vpc_id)
            z["seen_by"].add(part.account_id)
            z.setdefault("name", dns_name(summary.get("Name")))
            owner = _dict(summary.get("Owner"))
            if _account_id(owner.get("OwningAccount")):
                z["owner_account"] = _account_id(owner.get("OwningAccount"))
            elif _str(owner.get("OwningService")):
                z["owner_service"] = _str(owner.get("OwningService"))


def _owned_zones(part: Part, zones: dict[str, dict[str, Any]]) -> None:
    for entry in _dicts(part.items("route53:GetHostedZone")):
        info = _dict(entry.get("HostedZone"))
        zone_id = bare_zone_id(info.get("Id"))
        if not zone_id:
            continue
        z = _zone(zones, zone_id)
        z["described"] = True
        z["seen_by"].add(part.account_id)
        z["name"] = dns_name(info.get("Name")) or z.get("name", "")
        z.setdefault("owner_account", part.account_id)  # GetHostedZone is only asked of the owner
        config = _dict(info.get("Config"))
        if config.get("PrivateZone") is False:
            z["public"] = True
        z["vpcs"].update(_str(v.get("VPCId")) for v in _dicts(entry.get("VPCs") or []) if _str(v.get("VPCId")))


def _skipped_zones(part: Part, zones: dict[str, dict[str, Any]]) -> None:
    for entry in _dicts(part.items("route53:SkippedZones")):
        zone_id = bare_zone_id(entry.get("HostedZoneId"))
        if not zone_id:
            continue
        z = _zone(zones, zone_id)
        z.setdefault("skipped_by", set()).add(part.account_id)
        z.setdefault("name", dns_name(entry.get("Name")))
        if _account_id(entry.get("OwningAccount")):
            z.setdefault("owner_account", _account_id(entry.get("OwningAccount")))
        elif _str(entry.get("OwningService")):
            z.setdefault("owner_service", _str(entry.get("OwningService")))
        z.setdefault("skipped", _str(entry.get("reason")))


def _record(zone_id: str, r: dict[str, Any]) -> RecordSet:
    rtype = _str(r.get("Type")).upper()
    values = _strs(r.get("ResourceRecords"), "Value")
    alias = _dict(r.get("AliasTarget"))
    return RecordSet(
        zone_id=zone_id,
        name=dns_name(r.get("Name")),
        type=rtype,
        values=tuple(dns_name(v) for v in values) if rtype == "CNAME" else tuple(v.strip() for v in values),
        alias_target=dns_name(alias.get("DNSName")),
        alias_zone_id=_str(alias.get("HostedZoneId")),
        set_identifier=_str(r.get("SetIdentifier")),
    )


def _resolver_rules(parts: tuple[Part, ...]) -> dict[str, ResolverRule]:
    out: dict[str, ResolverRule] = {}
    for part in parts:
        for r in _dicts(part.items("route53resolver:ListResolverRules")):
            rule_id = _str(r.get("Id"))
            if not rule_id or rule_id in out:  # a shared rule is listed by its owner and by its users
                continue
            out[rule_id] = ResolverRule(
                id=rule_id,
                account_id=part.account_id,
                region=part.region,
                domain=dns_name(r.get("DomainName")),
                rule_type=_str(r.get("RuleType")).upper(),
                status=_str(r.get("Status")).upper(),
                target_ips=tuple(_str(t.get("Ip")) or _str(t.get("Ipv6")) for t in _dicts(r.get("TargetIps") or [])),
                resolver_endpoint_id=_str(r.get("ResolverEndpointId")),
                owner_id=_str(r.get("OwnerId")),
                name=_str(r.get("Name")),
            )
    return out


def _rule_associations(parts: tuple[Part, ...]) -> dict[str, ResolverRuleAssociation]:
    return {
        _str(a.get("Id")): ResolverRuleAssociation(
            id=_str(a.get("Id")),
            rule_id=_str(a.get("ResolverRuleId")),
            vpc_id=_str(a.get("VPCId")),
            account_id=part.account_id,
            region=part.region,
            status=_str(a.get("Status")).upper(),
            name=_str(a.get("Name")),
        )
        for part in parts
        for a in _dicts(part.items("route53resolver:ListResolverRuleAssociations"))
        if _str(a.get("Id"))
    }


def _resolver_endpoints(parts: tuple[Part, ...]) -> dict[str, ResolverEndpoint]:
    out: dict[str, ResolverEndpoint] = {}
    for part in parts:
        ips: dict[str, tuple[str, ...]] = {
            _str(e.get("ResolverEndpointId")): tuple(
                _str(i.get("Ip")) or _str(i.get("Ipv6"))
                for i in _dicts(e.get("IpAddresses") or [])
                if _str(i.get("Ip")) or _str(i.get("Ipv6"))
            )
            for e in _dicts(part.items("route53resolver:ListResolverEndpointIpAddresses"))
        }
        for e in _dicts(part.items("route53resolver:ListResolverEndpoints")):
            rep_id = _str(e.get("Id"))
            if rep_id:
                out[rep_id] = ResolverEndpoint(
                    id=rep_id,
                    account_id=part.account_id,
                    region=part.region,
                    direction=_str(e.get("Direction")).upper(),
                    vpc_id=_str(e.get("HostVPCId")),
                    status=_str(e.get("Status")).upper(),
                    ips=ips.get(rep_id),
                    name=_str(e.get("Name")),
                )
    return out
