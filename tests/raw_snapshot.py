"""Hand-built snapshots: raw items shaped as AWS returns them, for unit tests that need no moto.

A `RawPart` starts with every API the EC2 collector records present and empty, so a test adds only the
items it is about and drops (`without`) the APIs it wants uncollected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from vpce_audit.model.inventory import Inventory
from vpce_audit.normalize import normalize
from vpce_audit.snapshot import Part, Snapshot

ACCOUNT = "111111111111"
REGION = "us-east-1"
# A real-looking us-east-1 mapping for ACCOUNT; other accounts get their own in the tests that need it.
ZONES = {"us-east-1a": "use1-az1", "us-east-1b": "use1-az2", "us-east-1c": "use1-az3"}
S3 = f"com.amazonaws.{REGION}.s3"
SSM = f"com.amazonaws.{REGION}.ssm"

EC2_APIS = (
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeVpcs",
    "ec2:DescribeSubnets",
    "ec2:DescribeRouteTables",
    "ec2:DescribeVpcEndpoints",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeVpcEndpointServices",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeManagedPrefixLists",
    "ec2:GetManagedPrefixListEntries",
    "ec2:DescribeVpcAttribute",
    "ec2:DescribeDhcpOptions",
    # VPC Block Public Access (issue 15): present and empty reads as off with no exclusion
    "ec2:DescribeVpcBlockPublicAccessOptions",
    "ec2:DescribeVpcBlockPublicAccessExclusions",
)
_ROUTE_TARGET_KEYS = {
    "igw": "GatewayId",
    "vpce": "GatewayId",
    "local": "GatewayId",
    "nat": "NatGatewayId",
    "tgw": "TransitGatewayId",
    "pcx": "VpcPeeringConnectionId",
    "eni": "NetworkInterfaceId",
    "eigw": "EgressOnlyInternetGatewayId",
}


def route(destination: str, target: str, state: str = "active") -> dict[str, Any]:
    """A route item; `destination` is a CIDR (v4 or v6) or a pl- id."""
    if destination.startswith("pl-"):
        key = "DestinationPrefixListId"
    elif ":" in destination:
        key = "DestinationIpv6CidrBlock"
    else:
        key = "DestinationCidrBlock"
    return {key: destination, _ROUTE_TARGET_KEYS[target.split("-")[0]]: target, "State": state}


@dataclass
class RawPart:
    account_id: str = ACCOUNT
    region: str = REGION
    zones: Mapping[str, str] = field(default_factory=lambda: dict(ZONES))
    apis: dict[str, list[Any]] = field(default_factory=lambda: {api: [] for api in EC2_APIS})

    def __post_init__(self) -> None:
        self.apis["ec2:DescribeAvailabilityZones"] = [
            {"ZoneName": name, "ZoneId": zone_id, "RegionName": self.region} for name, zone_id in self.zones.items()
        ]

    def add(self, api: str, item: dict[str, Any]) -> dict[str, Any]:
        self.apis.setdefault(api, []).append(item)
        return item

    def vpc(self, vpc_id: str, cidr: str = "10.0.0.0/16", **extra: Any) -> dict[str, Any]:
        item = {"VpcId": vpc_id, "CidrBlock": cidr, "OwnerId": self.account_id, "DhcpOptionsId": "default"}
        return self.add("ec2:DescribeVpcs", item | extra)

    def subnet(
        self, subnet_id: str, vpc_id: str, az_name: str, *, with_az_id: bool = True, **extra: Any
    ) -> dict[str, Any]:
        item: dict[str, Any] = {"SubnetId": subnet_id, "VpcId": vpc_id, "AvailabilityZone": az_name}
        if with_az_id:
            item["AvailabilityZoneId"] = self.zones[az_name]
        return self.add("ec2:DescribeSubnets", item | extra)

    def eni(
        self, eni_id: str, subnet_id: str, vpc_id: str, interface_type: str = "interface", **extra: Any
    ) -> dict[str, Any]:
        item = {"NetworkInterfaceId": eni_id, "SubnetId": subnet_id, "VpcId": vpc_id, "InterfaceType": interface_type}
        return self.add("ec2:DescribeNetworkInterfaces", item | extra)

    def route_table(
        self,
        rt_id: str,
        vpc_id: str,
        subnet_ids: Iterable[str] = (),
        routes: Iterable[dict[str, Any]] = (),
        *,
        main: bool = False,
    ) -> dict[str, Any]:
        assocs: list[dict[str, Any]] = [
            {"SubnetId": s, "Main": False, "AssociationState": {"State": "associated"}} for s in subnet_ids
        ]
        if main:
            assocs.append({"Main": True, "AssociationState": {"State": "associated"}})
        local = route("10.0.0.0/16", "local")
        item = {"RouteTableId": rt_id, "VpcId": vpc_id, "Associations": assocs, "Routes": [local, *routes]}
        return self.add("ec2:DescribeRouteTables", item)

    def endpoint(
        self,
        ep_id: str,
        vpc_id: str,
        service_name: str = SSM,
        *,
        kind: str = "Interface",
        state: str = "available",
        subnet_ids: Iterable[str] = (),
        eni_ids: Iterable[str] = (),
        route_table_ids: Iterable[str] = (),
        **extra: Any,
    ) -> dict[str, Any]:
        item = {
            "VpcEndpointId": ep_id,
            "VpcId": vpc_id,
            "ServiceName": service_name,
            "VpcEndpointType": kind,
            "State": state,
            "SubnetIds": list(subnet_ids),
            "NetworkInterfaceIds": list(eni_ids),
            "RouteTableIds": list(route_table_ids),
            "OwnerId": self.account_id,
        }
        return self.add("ec2:DescribeVpcEndpoints", item | extra)

    def interface_endpoint(self, ep_id: str, vpc_id: str, subnets: Mapping[str, str], **extra: Any) -> dict[str, Any]:
        """An endpoint with one real ENI per subnet ({subnet_id: eni_id}), typed as AWS types them."""
        for subnet_id, eni_id in subnets.items():
            self.eni(eni_id, subnet_id, vpc_id, "vpc_endpoint", RequesterManaged=True)
        return self.endpoint(ep_id, vpc_id, subnet_ids=subnets, eni_ids=subnets.values(), **extra)

    def service(
        self,
        name: str = SSM,
        az_names: Iterable[str] | None = None,
        az_ids: Iterable[str] | None = None,
        kind: str = "Interface",
    ) -> dict[str, Any]:
        """Service details; AZ names default to every zone of the part. Ids are only sent when given."""
        item: dict[str, Any] = {
            "ServiceName": name,
            "ServiceType": [{"ServiceType": kind}],
            "AvailabilityZones": list(self.zones if az_names is None else az_names),
            "Owner": "amazon",
        }
        if az_ids is not None:
            item["AvailabilityZoneIds"] = list(az_ids)
        return self.add("ec2:DescribeVpcEndpointServices", item)

    def prefix_list(self, pl_id: str, name: str, cidrs: Iterable[str]) -> None:
        self.add("ec2:DescribeManagedPrefixLists", {"PrefixListId": pl_id, "PrefixListName": name, "OwnerId": "AWS"})
        self.add(
            "ec2:GetManagedPrefixListEntries",
            {"PrefixListId": pl_id, "Entries": [{"Cidr": c, "Description": "default"} for c in cidrs]},
        )

    def without(self, *apis: str) -> RawPart:
        """The same part as if these APIs had failed: absent, not empty."""
        for api in apis:
            self.apis.pop(api)
        return self

    def part(self) -> Part:
        return Part(self.account_id, self.region, "2024-01-01T00:00:00Z", dict(self.apis))


def snapshot(*parts: RawPart) -> Snapshot:
    return Snapshot(
        collected_at="2024-01-01T00:00:00Z",
        accounts=tuple(sorted({p.account_id for p in parts})),
        regions=tuple(sorted({p.region for p in parts})),
        parts=tuple(p.part() for p in parts),
    )


def inventory(*parts: RawPart) -> Inventory:
    return normalize(snapshot(*parts))
