"""Private zones left behind (issue 14): zones named for an AWS service name that still answer for it after the
endpoint they were made for is gone, and zones whose association count nears Route 53's limit.

A zone for a deleted endpoint is judged whether or not any endpoint of its service exists: its literal
addresses held by no network interface are phz-left-behind's (phz-static-ips judges the records that still lead
to an endpoint); its aliases and CNAMEs to endpoint names no endpoint has are phz-alias-dangling's, which already
reads every zone.
"""

from __future__ import annotations

from collections.abc import Iterator

from vpce_audit.apis import Api
from vpce_audit.checks.inputs import RECORD_TARGETS, ZONES
from vpce_audit.checks.phz import _record_key, _zone_finding, _zones_with_records
from vpce_audit.checks.registry import Category, ResourceType, check
from vpce_audit.dns.names import is_vpce_name
from vpce_audit.dns.targets import zone_targets
from vpce_audit.dns.zone import record_evidence
from vpce_audit.model.cidr import holds_ip
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory

AWS_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn")
# Route 53's default quota of VPCs associated with one private hosted zone (adjustable); info from 90% of it.
ZONE_VPC_QUOTA = 300
NEAR_QUOTA = 270


def aws_service_name(name: str) -> bool:
    """An AWS service name (regional, global such as s3.amazonaws.com, or region-less such as iam.amazonaws.com),
    not an endpoint's own vpce name."""
    bare = name.removeprefix("*.")
    return bare.endswith(AWS_SUFFIXES) and not is_vpce_name(bare)


def _owner_known(inv: Inventory, ip: str) -> bool:
    """The address lies in a scanned VPC, and every scanned account of that VPC's region listed its ENIs and
    endpoints: that no ENI holds it, and no endpoint is behind it, is then a fact."""
    regions = {v.region for v in inv.vpcs.values() if holds_ip(ip, (*v.cidrs, *v.ipv6_cidrs))}
    # Endpoints and their services too: without them a record that leads to an endpoint would look left behind.
    # (services are asked only where endpoints exist).
    needed = (Api.DESCRIBE_NETWORK_INTERFACES, Api.DESCRIBE_VPC_ENDPOINTS)
    if not regions or any(inv.not_collected(api, r) for r in regions for api in needed):
        return False
    with_endpoints = {(ep.account_id, ep.region) for ep in inv.live_endpoints}
    return not any(
        g in with_endpoints for r in regions for g in inv.not_collected(Api.DESCRIBE_VPC_ENDPOINT_SERVICES, r)
    )


@check(
    "phz-left-behind",
    title="Private zone answers an AWS service name with addresses no network interface holds",
    summary="Fires for an A or AAAA record under an AWS service name (regional, the global S3 name, or a region-less "
    "service) in a private hosted zone associated with a scanned VPC, whose addresses lead to no endpoint and are held "
    "by no network interface of the scanned accounts, where the addresses lie in a scanned VPC of a region whose ENIs "
    "were all collected. Typical of a zone kept after its endpoint was deleted; judged whether or not an endpoint of "
    "the service exists. Records that still lead to an endpoint are phz-static-ips's; aliases and CNAMEs to deleted "
    "endpoints are phz-alias-dangling's.",
    risk="Every client of the associated VPCs resolves the service name to addresses nothing answers on: its calls to "
    "the service time out.",
    severity=Severity.CRITICAL,
    severity_rule="Critical when no address of the record is held (every call fails now); high when some are (calls "
    "sent to the others fail).",
    remediation="Delete the zone (or the record) if the endpoint is gone, or point the record at a live endpoint's "
    "regional DNS name with an alias.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/privatelink/manage-dns-names.html",
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zone-private-considerations.html",
    ),
    category=Category.DNS,
    resource_types=(ResourceType.HOSTED_ZONE,),
    inputs=(*RECORD_TARGETS, Api.DESCRIBE_VPCS, Api.DESCRIBE_VPC_ENDPOINT_SERVICES),
)
def phz_left_behind(inv: Inventory) -> Iterator[Finding]:
    held = {ip for eni in inv.enis.values() for ip in eni.private_ips}
    for zone, records in _zones_with_records(inv):
        if not any(v in inv.vpcs for v in zone.served_vpc_ids):  # a Profile's VPCs too (issue 14)
            continue
        for record, target in zip(records, zone_targets(inv, zone), strict=True):
            if record.type not in ("A", "AAAA") or record.is_alias or not aws_service_name(record.name):
                continue
            if target.endpoint is not None or not record.values:
                continue  # it leads to an endpoint: phz-static-ips judges it
            if not all(ip in held or _owner_known(inv, ip) for ip in record.values):
                continue  # an address outside the scan, or ENIs not collected: unknown
            stale = [ip for ip in record.values if ip not in held]
            if not stale:
                continue
            every = len(stale) == len(record.values)
            yield _zone_finding(
                inv,
                zone,
                f"record {record.name} in zone {zone.name} ({zone.id}) answers with {', '.join(stale)}, held by no "
                "network interface" + ("" if every else f" (of {', '.join(record.values)})"),
                severity=Severity.CRITICAL if every else Severity.HIGH,
                evidence={"record": record_evidence(record), "stale_ips": stale},
                key=_record_key(zone, record),
            )


@check(
    "phz-association-limit",
    title="Private zone is close to its limit of associated VPCs",
    summary=f"Fires for a private hosted zone whose VPC associations were read (GetHostedZone) and number at least "
    f"{NEAR_QUOTA}, against Route 53's default quota of {ZONE_VPC_QUOTA} VPCs per private hosted zone.",
    risk="The next spokes cannot be associated: their clients will not get the hub's answers unless the quota is "
    "raised or the zone is shared some other way (a Route 53 Profile).",
    severity=Severity.INFO,
    severity_rule="Always info: worth knowing before the next spoke, nothing is broken.",
    remediation="Request a higher 'VPCs that you can associate with a private hosted zone' quota, or deliver the zone "
    "through a Route 53 Profile.",
    references=("https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html",),
    category=Category.DNS,
    resource_types=(ResourceType.HOSTED_ZONE,),
    inputs=(*ZONES, Api.DESCRIBE_VPCS),
)
def phz_association_limit(inv: Inventory) -> Iterator[Finding]:
    for zone_id in sorted(inv.dns.described_zones):
        zone = inv.dns.zones.get(zone_id)
        if zone is not None and len(zone.vpc_ids) >= NEAR_QUOTA:
            yield _zone_finding(
                inv,
                zone,
                f"zone {zone.name} ({zone.id}) is associated with {len(zone.vpc_ids)} VPCs, near the default quota "
                f"of {ZONE_VPC_QUOTA}",
                evidence={"associations": len(zone.vpc_ids), "quota": ZONE_VPC_QUOTA},
            )
