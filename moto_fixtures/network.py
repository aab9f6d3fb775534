"""Packet-path building blocks for moto worlds (issue 13): peering with routes both ways, transit gateway
attachments and routes, network ACL entries. moto 5.2.5 creates no propagated transit gateway routes and
loses the attachment of a static one (moto-5.2.5-network.md §5.2), so routes are written into its backend
here, the way AWS would show them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from moto.ec2.models import ec2_backends

from moto_fixtures.builder import Builder


def peer(b: Builder, vpc_a: str, cidr_a: str, rt_a: str, vpc_b: str, cidr_b: str, rt_b: str) -> str:
    """An active peering connection between two VPCs of one account, routed both ways."""
    pcx = str(
        b.ec2.create_vpc_peering_connection(VpcId=vpc_a, PeerVpcId=vpc_b)["VpcPeeringConnection"][
            "VpcPeeringConnectionId"
        ]
    )
    b.ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    b.route(rt_a, cidr_b, pcx)
    b.route(rt_b, cidr_a, pcx)
    return pcx


def peer_across(
    b: Builder, vpc_a: str, cidr_a: str, rt_a: str, other: Builder, vpc_b: str, cidr_b: str, rt_b: str
) -> str:
    """The same, with the second VPC in another account (`other`), which accepts."""
    pcx = str(
        b.ec2.create_vpc_peering_connection(VpcId=vpc_a, PeerVpcId=vpc_b, PeerOwnerId=other.account_id)[
            "VpcPeeringConnection"
        ]["VpcPeeringConnectionId"]
    )
    other.ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    b.route(rt_a, cidr_b, pcx)
    other.route(rt_b, cidr_a, pcx)
    return pcx


def _backend(b: Builder) -> Any:
    return ec2_backends[b.account_id][b.region]


def attach(b: Builder, tgw_id: str, vpc_id: str, subnet_ids: Iterable[str], *, appliance: bool = False) -> str:
    options = {"ApplianceModeSupport": "enable"} if appliance else {}
    att = b.ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw_id, VpcId=vpc_id, SubnetIds=list(subnet_ids), Options=options
    )
    return str(att["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"])


def default_tgw_route_table(b: Builder, tgw_id: str) -> str:
    return str(
        b.ec2.describe_transit_gateways(TransitGatewayIds=[tgw_id])["TransitGateways"][0]["Options"][
            "AssociationDefaultRouteTableId"
        ]
    )


def tgw_route(
    b: Builder, tgw_rt: str, cidr: str, attachment_id: str | None, *, vpc_id: str = "", kind: str = "propagated"
) -> None:
    """A route in a transit gateway route table: to `attachment_id` (propagated or static), or a blackhole
    when it is None. Written into moto's backend, which neither propagates nor keeps static attachments."""
    rt = _backend(b).transit_gateways_route_tables[tgw_rt]
    attachments = (
        [{"resourceId": vpc_id, "resourceType": "vpc", "transitGatewayAttachmentId": attachment_id}]
        if attachment_id
        else []
    )
    rt.routes[cidr] = {
        "destinationCidrBlock": cidr,
        "state": "active" if attachment_id else "blackhole",
        "type": kind if attachment_id else "static",
        "transitGatewayAttachments": attachments,
    }


def nacl(
    b: Builder, vpc_id: str, subnet_ids: Iterable[str], entries: Iterable[tuple[int, bool, str, str, str, int, int]]
) -> str:
    """A custom network ACL for these subnets with entries (rule, egress, action, protocol, cidr, from, to);
    a custom NACL denies whatever no entry allows."""
    acl = str(b.ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"])
    for rule, egress, action, protocol, cidr, low, high in entries:
        extra: dict[str, Any] = {"Ipv6CidrBlock": cidr} if ":" in cidr else {"CidrBlock": cidr}
        if protocol not in ("-1",):
            extra["PortRange"] = {"From": low, "To": high}
        b.ec2.create_network_acl_entry(
            NetworkAclId=acl, RuleNumber=rule, Protocol=protocol, RuleAction=action, Egress=egress, **extra
        )
    subnets = set(subnet_ids)
    for current in b.ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NetworkAcls"]:
        for assoc in current["Associations"]:
            if assoc["SubnetId"] in subnets:
                b.ec2.replace_network_acl_association(AssociationId=assoc["NetworkAclAssociationId"], NetworkAclId=acl)
    return acl


# Entries of a NACL that lets everything through both ways (what the default NACL holds), for worlds that
# then add a deny in front.
OPEN = [(100, False, "allow", "-1", "0.0.0.0/0", 0, 0), (100, True, "allow", "-1", "0.0.0.0/0", 0, 0)]


def tgw_connect(
    b: Builder,
    vpcs: list[tuple[str, str, str, list[str]]],
    *,
    tgw_id: str | None = None,
    routes: bool = True,
) -> dict[str, str]:
    """Attach every (vpc, cidr, route table, attachment subnets) to one transit gateway, associated with its
    default route table and propagated into it, and route every other VPC's CIDR to the transit gateway in
    each route table. Returns ids: tgw, tgw-rtb, att.<vpc>."""
    tgw = tgw_id or b.transit_gateway()
    table = default_tgw_route_table(b, tgw)
    ids = {"tgw": tgw, "tgw-rtb": table}
    for vpc, cidr, _, subnets in vpcs:
        ids[f"att.{vpc}"] = attach(b, tgw, vpc, subnets)
        tgw_route(b, table, cidr, ids[f"att.{vpc}"], vpc_id=vpc)
    if routes:
        for vpc, _, rt, _ in vpcs:
            for other, cidr, _, _ in vpcs:
                if other != vpc:
                    b.route(rt, cidr, tgw)
    return ids
