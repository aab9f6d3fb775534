"""Private hosted zones that override AWS service names: shadowing parents, missing and misnamed records,
zonal aliases, literal IPs, dangling aliases, and hub endpoints that do not cover their spokes' AZs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.checks.inputs import DNS_PATH, RECORD_TARGETS, RESOLUTION, WORKLOADS, ZONES
from vpce_audit.checks.registry import Category, ResourceType, check
from vpce_audit.dns.kinds import NO_ANSWER, Mode, TargetKind
from vpce_audit.dns.names import base, proper_parent, under
from vpce_audit.dns.path import VpcPath, reached_vpcs
from vpce_audit.dns.resolve import resolve
from vpce_audit.dns.targets import Target, endpoint_ips, record_target, zone_targets
from vpce_audit.dns.zone import lookup, record_evidence
from vpce_audit.model.dns import HostedZone, RecordSet
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Endpoint, EndpointType

_REGIONAL_ZONE = re.compile(r"^(?:(.+)\.)?([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com(?:\.cn)?$")


def _zones_with_records(inv: Inventory) -> Iterator[tuple[HostedZone, tuple[RecordSet, ...]]]:
    for zone_id in sorted(inv.dns.zones):
        zone = inv.dns.zones[zone_id]
        if zone.records is not None:
            yield zone, zone.records


def profile_evidence(inv: Inventory, zone: HostedZone) -> list[dict[str, object]]:
    """The Route 53 Profiles delivering a zone, per VPC (issue 14): what names the Profile in a zone's evidence."""
    return [
        {"vpc_id": vpc_id, **d.evidence()}
        for vpc_id in zone.profile_vpc_ids
        for d in inv.dns.profiles.deliveries(vpc_id, zone.id)
    ]


def _zone_region(inv: Inventory, zone: HostedZone) -> str:
    m = _REGIONAL_ZONE.match(zone.name)
    if m:
        return m.group(2)
    regions = sorted({inv.vpcs[v].region for v in zone.served_vpc_ids if v in inv.vpcs})
    return regions[0] if regions else ""


def _zone_finding(
    inv: Inventory,
    zone: HostedZone,
    message: str,
    *,
    endpoint: Endpoint | None = None,
    severity: Severity | None = None,
    evidence: dict[str, Any],
    related: tuple[str, ...] = (),
    key: str = "",
) -> Finding:
    """A finding about a zone or one of its records. When a record leads to an endpoint, the endpoint is the
    resource (as for every finding that has one) and the zone is related; otherwise the zone is the resource,
    in its owner's account, with the first VPC it is associated with."""
    details: dict[str, Any] = {
        "zone_id": zone.id,
        "zone_name": zone.name,
        "zone_owner": zone.owner,
        "zone_vpc_ids": list(zone.vpc_ids),
    }
    profiles = profile_evidence(inv, zone)
    if profiles:
        details["zone_profiles"] = profiles  # Route 53 Profiles delivering the zone (issue 14)
        related = (*related, *sorted({str(p["profile_id"]) for p in profiles}))
    if endpoint is not None:
        return Finding(
            account_id=endpoint.account_id,
            region=endpoint.region,
            vpc_id=endpoint.vpc_id,
            resource_id=endpoint.id,
            message=message,
            severity=severity,
            key=key,
            related_ids=(zone.id, *zone.served_vpc_ids, *related),
            evidence=details | evidence,
        )
    return Finding(
        account_id=zone.reporting_account,
        region=_zone_region(inv, zone),
        vpc_id=zone.served_vpc_ids[0] if zone.served_vpc_ids else "",
        resource_id=zone.id,
        message=message,
        severity=severity,
        key=key,
        related_ids=(*zone.served_vpc_ids, *related),
        evidence=details | evidence,
    )


def _record_key(zone: HostedZone, record: RecordSet) -> str:
    """Tells apart the findings about one resource's records: a zone has many, an endpoint is the target of
    records in many zones."""
    return " ".join(p for p in (zone.id, record.name, record.type, record.set_identifier) if p)


def _names_in_region(inv: Inventory, region: str) -> list[str]:
    """Every private DNS name of the services the scan described in this region: the names in use."""
    return sorted({n for s in inv.services.values() if s.region == region for n in s.private_dns_names})


@check(
    "phz-shadow",
    title="Private zone for a parent domain answers NXDOMAIN for service names",
    summary="Fires for a private hosted zone associated with a VPC that is a proper parent of service private DNS "
    "names in use in the VPC's region (such as a zone for us-east-1.amazonaws.com) and has no record for some of "
    "them, when the VPC resolver's answer for those names comes from this zone.",
    risk="A private zone takes every name below it: for a name it has no record for, Resolver answers NXDOMAIN "
    "instead of falling through to public DNS, so clients in the VPC cannot resolve those services at all.",
    severity=Severity.CRITICAL,
    severity_rule="Always critical: the names do not resolve now.",
    remediation="Replace the broad zone with one zone per service name, or add records for every AWS name the VPC "
    "uses.",
    references=(
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zone-private-considerations.html",
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-overview-DSN-queries-to-vpc.html",
    ),
    category=Category.DNS,
    resource_types=(ResourceType.HOSTED_ZONE,),
    inputs=RESOLUTION,
)
def phz_shadow(inv: Inventory) -> Iterator[Finding]:
    in_region: dict[str, list[str]] = {}  # once per region: an organisation has thousands of VPCs per region
    for vpc_id in sorted(inv.vpcs):
        vpc = inv.vpcs[vpc_id]
        if vpc.region not in in_region:
            in_region[vpc.region] = _names_in_region(inv, vpc.region)
        names = in_region[vpc.region]
        for zone in inv.zones_of(vpc_id):
            if zone.records is None:
                continue
            shadowed = [
                n
                for n in names
                if proper_parent(zone.name, base(n))
                and (answer := resolve(inv, vpc_id, n)).outcome in NO_ANSWER
                and answer.zone is not None
                and answer.zone.id == zone.id
            ]
            if shadowed:
                yield Finding(
                    account_id=vpc.account_id,
                    region=vpc.region,
                    vpc_id=vpc_id,
                    resource_id=zone.id,
                    message=f"private zone {zone.name} ({zone.id}) is associated with {vpc_id} and has no record for "
                    f"{', '.join(shadowed)}: clients get NXDOMAIN for them (and for any other AWS name below "
                    f"{zone.name} it lacks)",
                    key=vpc_id,  # one finding per VPC the zone shadows names for
                    related_ids=(zone.id,),
                    evidence={"zone_id": zone.id, "zone_name": zone.name, "nxdomain": shadowed},
                )


@check(
    "phz-record-missing",
    title="Service-named private zone lacks the record its name needs",
    summary="Fires for a private hosted zone named after a service's private DNS name (such as "
    "ssm.us-east-1.amazonaws.com) that lacks the apex record, or lacks the wildcard record when the service has "
    "wildcard names (S3, ECR).",
    risk="A zone named after a service name takes every query for that name: without the apex record the service "
    "name is NXDOMAIN for the zone's VPCs; without the wildcard record the names below it (S3 buckets, ECR "
    "registries) are.",
    severity=Severity.CRITICAL,
    severity_rule="Critical for a missing apex record (the service name fails); high for a missing wildcard record "
    "(the names below it fail).",
    remediation="Add an alias record (apex and, where the service has wildcard names, *.) to the endpoint's regional "
    "DNS name.",
    references=(
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-to-vpc-interface-endpoint.html",
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zone-private-considerations.html",
    ),
    category=Category.DNS,
    resource_types=(ResourceType.HOSTED_ZONE,),
    inputs=(Api.DESCRIBE_VPC_ENDPOINT_SERVICES, *ZONES),
)
def phz_record_missing(inv: Inventory) -> Iterator[Finding]:
    # The service names by the zone name they need, built once: asked per zone of every service, an
    # organisation (10,000 zones, a service list per account and region) took minutes.
    by_base: dict[str, set[str]] = {}
    for service in inv.services.values():
        for n in service.private_dns_names:
            by_base.setdefault(base(n), set()).add(n)
    for zone, _ in _zones_with_records(inv):
        needed = sorted(by_base.get(zone.name, set()), key=lambda n: n.startswith("*."))
        for name in needed:
            outcome, _records = lookup(zone, name)
            if outcome not in NO_ANSWER:
                continue
            wildcard = name.startswith("*.")
            yield _zone_finding(
                inv,
                zone,
                f"private zone {zone.name} ({zone.id}) has no {'wildcard' if wildcard else 'apex'} record "
                f"{name}: clients in {', '.join(zone.served_vpc_ids) or 'its VPCs'} get "
                f"{'NXDOMAIN for every name below it' if wildcard else 'NXDOMAIN for the service name'}",
                severity=Severity.HIGH if wildcard else Severity.CRITICAL,
                evidence={"missing_record": name, "answer": outcome.value},
                key=name,
            )


@check(
    "phz-name-mismatch",
    title="Private zone named after no private DNS name of its service",
    summary="Fires for a private hosted zone under <region>.amazonaws.com that matches no private DNS name of any "
    "described service (neither the name, a parent nor a child of one), when the service it was made for is known: "
    "the one its name spells, or the one its records lead to.",
    risk="Such a zone overrides nothing clients ask for: kinesis-streams answers on kinesis.<region>.amazonaws.com, "
    "so a zone named kinesis-streams.<region>.amazonaws.com leaves clients on the service's public addresses.",
    severity=Severity.HIGH,
    severity_rule="Always high: the zone looks like it works while clients bypass the endpoint (and fail from "
    "isolated subnets).",
    remediation="Name the zone after the service's private DNS name (from DescribeVpcEndpointServices), not after the "
    "endpoint service name.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html",
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-to-vpc-interface-endpoint.html",
    ),
    category=Category.DNS,
    resource_types=(ResourceType.HOSTED_ZONE,),
    inputs=(Api.DESCRIBE_VPC_ENDPOINT_SERVICES, *RECORD_TARGETS),
)
def phz_name_mismatch(inv: Inventory) -> Iterator[Finding]:
    bases = {base(n) for s in inv.services.values() for n in s.private_dns_names}
    for zone_id in sorted(inv.dns.zones):
        zone = inv.dns.zones[zone_id]
        m = _REGIONAL_ZONE.match(zone.name)
        if not m or not m.group(1):
            continue
        if any(under(b, zone.name) or under(zone.name, b) for b in bases):
            continue  # a service's own zone, a parent of one (phz-shadow's) or a child of one
        services = _services_meant(inv, zone, m.group(1), m.group(2))
        if not services:
            continue  # which service the zone is for is unknown: say nothing
        answers = sorted({n for s in services for n in inv_service_names(inv, s)})
        yield _zone_finding(
            inv,
            zone,
            f"private zone {zone.name} ({zone.id}) matches no private DNS name; "
            f"{', '.join(services)} answers on {', '.join(answers) or 'no private name'}, so clients in "
            f"{', '.join(zone.served_vpc_ids) or 'its VPCs'} keep resolving public IPs",
            evidence={"services": services, "private_dns_names": answers},
        )


def inv_service_names(inv: Inventory, service_name: str) -> tuple[str, ...]:
    return next((s.private_dns_names for s in inv.services.values() if s.name == service_name), ())


def _services_meant(inv: Inventory, zone: HostedZone, prefix: str, region: str) -> list[str]:
    """The services a zone was evidently made for: the one its name spells, and the ones its records lead
    to. Only services the scan described count: an unknown service's names are unknown."""
    described = {s.name for s in inv.services.values()}
    meant = {f"com.amazonaws.{region}.{prefix}"} & described
    for record in zone.records or ():
        target = record_target(inv, zone, record)
        if target.endpoint is not None and target.endpoint.service_name in described:
            meant.add(target.endpoint.service_name)
    return sorted(meant)


def _record_findings(inv: Inventory) -> Iterator[tuple[HostedZone, RecordSet, Target]]:
    for zone, records in _zones_with_records(inv):
        for record, target in zip(records, zone_targets(inv, zone), strict=True):
            yield zone, record, target


def _az_id_of(inv: Inventory, ep: Endpoint, az_name: str) -> str:
    """The AZ ID behind a zonal name's AZ name, through the endpoint's subnets (in the endpoint's account:
    AZ names mean different zones in different accounts)."""
    for subnet_id in ep.subnet_ids:
        subnet = inv.subnets.get(subnet_id)
        if subnet is not None and subnet.az_name == az_name:
            return subnet.az_id
    return ""


@check(
    "phz-zonal-alias",
    title="Private zone record pinned to one AZ's endpoint name",
    summary="Fires for an alias or CNAME record in a private hosted zone that targets an interface endpoint's zonal "
    "DNS name (one AZ's). Separate records per AZ under custom names, one for every AZ the endpoint covers and none "
    "of them a service's own name, are a deliberate design and not reported.",
    risk="Every client that resolves the record goes to one AZ's network interface: that AZ's outage is a full "
    "outage of the service for them.",
    severity=Severity.HIGH,
    severity_rule="Always high: the loss of one AZ takes the service from every client of the record.",
    remediation="Point the record at the endpoint's regional DNS name (the one without an AZ suffix).",
    references=(
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-to-vpc-interface-endpoint.html",
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html",
    ),
    category=Category.DNS,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=(Api.DESCRIBE_VPC_ENDPOINT_SERVICES, *RECORD_TARGETS),
)
def phz_zonal_alias(inv: Inventory) -> Iterator[Finding]:
    for zone, record, target in _record_findings(inv):
        if target.kind is not TargetKind.ENDPOINT or not target.zonal_az or target.endpoint is None:
            continue
        ep = target.endpoint
        if _deliberate_per_az(inv, zone, record, ep) is not False:
            continue
        az_id = _az_id_of(inv, ep, target.zonal_az)
        yield _zone_finding(
            inv,
            zone,
            f"record {record.name} in zone {zone.name} ({zone.id}) targets {ep.id}'s zonal name {target.name}: "
            f"every client in {', '.join(zone.served_vpc_ids) or 'its VPCs'} goes to {target.zonal_az}"
            + (f" ({az_id})" if az_id else "")
            + ", so that AZ's outage is a full outage",
            endpoint=ep,
            evidence={"record": record_evidence(record), "az_name": target.zonal_az, "az_id": az_id},
            key=_record_key(zone, record),
        )


def _deliberate_per_az(inv: Inventory, zone: HostedZone, record: RecordSet, ep: Endpoint) -> bool | None:
    """False for a pinned record clients use, True for one of a per-AZ set; None when the endpoint's subnets,
    which say the AZs to compare with, were not collected."""
    service = inv.service_of(ep)
    if service is not None and any(
        n == record.name or (n.startswith("*.") and under(record.name, base(n))) for n in service.private_dns_names
    ):
        return False  # the service's own name: clients use it by default
    if not inv.has(ep.account_id, ep.region, Api.DESCRIBE_SUBNETS):
        return None
    pinned = {
        t.zonal_az
        for r in zone.records or ()
        if (t := record_target(inv, zone, r)).kind is TargetKind.ENDPOINT
        and t.endpoint is not None
        and t.endpoint.id == ep.id
        and t.zonal_az
    }
    covered = {inv.subnets[s].az_name for s in ep.subnet_ids if s in inv.subnets}
    return bool(covered) and covered <= pinned


@check(
    "phz-static-ips",
    title="Private zone holds literal endpoint IPs",
    summary="Fires for A or AAAA records in a private hosted zone that hold literal IP addresses of an interface "
    "endpoint's network interfaces, when every endpoint and network interface of the region was listed (otherwise "
    "which addresses are stale is unknown).",
    risk="Literal addresses do not follow the endpoint: removing a subnet, adding an AZ or recreating the endpoint "
    "leaves them stale, and clients then connect to an address nothing answers on, or miss the AZs added since.",
    severity=Severity.HIGH,
    severity_rule="Critical when an address is held by no current network interface of the service's endpoints "
    "(clients sent there fail now); high when the addresses cover fewer AZs than the endpoint; low when they match "
    "the endpoint exactly (correct today, brittle).",
    remediation="Replace the A/AAAA records with alias records to the endpoint's regional DNS name.",
    references=(
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-to-vpc-interface-endpoint.html",
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html",
    ),
    category=Category.DNS,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=(Api.DESCRIBE_VPC_ENDPOINT_SERVICES, *RECORD_TARGETS),
)
def phz_static_ips(inv: Inventory) -> Iterator[Finding]:
    for zone, record, target in _record_findings(inv):
        ep = target.endpoint
        if target.kind is not TargetKind.IPS or ep is None or not target.ips_known:
            continue
        held = endpoint_ips(inv, ep)
        ip_azs = {
            inv.enis[e].az_id for e in ep.eni_ids if e in inv.enis and set(inv.enis[e].private_ips) & set(target.ips)
        }
        covered = inv.endpoint_az_ids(ep)
        evidence = {
            "record": record_evidence(record),
            "endpoint_ips": sorted(held),
            "stale_ips": list(target.stale),
            "record_az_ids": sorted(ip_azs),
            "endpoint_az_ids": sorted(covered),
        }
        where = f"record {record.name} in zone {zone.name} ({zone.id}) holds literal IPs {', '.join(target.ips)}"
        if target.stale:
            yield _zone_finding(
                inv,
                zone,
                f"{where}; {', '.join(target.stale)} is held by no current ENI of {ep.service_name}'s endpoints: "
                "clients sent there fail",
                endpoint=ep,
                severity=Severity.CRITICAL,
                evidence=evidence,
                key=_record_key(zone, record),
            )
        elif ip_azs < covered:
            yield _zone_finding(
                inv,
                zone,
                f"{where}, in {', '.join(sorted(ip_azs))} only, while {ep.id} covers {', '.join(sorted(covered))}",
                endpoint=ep,
                severity=Severity.HIGH,
                evidence=evidence,
                key=_record_key(zone, record),
            )
        else:
            yield _zone_finding(
                inv,
                zone,
                f"{where}, matching {ep.id}'s ENIs today; they go stale when its subnets change",
                endpoint=ep,
                severity=Severity.LOW,
                evidence=evidence,
                key=_record_key(zone, record),
            )


@check(
    "phz-alias-dangling",
    title="Private zone record targets an endpoint name that no endpoint has",
    summary="Fires for an alias or CNAME record in a private hosted zone that targets a VPC endpoint DNS name "
    "(vpce-....vpce.amazonaws.com) that no endpoint of the audited accounts has, or whose account or region the "
    "scan did not cover. A target in a scanned region whose endpoint list failed is left to the error entry.",
    risk="A record pointing at a deleted or recreated endpoint resolves to nothing: clients get no address for the "
    "name.",
    severity=Severity.CRITICAL,
    severity_rule="Critical when the target's account and region were audited and no endpoint has the name (broken "
    "now); info when they were not audited (unverifiable: audit that account too).",
    remediation="Point the record at a live endpoint's regional DNS name, or delete it.",
    references=(
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-to-vpc-interface-endpoint.html",
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html",
    ),
    category=Category.DNS,
    resource_types=(ResourceType.HOSTED_ZONE,),
    inputs=(Api.DESCRIBE_VPC_ENDPOINT_SERVICES, *RECORD_TARGETS),
)
def phz_alias_dangling(inv: Inventory) -> Iterator[Finding]:
    for zone, record, target in _record_findings(inv):
        if target.kind not in (TargetKind.DANGLING, TargetKind.UNAUDITED):
            continue  # an UNCOLLECTED target (scanned, endpoint list failed) is the error entry's, not ours
        dangling = target.kind is TargetKind.DANGLING
        yield _zone_finding(
            inv,
            zone,
            f"record {record.name} in zone {zone.name} ({zone.id}) targets {target.name}: "
            + (f"no endpoint has it ({target.detail})" if dangling else f"unverifiable, {target.detail}"),
            severity=Severity.CRITICAL if dangling else Severity.INFO,
            evidence={"record": record_evidence(record), "target": target.name, "detail": target.detail},
            key=_record_key(zone, record),
        )


@check(
    "phz-hub-coverage",
    title="Hub endpoint does not cover a spoke VPC's workload AZs",
    summary="Fires for each spoke VPC that reaches an available hub interface endpoint through a private hosted zone "
    "(an alias to its regional name, or its IPs), or through a Resolver rule forwarding the service's names to the "
    "hub's inbound Resolver endpoint, and has workload AZs, offered by the service, in which the hub "
    "endpoint has no network interface. Compared by AZ ID, so spokes in other accounts are judged correctly; a "
    "zonal alias is phz-zonal-alias's.",
    risk="Spoke clients in those AZs cross to another AZ (and the transit path) for every request, and share that "
    "AZ's fate.",
    severity=Severity.MEDIUM,
    severity_rule="Always medium: degraded (a dependency on another AZ, and its cost), not broken.",
    remediation="Add a subnet in each named AZ to the hub endpoint.",
    references=(
        "https://docs.aws.amazon.com/whitepapers/latest/building-scalable-secure-multi-vpc-network-infrastructure/"
        "centralized-access-to-vpc-private-endpoints.html",
        "https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html",
    ),
    category=Category.AVAILABILITY,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=(*DNS_PATH, *WORKLOADS, Api.DESCRIBE_AVAILABILITY_ZONES),
)
def phz_hub_coverage(inv: Inventory) -> Iterator[Finding]:
    for ep in inv.endpoints_of(EndpointType.INTERFACE):
        service = inv.service_of(ep)
        covered = inv.endpoint_az_ids(ep)
        if not ep.available or service is None or not covered:
            continue
        for path in reached_vpcs(inv, ep):
            reach = path.reach_mode
            forwarded = reach is Mode.PRIVATE_DNS  # through a forwarding rule to the hub (issue 14)
            if reach is None or (reach not in (Mode.ALIAS_REGIONAL, Mode.STATIC_IPS) and not forwarded):
                continue  # a zonal alias is phz-zonal-alias's
            if not inv.has(path.account_id, path.region, Api.DESCRIBE_SUBNETS, Api.DESCRIBE_NETWORK_INTERFACES):
                continue
            workload = inv.workload_az_ids(path.vpc_id)
            missing = sorted((workload & service.az_ids) - covered)
            if missing:
                yield Finding(
                    account_id=path.account_id,
                    region=path.region,
                    vpc_id=path.vpc_id,
                    resource_id=ep.id,
                    message=f"{path.vpc_id} reaches {ep.service_name} through hub endpoint {ep.id} "
                    f"({_reached_by(path)}), which has no ENI in its workload AZ(s) {', '.join(missing)}",
                    key=path.vpc_id,  # one finding per spoke VPC
                    related_ids=(ep.vpc_id, *path.zone_ids),
                    evidence={
                        "hub_endpoint_id": ep.id,
                        "hub_vpc_id": ep.vpc_id,
                        "hub_account_id": ep.account_id,
                        "covered": sorted(covered),
                        "spoke_workload": sorted(workload),
                        "missing": missing,
                        "mode": reach.value,
                        "workload_assumed": path.vpc_id in inv.workload_assumed,
                    },
                )


def _reached_by(path: VpcPath) -> str:
    rules = sorted({n.evidence.get("forwarding_rule_id", "") for n in path.names} - {""})
    if rules:
        return f"Resolver rule {', '.join(rules)} to the hub's inbound endpoint"
    return f"zone {', '.join(path.zone_ids)}"
