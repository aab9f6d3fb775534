"""Whether a resource endpoint's AZs overlap its resource gateway's (issue 15).

AWS: "At least one Availability Zone of the VPC endpoint and the resource gateway have to overlap." The
endpoint names a resource configuration (ResourceConfigurationArn); the configuration names its resource gateway
(resourceGatewayId, or for a CHILD its GROUP's); the gateway lists its subnets, whose AZ IDs come from
DescribeSubnets of a scanned account. Each link the scan could not see leaves the overlap `unknown` and says
which: a gateway another account owns is listed only by that account (and only when it is scanned and holds a
resource endpoint itself), so cross-account gateways are usually unknown.

Kept apart from az_coverage's computation so that the AZ checks do not read (or need) the Lattice listings; the
report adds it to a resource endpoint's az_coverage as `resource_gateway`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.lattice import ResourceConfiguration
from vpce_audit.model.resources import Endpoint, EndpointType

UNKNOWN = "unknown"
KNOWN = "known"


@dataclass(frozen=True, slots=True)
class GatewayOverlap:
    status: str
    reason: str = ""
    resource_configuration_arn: str = ""
    gateway_id: str = ""
    gateway_account_id: str = ""
    endpoint_az_ids: frozenset[str] = frozenset()
    gateway_az_ids: frozenset[str] = frozenset()

    @property
    def overlap(self) -> frozenset[str]:
        return self.endpoint_az_ids & self.gateway_az_ids

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"status": self.status}
        if self.status == UNKNOWN:
            doc["reason"] = self.reason
        for key, value in (
            ("resource_configuration_arn", self.resource_configuration_arn),
            ("gateway_id", self.gateway_id),
            ("gateway_account_id", self.gateway_account_id),
        ):
            if value:
                doc[key] = value
        if self.status == KNOWN:
            doc |= {
                "endpoint_az_ids": sorted(self.endpoint_az_ids),
                "gateway_az_ids": sorted(self.gateway_az_ids),
                "overlap": sorted(self.overlap),
            }
        return doc


def resource_gateway_overlap(inv: Inventory, ep: Endpoint) -> GatewayOverlap | None:
    """None for any endpoint but a Resource one."""
    if ep.type is not EndpointType.RESOURCE:
        return None
    arn = ep.resource_configuration_arn
    if not arn:
        return GatewayOverlap(UNKNOWN, reason="the endpoint names no resource configuration")
    config = inv.lattice.configurations.get(arn)
    if config is None:
        if not inv.has(ep.account_id, ep.region, Api.LIST_RESOURCE_CONFIGURATIONS):
            why = f"not collected: {Api.LIST_RESOURCE_CONFIGURATIONS}"
        else:
            why = (
                "resource configuration not listed by ListResourceConfigurations "
                "(deleted, or not shared with the account)"
            )
        return GatewayOverlap(UNKNOWN, reason=why, resource_configuration_arn=arn)
    gateway_id = _gateway_id(inv, config)
    if not gateway_id:
        return GatewayOverlap(
            UNKNOWN, reason="the resource configuration names no resource gateway", resource_configuration_arn=arn
        )
    gateway = inv.lattice.gateways.get(gateway_id)
    found = GatewayOverlap(
        UNKNOWN, resource_configuration_arn=arn, gateway_id=gateway_id, gateway_account_id=config.account_id
    )
    if gateway is None:
        return _replace_reason(found, _unlisted(inv, ep, config, gateway_id))
    gateway_azs, unplaced = _az_ids(inv, gateway.subnet_ids)
    if not gateway.subnet_ids:
        return _replace_reason(found, f"resource gateway {gateway_id} lists no subnets")
    if unplaced:
        return _replace_reason(
            found,
            f"AZ ID unknown for the resource gateway's subnets {', '.join(unplaced)} "
            f"(DescribeSubnets of account {gateway.account_id}, VPC {gateway.vpc_id or '?'})",
        )
    endpoint_azs, unplaced = _az_ids(inv, ep.subnet_ids)
    if unplaced or not ep.subnet_ids:
        return _replace_reason(found, "AZ ID unknown for the endpoint's subnets " + ", ".join(unplaced or ["(none)"]))
    return GatewayOverlap(
        KNOWN,
        resource_configuration_arn=arn,
        gateway_id=gateway_id,
        gateway_account_id=gateway.account_id,
        endpoint_az_ids=endpoint_azs,
        gateway_az_ids=gateway_azs,
    )


def _replace_reason(found: GatewayOverlap, reason: str) -> GatewayOverlap:
    return GatewayOverlap(
        UNKNOWN,
        reason=reason,
        resource_configuration_arn=found.resource_configuration_arn,
        gateway_id=found.gateway_id,
        gateway_account_id=found.gateway_account_id,
    )


def _gateway_id(inv: Inventory, config: ResourceConfiguration) -> str:
    """A CHILD configuration may leave its gateway to its GROUP."""
    if config.gateway_id or not config.group_id:
        return config.gateway_id
    group = inv.lattice.configuration_by_id(config.group_id)
    return group.gateway_id if group is not None else ""


def _unlisted(inv: Inventory, ep: Endpoint, config: ResourceConfiguration, gateway_id: str) -> str:
    owner = config.account_id
    if owner == ep.account_id and not inv.has(ep.account_id, ep.region, Api.LIST_RESOURCE_GATEWAYS):
        return f"not collected: {Api.LIST_RESOURCE_GATEWAYS}"
    if owner != ep.account_id:
        return (
            f"resource gateway {gateway_id} belongs to account {owner}: only its owner lists it, and no scanned "
            f"part of that account listed it ({Api.LIST_RESOURCE_GATEWAYS} is asked only where there are resource "
            "endpoints)"
        )
    return f"resource gateway {gateway_id} not listed by ListResourceGateways (deleted?)"


def _az_ids(inv: Inventory, subnet_ids: tuple[str, ...]) -> tuple[frozenset[str], list[str]]:
    """The subnets' AZ IDs, and the subnets whose AZ ID the scan does not hold."""
    found: set[str] = set()
    unplaced: list[str] = []
    for subnet_id in subnet_ids:
        subnet = inv.subnets.get(subnet_id)
        if subnet is None or not subnet.az_id:
            unplaced.append(subnet_id)
        else:
            found.add(subnet.az_id)
    return frozenset(found), sorted(unplaced)
