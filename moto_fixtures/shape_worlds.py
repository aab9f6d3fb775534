"""Worlds for the endpoint shapes of issue 15: cross-region interface endpoints and S3 interface endpoints whose
private DNS answers only a Resolver inbound endpoint. moto stores neither ServiceRegion nor DnsOptions, so the
fields are set on its endpoint objects (the serializer returns any attribute the botocore shape names)."""

from __future__ import annotations

import ipaddress
import itertools

from moto_fixtures import lattice, provider, realism
from moto_fixtures.builder import AZ1, AZ2, AZ3, Builder
from moto_fixtures.worlds import World, gap_vpc, isolated_vpc, subnets_in, world

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


# --- IPv6 and dual-stack --------------------------------------------------------------------------------------


def ipv6_vpc(b: Builder, name: str, *, workloads_in: str = "ipv6-only", dns64: bool = False) -> dict[str, str]:
    """A dual-stack VPC with a dual-stack subnet and an IPv6-only subnet in each of two AZs, all on one isolated
    route table. Workloads (in a client group the endpoint group admits) sit in the `workloads_in` subnets
    (`ipv6-only` or `dual`). moto stores no EnableDns64: set on its subnet objects."""
    ec2 = b.ec2
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]
    ec2.modify_vpc_attribute(VpcId=vpc["VpcId"], EnableDnsHostnames={"Value": True})
    block = ipaddress.ip_network(vpc["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"], strict=False)
    v6 = list(itertools.islice(block.subnets(new_prefix=64), 4))
    ids = {"vpc": vpc["VpcId"]}
    # moto's default NACL lacks AWS's IPv6 entries (moto-5.2.5-network.md §7): add rule 101 allowing ::/0 both
    # ways, as AWS does for a VPC with an IPv6 block, or the IPv6 packet path meets only the `*` deny.
    (acl,) = ec2.describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}, {"Name": "default", "Values": ["true"]}]
    )["NetworkAcls"]
    for egress in (False, True):
        ec2.create_network_acl_entry(
            NetworkAclId=acl["NetworkAclId"],
            RuleNumber=101,
            Protocol="-1",
            RuleAction="allow",
            Egress=egress,
            Ipv6CidrBlock="::/0",
        )
    client = b.security_group(vpc["VpcId"], f"{name}-clients", https_from=())
    ids["sg"] = b.security_group(vpc["VpcId"], f"{name}-endpoints", https_from=())
    b.allow_ingress(ids["sg"], groups=[client])
    subnets = []
    for i, az in enumerate((AZ1, AZ2)):
        dual = ec2.create_subnet(
            VpcId=vpc["VpcId"], CidrBlock=f"10.0.{i}.0/24", Ipv6CidrBlock=str(v6[i]), AvailabilityZoneId=az
        )["Subnet"]["SubnetId"]
        only = ec2.create_subnet(
            VpcId=vpc["VpcId"], Ipv6Native=True, Ipv6CidrBlock=str(v6[2 + i]), AvailabilityZoneId=az
        )["Subnet"]["SubnetId"]
        ids[f"dual.{az}"], ids[f"v6.{az}"] = dual, only
        subnets += [dual, only]
        b.workload(only if workloads_in == "ipv6-only" else dual, [client])
        if dns64:
            realism.backend(b.account_id, b.region).get_subnet(only).enable_dns64 = True
    ids["rt"] = b.route_table(vpc["VpcId"], subnets, name=f"{name}-private")
    return ids


def ipv6_endpoint(b: Builder, ids: dict[str, str], ip_type: str, record_type: str) -> str:
    """An ssm endpoint in the dual-stack subnets with this IpAddressType and DnsRecordIpType."""
    ep_id = b.interface_endpoint(ids["vpc"], "ssm", [ids[f"dual.{AZ1}"], ids[f"dual.{AZ2}"]], [ids["sg"]])
    ep = realism.backend(b.account_id, b.region).vpc_end_points[ep_id]
    ep.ip_address_type = ip_type
    ep.dns_options = {"DnsRecordIpType": record_type}
    return ep_id


@world("ipv6-only-ipv4-endpoint", expect={"ipv6-only-clients-ipv4-endpoint"})
def ipv6_only_ipv4_endpoint(b: Builder) -> World:
    """Workloads in IPv6-only subnets, the ssm endpoint IPv4-only, no DNS64: they get A records only (high)."""
    ids = ipv6_vpc(b, "v6ipv4")
    ids["ep.ssm"] = ipv6_endpoint(b, ids, "ipv4", "ipv4")
    return World("ipv6-only-ipv4-endpoint", b, ids=ids)


@world("ipv6-dualstack-endpoint", expect=())
def ipv6_dualstack_endpoint(b: Builder) -> World:
    """The same IPv6-only workloads with a dual-stack endpoint publishing A and AAAA: served."""
    ids = ipv6_vpc(b, "v6dual")
    ids["ep.ssm"] = ipv6_endpoint(b, ids, "dualstack", "dualstack")
    return World("ipv6-dualstack-endpoint", b, ids=ids)


@world("ipv6-service-defined", expect={"ipv6-record-type"})
def ipv6_service_defined(b: Builder) -> World:
    """A dual-stack endpoint with DnsRecordIpType service-defined and private DNS on: the service's private name
    has no AAAA, so the IPv6-only workloads using it get nothing usable."""
    ids = ipv6_vpc(b, "v6svc")
    ids["ep.ssm"] = ipv6_endpoint(b, ids, "dualstack", "service-defined")
    return World("ipv6-service-defined", b, ids=ids)


@world("ipv4-endpoint-dual-vpc", expect=())
def ipv4_endpoint_dual_vpc(b: Builder) -> World:
    """IPv4 clients (in dual-stack subnets) of an IPv4 endpoint in a dual-stack VPC: nothing to say."""
    ids = ipv6_vpc(b, "v4dual", workloads_in="dual")
    ids["ep.ssm"] = ipv6_endpoint(b, ids, "ipv4", "ipv4")
    return World("ipv4-endpoint-dual-vpc", b, ids=ids)


# --- resource and service-network endpoints ---------------------------------------------------------------------


@world("resource-single-az", expect={"az-single"})
def resource_single_az(b: Builder) -> World:
    """A resource endpoint with its ENI in one of the three workload AZs: judged like an interface endpoint
    (az-single, with the endpoint type in the evidence)."""
    ids = isolated_vpc(b, "rsc")
    ids["ep.resource"] = provider.lattice_endpoint(b, ids["vpc"], "Resource", subnets_in(ids, AZ1), [ids["sg"]])
    return World("resource-single-az", b, ids=ids)


@world("service-network-3az", expect=())
def service_network_3az(b: Builder) -> World:
    """A service-network endpoint with an ENI in every workload AZ: nothing to say."""
    ids = isolated_vpc(b, "snet")
    ids["ep.sn"] = provider.lattice_endpoint(
        b, ids["vpc"], "ServiceNetwork", subnets_in(ids, AZ1, AZ2, AZ3), [ids["sg"]]
    )
    return World("service-network-3az", b, ids=ids)


def resource_endpoint_and_gateway(b: Builder, name: str, gateway_azs: tuple[str, ...]) -> dict[str, str]:
    """A resource endpoint in both workload AZs (AZ1, AZ2) of a consumer VPC, its resource configuration served
    by a resource gateway in a provider VPC of the same account with subnets in `gateway_azs`."""
    ids = isolated_vpc(b, name, (AZ1, AZ2))
    gw_vpc = isolated_vpc(b, f"{name}-gateway", gateway_azs, "10.1.0.0/16", workload_az_ids=())
    ids["config"], ids["gateway"] = lattice.resource_gateway(b, gw_vpc["vpc"], subnets_in(gw_vpc, *gateway_azs))
    ids["ep.resource"] = provider.lattice_endpoint(
        b, ids["vpc"], "Resource", subnets_in(ids, AZ1, AZ2), [ids["sg"]], arn=ids["config"]
    )
    return ids


@world("resource-az-no-overlap", expect={"ep-resource-az-overlap"})
def resource_az_no_overlap(b: Builder) -> World:
    """A resource endpoint in AZ1 and AZ2 whose resource gateway is only in AZ3: no AZ in common (high), though
    the endpoint covers every workload AZ (no AZ check fires)."""
    return World("resource-az-no-overlap", b, ids=resource_endpoint_and_gateway(b, "rsc-far", (AZ3,)))


@world("resource-az-overlap-one", expect=())
def resource_az_overlap_one(b: Builder) -> World:
    """The same with the gateway in AZ2 and AZ3: one AZ in common is all AWS asks."""
    return World("resource-az-overlap-one", b, ids=resource_endpoint_and_gateway(b, "rsc-near", (AZ2, AZ3)))


# --- egress posture: VPC Block Public Access ----------------------------------------------------------------------


@world("gw-gap-public-bpa", expect={"gw-rt-gap"})
def gw_gap_public_bpa(b: Builder) -> World:
    """gw-gap-public under VPC Block Public Access in block-bidirectional mode: the internet gateway no longer
    carries the subnets' S3 traffic, so the gap is judged as isolated (high)."""
    ids = gap_vpc(b, "gap-bpa", "public")
    provider.block_public_access(b, "block-bidirectional")
    return World("gw-gap-public-bpa", b, ids=ids)


@world("gw-gap-public-bpa-excluded", expect={"gw-rt-gap"})
def gw_gap_public_bpa_excluded(b: Builder) -> World:
    """The same with the VPC excluded (allow-bidirectional): the public path works again (low)."""
    ids = gap_vpc(b, "gap-bpa-excl", "public")
    provider.block_public_access(b, "block-bidirectional", {ids["vpc"]: "allow-bidirectional"})
    return World("gw-gap-public-bpa-excluded", b, ids=ids)


@world("gw-gap-nat-bpa-ingress", expect={"gw-rt-gap"})
def gw_gap_nat_bpa_ingress(b: Builder) -> World:
    """A NAT gap under block-ingress: NAT gateways still carry outbound connections (medium, as without BPA)."""
    ids = gap_vpc(b, "gap-bpa-nat", "nat")
    provider.block_public_access(b, "block-ingress")
    return World("gw-gap-nat-bpa-ingress", b, ids=ids)
