"""Resource endpoints whose AZs do not meet their resource gateway's (issue 15)."""

from __future__ import annotations

from collections.abc import Iterator

from vpce_audit.checks.inputs import RESOURCE_GATEWAY
from vpce_audit.checks.registry import Category, ResourceType, about, check
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import EndpointType
from vpce_audit.verdicts.resource_gateway import KNOWN, resource_gateway_overlap


@check(
    "ep-resource-az-overlap",
    title="Resource endpoint shares no Availability Zone with its resource gateway",
    summary="Fires for a live resource endpoint (VPC Lattice) whose subnets' AZ IDs have none in common with the "
    "AZ IDs of the subnets of the resource gateway its resource configuration names. Judged only where the scan "
    "sees the whole chain: the configuration listed by the endpoint's account, the gateway listed by its owner "
    "(a scanned account) and both sides' subnets; otherwise the overlap is unknown in the endpoint's az_coverage "
    "and nothing fires. Sharing one AZ is enough and stays quiet.",
    risk="AWS requires at least one AZ of a resource endpoint and its resource gateway to overlap. Without one the "
    "endpoint's clients have no documented path to the resource: every connection through the endpoint depends on "
    "behaviour AWS does not support.",
    severity=Severity.HIGH,
    severity_rule="Always high: a documented requirement of the endpoint is broken for every client. Not critical "
    "because AWS does not document what traffic then does, and the scan cannot observe it.",
    remediation="Add a subnet in one of the endpoint's AZs to the resource gateway, or a subnet in one of the "
    "gateway's AZs to the endpoint; better, make both span every workload AZ.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/privatelink/resource-gateway.html",
        "https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-resources.html",
        "https://docs.aws.amazon.com/vpc-lattice/latest/ug/resource-gateway.html",
    ),
    category=Category.AVAILABILITY,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=RESOURCE_GATEWAY,
)
def ep_resource_az_overlap(inv: Inventory) -> Iterator[Finding]:
    for ep in inv.endpoints_of(EndpointType.RESOURCE):
        found = resource_gateway_overlap(inv, ep)
        if found is None or found.status != KNOWN or found.overlap:
            continue
        yield about(
            ep,
            f"{ep.resource_configuration_arn} is served by resource gateway {found.gateway_id} in "
            f"{', '.join(sorted(found.gateway_az_ids))}; the endpoint is in "
            f"{', '.join(sorted(found.endpoint_az_ids))}: no AZ in common",
            related_ids=(found.gateway_id, *ep.subnet_ids),
            evidence={"endpoint_type": ep.type_raw} | {k: v for k, v in found.to_dict().items() if k != "status"},
        )
