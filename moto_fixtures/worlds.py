"""Named moto worlds. Each builds itself with a Builder and says which check ids it must raise, so a test
can assert the exact set: a missing check and a false alarm both fail it."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import boto3

from moto_fixtures.builder import AZ1, AZ2, AZ3, Builder


@dataclass
class World:
    name: str
    builder: Builder
    expect: frozenset[str] = frozenset()
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def region(self) -> str:
        return self.builder.region

    @property
    def account_id(self) -> str:
        return self.builder.account_id

    def close(self) -> None:
        self.builder.close()


WorldFunc = Callable[[Builder], World]
WORLDS: dict[str, WorldFunc] = {}


def world(name: str) -> Callable[[WorldFunc], WorldFunc]:
    def register(func: WorldFunc) -> WorldFunc:
        WORLDS[name] = func
        return func

    return register


def build_world(name: str, session: boto3.Session, region: str = "us-east-1") -> World:
    builder = Builder(session, region)
    try:
        return WORLDS[name](builder)
    except BaseException:
        builder.close()
        raise


def isolated_vpc(
    b: Builder,
    name: str,
    az_ids: tuple[str, ...] = (AZ1, AZ2, AZ3),
    cidr: str = "10.0.0.0/16",
    *,
    workload_az_ids: Iterable[str] | None = None,
) -> dict[str, str]:
    """A VPC with one private subnet per AZ, all on one custom route table with no default route (isolated),
    and one workload per AZ (only in `workload_az_ids` when given). Returns ids: vpc, rt, subnet.<az>, sg."""
    prefix = ".".join(cidr.split(".")[:2])
    busy = set(az_ids if workload_az_ids is None else workload_az_ids)
    vpc = b.vpc(cidr, name)
    subnets = b.subnets(vpc, az_ids, prefix=prefix)
    ids = {"vpc": vpc, "sg": b.security_group(vpc, f"{name}-endpoints", https_from=(cidr,))}
    for az, subnet in zip(az_ids, subnets, strict=True):
        ids[f"subnet.{az}"] = subnet
        if az in busy:
            b.workload(subnet)
    ids["rt"] = b.route_table(vpc, subnets, name=f"{name}-private")
    return ids


def subnets_in(ids: dict[str, str], *az_ids: str) -> list[str]:
    return [ids[f"subnet.{az}"] for az in az_ids]


@world("healthy-3az")
def healthy_3az(b: Builder) -> World:
    """Three AZs of workloads, an interface endpoint in all three, S3 on the subnets' route table."""
    ids = isolated_vpc(b, "healthy")
    subnets = [ids[f"subnet.{az}"] for az in (AZ1, AZ2, AZ3)]
    ids["ep.ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets, [ids["sg"]])
    ids["ep.s3"] = b.gateway_endpoint(ids["vpc"], "s3", [ids["rt"]])
    return World("healthy-3az", b, frozenset(), ids)


@world("demo")
def demo_world(b: Builder) -> World:
    """The bundled demo: one production VPC with a healthy endpoint and one of each common mistake."""
    vpc = b.vpc("10.0.0.0/16", "prod")
    private = b.subnets(vpc, (AZ1, AZ2, AZ3), third_octet=0)
    public = b.subnets(vpc, (AZ1, AZ2, AZ3), third_octet=10)
    for subnet in private:
        b.workload(subnet)
    igw = b.internet_gateway(vpc)
    private_rt = b.route_table(vpc, private, name="prod-private")
    b.route_table(vpc, public, default_target=igw, name="prod-public")
    sg = b.security_group(vpc, "endpoints", https_from=("10.0.0.0/16",))
    b.limit_service("sts", (AZ1, AZ2))
    ids = {
        "vpc": vpc,
        "ep.ssm": b.interface_endpoint(vpc, "ssm", private, [sg], name="ssm"),
        "ep.kms": b.interface_endpoint(vpc, "kms", private[:1], [sg], name="kms-one-az"),
        "ep.logs": b.interface_endpoint(vpc, "logs", private[:2], [sg], name="logs-two-az"),
        "ep.sts": b.interface_endpoint(vpc, "sts", private[:2], [sg], name="sts"),
        "ep.secretsmanager": b.interface_endpoint(
            vpc, "secretsmanager", private, [sg], state="failed", name="secrets-failed"
        ),
        "ep.s3": b.gateway_endpoint(vpc, "s3", [b.main_route_table(vpc)], name="s3-main-only"),
        "ep.dynamodb": b.gateway_endpoint(vpc, "dynamodb", [private_rt], name="dynamodb"),
    }
    # Hub and spoke: a shared-services VPC holds sqs and sns endpoints (private DNS off) that an analytics
    # VPC reaches through private hosted zones; sqs's zone aliases the regional name, sns's one AZ's name.
    hub = b.vpc("10.20.0.0/16", "shared-services")
    hub_subnets = b.subnets(hub, (AZ1, AZ2, AZ3), prefix="10.20")
    b.route_table(hub, hub_subnets, name="shared-services-private")
    spoke = b.vpc("10.30.0.0/16", "analytics")
    spoke_subnets = b.subnets(spoke, (AZ1, AZ2, AZ3), prefix="10.30")
    for subnet in spoke_subnets:
        b.workload(subnet)
    b.route_table(spoke, spoke_subnets, name="analytics-private")
    hub_sg = b.security_group(hub, "hub-endpoints", https_from=("10.20.0.0/16", "10.30.0.0/16"))
    ids |= {"vpc.hub": hub, "vpc.spoke": spoke}
    for short, zonal in (("sqs", False), ("sns", True)):
        ep = b.interface_endpoint(hub, short, hub_subnets, [hub_sg], private_dns=False, name=f"hub-{short}")
        regional, zonal_names = b.endpoint_names(ep)
        name = b.private_dns_names(b.service(short))[0]
        zone = b.private_zone(name, [hub, spoke])
        b.records(zone, b.alias_record(name, zonal_names[AZ1] if zonal else regional))
        ids |= {f"ep.hub.{short}": ep, f"zone.{short}": zone}
    expect = frozenset({"az-single", "az-gap", "az-service-limited", "ep-state", "gw-rt-gap", "phz-zonal-alias"})
    return World("demo", b, expect, ids)


# --- interface endpoints: AZ coverage -----------------------------------------------------------------


@world("single-az")
def single_az(b: Builder) -> World:
    """Workloads in three AZs, the ssm endpoint in the first only: that AZ's outage takes ssm from all."""
    ids = isolated_vpc(b, "single")
    ids["ep.ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, AZ1), [ids["sg"]])
    return World("single-az", b, frozenset({"az-single"}), ids)


@world("two-of-three")
def two_of_three(b: Builder) -> World:
    """Workloads in three AZs, the ssm endpoint in two: the third AZ's clients cross an AZ boundary."""
    ids = isolated_vpc(b, "two")
    ids["ep.ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, AZ1, AZ2), [ids["sg"]])
    return World("two-of-three", b, frozenset({"az-gap"}), ids)


@world("service-two-of-three")
def service_two_of_three(b: Builder) -> World:
    """Workloads in three AZs, sts offered in two of them and the endpoint in both: nothing to fix here,
    only worth knowing (az-service-limited), and no az-gap for the AZ the service does not offer."""
    ids = isolated_vpc(b, "svc")
    b.limit_service("sts", (AZ1, AZ2))
    ids["ep.sts"] = b.interface_endpoint(ids["vpc"], "sts", subnets_in(ids, AZ1, AZ2), [ids["sg"]])
    return World("service-two-of-three", b, frozenset({"az-service-limited"}), ids)


@world("az-idle")
def az_idle(b: Builder) -> World:
    """Subnets in three AZs but workloads in two; the endpoint's ENI in the third serves no local client."""
    ids = isolated_vpc(b, "idle", workload_az_ids=(AZ1, AZ2))
    ids["ep.ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, AZ1, AZ2, AZ3), [ids["sg"]])
    return World("az-idle", b, frozenset({"az-idle"}), ids)


@world("no-workloads")
def no_workloads(b: Builder) -> World:
    """A VPC with subnets in three AZs and no workload ENI at all, so every subnet counts as a workload
    subnet (evidence says workload_assumed): the two-AZ ssm endpoint has a gap, and S3 on the main table
    misses the subnets' custom table."""
    ids = isolated_vpc(b, "empty", workload_az_ids=())
    ids["ep.ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, AZ1, AZ2), [ids["sg"]])
    ids["main_rt"] = b.main_route_table(ids["vpc"])
    ids["ep.s3"] = b.gateway_endpoint(ids["vpc"], "s3", [ids["main_rt"]])
    return World("no-workloads", b, frozenset({"az-gap", "gw-rt-gap"}), ids)


# --- endpoint health ------------------------------------------------------------------------------


@world("ep-failed")
def ep_failed(b: Builder) -> World:
    """A three-AZ ssm endpoint AWS reports `failed`, with its LastError: broken now (critical). Coverage
    checks stay quiet: a failed endpoint's AZs are not the problem."""
    ids = isolated_vpc(b, "failed")
    ids["ep.ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, AZ1, AZ2, AZ3), [ids["sg"]], state="failed")
    b.set_last_error(ids["ep.ssm"], "InsufficientFreeAddressesInSubnet", "subnet has no free addresses")
    return World("ep-failed", b, frozenset({"ep-state"}), ids)


@world("ep-pending-acceptance")
def ep_pending_acceptance(b: Builder) -> World:
    """A three-AZ endpoint waiting for the service owner to accept it (`pendingAcceptance`, AWS's casing):
    no traffic yet, high rather than critical."""
    ids = isolated_vpc(b, "pending")
    ids["ep.ssm"] = b.interface_endpoint(
        ids["vpc"], "ssm", subnets_in(ids, AZ1, AZ2, AZ3), [ids["sg"]], state="pendingAcceptance"
    )
    return World("ep-pending-acceptance", b, frozenset({"ep-state"}), ids)


@world("eni-missing")
def eni_missing(b: Builder) -> World:
    """A three-AZ endpoint names an ENI (the one in the third AZ) that no longer exists. With it goes that
    AZ's capacity, so az-gap fires too: both are true."""
    ids = isolated_vpc(b, "gone")
    ids["ep.ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, AZ1, AZ2, AZ3), [ids["sg"]])
    enis = b.ec2.describe_network_interfaces(NetworkInterfaceIds=b.endpoint_eni_ids(ids["ep.ssm"]))
    ids["eni.gone"] = next(
        n["NetworkInterfaceId"] for n in enis["NetworkInterfaces"] if n["SubnetId"] == ids[f"subnet.{AZ3}"]
    )
    b.drop_endpoint_eni(ids["ep.ssm"], ids["eni.gone"])
    return World("eni-missing", b, frozenset({"ep-eni-missing", "az-gap"}), ids)


@world("eni-not-created")
def eni_not_created(b: Builder) -> World:
    """An endpoint names three subnets but has ENIs in two (the third subnet was added and its ENI never
    appeared): fewer ENIs than subnets, and the third AZ is a gap."""
    ids = isolated_vpc(b, "short")
    ids["ep.ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, AZ1, AZ2), [ids["sg"]])
    b.add_subnets(ids["ep.ssm"], subnets_in(ids, AZ3))
    return World("eni-not-created", b, frozenset({"ep-eni-missing", "az-gap"}), ids)


# --- gateway endpoints ------------------------------------------------------------------------------


@world("gw-main-only")
def gw_main_only(b: Builder) -> World:
    """S3 on the main route table only, while every workload subnet is explicitly on a custom table:
    the isolated subnets cannot reach S3 (high)."""
    ids = isolated_vpc(b, "mainonly")
    ids["main_rt"] = b.main_route_table(ids["vpc"])
    ids["ep.s3"] = b.gateway_endpoint(ids["vpc"], "s3", [ids["main_rt"]])
    return World("gw-main-only", b, frozenset({"gw-rt-gap"}), ids)


@world("gw-main-implicit")
def gw_main_implicit(b: Builder) -> World:
    """Healthy: workload subnets have no explicit association, so they use the main table, and S3 is on
    the main table. Proves the effective route table falls back to main."""
    vpc = b.vpc("10.0.0.0/16", "implicit")
    subnets = b.subnets(vpc, (AZ1, AZ2, AZ3))
    for subnet in subnets:
        b.workload(subnet)
    ids = {"vpc": vpc, "main_rt": b.main_route_table(vpc)}
    ids["ep.s3"] = b.gateway_endpoint(vpc, "s3", [ids["main_rt"]])
    return World("gw-main-implicit", b, frozenset(), ids)


@world("gw-no-route-tables")
def gw_no_route_tables(b: Builder) -> World:
    """An S3 gateway endpoint associated with no route table at all: it serves nobody (high, isolated)."""
    ids = isolated_vpc(b, "nort")
    ids["ep.s3"] = b.gateway_endpoint(ids["vpc"], "s3", [])
    return World("gw-no-route-tables", b, frozenset({"gw-rt-gap"}), ids)


@world("gw-blackhole")
def gw_blackhole(b: Builder) -> World:
    """The workload table is associated with S3 but its prefix-list route is a blackhole: broken now."""
    ids = isolated_vpc(b, "blackhole")
    ids["ep.s3"] = b.gateway_endpoint(ids["vpc"], "s3", [ids["rt"]])
    ids["pl.s3"], _ = b.prefix_list("s3")
    b.set_route_state(ids["rt"], ids["pl.s3"], "blackhole")
    return World("gw-blackhole", b, frozenset({"gw-route-missing"}), ids)


@world("gw-route-missing")
def gw_route_missing(b: Builder) -> World:
    """The endpoint names the workload table but the table has no prefix-list route to it (moto's
    AddRouteTableIds adds none, as AWS does when the route was deleted by hand)."""
    ids = isolated_vpc(b, "noroute")
    ids["ep.s3"] = b.gateway_endpoint(ids["vpc"], "s3", [])
    b.add_route_tables(ids["ep.s3"], [ids["rt"]])
    return World("gw-route-missing", b, frozenset({"gw-route-missing"}), ids)


@world("gw-more-specific")
def gw_more_specific(b: Builder) -> World:
    """A CIDR route inside one of S3's prefix-list ranges (read from moto's real list) sends that part of
    S3 to the internet gateway: longest prefix wins over the endpoint route."""
    ids = isolated_vpc(b, "specific")
    ids["igw"] = b.internet_gateway(ids["vpc"])
    ids["ep.s3"] = b.gateway_endpoint(ids["vpc"], "s3", [ids["rt"]])
    ids["pl.s3"], cidrs = b.prefix_list("s3")
    ids["pl.range"] = cidrs[0]
    ids["route.specific"] = str(next(ipaddress.ip_network(cidrs[0]).subnets(prefixlen_diff=1)))
    b.route(ids["rt"], ids["route.specific"], ids["igw"])
    return World("gw-more-specific", b, frozenset({"gw-more-specific-route"}), ids)


def gap_vpc(b: Builder, name: str, egress: str) -> dict[str, str]:
    """Workloads in three AZs; the first AZ's subnet is on `rt.covered`, associated with S3, the other two
    on `rt.gap`, which is not. Both tables take the default route of `egress`: isolated (none), nat (a NAT
    gateway in a public subnet), tgw (a transit gateway) or public (the internet gateway)."""
    vpc = b.vpc("10.0.0.0/16", name)
    subnets = b.subnets(vpc, (AZ1, AZ2, AZ3))
    ids = {"vpc": vpc} | {f"subnet.{az}": s for az, s in zip((AZ1, AZ2, AZ3), subnets, strict=True)}
    for subnet in subnets:
        b.workload(subnet)
    target: str | None = None
    if egress in ("nat", "public"):
        ids["igw"] = target = b.internet_gateway(vpc)
    if egress == "nat":
        ids["subnet.public"] = b.subnet(vpc, AZ1, "10.0.100.0/24", "public")
        ids["rt.public"] = b.route_table(vpc, [ids["subnet.public"]], ids["igw"], name=f"{name}-public")
        ids["nat"] = target = b.nat_gateway(ids["subnet.public"])
    if egress == "tgw":
        ids["tgw"] = target = b.transit_gateway()
    ids["rt.covered"] = b.route_table(vpc, subnets[:1], target, name=f"{name}-covered")
    ids["rt.gap"] = b.route_table(vpc, subnets[1:], target, name=f"{name}-gap")
    ids["ep.s3"] = b.gateway_endpoint(vpc, "s3", [ids["rt.covered"]])
    return ids


@world("gw-gap-isolated")
def gw_gap_isolated(b: Builder) -> World:
    """gap_vpc without a default route: the two uncovered subnets cannot reach S3 at all (high)."""
    return World("gw-gap-isolated", b, frozenset({"gw-rt-gap"}), gap_vpc(b, "gap-isolated", "isolated"))


@world("gw-gap-nat")
def gw_gap_nat(b: Builder) -> World:
    """gap_vpc behind a NAT gateway: the uncovered subnets reach S3 through NAT, paying for it (medium)."""
    return World("gw-gap-nat", b, frozenset({"gw-rt-gap"}), gap_vpc(b, "gap-nat", "nat"))


@world("gw-gap-tgw")
def gw_gap_tgw(b: Builder) -> World:
    """gap_vpc whose default route is a transit gateway: S3 traffic leaves through the hub (medium)."""
    return World("gw-gap-tgw", b, frozenset({"gw-rt-gap"}), gap_vpc(b, "gap-tgw", "tgw"))


@world("gw-gap-public")
def gw_gap_public(b: Builder) -> World:
    """gap_vpc in public subnets: the uncovered ones reach S3 over the internet gateway (low)."""
    return World("gw-gap-public", b, frozenset({"gw-rt-gap"}), gap_vpc(b, "gap-public", "public"))
