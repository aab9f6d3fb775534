"""An AWS Organization in moto: a management account (moto's default, the caller) and member accounts created
through Organizations, each with resources built by assuming a role into it (moto keeps every account's and
region's backends apart), plus a realistic region list with opt-in regions not enabled.

These are multi-account worlds, so they are not in the WORLDS registry (whose contract is one account); the
tests and the organisation benchmark build them with `build_org`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

import boto3
from moto.ec2.models.availability_zones_and_regions import Region, RegionsAndZonesBackend

from moto_fixtures.builder import Builder
from moto_fixtures.dns_firewall import Rule, firewall_rule_group
from moto_fixtures.dns_worlds import assumed_session
from moto_fixtures.lattice import resource_gateway
from moto_fixtures.network import attach, peer
from moto_fixtures.provider import endpoint_service, lattice_endpoint
from moto_fixtures.route53_profiles import profile, zone_resource
from moto_fixtures.worlds import isolated_vpc, subnets_in

# What DescribeRegions(AllRegions=True) says in an aws-partition account: moto lists every partition's regions
# (GovCloud and China too) as enabled, which a real account never sees.
ENABLED_REGIONS = ("eu-west-1", "us-east-1", "us-west-2")
NOT_OPTED_IN = ("af-south-1", "ap-east-1")

# moto fills every (account, region) EC2 backend it creates with ~1300 default AMIs (0.6 s each); nothing here
# reads them, and an organisation has many backends. Pass to fake_aws_env or set in the environment.
NO_DEFAULT_AMIS = {"MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}

# Check ids a full_stack VPC raises: kms in one AZ of three (az-single); DHCP naming the VPC's own Resolver
# inbound endpoint (dns-dhcp-custom, info). The hub-spoke sqs zone, the ssm endpoint and S3 are healthy.
FULL_STACK_CHECKS = frozenset({"az-single", "dns-dhcp-custom"})


@contextmanager
def region_list(enabled: Sequence[str] = ENABLED_REGIONS, not_opted_in: Sequence[str] = NOT_OPTED_IN) -> Iterator[None]:
    """Make DescribeRegions answer with these regions (in every account) while the block runs."""
    regions = [Region(r, f"ec2.{r}.amazonaws.com", "opt-in-not-required") for r in enabled]
    regions += [Region(r, f"ec2.{r}.amazonaws.com", "not-opted-in") for r in not_opted_in]
    with mock.patch.object(RegionsAndZonesBackend, "regions", regions):
        yield


def create_organization(session: boto3.Session, members: int) -> list[str]:
    """An organization whose management account is the session's; returns the new member account ids."""
    org = session.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    ids = []
    for i in range(members):
        status = org.create_account(Email=f"member{i}@example.com", AccountName=f"member-{i}")["CreateAccountStatus"]
        ids.append(str(status["AccountId"]))
    return ids


def first_az_ids(b: Builder, count: int = 3) -> tuple[str, ...]:
    return tuple(sorted(b.az_name)[:count])


def full_stack(b: Builder, octet: int = 0) -> dict[str, str]:
    """A VPC whose scan makes every collector call there is: endpoints with security groups (services, SGs),
    S3 on its route table (managed prefix lists and their entries), a DHCP option set naming its Resolver
    inbound endpoint (DHCP options, Resolver endpoints and their IPs), a Resolver rule for a corporate domain
    (rules, associations), and an sqs endpoint with private DNS off that a private zone, owned here and shared
    with a spoke VPC, aliases (zones by VPC, the zone, its records). Raises FULL_STACK_CHECKS."""
    azs = first_az_ids(b)
    cidr, spoke_cidr = f"10.{octet}.0.0/16", f"10.{octet + 1}.0.0/16"
    ids = isolated_vpc(b, "app", azs, cidr)
    b.allow_ingress(ids["sg"], cidrs=[spoke_cidr])
    spoke = isolated_vpc(b, "spoke", azs, spoke_cidr)
    ids["spoke"] = spoke["vpc"]
    # the spoke leaves through a NAT gateway in its first AZ (DescribeNatGateways, issue 15); its subnets' S3
    # and DynamoDB traffic has no endpoint to miss, so nothing new is judged
    ids["nat"] = b.nat_gateway(spoke[f"subnet.{azs[0]}"])
    b.ec2.create_route(RouteTableId=spoke["rt"], DestinationCidrBlock="0.0.0.0/0", NatGatewayId=ids["nat"])
    subnets = subnets_in(ids, *azs)
    # Packet path (issue 13): the spoke reaches the app VPC over peering, routed both ways, and the app VPC
    # is attached to a transit gateway in every AZ (its route tables, associations, propagations and routes
    # are then read). Healthy: no finding.
    ids["pcx"] = peer(b, ids["vpc"], cidr, ids["rt"], spoke["vpc"], spoke_cidr, spoke["rt"])
    ids["tgw"] = b.transit_gateway()
    ids["tgw-attach"] = attach(b, ids["tgw"], ids["vpc"], subnets)
    ids["ep.ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets, [ids["sg"]], name="ssm")
    ids["ep.kms"] = b.interface_endpoint(ids["vpc"], "kms", subnets[:1], [ids["sg"]], name="kms-one-az")
    ids["ep.sqs"] = b.interface_endpoint(ids["vpc"], "sqs", subnets, [ids["sg"]], private_dns=False, name="sqs")
    ids["ep.s3"] = b.gateway_endpoint(ids["vpc"], "s3", [ids["rt"]], name="s3")
    regional, _ = b.endpoint_names(ids["ep.sqs"])
    sqs_name = b.private_dns_names(b.service("sqs"))[0]
    ids["zone.sqs"] = b.private_zone(sqs_name, [ids["vpc"], spoke["vpc"]])
    b.records(ids["zone.sqs"], b.alias_record(sqs_name, regional))
    ids["inbound"], ips = b.resolver_endpoint(subnets[:2], ids["sg"], name=f"inbound-{octet}")
    ids["dhcp"] = b.dns_servers(ids["vpc"], ips)
    ids["rule"], _ = b.resolver_rule("corp.example.com", [ids["vpc"]], name=f"corp-{octet}")
    # DNS sources (issue 14): a DNS Firewall rule group on unrelated domains (rules, domain lists, domains).
    ids["rule_group"] = firewall_rule_group(b, [ids["vpc"]], [Rule(100, "BLOCK", ("malware.example.com",))])
    # Route 53 Profiles (issue 14): a Profile delivering the sqs zone to the spoke too (associations, resources).
    ids["profile"] = profile(b, [spoke["vpc"]], [zone_resource(ids["zone.sqs"])], priority=100)
    # an endpoint service the account owns, healthy in every AZ (issue 15): the provider-side calls
    service = endpoint_service(
        b, f"svc{octet}", ids["vpc"], dict(zip(azs, subnets, strict=True)), dict.fromkeys(azs, "healthy")
    )
    ids["service"] = service["service_id"]
    # and a resource endpoint in every AZ: its associations (DescribeVpcEndpointAssociations), its resource
    # configuration and the resource gateway behind it, here in the same subnets (the vpc-lattice listings)
    ids["config"], ids["gateway"] = resource_gateway(b, ids["vpc"], subnets)
    ids["ep.resource"] = lattice_endpoint(b, ids["vpc"], "Resource", subnets, [ids["sg"]], arn=ids["config"])
    return ids


def small_stack(b: Builder, octet: int = 0) -> dict[str, str]:
    """A VPC with workloads in three AZs and a kms endpoint in one: one az-single finding, few calls."""
    azs = first_az_ids(b)
    ids = isolated_vpc(b, "app", azs, f"10.{octet}.0.0/16")
    ids["ep.kms"] = b.interface_endpoint(ids["vpc"], "kms", subnets_in(ids, azs[0]), [ids["sg"]], name="kms")
    return ids


@dataclass
class Org:
    """A built organization: `ids[(account, region)]` holds what was built there."""

    management: str
    members: tuple[str, ...]
    ids: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    builders: list[Builder] = field(default_factory=list)

    @property
    def accounts(self) -> tuple[str, ...]:
        return tuple(sorted((self.management, *self.members)))

    def close(self) -> None:
        while self.builders:
            self.builders.pop().close()


def member_session(session: boto3.Session, account_id: str, region: str) -> boto3.Session:
    """A session in another account, through an assumed role (moto maps its keys to that account). It shares
    `session`'s model loader, so a hundred accounts do not parse EC2's service model a hundred times."""
    member = assumed_session(session, account_id, region)
    member._session.register_component("data_loader", session._session.get_component("data_loader"))
    return member


def member_builder(session: boto3.Session, account_id: str, region: str) -> Builder:
    """A Builder acting in another account."""
    return Builder(member_session(session, account_id, region), region)


def build_org(
    session: boto3.Session,
    members: int,
    layout: dict[int, dict[str, str]],
    *,
    management_layout: dict[str, str] | None = None,
) -> Org:
    """An organization of `members` member accounts. `layout[i]` maps regions to the stack built in member i
    ("full" or "small"); `management_layout` does the same for the management (caller) account."""
    member_ids = create_organization(session, members)
    management = str(session.client("sts", region_name="us-east-1").get_caller_identity()["Account"])
    org = Org(management, tuple(member_ids))
    stacks = {"full": full_stack, "small": small_stack}
    plans = [(management, management_layout or {})] + [(m, layout.get(i, {})) for i, m in enumerate(member_ids)]
    try:
        for account_id, regions in plans:
            if not regions:
                continue
            acting = session if account_id == management else member_session(session, account_id, "us-east-1")
            for region, stack in sorted(regions.items()):
                b = Builder(acting, region)
                org.builders.append(b)
                org.ids[(account_id, region)] = stacks[stack](b)
    except BaseException:
        org.close()
        raise
    return org
