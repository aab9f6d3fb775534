"""EC2 collection for one account and region: one paginated call per resource type, never per endpoint."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from vpce_audit.apis import Api
from vpce_audit.collect.base import Recorder, chunks, in_background, paginate, paginate_filtered
from vpce_audit.collect.egress import collect_block_public_access, collect_nat_gateways
from vpce_audit.collect.lattice import collect_associations
from vpce_audit.collect.network import collect_network, include_managed

DNS_ATTRIBUTES = ("enableDnsSupport", "enableDnsHostnames")
GATEWAY_SERVICES = ("s3", "dynamodb")


def prefix_list_names(region: str) -> list[str]:
    # China regions prefix AWS service names with cn.
    return [f"{prefix}com.amazonaws.{region}.{svc}" for svc in GATEWAY_SERVICES for prefix in ("", "cn.")]


def collect_ec2(
    rec: Recorder,
    ec2: Any,
    vpc_ids: tuple[str, ...] = (),
    on_vpcs: Callable[[list[Any] | None], None] | None = None,
) -> None:
    """Record every EC2 API the checks need into `rec`. `vpc_ids` limits the scan to those VPCs. VPCs come
    first and `on_vpcs` hears of them at once (Route 53 starts from them); the per-VPC calls then run on a
    thread of their own, overlapping the region's other calls instead of queueing behind them."""
    scope = list(vpc_ids) or None
    vpcs = rec.record(Api.DESCRIBE_VPCS, lambda: paginate_filtered(ec2, "describe_vpcs", "Vpcs", "vpc-id", scope))
    if on_vpcs is not None:
        on_vpcs(vpcs)
    with in_background(partial(_collect_per_vpc, rec, ec2, vpcs)):
        _collect_region_wide(rec, ec2, scope)


def _collect_per_vpc(rec: Recorder, ec2: Any, vpcs: list[Any] | None) -> None:
    if vpcs:
        _collect_vpc_attributes(rec, ec2, [v["VpcId"] for v in vpcs])
        _collect_dhcp_options(rec, ec2, vpcs)


def _collect_region_wide(rec: Recorder, ec2: Any, scope: list[str] | None) -> None:
    rec.record(Api.DESCRIBE_AVAILABILITY_ZONES, lambda: ec2.describe_availability_zones()["AvailabilityZones"])
    collect_block_public_access(rec, ec2)
    rec.record(
        Api.DESCRIBE_SUBNETS,
        lambda: paginate_filtered(ec2, "describe_subnets", "Subnets", "vpc-id", scope),
    )
    rec.record(
        Api.DESCRIBE_ROUTE_TABLES,
        lambda: paginate_filtered(ec2, "describe_route_tables", "RouteTables", "vpc-id", scope, MaxResults=100),
    )
    collect_nat_gateways(rec, ec2)  # egress posture (issue 15): only those the route tables name
    endpoints = rec.record(
        Api.DESCRIBE_VPC_ENDPOINTS,
        lambda: paginate_filtered(ec2, "describe_vpc_endpoints", "VpcEndpoints", "vpc-id", scope),
    )
    rec.record(
        Api.DESCRIBE_NETWORK_INTERFACES,
        lambda: paginate_filtered(
            ec2,
            "describe_network_interfaces",
            "NetworkInterfaces",
            "vpc-id",
            scope,
            MaxResults=1000,
            **include_managed(ec2),
        ),
    )
    collect_network(rec, ec2, scope)
    if endpoints:
        _collect_services(rec, ec2, _services_by_region(rec.region, endpoints))
        _collect_security_groups(rec, ec2, endpoints)
        if any(str(e.get("VpcEndpointType", "")).lower() == "gateway" for e in endpoints):
            _collect_prefix_lists(rec, ec2)
        collect_associations(rec, ec2, endpoints)


def _services_by_region(region: str, endpoints: list[Any]) -> dict[str, list[str]]:
    """Service names per hosting region: the local region, and each region a cross-region endpoint's
    ServiceRegion names (a plain call describes only local services)."""
    by_region: dict[str, set[str]] = {}
    for e in endpoints:
        name = e.get("ServiceName")
        if isinstance(name, str) and name:
            hosted = e.get("ServiceRegion")
            by_region.setdefault(hosted if isinstance(hosted, str) and hosted else region, set()).add(name)
    return {r: sorted(names) for r, names in sorted(by_region.items())}


def _collect_services(rec: Recorder, ec2: Any, names_by_region: dict[str, list[str]]) -> None:
    def fetch() -> list[Any]:
        details: list[Any] = []
        for hosted, names in names_by_region.items():
            remote = {} if hosted == rec.region else {"ServiceRegions": [hosted]}
            for chunk in chunks(names):
                details.extend(_describe_services(ec2, chunk, remote))
        return details

    rec.record(Api.DESCRIBE_VPC_ENDPOINT_SERVICES, fetch)


def _describe_services(ec2: Any, names: list[str], extra: dict[str, Any]) -> list[Any]:
    """One batched call; a single unknown name (a deleted provider service) fails the whole batch in AWS,
    so on InvalidServiceName split the batch rather than lose every service's AZs."""
    try:
        return paginate(ec2, "describe_vpc_endpoint_services", "ServiceDetails", ServiceNames=names, **extra)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "InvalidServiceName":
            raise
        if len(names) == 1:
            return []
        middle = len(names) // 2
        return _describe_services(ec2, names[:middle], extra) + _describe_services(ec2, names[middle:], extra)


def _collect_security_groups(rec: Recorder, ec2: Any, endpoints: list[Any]) -> None:
    group_ids = {g["GroupId"] for e in endpoints for g in e.get("Groups") or [] if g.get("GroupId")}
    if group_ids:
        # A filter, not GroupIds=: a group deleted since the endpoint listed it must not fail the batch.
        rec.record(
            Api.DESCRIBE_SECURITY_GROUPS,
            lambda: paginate_filtered(ec2, "describe_security_groups", "SecurityGroups", "group-id", group_ids),
        )


def _collect_prefix_lists(rec: Recorder, ec2: Any) -> None:
    lists = rec.record(
        Api.DESCRIBE_MANAGED_PREFIX_LISTS,
        lambda: paginate_filtered(
            ec2,
            "describe_managed_prefix_lists",
            "PrefixLists",
            "prefix-list-name",
            prefix_list_names(rec.region),
        ),
    )

    def entries() -> list[Any]:
        return [
            {
                "PrefixListId": pl["PrefixListId"],
                "Entries": paginate(ec2, "get_managed_prefix_list_entries", "Entries", PrefixListId=pl["PrefixListId"]),
            }
            for pl in lists or []
        ]

    if lists:
        rec.record(Api.GET_MANAGED_PREFIX_LIST_ENTRIES, entries)


def _collect_vpc_attributes(rec: Recorder, ec2: Any, vpc_ids: list[str]) -> None:
    # AWS answers one attribute per call; each failure is recorded on its own so one denial keeps the rest.
    results: list[Any] = []
    for vpc_id in sorted(vpc_ids):
        for attribute in DNS_ATTRIBUTES:
            value = rec.attempt(Api.DESCRIBE_VPC_ATTRIBUTE, partial(_vpc_attribute, ec2, vpc_id, attribute))
            if value is not None:
                value.pop("ResponseMetadata", None)
                results.append(value)
    rec.apis[Api.DESCRIBE_VPC_ATTRIBUTE] = results


def _vpc_attribute(ec2: Any, vpc_id: str, attribute: str) -> Any:
    return ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)


def _collect_dhcp_options(rec: Recorder, ec2: Any, vpcs: list[Any]) -> None:
    ids = {v.get("DhcpOptionsId") for v in vpcs} - {None, "default"}
    if ids:
        rec.record(
            Api.DESCRIBE_DHCP_OPTIONS,
            lambda: paginate_filtered(ec2, "describe_dhcp_options", "DhcpOptions", "dhcp-options-id", ids),
        )
