"""The VPC end of the DNS path: DNS attributes, the DHCP option set's servers, and endpoints nothing names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.checks.inputs import EGRESS, ENDPOINTS, RESOLVER_ENDPOINTS, RESOLVER_RELIANCE, ZONES
from vpce_audit.checks.registry import Category, ResourceType, about, check
from vpce_audit.dns.candidates import interface_endpoints_in
from vpce_audit.dns.kinds import ServerKind
from vpce_audit.dns.names import base, under
from vpce_audit.dns.profiles import profiles_evidence, profiles_problem
from vpce_audit.dns.resolver import dns_server
from vpce_audit.model.cidr import holds_ip
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Egress, EndpointType, Vpc


def reliance(inv: Inventory, vpc: Vpc) -> list[str]:
    """What in this VPC depends on the VPC resolver: endpoints with private DNS and associated private zones."""
    found = [
        f"private DNS of {ep.id} ({ep.service_name})"
        for ep in interface_endpoints_in(inv, vpc.id)
        if ep.private_dns_enabled and ep.available
    ]
    found += [f"private zone {z.name} ({z.id})" for z in inv.zones_of(vpc.id)]
    return found


def _vpc_finding(
    vpc: Vpc,
    message: str,
    *,
    evidence: dict[str, Any],
    severity: Severity | None = None,
    related_ids: tuple[str, ...] = (),
) -> Finding:
    return Finding(
        account_id=vpc.account_id,
        region=vpc.region,
        vpc_id=vpc.id,
        resource_id=vpc.id,
        message=message,
        severity=severity,
        related_ids=related_ids,
        evidence=evidence,
    )


def _vpcs(inv: Inventory) -> Iterator[Vpc]:
    return (inv.vpcs[v] for v in sorted(inv.vpcs))


@check(
    "dns-vpc-support-off",
    title="DNS resolution is off in a VPC that relies on private DNS or a private zone",
    summary="Fires for a VPC whose enableDnsSupport attribute is false while something in it relies on the VPC "
    "resolver: an available interface endpoint with private DNS, or an associated private hosted zone.",
    risk="With DNS resolution off the VPC resolver does not answer: private DNS names and private hosted zones stop "
    "resolving for every client that uses it.",
    severity=Severity.CRITICAL,
    severity_rule="Always critical: name resolution through the VPC resolver is broken now.",
    remediation="Set enableDnsSupport to true on the VPC.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html",
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zone-private-considerations.html",
    ),
    category=Category.DNS,
    resource_types=(ResourceType.VPC,),
    inputs=(*RESOLVER_RELIANCE, Api.DESCRIBE_VPC_ATTRIBUTE),
)
def dns_vpc_support_off(inv: Inventory) -> Iterator[Finding]:
    for vpc in _vpcs(inv):
        relies = reliance(inv, vpc)
        if vpc.dns_support is False and relies:
            yield _vpc_finding(
                vpc,
                f"enableDnsSupport is false in {vpc.id}, which relies on the VPC resolver for {', '.join(relies)}",
                evidence={"dns_support": False, "relies_on": relies},
            )


@check(
    "dns-vpc-hostnames-off",
    title="DNS hostnames are off in a VPC with private DNS or a private zone",
    summary="Fires for a VPC whose enableDnsHostnames attribute is false while it has an available interface "
    "endpoint with private DNS or an associated private hosted zone.",
    risk="AWS supports interface endpoint private DNS and private hosted zones only with both enableDnsSupport and "
    "enableDnsHostnames set: with hostnames off the private names are not guaranteed to resolve to the endpoint, and "
    "clients may get the service's public addresses.",
    severity=Severity.HIGH,
    severity_rule="Always high: a configuration AWS does not support, which one ordinary change (recreating an "
    "endpoint, enabling private DNS) breaks.",
    remediation="Set enableDnsHostnames to true on the VPC.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html",
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zone-private-considerations.html",
    ),
    category=Category.DNS,
    resource_types=(ResourceType.VPC,),
    inputs=(*RESOLVER_RELIANCE, Api.DESCRIBE_VPC_ATTRIBUTE),
)
def dns_vpc_hostnames_off(inv: Inventory) -> Iterator[Finding]:
    for vpc in _vpcs(inv):
        relies = reliance(inv, vpc)
        if vpc.dns_hostnames is False and relies:
            yield _vpc_finding(
                vpc,
                f"enableDnsHostnames is false in {vpc.id}, which has {', '.join(relies)}",
                evidence={"dns_hostnames": False, "dns_support": vpc.dns_support, "relies_on": relies},
            )


def _inbound_ips_unknown(inv: Inventory, vpc: Vpc) -> bool:
    """Whether this VPC's Resolver inbound endpoint IPs could be incomplete."""
    if not inv.has(vpc.account_id, vpc.region, *RESOLVER_ENDPOINTS):
        return True
    return any(r.vpc_id == vpc.id and r.ips is None for r in inv.dns.resolver_endpoints.values())


@check(
    "dns-dhcp-custom",
    title="Custom DNS servers in a VPC whose endpoints or zones need the VPC resolver",
    summary="Fires for a VPC whose DHCP option set names DNS servers other than AmazonProvidedDNS while an endpoint "
    "with private DNS or an associated private zone relies on the VPC resolver. Servers that are the VPC's own "
    "resolver address count as AmazonProvidedDNS. Custom servers inside the VPC's CIDR are given the benefit of the "
    "doubt when the VPC's Resolver inbound endpoints were not collected: they may be those.",
    risk="Clients ask the servers the DHCP option set names. Unless those forward to this VPC's resolver (or are its "
    "Resolver inbound endpoints), the private DNS names and private zones associated with the VPC are never "
    "consulted, and no AWS API shows what the servers answer instead.",
    severity=Severity.HIGH,
    severity_rule="High when a server is neither the VPC resolver nor a Resolver inbound endpoint IP of this VPC (an "
    "inbound endpoint of another VPC answers from that VPC's zones and rules); info when every server is this VPC's "
    "resolver or its inbound endpoint IPs (they answer like AmazonProvidedDNS, as long as they are up).",
    remediation="Use AmazonProvidedDNS, or make the custom servers forward to a Resolver inbound endpoint in this VPC.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/DHCPOptionSet.html",
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-forwarding-inbound-queries.html",
    ),
    category=Category.DNS,
    resource_types=(ResourceType.VPC,),
    inputs=(*RESOLVER_RELIANCE, Api.DESCRIBE_DHCP_OPTIONS, *RESOLVER_ENDPOINTS),
)
def dns_dhcp_custom(inv: Inventory) -> Iterator[Finding]:
    for vpc in _vpcs(inv):
        relies = reliance(inv, vpc)
        options = inv.dhcp_options.get(vpc.dhcp_options_id)
        if not relies or options is None or not options.dns_servers:
            continue
        servers = {s: dns_server(inv, vpc, s) for s in options.dns_servers}
        others = [s for s, server in servers.items() if server.kind is not ServerKind.VPC]
        evidence = {"dhcp_options_id": options.id, "dns_servers": list(options.dns_servers), "relies_on": relies}
        if not others:
            inbound = [s for s in options.dns_servers if s in inv.inbound_endpoints_by_ip]
            if inbound:
                yield _vpc_finding(
                    vpc,
                    f"DHCP option set {options.id} names this VPC's Resolver inbound endpoint IPs "
                    f"{', '.join(inbound)}: they answer like AmazonProvidedDNS, as long as they are up",
                    severity=Severity.INFO,
                    evidence=evidence,
                )
            continue
        if all(
            server.kind is ServerKind.CUSTOM and holds_ip(s, vpc.cidrs)
            for s, server in servers.items()
            if server.kind is not ServerKind.VPC
        ) and _inbound_ips_unknown(inv, vpc):
            continue  # they may be this VPC's inbound endpoint IPs, which were not collected: say nothing
        remote = [s for s, server in servers.items() if server.kind is ServerKind.INBOUND]
        elsewhere = sorted({servers[s].resolver_vpc_id for s in remote})
        where = (
            f"; {', '.join(remote)} are Resolver inbound "
            f"endpoints of {', '.join(elsewhere)}, which answer from that VPC's zones and rules, not this one's"
            if elsewhere
            else ""
        )
        yield _vpc_finding(
            vpc,
            f"DHCP option set {options.id} sends clients to DNS servers {', '.join(others)}, so "
            f"{', '.join(relies)} work only if those servers forward to this VPC's resolver{where}",
            evidence=evidence | {"not_vpc_resolver": others},
            related_ids=(options.id,),
        )


@check(
    "dns-no-private-name",
    title="AWS service endpoint that no DNS name leads to",
    summary="Fires for an available interface endpoint to an AWS service with private DNS off when no private hosted "
    "zone associated with its VPC overrides any of the service's private DNS names, no other endpoint of the service "
    "in the VPC has private DNS, and no gateway endpoint serves the service there (S3, DynamoDB: their public names "
    "take the gateway path). Zones Route 53 Profiles deliver to the VPC count as its own; when its Profiles are "
    "not known the check stays quiet.",
    risk="SDKs using default endpoints resolve the service's public addresses and bypass the endpoint: through NAT, "
    "or not at all from isolated subnets. Applications configured with the endpoint's own vpce names are not "
    "affected.",
    severity=Severity.HIGH,
    severity_rule="High when the VPC has isolated workload subnets (they cannot reach the service at all), else "
    "medium (clients take the public path instead).",
    remediation="Enable private DNS on the endpoint, or associate a private hosted zone for the service's name that "
    "aliases the endpoint.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html",
        "https://docs.aws.amazon.com/vpc/latest/privatelink/interface-endpoints.html",
    ),
    category=Category.DNS,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=(*ENDPOINTS, Api.DESCRIBE_VPC_ENDPOINT_SERVICES, *ZONES, *EGRESS, Api.DESCRIBE_VPCS),
)
def dns_no_private_name(inv: Inventory) -> Iterator[Finding]:
    for ep in inv.endpoints_of(EndpointType.INTERFACE):
        service = inv.service_of(ep)
        if not ep.available or ep.private_dns_enabled or service is None or service.owner != "amazon":
            continue
        names = service.private_dns_names
        if not names or not inv.zones_listed(ep.vpc_id):
            continue  # no names to override, or the VPC's zones are unknown
        if not inv.has(ep.account_id, ep.region, *EGRESS):
            continue  # the effect (and severity) turns on which workload subnets are isolated: unknown
        if profiles_problem(inv, ep.vpc_id):
            continue  # a Route 53 Profile may deliver the zone that overrides the names (issue 14)
        if any(_overrides(z.name, n) for z in inv.zones_of(ep.vpc_id) for n in names):
            continue
        if any(
            other.id != ep.id
            and other.service_name == ep.service_name
            and other.private_dns_enabled
            and other.available
            for other in interface_endpoints_in(inv, ep.vpc_id)
        ):
            continue  # another endpoint of the same service answers the names
        if any(
            gw.service_name == ep.service_name and gw.available
            for gw in inv.endpoints_in(ep.vpc_id, EndpointType.GATEWAY)
        ):
            # S3/DynamoDB: public names are the gateway endpoint's path (its route coverage is gw-rt-gap's);
            # an interface endpoint beside it without private DNS is the documented on-premises pattern.
            continue
        isolated = sorted(s for s in inv.workload_subnets.get(ep.vpc_id, ()) if inv.egress.get(s) is Egress.ISOLATED)
        effect = (
            f"isolated subnets {', '.join(isolated)} cannot reach the service at all"
            if isolated
            else "clients reach the service over its public endpoint instead"
        )
        yield about(
            ep,
            f"{ep.service_name} has private DNS off and no private zone in {ep.vpc_id} overrides "
            f"{', '.join(names)}: {effect} (clients configured with the endpoint's vpce names are unaffected)",
            severity=Severity.HIGH if isolated else Severity.MEDIUM,
            related_ids=tuple(isolated),
            evidence={
                "private_dns_names": list(names),
                "zones": [f"{z.name} ({z.id})" for z in inv.zones_of(ep.vpc_id)],
                "isolated_workload_subnets": isolated,
                "route53_profiles": profiles_evidence(inv, ep.vpc_id),
            },
        )


def _overrides(zone_name: str, name: str) -> bool:
    """The zone answers the name (or, for a wildcard name, some names under it)."""
    return under(base(name), zone_name) or (name.startswith("*.") and under(zone_name, base(name)))
