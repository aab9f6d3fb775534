"""Named moto worlds. Each builds itself with a Builder and says which check ids it must raise, so a test
can assert the exact set: a missing check and a false alarm both fail it."""

from __future__ import annotations

from collections.abc import Callable
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
    b: Builder, name: str, az_ids: tuple[str, ...] = (AZ1, AZ2, AZ3), cidr: str = "10.0.0.0/16"
) -> dict[str, str]:
    """A VPC with one private subnet and one workload per AZ, all on one custom route table with no
    default route (isolated). Returns ids: vpc, rt, subnet.<az>, sg."""
    prefix = ".".join(cidr.split(".")[:2])
    vpc = b.vpc(cidr, name)
    subnets = b.subnets(vpc, az_ids, prefix=prefix)
    ids = {"vpc": vpc, "sg": b.security_group(vpc, f"{name}-endpoints", https_from=(cidr,))}
    for az, subnet in zip(az_ids, subnets, strict=True):
        ids[f"subnet.{az}"] = subnet
        b.workload(subnet)
    ids["rt"] = b.route_table(vpc, subnets, name=f"{name}-private")
    return ids


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
    expect = frozenset({"az-single", "az-gap", "az-service-limited", "ep-state", "gw-rt-gap"})
    return World("demo", b, expect, ids)
