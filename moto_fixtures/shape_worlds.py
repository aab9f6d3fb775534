"""Worlds for the endpoint shapes of issue 15: cross-region interface endpoints and S3 interface endpoints whose
private DNS answers only a Resolver inbound endpoint. moto stores neither ServiceRegion nor DnsOptions, so the
fields are set on its endpoint objects (the serializer returns any attribute the botocore shape names)."""

from __future__ import annotations

from moto_fixtures import realism
from moto_fixtures.builder import AZ1, AZ2, AZ3, Builder
from moto_fixtures.worlds import World, isolated_vpc, subnets_in, world

REMOTE_REGION = "eu-west-1"


def cross_region_endpoint(b: Builder, vpc_id: str, short: str, subnet_ids: list[str], group_ids: list[str]) -> str:
    """An interface endpoint to `short` hosted in REMOTE_REGION, as AWS lists one: ServiceRegion set, and a
    service name of the other region (moto accepts any name and ignores ServiceRegion)."""
    ep_id: str = b.ec2.create_vpc_endpoint(
        VpcId=vpc_id,
        ServiceName=f"com.amazonaws.{REMOTE_REGION}.{short}",
        VpcEndpointType="Interface",
        SubnetIds=subnet_ids,
        SecurityGroupIds=group_ids,
        PrivateDnsEnabled=False,
    )["VpcEndpoint"]["VpcEndpointId"]
    realism.make_realistic(b.account_id, b.region, ep_id)
    realism.backend(b.account_id, b.region).vpc_end_points[ep_id].service_region = REMOTE_REGION
    return ep_id


@world("cross-region", expect={"ep-cross-region"})
def cross_region(b: Builder) -> World:
    """An ssm endpoint hosted in eu-west-1 with ENIs in all three local workload AZs: only the dependency on
    the other region is worth saying; no AZ check compares eu-west-1 AZ IDs with local ones."""
    ids = isolated_vpc(b, "xregion")
    ids["ep.ssm"] = cross_region_endpoint(b, ids["vpc"], "ssm", subnets_in(ids, AZ1, AZ2, AZ3), [ids["sg"]])
    return World("cross-region", b, ids=ids)


def inbound_only_s3(b: Builder, vpc_id: str, subnet_ids: list[str], group_ids: list[str]) -> str:
    ep_id = b.interface_endpoint(vpc_id, "s3", subnet_ids, group_ids)
    realism.backend(b.account_id, b.region).vpc_end_points[ep_id].dns_options = {
        "DnsRecordIpType": "ipv4",
        "PrivateDnsOnlyForInboundResolverEndpoint": True,
    }
    return ep_id


@world("s3-inbound-only-no-gateway", expect={"gw-inbound-only-rt-gap"})
def s3_inbound_only_no_gateway(b: Builder) -> World:
    """An S3 interface endpoint whose private DNS answers only on-premises clients, and no S3 gateway
    endpoint: the isolated VPC's own clients resolve S3's public names and have no path (high)."""
    ids = isolated_vpc(b, "inbound")
    ids["ep.s3-interface"] = inbound_only_s3(b, ids["vpc"], subnets_in(ids, AZ1, AZ2, AZ3), [ids["sg"]])
    return World("s3-inbound-only-no-gateway", b, ids=ids)


@world("s3-inbound-only-routed", expect=())
def s3_inbound_only_routed(b: Builder) -> World:
    """The same, with an S3 gateway endpoint on the workload subnets' route table: the documented hybrid
    pattern, nothing to say."""
    ids = isolated_vpc(b, "inboundok")
    ids["ep.s3-interface"] = inbound_only_s3(b, ids["vpc"], subnets_in(ids, AZ1, AZ2, AZ3), [ids["sg"]])
    ids["ep.s3"] = b.gateway_endpoint(ids["vpc"], "s3", [ids["rt"]])
    return World("s3-inbound-only-routed", b, ids=ids)
