"""Named moto worlds. Each builds itself with a Builder and says which check ids it must raise, so a test
can assert the exact set: a missing check and a false alarm both fail it."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import boto3

from moto_fixtures.builder import AZ1, AZ2, AZ3, Builder
from moto_fixtures.network import tgw_connect


@dataclass
class World:
    name: str
    builder: Builder
    expect: frozenset[str] = frozenset()  # set by build_world from the registration
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


@dataclass(frozen=True)
class WorldEntry:
    """A registered world: how to build it and the check ids a scan of it raises, known without building it
    (tests that choose worlds by the checks they raise need no moto)."""

    build: WorldFunc
    expect: frozenset[str]


WORLDS: dict[str, WorldEntry] = {}


def world(name: str, *, expect: Iterable[str] = ()) -> Callable[[WorldFunc], WorldFunc]:
    def register(func: WorldFunc) -> WorldFunc:
        WORLDS[name] = WorldEntry(func, frozenset(expect))
        return func

    return register


def build_world(name: str, session: boto3.Session, region: str = "us-east-1") -> World:
    builder = Builder(session, region)
    entry = WORLDS[name]
    try:
        built = entry.build(builder)
    except BaseException:
        builder.close()
        raise
    built.expect = entry.expect
    return built


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


@world("healthy-3az", expect=())
def healthy_3az(b: Builder) -> World:
    """Three AZs of workloads, an interface endpoint in all three, S3 on the subnets' route table."""
    ids = isolated_vpc(b, "healthy")
    subnets = [ids[f"subnet.{az}"] for az in (AZ1, AZ2, AZ3)]
    ids["ep.ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets, [ids["sg"]])
    ids["ep.s3"] = b.gateway_endpoint(ids["vpc"], "s3", [ids["rt"]])
    return World("healthy-3az", b, ids=ids)


@world("demo", expect={"az-single", "az-gap", "az-service-limited", "ep-state", "gw-rt-gap", "phz-zonal-alias"})
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
    hub_rt = b.route_table(hub, hub_subnets, name="shared-services-private")
    spoke = b.vpc("10.30.0.0/16", "analytics")
    spoke_subnets = b.subnets(spoke, (AZ1, AZ2, AZ3), prefix="10.30")
    for subnet in spoke_subnets:
        b.workload(subnet)
    spoke_rt = b.route_table(spoke, spoke_subnets, name="analytics-private")
    # Packet path (issue 13): hub and spoke meet at a transit gateway, attached in every AZ and routed both ways.
    ids |= tgw_connect(
        b, [(hub, "10.20.0.0/16", hub_rt, hub_subnets), (spoke, "10.30.0.0/16", spoke_rt, spoke_subnets)]
    )
    hub_sg = b.security_group(hub, "hub-endpoints", https_from=("10.20.0.0/16", "10.30.0.0/16"))
    ids |= {"vpc.hub": hub, "vpc.spoke": spoke}
    for short, zonal in (("sqs", False), ("sns", True)):
        ep = b.interface_endpoint(hub, short, hub_subnets, [hub_sg], private_dns=False, name=f"hub-{short}")
        regional, zonal_names = b.endpoint_names(ep)
        name = b.private_dns_names(b.service(short))[0]
        zone = b.private_zone(name, [hub, spoke])
        b.records(zone, b.alias_record(name, zonal_names[AZ1] if zonal else regional))
        ids |= {f"ep.hub.{short}": ep, f"zone.{short}": zone}
    return World("demo", b, ids=ids)


# --- interface endpoints: AZ coverage -----------------------------------------------------------------


@world("single-az", expect={"az-single"})
def single_az(b: Builder) -> World:
    """Workloads in three AZs, the ssm endpoint in the first only: that AZ's outage takes ssm from all."""
    ids = isolated_vpc(b, "single")
    ids["ep.ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, AZ1), [ids["sg"]])
    return World("single-az", b, ids=ids)


@world("two-of-three", expect={"az-gap"})
def two_of_three(b: Builder) -> World:
    """Workloads in three AZs, the ssm endpoint in two: the third AZ's clients cross an AZ boundary."""
    ids = isolated_vpc(b, "two")
    ids["ep.ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, AZ1, AZ2), [ids["sg"]])
    return World("two-of-three", b, ids=ids)


@world("service-two-of-three", expect={"az-service-limited"})
def service_two_of_three(b: Builder) -> World:
    """Workloads in three AZs, sts offered in two of them and the endpoint in both: nothing to fix here,
    only worth knowing (az-service-limited), and no az-gap for the AZ the service does not offer."""
    ids = isolated_vpc(b, "svc")
    b.limit_service("sts", (AZ1, AZ2))
    ids["ep.sts"] = b.interface_endpoint(ids["vpc"], "sts", subnets_in(ids, AZ1, AZ2), [ids["sg"]])
    return World("service-two-of-three", b, ids=ids)


@world("az-idle", expect={"az-idle"})
def az_idle(b: Builder) -> World:
    """Subnets in three AZs but workloads in two; the endpoint's ENI in the third serves no local client."""
    ids = isolated_vpc(b, "idle", workload_az_ids=(AZ1, AZ2))
    ids["ep.ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, AZ1, AZ2, AZ3), [ids["sg"]])
    return World("az-idle", b, ids=ids)


@world("no-workloads", expect={"az-gap", "gw-rt-gap"})
def no_workloads(b: Builder) -> World:
    """A VPC with subnets in three AZs and no workload ENI at all, so every subnet counts as a workload
    subnet (evidence says workload_assumed): the two-AZ ssm endpoint has a gap, and S3 on the main table
    misses the subnets' custom table."""
    ids = isolated_vpc(b, "empty", workload_az_ids=())
    ids["ep.ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, AZ1, AZ2), [ids["sg"]])
    ids["main_rt"] = b.main_route_table(ids["vpc"])
    ids["ep.s3"] = b.gateway_endpoint(ids["vpc"], "s3", [ids["main_rt"]])
    return World("no-workloads", b, ids=ids)


# --- endpoint health ------------------------------------------------------------------------------


@world("ep-failed", expect={"ep-state"})
def ep_failed(b: Builder) -> World:
    """A three-AZ ssm endpoint AWS reports `failed`, with its LastError: broken now (critical). Coverage
    checks stay quiet: a failed endpoint's AZs are not the problem."""
    ids = isolated_vpc(b, "failed")
    ids["ep.ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, AZ1, AZ2, AZ3), [ids["sg"]], state="failed")
    b.set_last_error(ids["ep.ssm"], "InsufficientFreeAddressesInSubnet", "subnet has no free addresses")
    return World("ep-failed", b, ids=ids)


@world("ep-pending-acceptance", expect={"ep-state"})
def ep_pending_acceptance(b: Builder) -> World:
    """A three-AZ endpoint waiting for the service owner to accept it (`pendingAcceptance`, AWS's casing):
    no traffic yet, high rather than critical."""
    ids = isolated_vpc(b, "pending")
    ids["ep.ssm"] = b.interface_endpoint(
        ids["vpc"], "ssm", subnets_in(ids, AZ1, AZ2, AZ3), [ids["sg"]], state="pendingAcceptance"
    )
    return World("ep-pending-acceptance", b, ids=ids)


@world("eni-missing", expect={"ep-eni-missing", "az-gap"})
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
    return World("eni-missing", b, ids=ids)


@world("eni-not-created", expect={"ep-eni-missing", "az-gap"})
def eni_not_created(b: Builder) -> World:
    """An endpoint names three subnets but has ENIs in two (the third subnet was added and its ENI never
    appeared): fewer ENIs than subnets, and the third AZ is a gap."""
    ids = isolated_vpc(b, "short")
    ids["ep.ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, AZ1, AZ2), [ids["sg"]])
    b.add_subnets(ids["ep.ssm"], subnets_in(ids, AZ3))
    return World("eni-not-created", b, ids=ids)


# --- gateway endpoints ------------------------------------------------------------------------------


@world("gw-main-only", expect={"gw-rt-gap"})
def gw_main_only(b: Builder) -> World:
    """S3 on the main route table only, while every workload subnet is explicitly on a custom table:
    the isolated subnets cannot reach S3 (high)."""
    ids = isolated_vpc(b, "mainonly")
    ids["main_rt"] = b.main_route_table(ids["vpc"])
    ids["ep.s3"] = b.gateway_endpoint(ids["vpc"], "s3", [ids["main_rt"]])
    return World("gw-main-only", b, ids=ids)


@world("gw-main-implicit", expect=())
def gw_main_implicit(b: Builder) -> World:
    """Healthy: workload subnets have no explicit association, so they use the main table, and S3 is on
    the main table. Proves the effective route table falls back to main."""
    vpc = b.vpc("10.0.0.0/16", "implicit")
    subnets = b.subnets(vpc, (AZ1, AZ2, AZ3))
    for subnet in subnets:
        b.workload(subnet)
    ids = {"vpc": vpc, "main_rt": b.main_route_table(vpc)}
    ids["ep.s3"] = b.gateway_endpoint(vpc, "s3", [ids["main_rt"]])
    return World("gw-main-implicit", b, ids=ids)


@world("gw-no-route-tables", expect={"gw-rt-gap"})
def gw_no_route_tables(b: Builder) -> World:
    """An S3 gateway endpoint associated with no route table at all: it serves nobody (high, isolated)."""
    ids = isolated_vpc(b, "nort")
    ids["ep.s3"] = b.gateway_endpoint(ids["vpc"], "s3", [])
    return World("gw-no-route-tables", b, ids=ids)


@world("gw-blackhole", expect={"gw-route-missing"})
def gw_blackhole(b: Builder) -> World:
    """The workload table is associated with S3 but its prefix-list route is a blackhole: broken now."""
    ids = isolated_vpc(b, "blackhole")
    ids["ep.s3"] = b.gateway_endpoint(ids["vpc"], "s3", [ids["rt"]])
    ids["pl.s3"], _ = b.prefix_list("s3")
    b.set_route_state(ids["rt"], ids["pl.s3"], "blackhole")
    return World("gw-blackhole", b, ids=ids)


@world("gw-route-missing", expect={"gw-route-missing"})
def gw_route_missing(b: Builder) -> World:
    """The endpoint names the workload table but the table has no prefix-list route to it (moto's
    AddRouteTableIds adds none, as AWS does when the route was deleted by hand)."""
    ids = isolated_vpc(b, "noroute")
    ids["ep.s3"] = b.gateway_endpoint(ids["vpc"], "s3", [])
    b.add_route_tables(ids["ep.s3"], [ids["rt"]])
    return World("gw-route-missing", b, ids=ids)


@world("gw-more-specific", expect={"gw-more-specific-route"})
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
    return World("gw-more-specific", b, ids=ids)


@world("gw-broader-route", expect=())
def gw_broader_route(b: Builder) -> World:
    """gw-more-specific's near miss: the CIDR route to the internet gateway is the supernet of one of S3's
    prefix-list ranges, not inside it. The prefix-list route is the more specific one, so S3 stays on the
    endpoint."""
    ids = isolated_vpc(b, "broader")
    ids["igw"] = b.internet_gateway(ids["vpc"])
    ids["ep.s3"] = b.gateway_endpoint(ids["vpc"], "s3", [ids["rt"]])
    ids["pl.s3"], cidrs = b.prefix_list("s3")
    ids["route.broader"] = str(ipaddress.ip_network(cidrs[0]).supernet(prefixlen_diff=1))
    b.route(ids["rt"], ids["route.broader"], ids["igw"])
    return World("gw-broader-route", b, ids=ids)


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


@world("gw-gap-isolated", expect={"gw-rt-gap"})
def gw_gap_isolated(b: Builder) -> World:
    """gap_vpc without a default route: the two uncovered subnets cannot reach S3 at all (high)."""
    return World("gw-gap-isolated", b, ids=gap_vpc(b, "gap-isolated", "isolated"))


@world("gw-gap-nat", expect={"gw-rt-gap"})
def gw_gap_nat(b: Builder) -> World:
    """gap_vpc behind a NAT gateway: the uncovered subnets reach S3 through NAT, paying for it (medium)."""
    return World("gw-gap-nat", b, ids=gap_vpc(b, "gap-nat", "nat"))


@world("gw-gap-tgw", expect={"gw-rt-gap"})
def gw_gap_tgw(b: Builder) -> World:
    """gap_vpc whose default route is a transit gateway: S3 traffic leaves through the hub (medium)."""
    return World("gw-gap-tgw", b, ids=gap_vpc(b, "gap-tgw", "tgw"))


@world("gw-gap-public", expect={"gw-rt-gap"})
def gw_gap_public(b: Builder) -> World:
    """gap_vpc in public subnets: the uncovered ones reach S3 over the internet gateway (low)."""
    return World("gw-gap-public", b, ids=gap_vpc(b, "gap-public", "public"))
