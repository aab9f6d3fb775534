"""Worlds for private zones found by the account-wide listing and zone associations that drifted (issue 14):
a hub's zone associated only with another account's spoke, and zones still associated with deleted VPCs (with
their near misses: the VPC kept, a VPC no scanned account knows, a VPC in a region the scan does not cover)."""

from __future__ import annotations

from moto_fixtures.builder import AZ1, AZ2, Builder
from moto_fixtures.dns_worlds import SPOKE_ACCOUNT, CrossAccountWorld, assumed_session, hub_and_spoke
from moto_fixtures.worlds import World, isolated_vpc, world

# A VPC id no scanned account has: another account's (moto, like Route 53 once the owner authorised it, does
# not check the id).
FOREIGN_VPC = "vpc-0f0e0d0c0b0a09080"
OTHER_REGION = "eu-west-1"  # the worlds' scans cover the builder's region only


# The hub VPC itself has no zone for the name and its endpoint's private DNS is off: dns-no-private-name is right.
@world("dns-hub-zone-spokes-only", expect={"dns-no-private-name"})
def dns_hub_zone_spokes_only(b: Builder) -> World:
    """The hub (default account) covers use1-az1 and use1-az2; its ssm zone is associated only with a spoke VPC of
    account 222233334444 (workloads in use1-az1, az2 and az6), none of the hub's own. Only the hub's account-wide
    ListHostedZones finds it: alone, the hub scan sees the spoke as not audited (and the hub VPC without the
    name); joined with the spoke's scan, the spoke's AZ gap shows."""
    spoke = Builder(assumed_session(b.session, SPOKE_ACCOUNT, b.region), b.region)
    try:
        ids = hub_and_spoke(b, hub_azs=(AZ1, AZ2), spoke_builder=spoke)
        ids["zone"] = b.private_zone(ids["name"], [ids["spoke"]])
        b.records(ids["zone"], b.alias_record(ids["name"], ids["regional"]))
    except BaseException:
        spoke.close()
        raise
    return CrossAccountWorld(
        "dns-hub-zone-spokes-only",
        b,
        ids=ids,
        other=spoke,
        expect_joined=frozenset({"dns-no-private-name", "phz-hub-coverage", "az-gap"}),
    )


def _gone_vpc(b: Builder, name: str, cidr: str, *, delete_vpc: bool = True) -> str:
    """A VPC that had an S3 gateway endpoint, now deleted (DescribeVpcEndpoints keeps listing it as `deleted`),
    and then the VPC itself (unless `delete_vpc` is False)."""
    vpc = b.vpc(cidr, name)
    ep = b.gateway_endpoint(vpc, "s3", [])
    b.ec2.delete_vpc_endpoints(VpcEndpointIds=[ep])
    if delete_vpc:
        b.ec2.delete_vpc(VpcId=vpc)
    return vpc


@world("dns-zone-stale-vpc", expect={"phz-association-stale"})
def dns_zone_stale_vpc(b: Builder) -> World:
    """A corporate zone associated with a live VPC and with a VPC deleted after its endpoint was: the account's
    endpoint list still names the VPC, its VPC list no longer has it."""
    ids = isolated_vpc(b, "stale-live")
    ids["gone"] = _gone_vpc(b, "stale-gone", "10.9.0.0/16")
    ids["zone"] = b.private_zone("corp.example.internal", [ids["vpc"], ids["gone"]])
    return World("dns-zone-stale-vpc", b, ids=ids)


@world("dns-zone-associations-kept", expect=())
def dns_zone_associations_kept(b: Builder) -> World:
    """Near misses of dns-zone-stale-vpc, one zone: a VPC whose endpoint was deleted but which still exists; a VPC
    no scanned account has any record of (another account's spoke, or gone: unknowable, so quiet); and a deleted
    VPC in a region the scan does not cover."""
    ids = isolated_vpc(b, "kept-live")
    ids["kept"] = _gone_vpc(b, "kept-vpc", "10.9.0.0/16", delete_vpc=False)
    far = Builder(b.session, OTHER_REGION)
    try:
        ids["far"] = _gone_vpc(far, "kept-far", "10.10.0.0/16")
    finally:
        far.close()
    ids["zone"] = b.private_zone("corp.example.internal", [ids["vpc"], ids["kept"], FOREIGN_VPC])
    b.session.client("route53", region_name=b.region).associate_vpc_with_hosted_zone(
        HostedZoneId=ids["zone"], VPC={"VPCRegion": OTHER_REGION, "VPCId": ids["far"]}
    )
    return World("dns-zone-associations-kept", b, ids=ids)
