"""VPC Lattice resource configurations and resource gateways for moto 5.2.5, which routes neither (every such
request is a "404 Not yet implemented", moto notes §15).

ListResourceConfigurations and ListResourceGateways are added to moto's own vpc-lattice URL table and response
class, answering from an in-memory store shaped like the botocore model (camelCase items, nextToken paging). A
route in moto rather than a botocore before-call hook, for the reason dns_firewall.py gives: in-process mock_aws,
the threaded and subprocess moto servers (the routes exist before any server builds its URL map: this module is
installed when moto_fixtures is imported) and moto's IAM enforcement (the remove-each-action test needs the
denial) all reach it, as they reach moto's own operations. Worlds add to the store through `resource_gateway`;
the Builder undoes it on close.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import moto.vpclattice.urls as lattice_urls
from moto.vpclattice.responses import VPCLatticeResponse

from moto_fixtures.builder import Builder


@dataclass
class LatticeStore:
    """One account and region's listings."""

    configurations: list[dict[str, Any]] = field(default_factory=list)
    gateways: list[dict[str, Any]] = field(default_factory=list)


STORE: dict[tuple[str, str], LatticeStore] = {}
_counter = [0]


def _page(self: VPCLatticeResponse, items: list[dict[str, Any]]) -> str:
    start = int(self._get_param("nextToken") or 0)
    size = int(self._get_param("maxResults") or 100)
    doc: dict[str, Any] = {"items": items[start : start + size]}
    if start + size < len(items):
        doc["nextToken"] = str(start + size)
    return json.dumps(doc)


def _list_resource_configurations(self: VPCLatticeResponse) -> str:
    found = STORE.get((self.current_account, self.region), LatticeStore()).configurations
    gateway = self._get_param("resourceGatewayIdentifier")
    return _page(self, [c for c in found if not gateway or c.get("resourceGatewayId") == gateway])


def _list_resource_gateways(self: VPCLatticeResponse) -> str:
    return _page(self, STORE.get((self.current_account, self.region), LatticeStore()).gateways)


ROUTES = {
    "{0}/resourceconfigurations$": VPCLatticeResponse.dispatch,
    "{0}/resourcegateways$": VPCLatticeResponse.dispatch,
}


def install() -> None:
    """Idempotent: moto finds the handler by the operation's snake_case name on the response class."""
    VPCLatticeResponse.list_resource_configurations = _list_resource_configurations  # type: ignore[attr-defined]
    VPCLatticeResponse.list_resource_gateways = _list_resource_gateways  # type: ignore[attr-defined]
    lattice_urls.url_paths.update(ROUTES)


def _next_id(prefix: str) -> str:
    _counter[0] += 1
    return f"{prefix}-{_counter[0]:017x}"


def resource_gateway(
    b: Builder,
    vpc_id: str,
    subnet_ids: Iterable[str],
    *,
    owner: Builder | None = None,
    shared_with: Iterable[Builder] = (),
) -> tuple[str, str]:
    """A resource gateway in `subnet_ids` of `owner`'s account (default b's), and a resource configuration on
    it, listed by the owner and by every account in `shared_with` (as RAM sharing makes AWS list it). Returns the
    configuration's ARN (for a Resource endpoint's ResourceConfigurationArn) and the gateway's id."""
    owner = owner or b
    gateway_id, config_id = _next_id("rgw"), _next_id("rcfg")
    prefix = f"arn:aws:vpc-lattice:{owner.region}:{owner.account_id}"
    gateway = {
        "id": gateway_id,
        "arn": f"{prefix}:resourcegateway/{gateway_id}",
        "name": gateway_id,
        "status": "ACTIVE",
        "vpcIdentifier": vpc_id,
        "subnetIds": list(subnet_ids),
        "securityGroupIds": [],
        "ipAddressType": "IPV4",
    }
    config_arn = f"{prefix}:resourceconfiguration/{config_id}"
    config = {
        "id": config_id,
        "arn": config_arn,
        "name": config_id,
        "resourceGatewayId": gateway_id,
        "type": "SINGLE",
        "status": "ACTIVE",
        "amazonManaged": False,
    }
    listed: list[tuple[tuple[str, str], str, dict[str, Any]]] = [
        ((owner.account_id, owner.region), "gateways", gateway)
    ]
    for account in (owner, *shared_with):
        listed.append(((account.account_id, account.region), "configurations", config))
    for key, kind, item in listed:
        getattr(STORE.setdefault(key, LatticeStore()), kind).append(item)

    def undo() -> None:
        for key, kind, item in listed:
            store = STORE.get(key)
            if store is not None and item in getattr(store, kind):
                getattr(store, kind).remove(item)

    b._undo.append(undo)
    return config_arn, gateway_id
