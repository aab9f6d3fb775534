"""Worlds for the security-group and dependency checks: endpoint groups that do or do not admit the
workload subnets on 443, the VPC's default group, and ECR endpoints with and without an S3 path."""

from __future__ import annotations

from moto_fixtures.builder import AZ1, AZ2, AZ3, Builder
from moto_fixtures.worlds import World, isolated_vpc, subnets_in, world

ALL_AZS = (AZ1, AZ2, AZ3)


@world("sg-no-https", expect={"sg-endpoint-ingress"})
def sg_no_https(b: Builder) -> World:
    """The endpoint's own group admits SSH from the VPC but not 443: every client is refused (critical)."""
    ids = isolated_vpc(b, "no-https")
    ids["sg.ssh"] = b.security_group(ids["vpc"], "endpoint-ssh-only", https_from=())
    b.allow_ingress(ids["sg.ssh"], ports=(22, 22), cidrs=["10.0.0.0/16"])
    ids["ep.ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, *ALL_AZS), [ids["sg.ssh"]])
    return World("sg-no-https", b, ids=ids)


@world("sg-secondary-cidr", expect={"sg-endpoint-ingress"})
def sg_secondary_cidr(b: Builder) -> World:
    """Workloads in a secondary block (100.64.0.0/16, EKS-style) beside two primary-block subnets. The ssm
    endpoint's group admits only the primary block (high: one subnet refused); the sts endpoint's group
    admits both blocks and is fine."""
    vpc = b.vpc("10.0.0.0/16", "secondary")
    b.secondary_cidr(vpc, "100.64.0.0/16")
    ids = {
        "vpc": vpc,
        f"subnet.{AZ1}": b.subnet(vpc, AZ1, "10.0.0.0/24"),
        f"subnet.{AZ2}": b.subnet(vpc, AZ2, "10.0.1.0/24"),
        f"subnet.{AZ3}": b.subnet(vpc, AZ3, "100.64.0.0/24"),
    }
    subnets = subnets_in(ids, *ALL_AZS)
    for subnet in subnets:
        b.workload(subnet)
    ids["rt"] = b.route_table(vpc, subnets, name="secondary-private")
    ids["sg.primary"] = b.security_group(vpc, "primary-only", https_from=("10.0.0.0/16",))
    ids["sg.both"] = b.security_group(vpc, "both-blocks", https_from=("10.0.0.0/16", "100.64.0.0/16"))
    ids["ep.ssm"] = b.interface_endpoint(vpc, "ssm", subnets, [ids["sg.primary"]])
    ids["ep.sts"] = b.interface_endpoint(vpc, "sts", subnets, [ids["sg.both"]])
    return World("sg-secondary-cidr", b, ids=ids)


@world("sg-client-group", expect=())
def sg_client_group(b: Builder) -> World:
    """Healthy through a group reference: every workload carries the `app` group and the endpoint's group
    admits 443 from that group, not from any CIDR."""
    ids = isolated_vpc(b, "client-group", workload_az_ids=())
    ids["sg.app"] = b.security_group(ids["vpc"], "app", https_from=())
    for az in ALL_AZS:
        b.workload(ids[f"subnet.{az}"], [ids["sg.app"]])
    ids["sg.endpoint"] = b.security_group(ids["vpc"], "endpoint-from-app", https_from=())
    b.allow_ingress(ids["sg.endpoint"], groups=[ids["sg.app"]])
    ids["ep.ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, *ALL_AZS), [ids["sg.endpoint"]])
    return World("sg-client-group", b, ids=ids)


@world("sg-default", expect={"sg-endpoint-default-sg"})
def sg_default(b: Builder) -> World:
    """The endpoint holds the VPC's default group with AWS's rule (all traffic from its members). The
    workloads carry the default group too, so they get in today; the first one given its own group does
    not (high)."""
    ids = isolated_vpc(b, "default-sg")  # workload ENIs created without groups get the default group
    ids["sg.default"] = b.default_security_group(ids["vpc"])
    ids["ep.ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, *ALL_AZS), [ids["sg.default"]])
    return World("sg-default", b, ids=ids)


@world("sg-default-redundant", expect=())
def sg_default_redundant(b: Builder) -> World:
    """sg-default's near miss: the endpoint still holds the untouched default group, but also its own group
    admitting 443 from the VPC's CIDR, so no workload depends on carrying the default group."""
    ids = isolated_vpc(b, "default-redundant")
    ids["sg.default"] = b.default_security_group(ids["vpc"])
    ids["ep.ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, *ALL_AZS), [ids["sg.default"], ids["sg"]])
    return World("sg-default-redundant", b, ids=ids)


@world("sg-default-blocked", expect={"sg-endpoint-ingress"})
def sg_default_blocked(b: Builder) -> World:
    """The endpoint holds the untouched default group but every workload carries its own `app` group:
    refused now, reported once by sg-endpoint-ingress (critical) naming the default group as the cause."""
    ids = isolated_vpc(b, "default-blocked", workload_az_ids=())
    ids["sg.app"] = b.security_group(ids["vpc"], "app", https_from=())
    for az in ALL_AZS:
        b.workload(ids[f"subnet.{az}"], [ids["sg.app"]])
    ids["sg.default"] = b.default_security_group(ids["vpc"])
    ids["ep.ssm"] = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, *ALL_AZS), [ids["sg.default"]])
    return World("sg-default-blocked", b, ids=ids)


def ecr_vpc(b: Builder, name: str) -> dict[str, str]:
    """Isolated workload subnets in three AZs with ecr.api and ecr.dkr endpoints in all three, plus a
    NAT-routed workload subnet (which reaches S3 through NAT and is never named)."""
    ids = isolated_vpc(b, name)
    subnets = subnets_in(ids, *ALL_AZS)
    ids["igw"] = b.internet_gateway(ids["vpc"])
    ids["subnet.public"] = b.subnet(ids["vpc"], AZ1, "10.0.100.0/24", f"{name}-public")
    ids["rt.public"] = b.route_table(ids["vpc"], [ids["subnet.public"]], ids["igw"], name=f"{name}-public")
    ids["nat"] = b.nat_gateway(ids["subnet.public"])
    ids["subnet.nat"] = b.subnet(ids["vpc"], AZ2, "10.0.50.0/24", f"{name}-nat")
    b.workload(ids["subnet.nat"])
    ids["rt.nat"] = b.route_table(ids["vpc"], [ids["subnet.nat"]], ids["nat"], name=f"{name}-nat")
    ids["ep.ecr.api"] = b.interface_endpoint(ids["vpc"], "ecr.api", subnets, [ids["sg"]])
    ids["ep.ecr.dkr"] = b.interface_endpoint(ids["vpc"], "ecr.dkr", subnets, [ids["sg"]])
    return ids


@world("ecr-no-s3", expect={"dep-ecr-s3"})
def ecr_no_s3(b: Builder) -> World:
    """ECR endpoints and no S3 path at all: image layers cannot be pulled in the isolated subnets (high)."""
    return World("ecr-no-s3", b, ids=ecr_vpc(b, "ecr-no-s3"))


@world("ecr-with-s3", expect=())
def ecr_with_s3(b: Builder) -> World:
    """The same VPC with an S3 gateway endpoint on the isolated and NAT route tables: healthy."""
    ids = ecr_vpc(b, "ecr-with-s3")
    ids["ep.s3"] = b.gateway_endpoint(ids["vpc"], "s3", [ids["rt"], ids["rt.nat"]])
    return World("ecr-with-s3", b, ids=ids)
