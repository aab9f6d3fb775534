"""Worlds for the DNS path: private hosted zones that serve a hub endpoint to spokes (well and badly),
shadowing and misnamed zones, Resolver rules, custom DHCP servers, DNS attributes, and a hub and spoke in two
accounts. Each declares the exact check ids a scan of the default account raises."""

from __future__ import annotations

from dataclasses import dataclass, field

import boto3
from moto.route53resolver.models import route53resolver_backends

from moto_fixtures.builder import AZ1, AZ2, AZ3, Builder
from moto_fixtures.network import peer, peer_across
from moto_fixtures.worlds import World, isolated_vpc, subnets_in, world

ALL_AZS = (AZ1, AZ2, AZ3)
HUB_CIDR, SPOKE_CIDR = "10.0.0.0/16", "10.1.0.0/16"
SPOKE_ACCOUNT = "222233334444"


def service_name(b: Builder, short: str) -> str:
    """The service's first private DNS name (the one its zone is named after)."""
    return b.private_dns_names(b.service(short))[0]


def hub_and_spoke(
    b: Builder,
    short: str = "ssm",
    hub_azs: tuple[str, ...] = ALL_AZS,
    spoke_azs: tuple[str, ...] = ALL_AZS,
    spoke_builder: Builder | None = None,
) -> dict[str, str]:
    """A hub VPC with an interface endpoint (private DNS off) in `hub_azs`, and a spoke VPC with workloads in
    `spoke_azs` (in another account when `spoke_builder` is given). No zone yet: the world adds it.
    Returns ids: hub, spoke, ep, regional, zonal.<az>, name (the service's private DNS name)."""
    hub = isolated_vpc(b, "hub", hub_azs, HUB_CIDR)
    b.allow_ingress(hub["sg"], cidrs=[SPOKE_CIDR])
    spoke = isolated_vpc(spoke_builder or b, "spoke", spoke_azs, SPOKE_CIDR)
    ep = b.interface_endpoint(hub["vpc"], short, subnets_in(hub, *hub_azs), [hub["sg"]], private_dns=False)
    # The spoke reaches the hub over peering, routed both ways (packet path, issue 13).
    if spoke_builder is None:
        peer(b, hub["vpc"], HUB_CIDR, hub["rt"], spoke["vpc"], SPOKE_CIDR, spoke["rt"])
    else:
        peer_across(b, hub["vpc"], HUB_CIDR, hub["rt"], spoke_builder, spoke["vpc"], SPOKE_CIDR, spoke["rt"])
    regional, zonal = b.endpoint_names(ep)
    ids = {"hub": hub["vpc"], "spoke": spoke["vpc"], "ep": ep, "regional": regional, "name": service_name(b, short)}
    ids |= {f"zonal.{az}": n for az, n in zonal.items()}
    return ids


def service_zone(b: Builder, ids: dict[str, str], *records: dict[str, object]) -> None:
    """The service-named zone, associated with hub and spoke, holding `records`."""
    ids["zone"] = b.private_zone(ids["name"], [ids["hub"], ids["spoke"]])
    if records:
        b.records(ids["zone"], *records)


def held_ip(b: Builder, vpc_id: str) -> str:
    """An address a network interface of the VPC holds: a record to it is not left behind (phz-left-behind)."""
    enis = b.ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NetworkInterfaces"]
    return str(sorted(e["PrivateIpAddress"] for e in enis)[0])


def endpoint_vpc(b: Builder, name: str, *, private_dns: bool = True, short: str = "ssm") -> dict[str, str]:
    """One isolated VPC with an interface endpoint in every AZ."""
    ids = isolated_vpc(b, name)
    ids["ep"] = b.interface_endpoint(ids["vpc"], short, subnets_in(ids, *ALL_AZS), [ids["sg"]], private_dns=private_dns)
    return ids


@world("dns-hub-spoke", expect=())
def dns_hub_spoke(b: Builder) -> World:
    """Healthy centralised endpoint: the ssm zone aliases the hub endpoint's regional name and is associated
    with the hub and the spoke, both of which resolve it through the VPC resolver."""
    ids = hub_and_spoke(b)
    service_zone(b, ids, b.alias_record(ids["name"], ids["regional"]))
    return World("dns-hub-spoke", b, ids=ids)


@world("dns-zonal-alias", expect={"phz-zonal-alias"})
def dns_zonal_alias(b: Builder) -> World:
    """The zone aliases one AZ's endpoint name: every client in hub and spoke goes to use1-az1."""
    ids = hub_and_spoke(b)
    service_zone(b, ids, b.alias_record(ids["name"], ids[f"zonal.{AZ1}"]))
    return World("dns-zonal-alias", b, ids=ids)


@world("dns-static-stale", expect={"phz-static-ips"})
def dns_static_stale(b: Builder) -> World:
    """The zone holds the ENI IPs of two AZs plus one no ENI holds any more (a removed subnet's)."""
    ids = hub_and_spoke(b)
    ips = b.endpoint_ips(ids["ep"])
    ids["stale_ip"] = "10.0.200.200"
    service_zone(b, ids, b.a_record(ids["name"], [ips[AZ1], ips[AZ2], ids["stale_ip"]]))
    return World("dns-static-stale", b, ids=ids)


@world("dns-dangling-alias", expect={"phz-alias-dangling"})
def dns_dangling_alias(b: Builder) -> World:
    """The zone aliases the name of an endpoint that no longer exists (Route 53 never checked it)."""
    ids = hub_and_spoke(b)
    ids["dead"] = "vpce-0123456789abcdef0-1a2b3c4d.ssm.us-east-1.vpce.amazonaws.com"
    service_zone(b, ids, b.alias_record(ids["name"], ids["dead"]))
    return World("dns-dangling-alias", b, ids=ids)


@world("dns-record-missing", expect={"phz-record-missing"})
def dns_record_missing(b: Builder) -> World:
    """The service-named zone exists but has no apex record: NXDOMAIN for the service in hub and spoke."""
    ids = hub_and_spoke(b)
    service_zone(
        b, ids, {"Name": f"_note.{ids['name']}", "Type": "TXT", "TTL": 60, "ResourceRecords": [{"Value": '"x"'}]}
    )
    return World("dns-record-missing", b, ids=ids)


@world("dns-hub-coverage", expect={"phz-hub-coverage", "az-gap"})
def dns_hub_coverage(b: Builder) -> World:
    """The hub endpoint covers use1-az1 and use1-az2; the spoke also runs workloads in use1-az6. Reported on
    the spoke (phz-hub-coverage) and, since spoke workloads are the endpoint's workloads, as az-gap."""
    ids = hub_and_spoke(b, hub_azs=(AZ1, AZ2))
    service_zone(b, ids, b.alias_record(ids["name"], ids["regional"]))
    return World("dns-hub-coverage", b, ids=ids)


@world("dns-shadow-parent", expect={"phz-shadow"})
def dns_shadow_parent(b: Builder) -> World:
    """A zone for us-east-1.amazonaws.com with one record (ec2) shadows ssm: NXDOMAIN. kms has private DNS,
    a more specific zone, and is not shadowed."""
    ids = endpoint_vpc(b, "shadow", private_dns=False)
    ids["ep.kms"] = b.interface_endpoint(ids["vpc"], "kms", subnets_in(ids, *ALL_AZS), [ids["sg"]])
    ids["zone"] = b.private_zone(f"{b.region}.amazonaws.com", [ids["vpc"]])
    b.records(ids["zone"], b.a_record(f"ec2.{b.region}.amazonaws.com", [held_ip(b, ids["vpc"])]))
    return World("dns-shadow-parent", b, ids=ids)


@world("dns-wrong-name", expect={"phz-name-mismatch", "dns-no-private-name"})
def dns_wrong_name(b: Builder) -> World:
    """A zone named kinesis-streams.us-east-1.amazonaws.com (the endpoint service name) aliases the endpoint,
    but the service answers on kinesis.us-east-1.amazonaws.com: nothing overrides it, and the isolated
    workloads cannot reach the public endpoint (dns-no-private-name, high)."""
    ids = endpoint_vpc(b, "kinesis", private_dns=False, short="kinesis-streams")
    regional, _ = b.endpoint_names(ids["ep"])
    wrong = f"kinesis-streams.{b.region}.amazonaws.com"
    ids["zone"] = b.private_zone(wrong, [ids["vpc"]])
    b.records(ids["zone"], b.alias_record(wrong, regional))
    return World("dns-wrong-name", b, ids=ids)


@world("dns-parent-complete", expect=())
def dns_parent_complete(b: Builder) -> World:
    """dns-shadow-parent's near miss: the us-east-1.amazonaws.com zone also aliases ssm's name to the ssm
    endpoint, so every service name in use has an answer (kms's from its private DNS)."""
    ids = endpoint_vpc(b, "parent-complete", private_dns=False)
    ids["ep.kms"] = b.interface_endpoint(ids["vpc"], "kms", subnets_in(ids, *ALL_AZS), [ids["sg"]])
    regional, _ = b.endpoint_names(ids["ep"])
    ids["zone"] = b.private_zone(f"{b.region}.amazonaws.com", [ids["vpc"]])
    b.records(
        ids["zone"],
        b.a_record(f"ec2.{b.region}.amazonaws.com", [held_ip(b, ids["vpc"])]),
        b.alias_record(service_name(b, "ssm"), regional),
    )
    return World("dns-parent-complete", b, ids=ids)


@world("dns-right-name", expect=())
def dns_right_name(b: Builder) -> World:
    """dns-wrong-name's near miss: the zone is named after kinesis-streams' private DNS name
    (kinesis.us-east-1.amazonaws.com) and aliases the endpoint, so default clients reach it."""
    ids = endpoint_vpc(b, "kinesis-right", private_dns=False, short="kinesis-streams")
    regional, _ = b.endpoint_names(ids["ep"])
    name = service_name(b, "kinesis-streams")
    ids["zone"] = b.private_zone(name, [ids["vpc"]])
    b.records(ids["zone"], b.alias_record(name, regional))
    return World("dns-right-name", b, ids=ids)


@world("dns-forward-service", expect={"rslv-forward-shadows"})
def dns_forward_service(b: Builder) -> World:
    """A forwarding rule for ssm.us-east-1.amazonaws.com beats the endpoint's private DNS (same name)."""
    ids = endpoint_vpc(b, "fwd-service")
    ids["rule"], _ = b.resolver_rule(service_name(b, "ssm"), [ids["vpc"]])
    return World("dns-forward-service", b, ids=ids)


@world("dns-forward-parent", expect={"rslv-forward-shadows", "dns-no-private-name"})
def dns_forward_parent(b: Builder) -> World:
    """A forwarding rule for amazonaws.com: it loses to kms's private DNS (more specific) but captures ssm,
    whose endpoint has private DNS off and no zone (medium), which nothing else names either."""
    ids = endpoint_vpc(b, "fwd-parent", private_dns=False)
    ids["ep.kms"] = b.interface_endpoint(ids["vpc"], "kms", subnets_in(ids, *ALL_AZS), [ids["sg"]])
    ids["rule"], _ = b.resolver_rule("amazonaws.com", [ids["vpc"]])
    return World("dns-forward-parent", b, ids=ids)


@world("dns-rule-failed", expect={"rslv-rule-failed"})
def dns_rule_failed(b: Builder) -> World:
    """A rule for an unrelated domain whose association with the VPC failed."""
    ids = endpoint_vpc(b, "rule-failed")
    ids["rule"], (assoc,) = b.resolver_rule("corp.example.com", [ids["vpc"]])
    route53resolver_backends[b.account_id][b.region].resolver_rule_associations[assoc].status = "FAILED"
    ids["association"] = assoc
    return World("dns-rule-failed", b, ids=ids)


@world("dns-forward-other", expect=())
def dns_forward_other(b: Builder) -> World:
    """Near miss of dns-rule-failed and dns-forward-service: a forwarding rule for an unrelated domain whose
    association with the VPC is COMPLETE; no service name is forwarded."""
    ids = endpoint_vpc(b, "forward-other")
    # Its own name: every world can be built into one moto beside dns-rule-failed (same domain).
    ids["rule"], (ids["association"],) = b.resolver_rule("corp.example.com", [ids["vpc"]], name="forward-other")
    return World("dns-forward-other", b, ids=ids)


@world("dns-dhcp-custom", expect={"dns-dhcp-custom"})
def dns_dhcp_custom(b: Builder) -> World:
    """The DHCP option set sends clients to on-premises servers: private DNS works only if they forward."""
    ids = endpoint_vpc(b, "dhcp-custom")
    ids["dhcp"] = b.dns_servers(ids["vpc"], ["192.168.0.10", "192.168.1.10"])
    return World("dns-dhcp-custom", b, ids=ids)


@world("dns-dhcp-inbound", expect={"dns-dhcp-custom"})
def dns_dhcp_inbound(b: Builder) -> World:
    """The DHCP option set names the VPC's own Resolver inbound endpoint IPs: info, they are the resolver."""
    ids = endpoint_vpc(b, "dhcp-inbound")
    ids["inbound"], ips = b.resolver_endpoint(subnets_in(ids, AZ1, AZ2), ids["sg"])
    ids["dhcp"] = b.dns_servers(ids["vpc"], ips)
    return World("dns-dhcp-inbound", b, ids=ids)


@world("dns-attributes-off", expect={"dns-vpc-support-off", "dns-vpc-hostnames-off"})
def dns_attributes_off(b: Builder) -> World:
    """enableDnsSupport and enableDnsHostnames both false under an endpoint with private DNS."""
    ids = endpoint_vpc(b, "attributes-off")
    b.dns_attributes(ids["vpc"], support=False, hostnames=False)
    return World("dns-attributes-off", b, ids=ids)


@dataclass
class CrossAccountWorld(World):
    """A world spanning the default account and a second one reached by assuming a role (moto keeps the
    accounts' resources apart). `expect` is what a scan of the default account alone raises; `expect_joined`
    what a scan of both raises."""

    other: Builder | None = None
    expect_joined: frozenset[str] = frozenset()
    extra: dict[str, str] = field(default_factory=dict)

    def close(self) -> None:
        if self.other is not None:
            self.other.close()
        super().close()


def assumed_session(session: boto3.Session, account_id: str, region: str) -> boto3.Session:
    creds = session.client("sts", region_name=region).assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/VpceAuditReadOnly", RoleSessionName="vpce-audit-world"
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=region,
    )


@world("dns-cross-account")
def dns_cross_account(b: Builder) -> World:
    """The hub (default account) covers use1-az1 and use1-az2; its ssm zone is associated with a spoke VPC in
    account 222233334444 whose workloads also run in use1-az6. Alone, the hub scan sees the spoke only as
    'not audited' and raises nothing; joined with the spoke's scan, the spoke's AZ gap shows."""
    spoke = Builder(assumed_session(b.session, SPOKE_ACCOUNT, b.region), b.region)
    try:
        ids = hub_and_spoke(b, hub_azs=(AZ1, AZ2), spoke_builder=spoke)
        service_zone(b, ids, b.alias_record(ids["name"], ids["regional"]))
    except BaseException:
        spoke.close()
        raise
    return CrossAccountWorld(
        "dns-cross-account",
        b,
        ids=ids,
        other=spoke,
        expect_joined=frozenset({"phz-hub-coverage", "az-gap"}),
    )
