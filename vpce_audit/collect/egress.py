"""Egress posture for one account and region (issue 15). VPC Block Public Access: the region's options and its
exclusions, two calls per region whatever it holds (exclusions have no botocore paginator: pages are followed by
hand, stopping on a token already sent). NAT gateways: one paginated DescribeNatGateways for those the region's
route tables name, asked only when some route does."""

from __future__ import annotations

from typing import Any

from vpce_audit.apis import Api
from vpce_audit.collect.base import Recorder, chunks, paginate, token_pages

PAGE_SIZE = 1000  # the API's maximum


def collect_block_public_access(rec: Recorder, ec2: Any) -> None:
    rec.record(
        Api.DESCRIBE_VPC_BLOCK_PUBLIC_ACCESS_OPTIONS,
        lambda: [ec2.describe_vpc_block_public_access_options().get("VpcBlockPublicAccessOptions") or {}],
    )
    rec.record(Api.DESCRIBE_VPC_BLOCK_PUBLIC_ACCESS_EXCLUSIONS, lambda: describe_exclusions(ec2))


def describe_exclusions(ec2: Any) -> list[Any]:
    return token_pages(
        ec2.describe_vpc_block_public_access_exclusions, "VpcBlockPublicAccessExclusions", MaxResults=PAGE_SIZE
    )


def routed_nat_gateways(tables: list[Any] | None) -> list[str]:
    return sorted(
        {
            r["NatGatewayId"]
            for t in tables or []
            if isinstance(t, dict)
            for r in t.get("Routes") or []
            if isinstance(r, dict) and isinstance(r.get("NatGatewayId"), str) and r["NatGatewayId"]
        }
    )


def collect_nat_gateways(rec: Recorder, ec2: Any) -> None:
    """A filter on the ids, not NatGatewayIds=: a gateway deleted since a route named it must not fail the batch
    (DescribeNatGateways spells its filter parameter `Filter`)."""
    ids = routed_nat_gateways(rec.apis.get(Api.DESCRIBE_ROUTE_TABLES))
    if not ids:
        return

    def fetch() -> list[Any]:
        items: list[Any] = []
        for chunk in chunks(ids):
            items += paginate(
                ec2, "describe_nat_gateways", "NatGateways", Filter=[{"Name": "nat-gateway-id", "Values": chunk}]
            )
        return items

    rec.record(Api.DESCRIBE_NAT_GATEWAYS, fetch)
