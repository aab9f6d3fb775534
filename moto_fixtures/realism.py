"""Make moto 5.2.5's endpoints look like real ones by patching its stored objects.

moto serialises backend attributes by name, so setting them changes what describe_* returns. What it gets wrong
(measured against moto 5.2.5): one malformed DnsEntry and no zonal names, endpoint ENIs typed
`interface` with random IPs outside their subnet and the default SG, gateway endpoints with PrivateDnsEnabled
true, state always `available`, service AZs always every AZ. Everything coupled to moto internals lives here.
"""

from __future__ import annotations

import copy
import hashlib
import ipaddress
from collections.abc import Callable
from typing import Any

from moto.ec2.models import ec2_backends
from moto.ec2.models import vpcs as moto_vpcs

# The hosted zone AWS uses for vpce names in us-east-1; any stable value works for the tests.
VPCE_HOSTED_ZONE = "Z7HUB22UULQXV"
PRIVATE_DNS_HOSTED_ZONE = "ZONEPRIVATEDNS"


def backend(account_id: str, region: str) -> Any:
    return ec2_backends[account_id][region]


def _suffix(endpoint_id: str) -> str:
    return hashlib.sha256(endpoint_id.encode()).hexdigest()[:8]


def ip_in_subnet(cidr: str, index: int) -> str:
    net = ipaddress.ip_network(cidr)
    return str(net.network_address + 10 + index)


def make_realistic(
    account_id: str,
    region: str,
    endpoint_id: str,
    *,
    private_dns_names: tuple[str, ...] = (),
    state: str | None = None,
) -> None:
    """Give an endpoint AWS's DnsEntries and its ENIs AWS's type, description, SGs and in-subnet IPs."""
    be = backend(account_id, region)
    ep = be.vpc_end_points[endpoint_id]
    if state is not None:
        ep.state = state
    if str(ep.vpc_endpoint_type).lower() == "gateway":
        ep.private_dns_enabled = False
        ep.dns_entries = []
        return
    short = ep.service_name.removeprefix(f"com.amazonaws.{region}.")
    base = f"{ep.id}-{_suffix(ep.id)}"
    entries = [{"dns_name": f"{base}.{short}.{region}.vpce.amazonaws.com", "hosted_zone_id": VPCE_HOSTED_ZONE}]
    for index, eni_id in enumerate(ep.network_interface_ids):
        eni = be.enis[eni_id]
        az_name = eni.subnet.availability_zone
        entries.append(
            {
                "dns_name": f"{base}-{az_name}.{short}.{region}.vpce.amazonaws.com",
                "hosted_zone_id": VPCE_HOSTED_ZONE,
            }
        )
        ip = ip_in_subnet(eni.subnet.cidr_block, 100 + index)
        eni.private_ip_address = ip
        eni.private_ip_addresses = [{"Primary": True, "PrivateIpAddress": ip}]
        eni.description = f"VPC Endpoint Interface {ep.id}"
        eni.interface_type = "vpc_endpoint"
        eni.requester_managed = True
        eni._group_set = [be.get_security_group_from_id(g) for g in ep.security_group_ids]
    if ep.private_dns_enabled:
        entries += [{"dns_name": n, "hosted_zone_id": PRIVATE_DNS_HOSTED_ZONE} for n in private_dns_names]
    ep.dns_entries = entries
    ep.dns_options = {"DnsRecordIpType": "ipv4"}
    ep.ip_address_type = "ipv4"


def set_state(account_id: str, region: str, endpoint_id: str, state: str) -> None:
    backend(account_id, region).vpc_end_points[endpoint_id].state = state


def set_last_error(account_id: str, region: str, endpoint_id: str, code: str, message: str) -> None:
    """The LastError AWS attaches to a failed endpoint; moto never sets one but serialises it if present."""
    backend(account_id, region).vpc_end_points[endpoint_id].last_error = {"code": code, "message": message}


def mark_infrastructure_eni(account_id: str, region: str, eni_id: str, interface_type: str) -> None:
    """moto types NAT gateway and load balancer ENIs `interface`; AWS does not."""
    backend(account_id, region).enis[eni_id].interface_type = interface_type


def drop_endpoint_eni(account_id: str, region: str, endpoint_id: str, eni_id: str) -> None:
    """An ENI the endpoint still names but AWS no longer returns."""
    be = backend(account_id, region)
    be.enis.pop(eni_id, None)
    assert eni_id in be.vpc_end_points[endpoint_id].network_interface_ids


def set_route_state(account_id: str, region: str, route_table_id: str, destination: str, state: str) -> None:
    """Report a route in another state (e.g. `blackhole`, as AWS does once its target is deleted).

    moto's Route.state is a read-only property that always says `active`, so the stored route is given a
    subclass whose state is fixed; `destination` is the route's CIDR or prefix-list id."""
    table = backend(account_id, region).route_tables[route_table_id]
    for route in table.routes:
        if destination in (route.destination_cidr_block, route.destination_prefix_list_id):
            route.__class__ = _route_class(type(route), state)
            return
    raise KeyError(f"no route to {destination} in {route_table_id}")


_ROUTE_CLASSES: dict[tuple[type, str], type] = {}


def _route_class(base: type, state: str) -> type:
    if getattr(base, "_fixed_state", None) is not None:
        base = base.__mro__[1]
    key = (base, state)
    if key not in _ROUTE_CLASSES:
        _ROUTE_CLASSES[key] = type(f"{base.__name__}_{state}", (base,), {"state": state, "_fixed_state": state})
    return _ROUTE_CLASSES[key]


def limit_service_azs(region: str, service_name: str, az_names: list[str]) -> Callable[[], None]:
    """Offer a service only in these AZs. moto's service catalogue is process-global and survives mock_aws,
    so this returns the function that puts it back; call it when the world is torn down."""
    catalogue = moto_vpcs.DEFAULT_VPC_ENDPOINT_SERVICES
    original = catalogue.get(region)
    if original is None:
        raise RuntimeError("describe the region's services once before limiting them")
    patched: list[dict[str, Any]] = copy.deepcopy(original)
    for entry in patched:
        if entry.get("ServiceName") == service_name:
            entry["AvailabilityZones"] = list(az_names)
    catalogue[region] = patched

    def restore() -> None:
        catalogue[region] = original

    return restore
