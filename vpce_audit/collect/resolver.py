"""Route 53 Resolver, once per account and region: rules, their VPC associations, and resolver endpoints
with their IPs. Listed whole and filtered by VPC later, so the call count does not grow with the VPCs."""

from __future__ import annotations

from functools import partial
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.aws.clients import ClientFactory
from vpce_audit.aws.ratelimit import DEFAULT_RATE, pace
from vpce_audit.collect.base import Recorder, paginate

SERVICE = "route53resolver"


def resolver_client(factory: ClientFactory, region: str, rate: float = DEFAULT_RATE) -> Any:
    """The account's Resolver client for `region`, paced: Resolver's limit is per account and region."""
    client = factory.client(SERVICE, region)
    pace(client, rate)
    return client


def collect_resolver(rec: Recorder, resolver: Any) -> None:
    rec.record(Api.LIST_RESOLVER_RULES, lambda: paginate(resolver, "list_resolver_rules", "ResolverRules"))
    rec.record(
        Api.LIST_RESOLVER_RULE_ASSOCIATIONS,
        lambda: paginate(resolver, "list_resolver_rule_associations", "ResolverRuleAssociations"),
    )
    endpoints = rec.record(
        Api.LIST_RESOLVER_ENDPOINTS, lambda: paginate(resolver, "list_resolver_endpoints", "ResolverEndpoints")
    )
    if endpoints is not None:
        _collect_endpoint_ips(rec, resolver, sorted(str(e["Id"]) for e in endpoints if e.get("Id")))


def _collect_endpoint_ips(rec: Recorder, resolver: Any, endpoint_ids: list[str]) -> None:
    # One call per resolver endpoint (a handful per region); one denial keeps the other endpoints' IPs.
    results: list[Any] = []
    for endpoint_id in endpoint_ids:
        ips = rec.attempt(Api.LIST_RESOLVER_ENDPOINT_IP_ADDRESSES, partial(_ips, resolver, endpoint_id))
        if ips is not None:
            results.append(ips)
    if results or not endpoint_ids:
        rec.apis[Api.LIST_RESOLVER_ENDPOINT_IP_ADDRESSES] = results


def _ips(resolver: Any, endpoint_id: str) -> dict[str, Any]:
    addresses = paginate(resolver, "list_resolver_endpoint_ip_addresses", "IpAddresses", ResolverEndpointId=endpoint_id)
    return {"ResolverEndpointId": endpoint_id, "IpAddresses": addresses}
