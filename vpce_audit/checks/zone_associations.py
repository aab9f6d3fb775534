"""Private zone associations that drifted (issue 14): a zone still associated with VPCs that no longer exist.

GetHostedZone gives each association's VPC id and region, never the account that owns the VPC, and a zone may
legitimately be associated with VPCs of accounts the scan did not cover (a hub's zone reaching its spokes).
So "no scanned account lists the VPC" proves nothing by itself, not even in a single-account scan: the VPC is
judged gone only when a scanned account's own records name it (an endpoint in it, which DescribeVpcEndpoints
keeps listing, in state `deleted`, for a while after it is deleted) and that account's VPC listing of the
region answered without it. Everything else stays quiet: when in doubt, no finding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping

from vpce_audit.apis import Api
from vpce_audit.checks.inputs import ZONES
from vpce_audit.checks.phz import _zone_finding
from vpce_audit.checks.registry import Category, ResourceType, check
from vpce_audit.checks.zones_left import ZONE_VPC_QUOTA
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory


class VpcWitnesses:
    """(VPC id, region) -> the scanned accounts whose endpoint lists name the VPC (endpoints in any state: a
    deleted endpoint's record outlives its VPC for a while). Such an account sees the VPC in its DescribeVpcs
    while the VPC exists (it owns it, or the VPC is shared with it), in a scan limited to chosen VPCs too: both
    listings are filtered by the same VPC ids. Built once per Inventory: every zone's associations ask it."""

    __slots__ = ("by_vpc",)

    def __init__(self, inv: Inventory) -> None:
        seen: dict[tuple[str, str], set[str]] = defaultdict(set)
        for ep in inv.endpoints.values():
            if ep.vpc_id and ep.region:
                seen[(ep.vpc_id, ep.region)].add(ep.account_id)
        self.by_vpc: Mapping[tuple[str, str], frozenset[str]] = {k: frozenset(a) for k, a in seen.items()}

    @classmethod
    def of(cls, inv: Inventory) -> VpcWitnesses:
        return inv.derived.of(cls, lambda: cls(inv))


def stale_associations(inv: Inventory, associations: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """The (VPC id, region) associations whose VPC is provably gone: no scanned account lists it, and an account
    that would list it if it existed (its endpoints name the VPC) answered DescribeVpcs and DescribeVpcEndpoints
    in that region."""
    witnesses = VpcWitnesses.of(inv).by_vpc
    gone = []
    for vpc_id, region in associations:
        if vpc_id in inv.vpcs:
            continue
        accounts = witnesses.get((vpc_id, region), frozenset())
        if accounts and all(inv.has(a, region, Api.DESCRIBE_VPCS, Api.DESCRIBE_VPC_ENDPOINTS) for a in accounts):
            gone.append((vpc_id, region))
    return gone


@check(
    "phz-association-stale",
    title="Private zone is still associated with VPCs that no longer exist",
    summary="Fires for a private hosted zone whose associations were read (GetHostedZone) and name a VPC that no "
    "scanned account lists, where a scanned account's own endpoint records name that VPC in that region (so the "
    "account would list the VPC if it existed) and that account's VPCs and endpoints there were collected. A VPC "
    "no scanned account has any record of may belong to an account the scan did not cover (a hub's zone reaching "
    "another account's spoke): it stays quiet, even in a single-account scan.",
    risk=f"Nothing resolves differently today, but each stale association still counts against the zone's quota of "
    f"{ZONE_VPC_QUOTA} associated VPCs for nothing, and the zone's association list no longer says which VPCs "
    "depend on it (a zone associated only with deleted VPCs is kept, and paid for, for nothing).",
    severity=Severity.LOW,
    severity_rule="Always low: drift in the zone's configuration, no client's answer depends on it.",
    remediation="Disassociate the deleted VPCs from the zone (DisassociateVPCFromHostedZone), or delete the zone if "
    "no live VPC is left.",
    references=(
        "https://docs.aws.amazon.com/Route53/latest/APIReference/API_DisassociateVPCFromHostedZone.html",
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html",
    ),
    category=Category.DNS,
    resource_types=(ResourceType.HOSTED_ZONE,),
    inputs=(*ZONES, Api.DESCRIBE_VPCS, Api.DESCRIBE_VPC_ENDPOINTS),
)
def phz_association_stale(inv: Inventory) -> Iterator[Finding]:
    for zone_id in sorted(inv.dns.described_zones):
        zone = inv.dns.zones.get(zone_id)
        if zone is None:
            continue
        gone = stale_associations(inv, zone.associations)
        if not gone:
            continue
        shown = ", ".join(f"{vpc} ({region})" for vpc, region in gone)
        yield _zone_finding(
            inv,
            zone,
            f"zone {zone.name} ({zone.id}) is still associated with {shown}, which no longer "
            + ("exists" if len(gone) == 1 else "exist"),
            evidence={
                "stale_vpcs": [{"vpc_id": vpc, "region": region} for vpc, region in gone],
                "associations": len(zone.associations),
                "quota": ZONE_VPC_QUOTA,
            },
        )
