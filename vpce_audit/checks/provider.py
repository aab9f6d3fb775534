"""The provider side of PrivateLink (issue 15): endpoint services a scanned account owns. Their Network Load
Balancer's per-AZ target health, the connections consumers are waiting on, and the private DNS name consumers
cannot use until it is verified. Consumers the scan also sees (any scanned account) are named, matched to the
service by its name and to an AZ by AZ ID, which is the same zone in every account."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.checks.inputs import ENDPOINTS
from vpce_audit.checks.registry import Category, ResourceType, check
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.provider import LoadBalancer, ServiceConfiguration, TargetGroup
from vpce_audit.model.resources import Endpoint

# Everything the provider side is built from (normalize/provider.py): the checks read one ProviderInventory, and
# tests/catalogue_probe.py holds them to all of it.
PROVIDER = (
    Api.DESCRIBE_VPC_ENDPOINT_SERVICE_CONFIGURATIONS,
    Api.DESCRIBE_VPC_ENDPOINT_CONNECTIONS,
    Api.DESCRIBE_LOAD_BALANCERS,
    Api.DESCRIBE_LOAD_BALANCER_ATTRIBUTES,
    Api.DESCRIBE_TARGET_GROUPS,
    Api.DESCRIBE_TARGET_GROUP_ATTRIBUTES,
    Api.DESCRIBE_TARGET_HEALTH,
    Api.DESCRIBE_AVAILABILITY_ZONES,
    Api.DESCRIBE_SUBNETS,
)
# Consumers the scan sees: their endpoints, and the AZ IDs of their ENIs.
CONSUMERS = (*ENDPOINTS, Api.DESCRIBE_NETWORK_INTERFACES, Api.DESCRIBE_SUBNETS)
GONE = frozenset({"deleted", "deleting", "failed"})


def _about(svc: ServiceConfiguration, message: str, vpc_id: str = "", **fields: Any) -> Finding:
    return Finding(
        account_id=svc.account_id, region=svc.region, vpc_id=vpc_id, resource_id=svc.id, message=message, **fields
    )


def _services(inv: Inventory) -> Iterator[ServiceConfiguration]:
    for sid in sorted(inv.provider.services):
        svc = inv.provider.services[sid]
        if svc.state not in GONE:
            yield svc


def _consumers(inv: Inventory, svc: ServiceConfiguration) -> list[Endpoint]:
    """Live endpoints of scanned accounts naming this service (same region: a cross-region consumer names
    the service with its ServiceRegion)."""
    return [
        ep
        for ep in inv.live_endpoints
        if ep.service_name == svc.name and (ep.service_region or ep.region) == svc.region
    ]


def _consumer_azs(inv: Inventory, ep: Endpoint) -> frozenset[str]:
    return inv.endpoint_az_ids(ep)


def _effective_cross_zone(lb: LoadBalancer, tg: TargetGroup) -> bool | None:
    """A target group's own setting wins; `use_load_balancer_configuration` defers to the LB's. None (unknown)
    when the group's attributes were not read or hold a value this version does not know: never taken for off."""
    if tg.cross_zone == "true":
        return True
    if tg.cross_zone == "false":
        return False
    if tg.cross_zone == "use_load_balancer_configuration":
        return lb.cross_zone
    return None


def _healthy_azs(lb: LoadBalancer, tg: TargetGroup) -> frozenset[str] | None:
    """AZ IDs of the LB holding a healthy target of the group; None when a healthy target's AZ is unknown."""
    assert tg.targets is not None
    by_name = {z.az_name: z.az_id for z in lb.zones}
    found: set[str] = set()
    for t in tg.targets:
        if t.state != "healthy":
            continue
        if t.az == "all":
            found |= {z.az_id for z in lb.zones}
        elif t.az in by_name:
            found.add(by_name[t.az])
        else:
            return None  # an instance target (no AZ given) or a zone the LB does not list
    return frozenset(found)


@check(
    "svc-az-no-healthy-targets",
    title="Endpoint service AZ without a healthy target",
    summary="Fires for an endpoint service a scanned account owns when a Network Load Balancer behind it has "
    "cross-zone load balancing off (the target group's own setting, else the load balancer's) and an AZ of the "
    "load balancer holds no healthy target of a target group it routes to. Target AZs come from "
    "DescribeTargetHealth (Target.AvailabilityZone, or `all`); a group with a healthy target whose AZ is not given "
    "(an instance target) is not judged. Consumer endpoints the scan sees with a network interface in that AZ "
    "(matched by AZ ID, in any scanned account) are named.",
    risk="With cross-zone load balancing off, the load balancer node in that AZ sends only to targets in its own "
    "AZ: consumers whose endpoint network interface sits there (their zonal name, or a resolver answer picking that "
    "interface) reach no target and fail.",
    severity=Severity.HIGH,
    severity_rule="Critical when no AZ of the load balancer holds a healthy target (the service is down for every "
    "consumer); high when some AZs do.",
    remediation="Register healthy targets in every AZ of the load balancer, or turn cross-zone load balancing on.",
    references=(
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/network-load-balancers.html",
        "https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-share-your-services.html",
    ),
    category=Category.AVAILABILITY,
    resource_types=(ResourceType.VPC_ENDPOINT_SERVICE,),
    inputs=(*PROVIDER, *CONSUMERS),
)
def svc_az_no_healthy_targets(inv: Inventory) -> Iterator[Finding]:
    for svc in _services(inv):
        for lb_arn in svc.nlb_arns:
            lb = inv.provider.load_balancers.get(lb_arn)
            if lb is None or lb.type not in ("network", "") or any(not z.az_id for z in lb.zones):
                continue  # not seen, not an NLB, or an AZ that cannot be named by ID: unknown
            for tg_arn in sorted(inv.provider.target_groups):
                tg = inv.provider.target_groups[tg_arn]
                if lb_arn not in tg.lb_arns or tg.targets is None:
                    continue
                if _effective_cross_zone(lb, tg) is not False:
                    continue  # on (every node reaches every target) or unknown
                healthy = _healthy_azs(lb, tg)
                if healthy is None:
                    continue
                empty = sorted({z.az_id for z in lb.zones} - healthy)
                if not empty:
                    continue
                yield _finding(inv, svc, lb, tg, empty, healthy)


def _finding(
    inv: Inventory,
    svc: ServiceConfiguration,
    lb: LoadBalancer,
    tg: TargetGroup,
    empty: list[str],
    healthy: frozenset[str],
) -> Finding:
    consumers = [
        {"endpoint_id": ep.id, "account_id": ep.account_id, "vpc_id": ep.vpc_id, "az_ids": sorted(azs)}
        for ep in _consumers(inv, svc)
        for azs in [_consumer_azs(inv, ep) & set(empty)]
        if azs
    ]
    everywhere = not healthy
    return _about(
        svc,
        f"{svc.name}: load balancer {lb.name or lb.arn} has no healthy target of {tg.name or tg.arn} in "
        f"{', '.join(empty)} and cross-zone load balancing is off"
        + (f"; {len(consumers)} consumer endpoint(s) seen with an interface there" if consumers else ""),
        vpc_id=lb.vpc_id,
        severity=Severity.CRITICAL if everywhere else Severity.HIGH,
        key=f"{lb.arn} {tg.arn}",
        related_ids=tuple(sorted({lb.arn, tg.arn, *(c["endpoint_id"] for c in consumers)})),
        evidence={
            "service_name": svc.name,
            "load_balancer_arn": lb.arn,
            "target_group_arn": tg.arn,
            "load_balancer_az_ids": sorted({z.az_id for z in lb.zones}),
            "az_ids_without_healthy_target": empty,
            "load_balancer_cross_zone": lb.cross_zone,
            "target_group_cross_zone": tg.cross_zone,
            "targets": [{"id": t.target_id, "az": t.az, "state": t.state} for t in tg.targets or ()],
            "consumers_in_those_azs": consumers,
        },
    )


_PENDING = {"pendingacceptance": Severity.HIGH, "rejected": Severity.HIGH}


@check(
    "svc-connection-pending",
    title="Endpoint connection waiting for acceptance or rejected",
    summary="Fires for each connection to an endpoint service a scanned account owns whose state is "
    "pendingAcceptance or rejected, as DescribeVpcEndpointConnections reports it. When the consumer endpoint is in a "
    "scanned account its VPC is named; consumers the scan cannot see are reported by the id and owner AWS gives.",
    risk="A consumer endpoint carries no traffic until the provider accepts it: the consumer's clients fail, or fall "
    "back to a public path. A rejected connection stays broken until the consumer recreates its endpoint.",
    severity=Severity.HIGH,
    severity_rule="Always high: the consumer's endpoint serves nobody.",
    remediation="Accept the connection (AcceptVpcEndpointConnections) if the consumer is expected, or tell its owner "
    "why it was rejected; turn acceptance off for consumers you always allow.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/privatelink/configure-endpoint-service.html",
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpcEndpointConnections.html",
    ),
    category=Category.HEALTH,
    resource_types=(ResourceType.VPC_ENDPOINT_SERVICE,),
    inputs=(*PROVIDER, *ENDPOINTS),
)
def svc_connection_pending(inv: Inventory) -> Iterator[Finding]:
    for conn in inv.provider.connections:
        svc = inv.provider.services.get(conn.service_id)
        if svc is None or conn.state not in _PENDING:
            continue
        consumer = inv.endpoints.get(conn.endpoint_id)
        seen = consumer is not None and consumer.service_name == svc.name
        where = f" in {consumer.account_id} {consumer.vpc_id}" if seen and consumer else ""
        yield _about(
            svc,
            f"{svc.name}: connection from {conn.endpoint_id} (owner {conn.endpoint_owner or 'unknown'}){where} "
            f"is {conn.state}",
            severity=_PENDING[conn.state],
            key=conn.endpoint_id,
            related_ids=(conn.endpoint_id,),
            evidence={
                "service_name": svc.name,
                "endpoint_id": conn.endpoint_id,
                "endpoint_owner": conn.endpoint_owner,
                "endpoint_region": conn.endpoint_region,
                "state": conn.state,
                "acceptance_required": svc.acceptance_required,
                "consumer_seen": seen,
                "consumer_vpc_id": consumer.vpc_id if seen and consumer else "",
            },
        )


@check(
    "svc-private-dns-unverified",
    title="Endpoint service private DNS name not verified",
    summary="Fires for an endpoint service a scanned account owns that has a private DNS name whose domain "
    "verification state (the State of its PrivateDnsNameConfiguration) is not verified. Consumer endpoints the scan "
    "sees with "
    "private DNS enabled are named.",
    risk="Consumers can use the private name only once it is verified: until then their private DNS does not "
    "answer it, so clients using that name resolve it publicly or not at all.",
    severity=Severity.MEDIUM,
    severity_rule="High when a consumer endpoint the scan sees has private DNS enabled (its clients are broken "
    "now); medium otherwise.",
    remediation="Publish the TXT record PrivateDnsNameConfiguration names in the domain's public DNS, then start "
    "verification (StartVpcEndpointServicePrivateDnsVerification).",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/privatelink/manage-dns-names.html",
        "https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-share-your-services.html",
    ),
    category=Category.DNS,
    resource_types=(ResourceType.VPC_ENDPOINT_SERVICE,),
    inputs=(*PROVIDER, *ENDPOINTS),
)
def svc_private_dns_unverified(inv: Inventory) -> Iterator[Finding]:
    for svc in _services(inv):
        if not svc.private_dns_name or svc.private_dns_state == "verified":
            continue
        relying = [ep for ep in _consumers(inv, svc) if ep.private_dns_enabled]
        yield _about(
            svc,
            f"{svc.name}: private DNS name {svc.private_dns_name} is "
            f"{svc.private_dns_state or 'in no reported verification state'}, so consumers cannot use it",
            severity=Severity.HIGH if relying else Severity.MEDIUM,
            related_ids=tuple(ep.id for ep in relying),
            evidence={
                "service_name": svc.name,
                "private_dns_name": svc.private_dns_name,
                "verification_state": svc.private_dns_state,
                "consumers_with_private_dns": [
                    {"endpoint_id": ep.id, "account_id": ep.account_id, "vpc_id": ep.vpc_id} for ep in relying
                ],
            },
        )
