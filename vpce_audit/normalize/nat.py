"""NAT gateways (issue 15) from DescribeNatGateways: a zonal one's AZ from its subnet, a regional one's from its
addresses. Read defensively: an item without an id is dropped."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from vpce_audit.apis import Api
from vpce_audit.model.nat import NatGateway
from vpce_audit.model.resources import Subnet
from vpce_audit.normalize.fields import dicts, text
from vpce_audit.snapshot import Part


def nat_gateways(parts: Iterable[Part], subnets: Mapping[str, Subnet]) -> dict[str, NatGateway]:
    out: dict[str, NatGateway] = {}
    for part in parts:
        for n in dicts(part.items(Api.DESCRIBE_NAT_GATEWAYS)):
            nat_id = text(n.get("NatGatewayId"))
            if not nat_id:
                continue
            mode = text(n.get("AvailabilityMode"))
            subnet_id = text(n.get("SubnetId"))
            addresses = frozenset(text(a.get("AvailabilityZoneId")) for a in dicts(n.get("NatGatewayAddresses"))) - {""}
            if mode.lower() == "regional":
                az_ids = addresses
            else:
                subnet = subnets.get(subnet_id)
                home = subnet.az_id if subnet is not None else ""
                az_ids = frozenset({home}) if home else (addresses if len(addresses) == 1 else frozenset())
            out[nat_id] = NatGateway(
                id=nat_id,
                account_id=part.account_id,
                region=part.region,
                vpc_id=text(n.get("VpcId")),
                subnet_id=subnet_id,
                state=text(n.get("State")),
                availability_mode=mode,
                connectivity_type=text(n.get("ConnectivityType")),
                az_ids=az_ids,
            )
    return out
