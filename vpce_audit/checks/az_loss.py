"""The loss of one AZ taking a service from workloads in another (verdicts/az_loss.py simulates every loss).

Run in every scan, like every other check: checks are the contract, and a finding that appeared only with a
flag would look "resolved" in a diff against a scan run without it. `--az-loss` adds only the matrix (table,
HTML heatmap, JSON `az_loss`) of every impact, degraded ones included.

One problem, one finding: where a single-component check already reports the cause (az-single for an endpoint
in one AZ, phz-zonal-alias, phz-static-ips, rslv-endpoint-single-az, gwlb-cross-az / gwlb-missing-az for a
route to another AZ's Gateway Load Balancer endpoint), the loss is its consequence and is not
reported twice; the matrix lists it with `consequence_of` naming that check. The finding is left for the
dependencies only the combination shows.
"""

from __future__ import annotations

from collections.abc import Iterator

from vpce_audit.apis import Api
from vpce_audit.checks.inputs import AZ_COVERAGE, EGRESS, NETWORK_PATH, RESOLVER_ENDPOINTS
from vpce_audit.checks.registry import Category, ResourceType, check
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.verdicts.az_loss import AzLossEntry, Impact, simulate


@check(
    "az-loss-cross-az",
    title="Losing one AZ removes a service from workloads in another AZ",
    summary="Simulates the loss of every AZ ID in scope (its endpoint ENIs, the endpoints' zonal DNS names for it, "
    "its Resolver endpoint addresses, its transit gateway attachment subnets, its zonal NAT gateways and Gateway Load "
    "Balancer endpoints, whose routes become blackholes) and re-runs the DNS path, AZ coverage, egress posture and "
    "packet path verdicts on what is left. Fires once per (lost AZ, client VPC, service) when workloads of that "
    "VPC in another AZ no longer reach the service, and names the component that causes it: endpoint ENI, zonal "
    "record, static IP record, Resolver endpoint, transit gateway attachment, packet path, NAT gateway (clients "
    "whose DNS bypasses the endpoint reach the service's public addresses through their default route; a regional "
    "NAT gateway keeps serving the other AZs) or GWLB endpoint. A loss "
    "that is the consequence of a single-component finding (az-single, phz-zonal-alias, phz-static-ips, "
    "rslv-endpoint-single-az, net-tgw-az-gap and the other packet-path checks, gwlb-cross-az, gwlb-missing-az) is "
    "not reported again: "
    "`--az-loss` lists it in the matrix with the check it follows from. What remains are dependencies no single "
    "check sees, such as a spoke whose DHCP options name only the "
    "addresses, in one AZ, of an inbound Resolver endpoint that has others, or workloads whose DNS bypasses the "
    "endpoint and whose AZ leaves through another AZ's NAT gateway.",
    risk="One AZ's failure, or a zonal shift away from it, takes the service from workloads in AZs that are "
    "healthy: each component may pass its own check while the combination depends on one AZ.",
    severity=Severity.HIGH,
    severity_rule="High; critical when the affected workload subnets are isolated (no default route out), so "
    "nothing falls back to the service's public endpoint.",
    remediation="Remove the single-AZ dependency the evidence names: add endpoint subnets in the other AZs, alias the "
    "regional name instead of a zonal one, replace literal IPs with an alias, give the Resolver endpoint "
    "addresses in two or more AZs, route each AZ through a NAT gateway of its own (or a regional one) or let its "
    "clients resolve the endpoint (private DNS or a zone), or route each AZ to its own GWLB endpoint.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html",
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-forwarding-inbound-queries.html",
        "https://docs.aws.amazon.com/r53recovery/latest/dg/arc-zonal-shift.html",
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html",
        "https://docs.aws.amazon.com/vpc/latest/userguide/gwlb-route.html",
    ),
    category=Category.AVAILABILITY,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=(*AZ_COVERAGE, *EGRESS, *RESOLVER_ENDPOINTS, *NETWORK_PATH, Api.DESCRIBE_NAT_GATEWAYS),
)
def az_loss_cross_az(inv: Inventory) -> Iterator[Finding]:
    groups: dict[tuple[str, str, str, str], list[AzLossEntry]] = {}
    for entry in simulate(inv).impacted():
        # Its severity needs the client's route tables: without them the finding is not raised (unknown).
        if entry.impact is Impact.LOST and entry.isolated is not None and not entry.consequence_of:
            key = (entry.lost.region, entry.lost.az_id, entry.vpc_id, entry.service)
            groups.setdefault(key, []).append(entry)
    for (region, az_id, vpc_id, service), entries in sorted(groups.items()):
        first = entries[0]
        azs = sorted({e.workload_az_id for e in entries})
        components = sorted({str(e.component) for e in entries})
        isolated = all(e.isolated is True for e in entries)
        evidence = {
            "lost_az_id": az_id,
            "workload_az_ids": azs,
            "service_name": service,
            "endpoint_ids": sorted({e.endpoint.id for e in entries}),
            "components": components,
            "chain": list(first.evidence),
            "isolated": isolated,
            "explanation": "no single-component check reports this dependency: only the combination shows it",
        }
        # About the endpoint that serves the service (one per service in a client VPC's answer), keyed by the
        # lost AZ and the client VPC: the resource to fix, or whose clients a Resolver endpoint strands.
        ep = min((e.endpoint for e in entries), key=lambda e: e.id)
        yield Finding(
            account_id=ep.account_id,
            region=region,
            vpc_id=vpc_id,
            resource_id=ep.id,
            key=f"{az_id}/{vpc_id}",
            message=f"losing {az_id} takes {service} from workloads of {vpc_id} in {', '.join(azs)} "
            f"({', '.join(components)})",
            severity=Severity.CRITICAL if isolated else None,
            related_ids=tuple(sorted({e.endpoint.id for e in entries} | {vpc_id})),
            evidence=evidence | {"client_account_id": first.account_id},
        )
