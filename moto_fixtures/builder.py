"""A small vocabulary for building moto worlds with real boto3 create calls, made realistic afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import boto3

from moto_fixtures import realism

# moto's fixed us-east-1 mapping: 1a=use1-az6, 1b=use1-az1, 1c=use1-az2, 1d=use1-az4, 1e=use1-az3, 1f=use1-az5.
AZ1, AZ2, AZ3 = "use1-az1", "use1-az2", "use1-az6"


class Builder:
    """Creates resources in one account and region of a running moto mock, and remembers how to undo the
    process-global patches it made."""

    def __init__(self, session: boto3.Session, region: str = "us-east-1") -> None:
        self.session = session
        self.region = region
        self.ec2 = session.client("ec2", region_name=region)
        self.account_id: str = session.client("sts", region_name=region).get_caller_identity()["Account"]
        self._undo: list[Callable[[], None]] = []
        zones = self.ec2.describe_availability_zones()["AvailabilityZones"]
        self.az_name = {z["ZoneId"]: z["ZoneName"] for z in zones}

    def close(self) -> None:
        while self._undo:
            self._undo.pop()()

    def service(self, short: str) -> str:
        return short if short.startswith("com.amazonaws.") else f"com.amazonaws.{self.region}.{short}"

    @staticmethod
    def _tags(name: str, kind: str) -> list[dict[str, Any]]:
        return [{"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}] if name else []

    # --- network -------------------------------------------------------------------------------------

    def vpc(self, cidr: str = "10.0.0.0/16", name: str = "", *, dns_hostnames: bool = True) -> str:
        vpc_id: str = self.ec2.create_vpc(CidrBlock=cidr, TagSpecifications=self._tags(name, "vpc"))["Vpc"]["VpcId"]
        if dns_hostnames:
            self.ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
        return vpc_id

    def subnet(self, vpc_id: str, az_id: str, cidr: str, name: str = "") -> str:
        return str(
            self.ec2.create_subnet(
                VpcId=vpc_id,
                CidrBlock=cidr,
                AvailabilityZoneId=az_id,
                TagSpecifications=self._tags(name, "subnet"),
            )["Subnet"]["SubnetId"]
        )

    def subnets(self, vpc_id: str, az_ids: Iterable[str], third_octet: int = 0, prefix: str = "10.0") -> list[str]:
        return [
            self.subnet(vpc_id, az, f"{prefix}.{third_octet + i}.0/24", f"subnet-{az}") for i, az in enumerate(az_ids)
        ]

    def workload(self, subnet_id: str, group_ids: Iterable[str] = ()) -> str:
        """An ENI standing for an instance, a Lambda function or a task in the subnet."""
        kwargs: dict[str, Any] = {"SubnetId": subnet_id, "Description": "workload"}
        if group_ids:
            kwargs["Groups"] = list(group_ids)
        return str(self.ec2.create_network_interface(**kwargs)["NetworkInterface"]["NetworkInterfaceId"])

    def main_route_table(self, vpc_id: str) -> str:
        tables = self.ec2.describe_route_tables(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "association.main", "Values": ["true"]}]
        )["RouteTables"]
        return str(tables[0]["RouteTableId"])

    def internet_gateway(self, vpc_id: str) -> str:
        igw: str = self.ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        self.ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
        return igw

    def nat_gateway(self, subnet_id: str) -> str:
        alloc = self.ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat = self.ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=alloc)["NatGateway"]
        for address in nat.get("NatGatewayAddresses", []):
            if address.get("NetworkInterfaceId"):
                realism.mark_infrastructure_eni(
                    self.account_id, self.region, address["NetworkInterfaceId"], "nat_gateway"
                )
        return str(nat["NatGatewayId"])

    def transit_gateway(self) -> str:
        return str(self.ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"])

    def route_table(
        self, vpc_id: str, subnet_ids: Iterable[str] = (), default_target: str | None = None, name: str = ""
    ) -> str:
        """A custom route table for these subnets; `default_target` (igw-/nat-/tgw-) gets 0.0.0.0/0."""
        rt: str = self.ec2.create_route_table(VpcId=vpc_id, TagSpecifications=self._tags(name, "route-table"))[
            "RouteTable"
        ]["RouteTableId"]
        for subnet_id in subnet_ids:
            self.ec2.associate_route_table(RouteTableId=rt, SubnetId=subnet_id)
        if default_target:
            self.route(rt, "0.0.0.0/0", default_target)
        return rt

    def route(self, rt_id: str, cidr: str, target: str) -> None:
        key = {
            "igw": "GatewayId",
            "nat": "NatGatewayId",
            "tgw": "TransitGatewayId",
            "pcx": "VpcPeeringConnectionId",
        }
        self.ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock=cidr, **{key[target.split("-")[0]]: target})

    def security_group(self, vpc_id: str, name: str, https_from: Iterable[str] = ("10.0.0.0/16",)) -> str:
        sg: str = self.ec2.create_security_group(VpcId=vpc_id, GroupName=name, Description=name)["GroupId"]
        cidrs = list(https_from)
        if cidrs:
            self.ec2.authorize_security_group_ingress(
                GroupId=sg,
                IpPermissions=[
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 443,
                        "ToPort": 443,
                        "IpRanges": [{"CidrIp": c} for c in cidrs],
                    }
                ],
            )
        return sg

    def default_security_group(self, vpc_id: str) -> str:
        """The VPC's default group with the ingress rule AWS creates it with (all traffic from its own
        members); moto creates it with no ingress rule at all."""
        group = self.ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
        )["SecurityGroups"][0]
        sg: str = group["GroupId"]
        if not group.get("IpPermissions"):
            self.ec2.authorize_security_group_ingress(
                GroupId=sg, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": sg}]}]
            )
        return sg

    def allow_ingress(
        self,
        group_id: str,
        *,
        protocol: str = "tcp",
        ports: tuple[int, int] | None = (443, 443),
        cidrs: Iterable[str] = (),
        groups: Iterable[str] = (),
        prefix_lists: Iterable[str] = (),
    ) -> None:
        """One ingress rule; `ports` None for protocol -1 (all traffic)."""
        permission: dict[str, Any] = {
            "IpProtocol": protocol,
            "IpRanges": [{"CidrIp": c} for c in cidrs],
            "UserIdGroupPairs": [{"GroupId": g} for g in groups],
            "PrefixListIds": [{"PrefixListId": p} for p in prefix_lists],
        }
        if ports is not None:
            permission["FromPort"], permission["ToPort"] = ports
        self.ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[permission])

    def customer_prefix_list(self, name: str, cidrs: Iterable[str]) -> str:
        entries = [{"Cidr": c} for c in cidrs]
        return str(
            self.ec2.create_managed_prefix_list(
                PrefixListName=name, AddressFamily="IPv4", MaxEntries=max(len(entries), 1), Entries=entries
            )["PrefixList"]["PrefixListId"]
        )

    def secondary_cidr(self, vpc_id: str, cidr: str) -> None:
        self.ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock=cidr)

    # --- endpoints -----------------------------------------------------------------------------------

    def private_dns_names(self, service_name: str) -> tuple[str, ...]:
        details = self.ec2.describe_vpc_endpoint_services(ServiceNames=[service_name])["ServiceDetails"]
        names = {d.get("PrivateDnsName") for d in details} | {
            n.get("PrivateDnsName") for d in details for n in d.get("PrivateDnsNames", [])
        }
        return tuple(sorted(n for n in names if n))

    def interface_endpoint(
        self,
        vpc_id: str,
        service: str,
        subnet_ids: Iterable[str],
        group_ids: Iterable[str] = (),
        *,
        private_dns: bool = True,
        state: str | None = None,
        name: str = "",
    ) -> str:
        service_name = self.service(service)
        kwargs: dict[str, Any] = {
            "VpcId": vpc_id,
            "ServiceName": service_name,
            "VpcEndpointType": "Interface",
            "SubnetIds": list(subnet_ids),
            "PrivateDnsEnabled": private_dns,
            "TagSpecifications": self._tags(name, "vpc-endpoint"),
        }
        if group_ids:
            kwargs["SecurityGroupIds"] = list(group_ids)
        ep_id: str = self.ec2.create_vpc_endpoint(**kwargs)["VpcEndpoint"]["VpcEndpointId"]
        realism.make_realistic(
            self.account_id,
            self.region,
            ep_id,
            private_dns_names=self.private_dns_names(service_name),
            state=state,
        )
        return ep_id

    def gateway_endpoint(
        self,
        vpc_id: str,
        service: str,
        route_table_ids: Iterable[str],
        *,
        state: str | None = None,
        name: str = "",
    ) -> str:
        ep_id: str = self.ec2.create_vpc_endpoint(
            VpcId=vpc_id,
            ServiceName=self.service(service),
            VpcEndpointType="Gateway",
            RouteTableIds=list(route_table_ids),
            TagSpecifications=self._tags(name, "vpc-endpoint"),
        )["VpcEndpoint"]["VpcEndpointId"]
        realism.make_realistic(self.account_id, self.region, ep_id, state=state)
        return ep_id

    def limit_service(self, service: str, az_ids: Iterable[str]) -> None:
        """Offer the service only in these AZ IDs (undone by close())."""
        service_name = self.service(service)
        self.private_dns_names(service_name)  # fills moto's lazily built catalogue for the region
        names = [self.az_name[az] for az in az_ids]
        self._undo.append(realism.limit_service_azs(self.region, service_name, names))

    def add_route_tables(self, endpoint_id: str, route_table_ids: Iterable[str]) -> None:
        """Name more route tables on a gateway endpoint. moto adds no prefix-list route for them, which is
        exactly a table whose endpoint route is missing."""
        self.ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, AddRouteTableIds=list(route_table_ids))

    def add_subnets(self, endpoint_id: str, subnet_ids: Iterable[str]) -> None:
        """Name more subnets on an interface endpoint. moto creates no ENI for them: a subnet the endpoint
        claims but does not serve."""
        self.ec2.modify_vpc_endpoint(VpcEndpointId=endpoint_id, AddSubnetIds=list(subnet_ids))

    def endpoint_eni_ids(self, endpoint_id: str) -> list[str]:
        endpoint = self.ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]
        return sorted(endpoint["NetworkInterfaceIds"])

    def prefix_list(self, service: str) -> tuple[str, tuple[str, ...]]:
        """The AWS-managed prefix list of a gateway service: its id and CIDRs, as this account sees them."""
        lists = self.ec2.describe_managed_prefix_lists(
            Filters=[{"Name": "prefix-list-name", "Values": [self.service(service)]}]
        )["PrefixLists"]
        pl_id = str(lists[0]["PrefixListId"])
        entries = self.ec2.get_managed_prefix_list_entries(PrefixListId=pl_id)["Entries"]
        return pl_id, tuple(str(e["Cidr"]) for e in entries)

    def set_route_state(self, route_table_id: str, destination: str, state: str) -> None:
        realism.set_route_state(self.account_id, self.region, route_table_id, destination, state)

    def set_last_error(self, endpoint_id: str, code: str, message: str) -> None:
        realism.set_last_error(self.account_id, self.region, endpoint_id, code, message)

    def drop_endpoint_eni(self, endpoint_id: str, eni_id: str) -> None:
        realism.drop_endpoint_eni(self.account_id, self.region, endpoint_id, eni_id)

    # --- DNS: VPC attributes, DHCP, Route 53 private zones, Route 53 Resolver ---------------------------------

    def dns_attributes(self, vpc_id: str, *, support: bool | None = None, hostnames: bool | None = None) -> None:
        if support is not None:
            self.ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": support})
        if hostnames is not None:
            self.ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": hostnames})

    def dns_servers(self, vpc_id: str, servers: Iterable[str]) -> str:
        """Give the VPC a DHCP option set naming these DNS servers; returns its id."""
        dopt: str = self.ec2.create_dhcp_options(
            DhcpConfigurations=[{"Key": "domain-name-servers", "Values": list(servers)}]
        )["DhcpOptions"]["DhcpOptionsId"]
        self.ec2.associate_dhcp_options(DhcpOptionsId=dopt, VpcId=vpc_id)
        return dopt

    def endpoint_names(self, endpoint_id: str) -> tuple[str, dict[str, str]]:
        """The endpoint's regional DNS name and its zonal names by AZ ID (as realism.py made them)."""
        entries = self.ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint_id])["VpcEndpoints"][0]["DnsEntries"]
        vpce = [str(e["DnsName"]) for e in entries if str(e["DnsName"]).endswith(".vpce.amazonaws.com")]
        zone_of_name = {name: zone_id for zone_id, name in self.az_name.items()}
        zonal = {
            zone_of_name[name]: dns
            for dns in vpce
            for name in zone_of_name
            if dns.split(".", 1)[0].endswith("-" + name)
        }
        regional = next(dns for dns in vpce if dns not in zonal.values())
        return regional, zonal

    def endpoint_ips(self, endpoint_id: str) -> dict[str, str]:
        """The endpoint's ENI IPs by AZ ID."""
        enis = self.ec2.describe_network_interfaces(NetworkInterfaceIds=self.endpoint_eni_ids(endpoint_id))
        subnets = {
            s["SubnetId"]: s["AvailabilityZoneId"]
            for s in self.ec2.describe_subnets(SubnetIds=[n["SubnetId"] for n in enis["NetworkInterfaces"]])["Subnets"]
        }
        return {subnets[n["SubnetId"]]: str(n["PrivateIpAddress"]) for n in enis["NetworkInterfaces"]}

    def private_zone(self, name: str, vpc_ids: Iterable[str], region: str | None = None) -> str:
        """A private hosted zone associated with these VPCs (of any account: moto, like Route 53 once the
        owner authorised it, does not check); returns the bare zone id."""
        route53 = self.session.client("route53", region_name=self.region)
        first, *rest = list(vpc_ids)
        zone = route53.create_hosted_zone(
            Name=name,
            CallerReference=f"{name}-{first}",
            HostedZoneConfig={"PrivateZone": True, "Comment": "vpce-audit test"},
            VPC={"VPCRegion": region or self.region, "VPCId": first},
        )["HostedZone"]
        zone_id = str(zone["Id"]).removeprefix("/hostedzone/")
        for vpc_id in rest:
            route53.associate_vpc_with_hosted_zone(
                HostedZoneId=zone_id, VPC={"VPCRegion": region or self.region, "VPCId": vpc_id}
            )
        return zone_id

    def records(self, zone_id: str, *records: dict[str, Any]) -> None:
        """UPSERT these record sets (see alias_record, a_record, cname_record)."""
        self.session.client("route53", region_name=self.region).change_resource_record_sets(
            HostedZoneId=zone_id,
            ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": r} for r in records]},
        )

    @staticmethod
    def alias_record(name: str, target: str, target_zone: str = realism.VPCE_HOSTED_ZONE) -> dict[str, Any]:
        return {
            "Name": name,
            "Type": "A",
            "AliasTarget": {"HostedZoneId": target_zone, "DNSName": target, "EvaluateTargetHealth": False},
        }

    @staticmethod
    def a_record(name: str, ips: Iterable[str]) -> dict[str, Any]:
        return {"Name": name, "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": ip} for ip in ips]}

    @staticmethod
    def cname_record(name: str, target: str) -> dict[str, Any]:
        return {"Name": name, "Type": "CNAME", "TTL": 60, "ResourceRecords": [{"Value": target}]}

    def resolver_rule(
        self,
        domain: str,
        vpc_ids: Iterable[str],
        *,
        rule_type: str = "FORWARD",
        target_ips: Iterable[str] = ("192.168.0.2",),
        name: str = "",
    ) -> tuple[str, list[str]]:
        """A Resolver rule associated with these VPCs; returns (rule id, association ids). moto needs a Name
        on every rule and association (it sorts by it) and a Port on every target."""
        resolver = self.session.client("route53resolver", region_name=self.region)
        label = name or domain.strip(".").replace(".", "-") or "root"
        kwargs: dict[str, Any] = {"CreatorRequestId": f"{label}-rule", "Name": label, "RuleType": rule_type}
        kwargs["DomainName"] = domain
        if rule_type == "FORWARD":
            kwargs["TargetIps"] = [{"Ip": ip, "Port": 53} for ip in target_ips]
        rule_id = str(resolver.create_resolver_rule(**kwargs)["ResolverRule"]["Id"])
        associations = [
            str(
                resolver.associate_resolver_rule(ResolverRuleId=rule_id, VPCId=vpc_id, Name=f"{label}-{vpc_id}")[
                    "ResolverRuleAssociation"
                ]["Id"]
            )
            for vpc_id in vpc_ids
        ]
        return rule_id, associations

    def resolver_endpoint(
        self, subnet_ids: Iterable[str], group_id: str, direction: str = "INBOUND", name: str = ""
    ) -> tuple[str, list[str]]:
        """A Resolver endpoint with one IP in each subnet; returns (id, IPs)."""
        resolver = self.session.client("route53resolver", region_name=self.region)
        label = name or f"{direction.lower()}-endpoint"
        rep_id = str(
            resolver.create_resolver_endpoint(
                CreatorRequestId=label,
                Name=label,
                SecurityGroupIds=[group_id],
                Direction=direction,
                IpAddresses=[{"SubnetId": s} for s in subnet_ids],
            )["ResolverEndpoint"]["Id"]
        )
        ips = resolver.list_resolver_endpoint_ip_addresses(ResolverEndpointId=rep_id)["IpAddresses"]
        return rep_id, sorted(str(i["Ip"]) for i in ips)
