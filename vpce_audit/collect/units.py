"""The units a scan is made of: one (account, region), or one account's global services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.aws.clients import ClientFactory
from vpce_audit.collect.base import Recorder
from vpce_audit.collect.ec2 import collect_ec2
from vpce_audit.collect.firewall import collect_firewall
from vpce_audit.collect.lattice import collect_resource_gateways
from vpce_audit.collect.profiles import SERVICE as PROFILES
from vpce_audit.collect.profiles import collect_profiles, delivered_zones
from vpce_audit.collect.provider import collect_provider
from vpce_audit.collect.resolver import SERVICE as RESOLVER
from vpce_audit.collect.resolver import collect_resolver, resolver_client
from vpce_audit.collect.route53 import SERVICE as ROUTE53
from vpce_audit.collect.route53 import collect_route53, route53_client, route53_region, vpcs_in_scope
from vpce_audit.errors import CollectionError
from vpce_audit.snapshot import GLOBAL_REGION, Part


def caller_account(factory: ClientFactory, region: str | None = None) -> str:
    # Pass a scanned region: a user who gives only --region may have no default region for STS to use.
    return str(factory.client("sts", region).get_caller_identity()["Account"])


def collect_region(
    factory: ClientFactory,
    account_id: str,
    region: str,
    vpc_ids: tuple[str, ...],
    on_vpcs: Callable[[list[Any] | None], None] | None = None,
    on_zones: Callable[[list[str]], None] | None = None,
) -> Recorder:
    """`on_vpcs` hears DescribeVpcs' answer (None: it failed) as soon as it comes, for Route 53 to start;
    `on_zones` the private zones the region's Route 53 Profiles deliver, for Route 53 to read too."""
    rec = Recorder(account_id, region)
    try:
        collect_ec2(rec, factory.client("ec2", region), vpc_ids, on_vpcs)
        resolver = resolver_client(factory, region)
        collect_resolver(rec, resolver)
        delivered = collect_profiles(rec, factory.client(PROFILES, region))  # Route 53 Profiles (issue 14)
        if on_zones is not None:
            on_zones(delivered_zones(rec.apis.get(Api.LIST_PROFILE_RESOURCE_ASSOCIATIONS), account_id))
        collect_firewall(rec, resolver, delivered)  # DNS sources (issue 14)
        collect_provider(rec, factory.client("ec2", region), lambda: factory.client("elbv2", region))
        collect_resource_gateways(rec, lambda: factory.client("vpc-lattice", region))  # issue 15
    finally:  # each (account, region) is collected once: its clients are done with
        factory.release("ec2", region)
        factory.release(RESOLVER, region)
        factory.release("elbv2", region)
        factory.release(PROFILES, region)
        factory.release("vpc-lattice", region)
    return rec


def collect_global(factory: ClientFactory, account_id: str, regional: list[Part]) -> Recorder:
    """Route 53, once per account: its zones serve VPCs of every scanned region."""
    rec = Recorder(account_id, GLOBAL_REGION)
    home = route53_region(p.region for p in regional)
    try:
        listed = (p.apis.get(Api.LIST_PROFILE_RESOURCE_ASSOCIATIONS) for p in regional)
        zones = sorted({z for found in listed for z in delivered_zones(found, account_id)})
        collect_route53(rec, route53_client(factory, (home,)), vpcs_in_scope(regional), zones)
    finally:
        factory.release(ROUTE53, home)
    return rec


def unseen_vpcs(account_id: str, vpc_ids: tuple[str, ...], parts: list[Part]) -> list[CollectionError]:
    """A --vpc-id found in no scanned region is a typo or a wrong region: say so instead of reporting 'clean'."""
    seen = {v.get("VpcId") for p in parts for v in p.items(Api.DESCRIBE_VPCS)}
    complete = all(p.has(Api.DESCRIBE_VPCS) for p in parts)
    return [
        CollectionError(
            account_id,
            "*",
            Api.DESCRIBE_VPCS.service,
            Api.DESCRIBE_VPCS.operation,
            "VpcNotFound",
            f"{vpc} was not found in any scanned region",
        )
        for vpc in sorted(set(vpc_ids) - seen)
        if complete
    ]
