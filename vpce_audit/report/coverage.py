"""Which inputs a scan holds in full, per (account, region): what the report's `scope.inputs` and
`scope.collected` say (every input this version collects, then per part the ones it did not collect in full:
a part with nothing missing is one short entry, so an organisation's report stays small).

A later comparison (report/diff.py) may call a finding resolved only where the new report re-checked it, so
the report itself must say what it could see. An API counts as collected in a part when no error entry names
it there and either it is in the part or it was not asked because what it depends on answered and needed
nothing (no endpoint: no security groups to describe). An API absent for any other reason (the part of an
older version that never asked it) is not collected: a comparison then says "not re-checked", never
"resolved".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from vpce_audit.apis import Api
from vpce_audit.errors import CollectionError
from vpce_audit.snapshot import GLOBAL_REGION, Part

GLOBAL_SERVICES = frozenset({"route53"})  # collected once per account, into the part of region `global`

# What each API is asked after, within its part (collect/ec2.py, resolver.py, route53.py): when the
# prerequisite answered and the API is absent with no error of its own, there was nothing to ask it about.
PREREQUISITES: Mapping[Api, Api] = {
    Api.DESCRIBE_VPC_ENDPOINT_SERVICES: Api.DESCRIBE_VPC_ENDPOINTS,
    Api.DESCRIBE_SECURITY_GROUPS: Api.DESCRIBE_VPC_ENDPOINTS,
    Api.DESCRIBE_MANAGED_PREFIX_LISTS: Api.DESCRIBE_VPC_ENDPOINTS,
    Api.GET_MANAGED_PREFIX_LIST_ENTRIES: Api.DESCRIBE_MANAGED_PREFIX_LISTS,
    Api.DESCRIBE_VPC_ATTRIBUTE: Api.DESCRIBE_VPCS,
    Api.DESCRIBE_DHCP_OPTIONS: Api.DESCRIBE_VPCS,
    Api.LIST_RESOLVER_ENDPOINT_IP_ADDRESSES: Api.LIST_RESOLVER_ENDPOINTS,
    Api.SKIPPED_ZONES: Api.LIST_HOSTED_ZONES_BY_VPC,
    # Packet path (issue 13): VPC attachments only when some attachment exists, per-table calls only for tables
    Api.DESCRIBE_TRANSIT_GATEWAY_VPC_ATTACHMENTS: Api.DESCRIBE_TRANSIT_GATEWAY_ATTACHMENTS,
    Api.GET_TRANSIT_GATEWAY_ROUTE_TABLE_ASSOCIATIONS: Api.DESCRIBE_TRANSIT_GATEWAY_ROUTE_TABLES,
    Api.GET_TRANSIT_GATEWAY_ROUTE_TABLE_PROPAGATIONS: Api.DESCRIBE_TRANSIT_GATEWAY_ROUTE_TABLES,
    Api.SEARCH_TRANSIT_GATEWAY_ROUTES: Api.DESCRIBE_TRANSIT_GATEWAY_ROUTE_TABLES,
    Api.GET_HOSTED_ZONE: Api.LIST_HOSTED_ZONES_BY_VPC,
    Api.LIST_RESOURCE_RECORD_SETS: Api.LIST_HOSTED_ZONES_BY_VPC,
    # DNS sources (issue 14): rules only for associated groups, domains only for the lists rules name
    Api.LIST_FIREWALL_RULES: Api.LIST_FIREWALL_RULE_GROUP_ASSOCIATIONS,
    Api.LIST_FIREWALL_DOMAIN_LISTS: Api.LIST_FIREWALL_RULES,
    Api.LIST_FIREWALL_DOMAINS: Api.LIST_FIREWALL_DOMAIN_LISTS,
    # Route 53 Profiles (issue 14): resources only of associated Profiles
    Api.LIST_PROFILE_RESOURCE_ASSOCIATIONS: Api.LIST_PROFILE_ASSOCIATIONS,
    # provider side (issue 15): nothing past the service configurations when the account owns no service
    Api.DESCRIBE_VPC_ENDPOINT_CONNECTIONS: Api.DESCRIBE_VPC_ENDPOINT_SERVICE_CONFIGURATIONS,
    Api.DESCRIBE_LOAD_BALANCERS: Api.DESCRIBE_VPC_ENDPOINT_SERVICE_CONFIGURATIONS,
    Api.DESCRIBE_TARGET_GROUPS: Api.DESCRIBE_VPC_ENDPOINT_SERVICE_CONFIGURATIONS,
    Api.DESCRIBE_LOAD_BALANCER_ATTRIBUTES: Api.DESCRIBE_LOAD_BALANCERS,
    Api.DESCRIBE_TARGET_GROUP_ATTRIBUTES: Api.DESCRIBE_TARGET_GROUPS,
    Api.DESCRIBE_TARGET_HEALTH: Api.DESCRIBE_TARGET_GROUPS,
    Api.DESCRIBE_VPC_ENDPOINT_ASSOCIATIONS: Api.DESCRIBE_VPC_ENDPOINTS,
    # resource endpoints' gateways (issue 15): listed only where the region holds a Resource endpoint
    Api.LIST_RESOURCE_CONFIGURATIONS: Api.DESCRIBE_VPC_ENDPOINTS,
    Api.LIST_RESOURCE_GATEWAYS: Api.DESCRIBE_VPC_ENDPOINTS,
    # egress posture (issue 15): NAT gateways only when a route names one
    Api.DESCRIBE_NAT_GATEWAYS: Api.DESCRIBE_ROUTE_TABLES,
}


def part_region(api: Api, region: str) -> str:
    """The region of the part that holds `api` for a finding in `region`."""
    return GLOBAL_REGION if api.service in GLOBAL_SERVICES else region


def _belongs(api: Api, region: str) -> bool:
    return (api.service in GLOBAL_SERVICES) == (region == GLOBAL_REGION)


def missing_apis(part: Part, errors: Iterable[CollectionError]) -> tuple[str, ...]:
    """The APIs of the part's kind (regional, or Route 53's `global`) it does not hold in full, sorted."""
    failed = {(e.service, e.operation) for e in errors if e.account_id == part.account_id and e.region == part.region}

    def complete(api: Api) -> bool:
        if (api.service, api.operation) in failed or (api.service, "*") in failed:
            return False
        if part.has(api):
            return True
        before = PREREQUISITES.get(api)
        return before is not None and complete(before)

    return tuple(sorted(str(api) for api in Api if _belongs(api, part.region) and not complete(api)))


def inputs() -> tuple[str, ...]:
    """Every input this version collects: an API a reader knows but a report does not list was not asked."""
    return tuple(sorted(str(api) for api in Api))


def collected(parts: Iterable[Part], errors: Iterable[CollectionError]) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(account, region, APIs not collected in full) for every part, sorted by account and region."""
    errors = tuple(errors)
    ordered = sorted(parts, key=lambda p: (p.account_id, p.region))
    return tuple((p.account_id, p.region, missing_apis(p, errors)) for p in ordered)
