"""Packet-path collection for one account and region (issue 13): network ACLs, VPC peering connections,
transit gateway attachments and route tables. One paginated call per resource type, plus one call per
transit gateway route table for its associations, propagations and routes; never a call per route or subnet.

Only the owner of a transit gateway can read its route tables: a spoke account sees its attachments to a
shared transit gateway (TransitGatewayOwnerId names the owner) but no table, and the path verdict then says
`unknown` ("audit account N") rather than guessing.
"""

from __future__ import annotations

from typing import Any

from vpce_audit.apis import Api
from vpce_audit.collect.base import Recorder, paginate, paginate_filtered

# SearchTransitGatewayRoutes requires Filters; these two states are every route that decides a packet's fate
# (an active route forwards, a blackhole drops). Deleted/pending routes carry nothing.
ROUTE_STATES = ("active", "blackhole")


def include_managed(ec2: Any) -> dict[str, Any]:
    """`IncludeManagedResources=True` where the installed botocore's model has it (1.44.8 does): AWS can hide
    ENIs that services manage from the default DescribeNetworkInterfaces listing, and endpoint ENIs are
    managed. An older botocore would reject the unknown parameter, so ask the model, not the version."""
    shape = ec2.meta.service_model.operation_model("DescribeNetworkInterfaces").input_shape
    return {"IncludeManagedResources": True} if "IncludeManagedResources" in shape.members else {}


def collect_network(rec: Recorder, ec2: Any, scope: list[str] | None) -> None:
    rec.record(
        Api.DESCRIBE_NETWORK_ACLS,
        lambda: paginate_filtered(ec2, "describe_network_acls", "NetworkAcls", "vpc-id", scope),
    )
    # Unfiltered: a peering connection is judged from both of its VPCs, and the region holds few.
    rec.record(
        Api.DESCRIBE_VPC_PEERING_CONNECTIONS,
        lambda: paginate(ec2, "describe_vpc_peering_connections", "VpcPeeringConnections"),
    )
    attachments = rec.record(
        Api.DESCRIBE_TRANSIT_GATEWAY_ATTACHMENTS,
        lambda: paginate(ec2, "describe_transit_gateway_attachments", "TransitGatewayAttachments"),
    )
    if attachments is None or attachments:
        # The VPC attachments carry the subnets (one per AZ); asked only when some attachment exists.
        rec.record(
            Api.DESCRIBE_TRANSIT_GATEWAY_VPC_ATTACHMENTS,
            lambda: paginate(ec2, "describe_transit_gateway_vpc_attachments", "TransitGatewayVpcAttachments"),
        )
    tables = rec.record(
        Api.DESCRIBE_TRANSIT_GATEWAY_ROUTE_TABLES,
        lambda: paginate(ec2, "describe_transit_gateway_route_tables", "TransitGatewayRouteTables"),
    )
    ids = sorted({t["TransitGatewayRouteTableId"] for t in tables or [] if t.get("TransitGatewayRouteTableId")})
    if ids:
        _per_table(rec, ec2, ids)


def _per_table(rec: Recorder, ec2: Any, ids: list[str]) -> None:
    def associations() -> list[Any]:
        return [
            {
                "TransitGatewayRouteTableId": rt,
                "Associations": paginate(
                    ec2, "get_transit_gateway_route_table_associations", "Associations", TransitGatewayRouteTableId=rt
                ),
            }
            for rt in ids
        ]

    def propagations() -> list[Any]:
        return [
            {
                "TransitGatewayRouteTableId": rt,
                "TransitGatewayRouteTablePropagations": paginate(
                    ec2,
                    "get_transit_gateway_route_table_propagations",
                    "TransitGatewayRouteTablePropagations",
                    TransitGatewayRouteTableId=rt,
                ),
            }
            for rt in ids
        ]

    def routes() -> list[Any]:
        out = []
        for rt in ids:
            # No MaxResults (moto raises on it). AWS answers up to 1,000 routes a page; newer models page with
            # NextToken, older ones only say AdditionalRoutesAvailable: the flag is kept so the normaliser calls
            # the table incomplete rather than routeless.
            params: dict[str, Any] = {
                "TransitGatewayRouteTableId": rt,
                "Filters": [{"Name": "state", "Values": list(ROUTE_STATES)}],
            }
            found: list[Any] = []
            more = False
            while True:
                page = ec2.search_transit_gateway_routes(**params)
                found.extend(page.get("Routes", []))
                more = bool(page.get("AdditionalRoutesAvailable"))
                if not page.get("NextToken"):
                    break
                params["NextToken"] = page["NextToken"]
            out.append({"TransitGatewayRouteTableId": rt, "Routes": found, "AdditionalRoutesAvailable": more})
        return out

    rec.record(Api.GET_TRANSIT_GATEWAY_ROUTE_TABLE_ASSOCIATIONS, associations)
    rec.record(Api.GET_TRANSIT_GATEWAY_ROUTE_TABLE_PROPAGATIONS, propagations)
    rec.record(Api.SEARCH_TRANSIT_GATEWAY_ROUTES, routes)
