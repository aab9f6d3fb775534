"""Endpoint health: the state AWS reports and the ENIs an endpoint should have."""

from __future__ import annotations

from collections.abc import Iterator

from vpce_audit.apis import Api
from vpce_audit.checks.inputs import ENDPOINTS
from vpce_audit.checks.registry import Category, ResourceType, about, check
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import EndpointType

BROKEN_STATES = frozenset({"failed", "rejected", "expired"})
WAITING_STATES = frozenset({"pending", "pendingacceptance", "partial"})
_STATE_FIX = {
    "pendingacceptance": "Ask the owner of the endpoint service to accept the connection request.",
    "rejected": "Ask the service provider why the connection was rejected, then recreate the endpoint.",
    "expired": "The connection request expired unaccepted: recreate the endpoint and have the provider accept it.",
    "failed": "Read the endpoint's LastError, fix the cause (subnet IPs, quotas, service AZs) and recreate it.",
}


@check(
    "ep-state",
    title="Endpoint is not available",
    summary="Fires for every VPC endpoint (interface, gateway, Gateway Load Balancer, or of a type this version "
    "does not know) whose state is anything but available: pending, pendingAcceptance, partial, failed, rejected, "
    "expired, or a state vpce-audit does not know, which is never taken for healthy. Deleting and deleted endpoints "
    "are left out. The endpoint's LastError, when AWS reports one, is quoted in the message.",
    risk="An endpoint that is not available carries no traffic: the clients that depend on it fail, or fall back to "
    "the service's public endpoint (through NAT, or not at all from isolated subnets).",
    severity=Severity.HIGH,
    severity_rule="Critical when the state is failed, rejected or expired (broken now); high for pending, "
    "pendingAcceptance, partial or a state this version does not know (not serving yet, or not to be trusted).",
    remediation="Find out why the endpoint is not available and fix or recreate it.",
    references=(
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpoint.html",
        "https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html",
    ),
    category=Category.HEALTH,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=ENDPOINTS,
)
def ep_state(inv: Inventory) -> Iterator[Finding]:
    for ep in inv.endpoints_of(*EndpointType):
        if ep.available:
            continue
        known = ep.state in BROKEN_STATES | WAITING_STATES
        detail = f" ({ep.failure})" if ep.failure else ""
        yield about(
            ep,
            f"{ep.type_raw or 'VPC'} endpoint for {ep.service_name} is {ep.state or 'in no reported state'}{detail}"
            + ("" if known else "; this state is not one vpce-audit knows, so it is not treated as healthy"),
            severity=Severity.CRITICAL if ep.state in BROKEN_STATES else Severity.HIGH,
            evidence={"state": ep.state, "failure": ep.failure, "service_name": ep.service_name},
            remediation=_STATE_FIX.get(ep.state, ""),
        )


@check(
    "ep-eni-missing",
    title="Endpoint has fewer network interfaces than subnets",
    summary="Fires for an available interface or Gateway Load Balancer endpoint that has fewer network interfaces "
    "than subnets, has a subnet holding none of its network interfaces, or names a network interface that "
    "DescribeNetworkInterfaces does not return.",
    risk="An interface endpoint serves an AZ only through its network interface there: a subnet without one is an AZ "
    "the endpoint claims but does not serve, so the clients there depend on another AZ.",
    severity=Severity.HIGH,
    severity_rule="Always high: the endpoint still answers from its other AZs, but losing the AZ its clients now "
    "cross to takes the service from them.",
    remediation="Remove the subnet from the endpoint and add it again so AWS recreates its network interface.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/privatelink/interface-endpoints.html",
        "https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html",
    ),
    category=Category.HEALTH,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=(*ENDPOINTS, Api.DESCRIBE_NETWORK_INTERFACES),
)
def ep_eni_missing(inv: Inventory) -> Iterator[Finding]:
    for ep in inv.endpoints_of(EndpointType.INTERFACE, EndpointType.GATEWAY_LOAD_BALANCER):
        if not ep.available or not inv.has(ep.account_id, ep.region, Api.DESCRIBE_NETWORK_INTERFACES):
            continue
        found = [inv.enis[e] for e in ep.eni_ids if e in inv.enis]
        not_found = sorted(set(ep.eni_ids) - {e.id for e in found})
        served = {e.subnet_id for e in found}
        bare = sorted(s for s in ep.subnet_ids if s not in served)
        if not not_found and len(ep.eni_ids) >= len(ep.subnet_ids) and not bare:
            continue
        problems = []
        if bare:
            problems.append(f"no network interface in subnet(s) {', '.join(bare)}")
        if not_found:
            problems.append(f"network interface(s) {', '.join(not_found)} not found")
        yield about(
            ep,
            f"{ep.service_name}: {len(ep.eni_ids)} network interface(s) for {len(ep.subnet_ids)} subnet(s); "
            + "; ".join(problems),
            related_ids=tuple(bare) + tuple(not_found),
            evidence={
                "subnet_ids": list(ep.subnet_ids),
                "network_interface_ids": list(ep.eni_ids),
                "subnets_without_interface": bare,
                "interfaces_not_found": not_found,
            },
        )
