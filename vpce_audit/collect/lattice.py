"""Associations of resource and service-network endpoints (VPC Lattice, issue 15): one DescribeVpcEndpointAssociations
listing per region, asked only for the region's Resource and ServiceNetwork endpoints.

botocore has no paginator for it, so the pages are followed by hand; the loop also stops on a token it has
already sent, so a service that answers the same token forever cannot hold the scan.

Where the region holds a Resource endpoint, its resource configurations and resource gateways are listed too
(two paginated vpc-lattice calls per region, whatever the number of endpoints: the listings carry the
configuration's resourceGatewayId and the gateway's subnetIds, so no per-id Get is needed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.collect.base import Recorder, chunks, paginate, token_pages

LATTICE_TYPES = frozenset({"resource", "servicenetwork"})
PAGE_SIZE = 100  # the API's maximum


def lattice_endpoint_ids(endpoints: list[Any]) -> list[str]:
    return sorted(
        e["VpcEndpointId"]
        for e in endpoints
        if isinstance(e, dict)
        and str(e.get("VpcEndpointType", "")).lower() in LATTICE_TYPES
        and isinstance(e.get("VpcEndpointId"), str)
    )


def collect_associations(rec: Recorder, ec2: Any, endpoints: list[Any]) -> None:
    ids = lattice_endpoint_ids(endpoints)
    if ids:
        rec.record(Api.DESCRIBE_VPC_ENDPOINT_ASSOCIATIONS, lambda: describe_associations(ec2, ids))


def describe_associations(ec2: Any, ids: list[str]) -> list[Any]:
    call = ec2.describe_vpc_endpoint_associations
    pages = (token_pages(call, "VpcEndpointAssociations", VpcEndpointIds=c, MaxResults=PAGE_SIZE) for c in chunks(ids))
    return [item for page in pages for item in page]


def has_resource_endpoints(endpoints: list[Any] | None) -> bool:
    return any(isinstance(e, dict) and str(e.get("VpcEndpointType", "")).lower() == "resource" for e in endpoints or [])


def collect_resource_gateways(rec: Recorder, lattice: Callable[[], Any]) -> None:
    """`lattice` builds the vpc-lattice client only when the region's endpoints include a Resource one."""
    if not has_resource_endpoints(rec.apis.get(Api.DESCRIBE_VPC_ENDPOINTS)):
        return
    client = lattice()
    rec.record(
        Api.LIST_RESOURCE_CONFIGURATIONS,
        lambda: paginate(client, "list_resource_configurations", "items", PaginationConfig={"PageSize": PAGE_SIZE}),
    )
    rec.record(
        Api.LIST_RESOURCE_GATEWAYS,
        lambda: paginate(client, "list_resource_gateways", "items", PaginationConfig={"PageSize": PAGE_SIZE}),
    )
