"""Worlds for the other sources of a DNS answer (issue 14): Resolver endpoints and the forwarding rules that
point at them, DNS Firewall and Route 53 Profiles (served by before-call hooks, moto has neither)."""

from __future__ import annotations

from moto.route53.models import route53_backends
from moto.route53resolver.models import ResolverEndpoint, route53resolver_backends

from moto_fixtures.builder import AZ1, AZ2, Builder
from moto_fixtures.dns_firewall import Rule, firewall_rule_group
from moto_fixtures.dns_worlds import ALL_AZS, HUB_CIDR, SPOKE_CIDR, endpoint_vpc, service_name
from moto_fixtures.network import peer
from moto_fixtures.worlds import World, isolated_vpc, subnets_in, world

# AWS's default quota is 4 Resolver endpoints per region, and adjustable (moto enforces the default): the sweeps that
# build every world into one account need more.
ResolverEndpoint.MAX_ENDPOINTS_PER_REGION = 64


def inbound_hub(b: Builder, azs: tuple[str, ...], name: str, hub_azs: tuple[str, ...] = ALL_AZS) -> dict[str, str]:
    """A hub VPC in `hub_azs` with the ssm endpoint (private DNS on) there and an inbound Resolver endpoint with one
    address in each of `azs` (two in one subnet when only one AZ is given: AWS requires two addresses)."""
    ids = isolated_vpc(b, f"{name}-hub", hub_azs, HUB_CIDR)
    ids["ep"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, *hub_azs), [ids["sg"]])
    subnets = subnets_in(ids, *azs)
    ids["inbound"], ips = b.resolver_endpoint(subnets * (2 if len(subnets) == 1 else 1), ids["sg"], name=f"{name}-in")
    ids |= {f"inbound.ip{i}": ip for i, ip in enumerate(ips)}
    return ids


def spoke_vpc(b: Builder, name: str, hub: dict[str, str]) -> dict[str, str]:
    """A spoke peered with the hub, routed both ways, and admitted by the hub's security group: its DNS is the
    subject of these worlds, its packet path (issue 13) is healthy."""
    spoke = isolated_vpc(b, f"{name}-spoke", ALL_AZS, SPOKE_CIDR)
    peer(b, hub["vpc"], HUB_CIDR, hub["rt"], spoke["vpc"], SPOKE_CIDR, spoke["rt"])
    b.allow_ingress(hub["sg"], cidrs=[SPOKE_CIDR])
    return spoke


@world("dns-inbound-single-az", expect={"rslv-endpoint-single-az"})
def dns_inbound_single_az(b: Builder) -> World:
    """A spoke whose DHCP options name the hub's inbound endpoint, whose two addresses sit in use1-az1."""
    ids = inbound_hub(b, (AZ1,), "in1az")
    spoke = spoke_vpc(b, "in1az", ids)
    ids["spoke"] = spoke["vpc"]
    b.dns_servers(spoke["vpc"], [ids["inbound.ip0"], ids["inbound.ip1"]])
    return World("dns-inbound-single-az", b, ids=ids)


@world("dns-inbound-dhcp-one-az", expect={"az-loss-cross-az"})
def dns_inbound_dhcp_one_az(b: Builder) -> World:
    """The hub's inbound endpoint has addresses in use1-az1 and use1-az2, but the spoke's DHCP options name only
    the one in use1-az1: each component passes its own check, and losing use1-az1 takes ssm from the spoke's
    workloads in the other AZs (az-loss-cross-az; near miss: dns-inbound-single-az, reported as its cause)."""
    ids = inbound_hub(b, (AZ1, AZ2), "dhcp1az")
    spoke = spoke_vpc(b, "dhcp1az", ids)
    ids["spoke"] = spoke["vpc"]
    b.dns_servers(spoke["vpc"], [ids["inbound.ip0"]])
    return World("dns-inbound-dhcp-one-az", b, ids=ids)


@world("dns-forward-hub", expect=())
def dns_forward_hub(b: Builder) -> World:
    """Healthy forwarding-based hub and spoke: the spoke forwards the ssm name to the hub's inbound endpoint
    (two AZs), whose VPC resolver answers from the hub endpoint's private DNS. Near miss of
    dns-inbound-single-az, dns-forward-target and dns-inbound-unhealthy."""
    ids = inbound_hub(b, (AZ1, AZ2), "fwdhub")
    spoke = spoke_vpc(b, "fwdhub", ids)
    ids["spoke"] = spoke["vpc"]
    ids["rule"], _ = b.resolver_rule(
        service_name(b, "ssm"), [spoke["vpc"]], target_ips=[ids["inbound.ip0"], ids["inbound.ip1"]], name="fwd-hub"
    )
    return World("dns-forward-hub", b, ids=ids)


@world("dns-forward-target", expect={"rslv-rule-target"})
def dns_forward_target(b: Builder) -> World:
    """The spoke forwards the ssm name to an address in the hub where no inbound endpoint listens."""
    ids = inbound_hub(b, (AZ1, AZ2), "fwdbad")
    spoke = spoke_vpc(b, "fwdbad", ids)
    ids["spoke"] = spoke["vpc"]
    ids["rule"], _ = b.resolver_rule(service_name(b, "ssm"), [spoke["vpc"]], target_ips=["10.0.0.250"], name="fwd-bad")
    return World("dns-forward-target", b, ids=ids)


@world("dns-inbound-unhealthy", expect={"rslv-endpoint-unhealthy"})
def dns_inbound_unhealthy(b: Builder) -> World:
    """An inbound endpoint in two AZs that needs action (no VPC uses it)."""
    ids = inbound_hub(b, (AZ1, AZ2), "inbad")
    route53resolver_backends[b.account_id][b.region].resolver_endpoints[ids["inbound"]].status = "ACTION_NEEDED"
    return World("dns-inbound-unhealthy", b, ids=ids)


@world("dns-firewall-block", expect={"dns-firewall-blocks"})
def dns_firewall_block(b: Builder) -> World:
    """A rule group blocks *.amazonaws.com in a VPC whose ssm endpoint answers by private DNS; isolated: critical."""
    ids = endpoint_vpc(b, "fw-block")
    ids["rule_group"] = firewall_rule_group(b, [ids["vpc"]], [Rule(100, "BLOCK", ("*.amazonaws.com",))])
    return World("dns-firewall-block", b, ids=ids)


@world("dns-firewall-allowed", expect=())
def dns_firewall_allowed(b: Builder) -> World:
    """Near miss of dns-firewall-block: a walled garden (BLOCK *) whose earlier ALLOW covers the service names,
    a block on unrelated domains, an ALERT, and an AWS-managed threat list."""
    ids = endpoint_vpc(b, "fw-allowed")
    ids["rule_group"] = firewall_rule_group(
        b,
        [ids["vpc"]],
        [
            Rule(50, "BLOCK", managed="AWSManagedDomainsMalwareDomainList"),
            Rule(100, "BLOCK", ("malware.example.com",)),
            Rule(150, "ALERT", ("*.example.org",)),
            Rule(200, "ALLOW", ("*.amazonaws.com",)),
            Rule(300, "BLOCK", ("*",)),
        ],
    )
    return World("dns-firewall-allowed", b, ids=ids)


@world("dns-forward-hub-coverage", expect={"phz-hub-coverage", "az-gap"})
def dns_forward_hub_coverage(b: Builder) -> World:
    """The spoke forwards the ssm name to the hub's inbound endpoint; the hub endpoint covers use1-az1 and
    use1-az2, the spoke also runs workloads in use1-az6: a spoke through forwarding counts like a zone's."""
    ids = inbound_hub(b, (AZ1, AZ2), "fwdcov", hub_azs=(AZ1, AZ2))
    spoke = spoke_vpc(b, "fwdcov", ids)
    ids["spoke"] = spoke["vpc"]
    ids["rule"], _ = b.resolver_rule(
        service_name(b, "ssm"), [spoke["vpc"]], target_ips=[ids["inbound.ip0"], ids["inbound.ip1"]], name="fwd-cov"
    )
    return World("dns-forward-hub-coverage", b, ids=ids)


def left_behind_zone(b: Builder, name: str, ip: str | None) -> dict[str, str]:
    """A VPC with workloads and no endpoint, and the kms-named zone of a deleted endpoint associated with it, whose
    A record holds `ip` (None: the VPC's first workload's address, which an ENI does hold)."""
    ids = isolated_vpc(b, name)
    if ip is None:
        enis = b.ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [ids["vpc"]]}])
        ip = str(enis["NetworkInterfaces"][0]["PrivateIpAddress"])
    kms = f"kms.{b.region}.amazonaws.com"
    ids["zone"] = b.private_zone(kms, [ids["vpc"]])
    b.records(ids["zone"], b.a_record(kms, [ip]))
    return ids


@world("dns-zone-left-behind", expect={"phz-left-behind"})
def dns_zone_left_behind(b: Builder) -> World:
    """The kms zone of a deleted endpoint answers with an address in the VPC that no ENI holds."""
    return World("dns-zone-left-behind", b, ids=left_behind_zone(b, "left-behind", "10.0.250.77"))


@world("dns-zone-kept-held", expect=())
def dns_zone_kept_held(b: Builder) -> World:
    """Near miss: the kms-named zone answers with an address a network interface holds (a proxy, say)."""
    return World("dns-zone-kept-held", b, ids=left_behind_zone(b, "kept-held", None))


@world("dns-zone-near-limit", expect={"phz-association-limit"})
def dns_zone_near_limit(b: Builder) -> World:
    """A corporate zone associated with the scanned VPC and 279 others (patched into moto's zone: building 280
    VPCs would take long), near the quota of 300."""
    ids = isolated_vpc(b, "near-limit")
    ids["zone"] = b.private_zone("corp.example.internal", [ids["vpc"]])
    zone = route53_backends[b.account_id]["global"].zones[ids["zone"]]
    for n in range(279):
        zone.add_vpc(f"vpc-{n:017x}", b.region)
    return World("dns-zone-near-limit", b, ids=ids)
