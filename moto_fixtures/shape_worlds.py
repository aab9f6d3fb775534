"""Worlds for the endpoint shapes of issue 15: cross-region interface endpoints and S3 interface endpoints whose
private DNS answers only a Resolver inbound endpoint. moto stores neither ServiceRegion nor DnsOptions, so the
fields are set on its endpoint objects (the serializer returns any attribute the botocore shape names)."""

from __future__ import annotations

from moto_fixtures import provider, realism
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


# --- provider side: endpoint services the account owns ---------------------------------------------------------


def provider_world(
    b: Builder, name: str, targets: dict[str, str], *, consumer_state: str | None = None, **service: object
) -> dict[str, str]:
    """A provider VPC with an NLB in three AZs behind an endpoint service, and a consumer VPC of the same
    account with an endpoint to it in the three AZs (private DNS off: its names are the service's, not AWS's)."""
    ids = isolated_vpc(b, f"{name}-provider")
    subnets = {az: ids[f"subnet.{az}"] for az in (AZ1, AZ2, AZ3)}
    svc = provider.endpoint_service(b, name, ids["vpc"], subnets, targets, **service)  # type: ignore[arg-type]
    consumer = isolated_vpc(b, f"{name}-consumer", cidr="10.1.0.0/16")
    ep_id = b.interface_endpoint(
        consumer["vpc"],
        svc["service_name"],
        subnets_in(consumer, AZ1, AZ2, AZ3),
        [consumer["sg"]],
        private_dns=False,
        state=consumer_state,
    )
    return ids | svc | {"consumer.vpc": consumer["vpc"], "ep.consumer": ep_id}


HEALTHY = {AZ1: "healthy", AZ2: "healthy", AZ3: "healthy"}
THIRD_UNHEALTHY = {AZ1: "healthy", AZ2: "healthy", AZ3: "unhealthy"}


@world("svc-healthy", expect=())
def svc_healthy(b: Builder) -> World:
    """An owned endpoint service with a healthy target in every AZ, a verified private DNS name and an accepted
    consumer: nothing to say about either side."""
    ids = provider_world(b, "svchealthy", HEALTHY, private_dns_name="api.example.com")
    return World("svc-healthy", b, ids=ids)


@world("svc-az-empty", expect={"svc-az-no-healthy-targets"})
def svc_az_empty(b: Builder) -> World:
    """Cross-zone load balancing off and the third AZ's only target unhealthy: the consumer's ENI in that AZ
    reaches an NLB node with no target."""
    ids = provider_world(b, "svcempty", THIRD_UNHEALTHY)
    return World("svc-az-empty", b, ids=ids)


@world("svc-cross-zone", expect=())
def svc_cross_zone(b: Builder) -> World:
    """The same unhealthy target with cross-zone load balancing on: every node reaches the healthy targets."""
    ids = provider_world(b, "svccross", THIRD_UNHEALTHY, cross_zone=True)
    return World("svc-cross-zone", b, ids=ids)


@world("svc-pending", expect={"svc-connection-pending", "ep-state"})
def svc_pending(b: Builder) -> World:
    """A consumer endpoint waiting for the provider's acceptance: the provider is told (svc-connection-pending)
    and the consumer's own endpoint is not available (ep-state)."""
    ids = provider_world(b, "svcpending", HEALTHY, consumer_state="pendingAcceptance", acceptance_required=True)
    return World("svc-pending", b, ids=ids)


@world("svc-dns-unverified", expect={"svc-private-dns-unverified"})
def svc_dns_unverified(b: Builder) -> World:
    """The service's private DNS name still pendingVerification."""
    ids = provider_world(
        b, "svcdns", HEALTHY, private_dns_name="api.example.com", private_dns_state="pendingVerification"
    )
    return World("svc-dns-unverified", b, ids=ids)
