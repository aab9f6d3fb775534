"""VPC Block Public Access for one account and region (issue 15): the region's options and its exclusions. Two
calls per region, whatever it holds. Exclusions have no botocore paginator: pages are followed by hand, stopping
on a token already sent."""

from __future__ import annotations

from typing import Any

from vpce_audit.apis import Api
from vpce_audit.collect.base import Recorder

PAGE_SIZE = 1000  # the API's maximum


def collect_block_public_access(rec: Recorder, ec2: Any) -> None:
    rec.record(
        Api.DESCRIBE_VPC_BLOCK_PUBLIC_ACCESS_OPTIONS,
        lambda: [ec2.describe_vpc_block_public_access_options().get("VpcBlockPublicAccessOptions") or {}],
    )
    rec.record(Api.DESCRIBE_VPC_BLOCK_PUBLIC_ACCESS_EXCLUSIONS, lambda: describe_exclusions(ec2))


def describe_exclusions(ec2: Any) -> list[Any]:
    items: list[Any] = []
    sent: set[str] = set()
    token = ""
    while True:
        params: dict[str, Any] = {"MaxResults": PAGE_SIZE}
        if token:
            params["NextToken"] = token
        page = ec2.describe_vpc_block_public_access_exclusions(**params)
        items.extend(page.get("VpcBlockPublicAccessExclusions") or [])
        token = page.get("NextToken") or ""
        if not token or token in sent:
            return items
        sent.add(token)
