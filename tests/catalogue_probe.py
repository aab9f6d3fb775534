"""What a check really reads: run it on a copy of an Inventory that records every field it touches and every API
it asks `has`/`not_collected` about, and translate the fields into the collected APIs they are built from.

The catalogue's `inputs` must cover what this observes (a lower bound: a run sees only the paths its world takes),
so a check cannot gate on an API it does not declare, nor read data whose API its entry leaves out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.checks import REGISTRY
from vpce_audit.checks.registry import Check, ResourceType
from vpce_audit.model.inventory import DnsInventory, Inventory
from vpce_audit.model.resources import Service, Vpc
from vpce_audit.report.model import Report

_NOTHING: frozenset[Api] = frozenset()
# Route 53 Profiles (issue 14): what they deliver is merged into zones, zone lists and rule associations.
_PROFILES = frozenset({Api.LIST_PROFILE_ASSOCIATIONS, Api.LIST_PROFILE_RESOURCE_ASSOCIATIONS})
_ZONES = frozenset(
    {
        Api.LIST_HOSTED_ZONES_BY_VPC,
        Api.GET_HOSTED_ZONE,
        Api.LIST_RESOURCE_RECORD_SETS,
        Api.SKIPPED_ZONES,
        Api.LIST_HOSTED_ZONES,
        *_PROFILES,
    }
)

# Inventory field -> the APIs normalize/ builds it from. Every field must be here: a new one fails the probe until
# someone says where its data comes from.
INVENTORY_FIELDS: Mapping[str, frozenset[Api]] = {
    "vpcs": frozenset({Api.DESCRIBE_VPCS}),
    "subnets": frozenset({Api.DESCRIBE_SUBNETS}),
    "enis": frozenset({Api.DESCRIBE_NETWORK_INTERFACES}),
    "route_tables": frozenset({Api.DESCRIBE_ROUTE_TABLES}),
    "endpoints": frozenset({Api.DESCRIBE_VPC_ENDPOINTS}),
    "services": frozenset({Api.DESCRIBE_VPC_ENDPOINT_SERVICES}),
    "prefix_lists": frozenset({Api.DESCRIBE_MANAGED_PREFIX_LISTS, Api.GET_MANAGED_PREFIX_LIST_ENTRIES}),
    "security_groups": frozenset({Api.DESCRIBE_SECURITY_GROUPS}),
    "dhcp_options": frozenset({Api.DESCRIBE_DHCP_OPTIONS}),
    "collected": _NOTHING,  # bookkeeping: which APIs answered (read through has/not_collected, recorded there)
    "scanned": _NOTHING,
    "subnets_by_vpc": frozenset({Api.DESCRIBE_SUBNETS}),
    "effective_route_table": frozenset({Api.DESCRIBE_SUBNETS, Api.DESCRIBE_ROUTE_TABLES}),
    "workload_subnets": frozenset({Api.DESCRIBE_SUBNETS, Api.DESCRIBE_NETWORK_INTERFACES}),
    "workload_assumed": frozenset({Api.DESCRIBE_SUBNETS, Api.DESCRIBE_NETWORK_INTERFACES}),
    "egress": frozenset(
        {
            Api.DESCRIBE_SUBNETS,
            Api.DESCRIBE_ROUTE_TABLES,
            Api.DESCRIBE_VPC_BLOCK_PUBLIC_ACCESS_OPTIONS,  # issue 15: BPA removes the internet fallback
            Api.DESCRIBE_VPC_BLOCK_PUBLIC_ACCESS_EXCLUSIONS,
        }
    ),
    "endpoint_enis": frozenset({Api.DESCRIBE_VPC_ENDPOINTS}),
    "dns": _NOTHING,  # its own fields are recorded one by one
    # packet path (issue 13): NACLs, peering, transit gateway attachments and route tables
    "network": frozenset(
        {
            Api.DESCRIBE_NETWORK_ACLS,
            Api.DESCRIBE_VPC_PEERING_CONNECTIONS,
            Api.DESCRIBE_TRANSIT_GATEWAY_ATTACHMENTS,
            Api.DESCRIBE_TRANSIT_GATEWAY_VPC_ATTACHMENTS,
            Api.DESCRIBE_TRANSIT_GATEWAY_ROUTE_TABLES,
            Api.GET_TRANSIT_GATEWAY_ROUTE_TABLE_ASSOCIATIONS,
            Api.GET_TRANSIT_GATEWAY_ROUTE_TABLE_PROPAGATIONS,
            Api.SEARCH_TRANSIT_GATEWAY_ROUTES,
        }
    ),
    "derived": _NOTHING,  # indexes and verdicts built from the fields above
    # provider side (issue 15): service configurations, connections, load balancers and their target groups;
    # AZ IDs through the LB's subnets or the account's AZ map
    "provider": frozenset(
        {
            Api.DESCRIBE_VPC_ENDPOINT_SERVICE_CONFIGURATIONS,
            Api.DESCRIBE_VPC_ENDPOINT_CONNECTIONS,
            Api.DESCRIBE_LOAD_BALANCERS,
            Api.DESCRIBE_LOAD_BALANCER_ATTRIBUTES,
            Api.DESCRIBE_TARGET_GROUPS,
            Api.DESCRIBE_TARGET_GROUP_ATTRIBUTES,
            Api.DESCRIBE_TARGET_HEALTH,
            Api.DESCRIBE_SUBNETS,
            Api.DESCRIBE_AVAILABILITY_ZONES,
        }
    ),
    "associations": frozenset({Api.DESCRIBE_VPC_ENDPOINT_ASSOCIATIONS}),
    # resource endpoints' gateways (issue 15)
    "lattice": frozenset({Api.LIST_RESOURCE_CONFIGURATIONS, Api.LIST_RESOURCE_GATEWAYS}),
    # egress posture (issue 15): a zonal NAT gateway's AZ through its subnet
    "nat_gateways": frozenset({Api.DESCRIBE_NAT_GATEWAYS, Api.DESCRIBE_SUBNETS}),
}
DNS_FIELDS: Mapping[str, frozenset[Api]] = {
    "zones": _ZONES,
    "listed_vpcs": frozenset({Api.LIST_HOSTED_ZONES_BY_VPC}),
    "zones_by_vpc": frozenset({Api.LIST_HOSTED_ZONES_BY_VPC, Api.GET_HOSTED_ZONE, *_PROFILES}),
    "rules": frozenset({Api.LIST_RESOLVER_RULES}),
    "associations": frozenset({Api.LIST_RESOLVER_RULE_ASSOCIATIONS, *_PROFILES}),
    "resolver_endpoints": frozenset({Api.LIST_RESOLVER_ENDPOINTS, Api.LIST_RESOLVER_ENDPOINT_IP_ADDRESSES}),
    "primary_cidr": frozenset({Api.DESCRIBE_VPCS}),
    "described_zones": frozenset({Api.GET_HOSTED_ZONE}),
    # DNS sources (issue 14)
    "firewall": frozenset(
        {
            Api.LIST_FIREWALL_RULE_GROUP_ASSOCIATIONS,
            Api.LIST_FIREWALL_RULES,
            Api.LIST_FIREWALL_DOMAIN_LISTS,
            Api.LIST_FIREWALL_DOMAINS,
            *_PROFILES,  # rule groups Route 53 Profiles deliver
        }
    ),
    "profiles": _PROFILES,  # Route 53 Profiles (issue 14)
}
# Fields of model objects that come from an API of their own rather than the one that lists the object.
VPC_FIELDS: Mapping[str, frozenset[Api]] = {
    "dns_support": frozenset({Api.DESCRIBE_VPC_ATTRIBUTE}),
    "dns_hostnames": frozenset({Api.DESCRIBE_VPC_ATTRIBUTE}),
}
SERVICE_FIELDS: Mapping[str, frozenset[Api]] = {
    "az_ids": frozenset({Api.DESCRIBE_AVAILABILITY_ZONES}),  # AWS lists a service's AZs by name
}


class UnmappedField(AssertionError):
    """An Inventory field the probe does not know the origin of."""


def observed_inputs(inv: Inventory, check: Check) -> frozenset[Api]:
    """The APIs `check` read on `inv`: fields it touched (mapped) and APIs it asked has/not_collected about."""
    seen: set[Api] = set()
    spy = _spy_inventory(inv, seen)
    for _ in check.func(spy):
        pass
    return frozenset(seen)


def _recording(cls: type, table: Mapping[str, frozenset[Api]], seen: set[Api]) -> type:
    """A subclass of a dataclass that adds to `seen` the APIs behind each field read."""
    names = {f.name for f in fields(cls)}

    def __getattribute__(self: Any, name: str) -> Any:
        if name in table:
            seen.update(table[name])
        return object.__getattribute__(self, name)

    return type(f"Recording{cls.__name__}", (cls,), {"__getattribute__": __getattribute__, "_probe_names": names})


def _copy(obj: Any, cls: type, skip: frozenset[str] = frozenset(), **override: Any) -> Any:
    values = {f.name: getattr(obj, f.name) for f in fields(obj) if f.init and f.name not in skip}
    return cls(**(values | override))


def _spy_inventory(inv: Inventory, seen: set[Api]) -> Inventory:
    unknown = sorted({f.name for f in fields(Inventory)} - set(INVENTORY_FIELDS)) + sorted(
        f"dns.{f.name}" for f in fields(DnsInventory) if f.name not in DNS_FIELDS
    )
    if unknown:
        raise UnmappedField(f"say which APIs these Inventory fields come from in tests/catalogue_probe.py: {unknown}")
    vpc_cls = _recording(Vpc, VPC_FIELDS, seen)
    service_cls = _recording(Service, SERVICE_FIELDS, seen)
    dns = _copy(inv.dns, _recording(DnsInventory, DNS_FIELDS, seen))
    base = _recording(Inventory, INVENTORY_FIELDS, seen)

    def has(self: Inventory, account_id: str, region: str, *apis: Api) -> bool:
        seen.update(apis)
        return Inventory.has(self, account_id, region, *apis)

    def not_collected(self: Inventory, api: Api, region: str | None = None) -> tuple[tuple[str, str], ...]:
        seen.add(api)
        return Inventory.not_collected(self, api, region)

    spy_cls: Callable[..., Inventory] = type("ProbedInventory", (base,), {"has": has, "not_collected": not_collected})
    return _copy(  # type: ignore[no-any-return]
        inv,
        spy_cls,
        skip=frozenset({"memo"}),  # a fresh cache: what another check computed must be read again here
        dns=dns,
        vpcs={k: _copy(v, vpc_cls) for k, v in inv.vpcs.items()},
        services={k: _copy(s, service_cls) for k, s in inv.services.items()},
    )


_RESOURCE_PREFIXES = (
    ("vpce-svc-", ResourceType.VPC_ENDPOINT_SERVICE),
    ("vpce-", ResourceType.VPC_ENDPOINT),
    ("vpc-", ResourceType.VPC),
    ("rslvr-rrassoc-", ResourceType.RESOLVER_RULE_ASSOCIATION),
    ("rslvr-rr-", ResourceType.RESOLVER_RULE),
    # DNS sources (issue 14)
    ("rslvr-in-", ResourceType.RESOLVER_ENDPOINT),
    ("rslvr-out-", ResourceType.RESOLVER_ENDPOINT),
    ("rslvr-frg-", ResourceType.FIREWALL_RULE_GROUP),
)
_ZONE_ID = re.compile(r"^[A-Z0-9]+$")  # Route 53 zone ids: upper-case letters and digits, no prefix


def resource_type(resource_id: str) -> ResourceType | None:
    """The type an id names, read from its shape (independently of the checks and the renderers)."""
    for prefix, kind in _RESOURCE_PREFIXES:
        if resource_id.startswith(prefix):
            return kind
    return ResourceType.HOSTED_ZONE if _ZONE_ID.match(resource_id) else None


def catalogue_violations(report: Report) -> list[str]:
    """Where the run behind `report` contradicts the catalogue: an API a check read but does not declare, a
    finding whose resource is of a type its check does not name, or whose severity its rule never mentions."""
    problems = []
    for check_id in sorted(REGISTRY):
        check = REGISTRY[check_id]
        undeclared = sorted(observed_inputs(report.inventory, check) - set(check.inputs))
        if undeclared:
            problems.append(f"{check_id} reads {undeclared} but its inputs leave them out")
    for f in report.findings:
        check = REGISTRY[f.check_id]
        kind = resource_type(f.resource_id)
        if kind not in check.resource_types:
            problems.append(f"{f.check_id}: resource {f.resource_id} ({kind}) is not among {check.resource_types}")
        if f.severity is None or str(f.severity) not in check.severity_rule.lower():
            problems.append(f"{f.check_id}: severity {f.severity} is not one its severity_rule names")
    return problems
