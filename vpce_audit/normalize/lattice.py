"""Resource configurations and resource gateways (issue 15) from ListResourceConfigurations and
ListResourceGateways: read defensively, an item without an id or ARN is dropped rather than guessed at."""

from __future__ import annotations

from collections.abc import Iterable

from vpce_audit.apis import Api
from vpce_audit.model.lattice import LatticeInventory, ResourceConfiguration, ResourceGateway
from vpce_audit.normalize.fields import account_id, dicts, text, texts
from vpce_audit.snapshot import Part


def arn_account(arn: str) -> str:
    """The account of `arn:partition:service:region:account:resource`, "" when it names none."""
    parts = arn.split(":")
    return account_id(parts[4]) if len(parts) > 5 else ""


def arn_region(arn: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 5 else ""


def normalize_lattice(parts: Iterable[Part]) -> LatticeInventory:
    configurations: dict[str, ResourceConfiguration] = {}
    gateways: dict[str, ResourceGateway] = {}
    for part in parts:
        for c in dicts(part.items(Api.LIST_RESOURCE_CONFIGURATIONS)):
            arn, config_id = text(c.get("arn")), text(c.get("id"))
            if not arn or not config_id:
                continue
            configurations[arn] = ResourceConfiguration(
                arn=arn,
                id=config_id,
                account_id=arn_account(arn) or part.account_id,
                region=arn_region(arn) or part.region,
                gateway_id=text(c.get("resourceGatewayId")),
                group_id=text(c.get("resourceConfigurationGroupId")),
                type=text(c.get("type")),
            )
        for g in dicts(part.items(Api.LIST_RESOURCE_GATEWAYS)):
            gateway_id = text(g.get("id"))
            if not gateway_id:
                continue
            arn = text(g.get("arn"))
            gateways[gateway_id] = ResourceGateway(
                id=gateway_id,
                arn=arn,
                account_id=arn_account(arn) or part.account_id,
                region=arn_region(arn) or part.region,
                vpc_id=text(g.get("vpcIdentifier")),
                subnet_ids=tuple(sorted(set(texts(g.get("subnetIds"))))),
                status=text(g.get("status")),
            )
    return LatticeInventory(configurations=configurations, gateways=gateways)
