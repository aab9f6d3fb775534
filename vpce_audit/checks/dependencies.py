"""Dependency completeness: endpoints that are useless on their own in isolated subnets.

An isolated subnet (no default route, §1 of the domain notes) has no fallback to a public service endpoint,
so a service that silently needs another one fails there unless that other one has a private path too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from vpce_audit.checks.inputs import EGRESS, ENDPOINTS
from vpce_audit.checks.registry import Category, ResourceType, about, check
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.names import short_service_name
from vpce_audit.model.resources import Egress, Endpoint, EndpointType

ECR_SERVICES = frozenset({"ecr.dkr", "ecr.api"})


def service_short(ep: Endpoint) -> str:
    return short_service_name(ep.service_name, ep.region)


def _available_by_vpc(inv: Inventory) -> dict[str, list[Endpoint]]:
    """Available endpoints per VPC, in id order: one pass, however many VPCs."""
    by_vpc: dict[str, list[Endpoint]] = defaultdict(list)
    for ep in inv.endpoints_of(*EndpointType):
        if ep.available:
            by_vpc[ep.vpc_id].append(ep)
    return by_vpc


def _of(endpoints: list[Endpoint], kind: EndpointType, *shorts: str) -> list[Endpoint]:
    return [ep for ep in endpoints if ep.type == kind and service_short(ep) in shorts]


def s3_interface_with_private_dns(endpoints: list[Endpoint]) -> Endpoint | None:
    """An S3 interface endpoint with private DNS gives every subnet of the VPC an S3 path by name."""
    # Not when its private DNS answers only a Resolver inbound endpoint: the VPC's clients then need the gateway.
    return next(
        (
            ep
            for ep in _of(endpoints, EndpointType.INTERFACE, "s3")
            if ep.private_dns_enabled and not ep.inbound_resolver_only
        ),
        None,
    )


def s3_gateway_route_tables(endpoints: list[Endpoint]) -> frozenset[str]:
    return frozenset(rt for ep in _of(endpoints, EndpointType.GATEWAY, "s3") for rt in ep.route_table_ids)


def isolated_without_s3(inv: Inventory, vpc_id: str, tables: frozenset[str]) -> tuple[str, ...]:
    """Isolated workload subnets whose effective route table is none of these S3 gateway tables."""
    return tuple(
        s
        for s in inv.workload_subnets.get(vpc_id, ())
        if inv.egress.get(s) == Egress.ISOLATED and inv.effective_route_table.get(s) not in tables
    )


@check(
    "dep-ecr-s3",
    title="ECR endpoints without an S3 path from isolated subnets",
    summary="Fires for a VPC with available ECR interface endpoints (ecr.api, ecr.dkr) and isolated workload subnets "
    "(no default route) whose effective route table is associated with no available S3 gateway endpoint, when the "
    "VPC has no available S3 interface endpoint with private DNS either. Subnets with a NAT, transit or internet "
    "path still reach S3 and are not named.",
    risk="ECR serves image manifests through its endpoints but image layers from S3: an image pull from those subnets "
    "fails, so the next deployment or scale-out there fails (Fargate documents needing ecr.dkr, ecr.api and the S3 "
    "gateway endpoint).",
    severity=Severity.HIGH,
    severity_rule="Always high: running workloads keep running, but the next image pull in the named subnets fails.",
    remediation="Associate the listed subnets' route tables with an S3 gateway endpoint (or add an S3 interface "
    "endpoint with private DNS).",
    references=(
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html",
        "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html",
    ),
    category=Category.DEPENDENCY,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=(*ENDPOINTS, *EGRESS),
)
def dep_ecr_s3(inv: Inventory) -> Iterator[Finding]:
    for vpc_id, endpoints in sorted(_available_by_vpc(inv).items()):
        ecr = _of(endpoints, EndpointType.INTERFACE, *ECR_SERVICES)
        if not ecr or not inv.has(ecr[0].account_id, ecr[0].region, *EGRESS):
            continue
        if s3_interface_with_private_dns(endpoints) is not None:
            continue
        s3_tables = s3_gateway_route_tables(endpoints)
        missing = isolated_without_s3(inv, vpc_id, s3_tables)
        if not missing:
            continue
        # Anchor on ecr.dkr when there is one: it is the endpoint image pulls go through before S3.
        anchor = next((ep for ep in ecr if service_short(ep) == "ecr.dkr"), ecr[0])
        tables = sorted({inv.effective_route_table[s] for s in missing})
        yield about(
            anchor,
            f"{len(missing)} isolated workload subnet(s) use ECR endpoints but have no S3 path for image "
            f"layers: {', '.join(_label(inv, s) for s in missing)}",
            related_ids=(*(ep.id for ep in ecr), *missing, *tables),
            evidence={
                "ecr_endpoint_ids": [ep.id for ep in ecr],
                "subnet_ids": list(missing),
                "route_table_ids": tables,
                "s3_gateway_route_tables": sorted(s3_tables),
                "s3_interface_with_private_dns": False,
                "workload_assumed": vpc_id in inv.workload_assumed,
            },
        )


def _label(inv: Inventory, subnet_id: str) -> str:
    subnet = inv.subnets.get(subnet_id)
    return f"{subnet_id} ({subnet.cidr}, {subnet.az_id})" if subnet else subnet_id
