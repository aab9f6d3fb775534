"""VPC Block Public Access applied to the subnets' egress posture (issue 15).

The endpoint paths themselves (ENIs, gateway-endpoint routes, transit gateways) never cross an internet gateway,
so BPA only removes the fallback a route or DNS gap leaves: in block-bidirectional mode a subnet reaching the
internet through an internet gateway or a NAT path in its VPC has no way out (judged isolated); in block-ingress
mode NAT gateways still carry outbound connections, direct internet-gateway traffic does not. An exclusion
(allow-bidirectional, or allow-egress under block-bidirectional) of the subnet or its VPC lifts that.

The subnet's own BlockPublicAccessStates (DescribeSubnets, already after exclusions) wins when AWS gives it; a
mode this version does not know is taken for block-bidirectional: never for a working fallback."""

from __future__ import annotations

from vpce_audit.apis import Api
from vpce_audit.model.resources import Egress, Subnet
from vpce_audit.normalize.fields import dicts, text
from vpce_audit.snapshot import Part

OFF = "off"
BIDIRECTIONAL = "block-bidirectional"
INGRESS = "block-ingress"
LIVE_EXCLUSION = frozenset({"create-complete", "update-complete"})


def _normalised(mode: str) -> str:
    mode = mode.lower()
    return mode if mode in (OFF, BIDIRECTIONAL, INGRESS) else BIDIRECTIONAL


def region_mode(part: Part) -> str | None:
    """The region's mode, None when the options were not collected."""
    if not part.has(Api.DESCRIBE_VPC_BLOCK_PUBLIC_ACCESS_OPTIONS):
        return None
    options = next(iter(dicts(part.items(Api.DESCRIBE_VPC_BLOCK_PUBLIC_ACCESS_OPTIONS))), {})
    mode = text(options.get("InternetGatewayBlockMode"))
    return _normalised(mode) if mode else OFF


def exclusions(part: Part) -> dict[str, str] | None:
    """VPC or subnet id -> exclusion mode, for exclusions in force; None when not collected."""
    if not part.has(Api.DESCRIBE_VPC_BLOCK_PUBLIC_ACCESS_EXCLUSIONS):
        return None
    out: dict[str, str] = {}
    for e in dicts(part.items(Api.DESCRIBE_VPC_BLOCK_PUBLIC_ACCESS_EXCLUSIONS)):
        if text(e.get("State")).lower() in LIVE_EXCLUSION:
            resource = text(e.get("ResourceArn")).rsplit("/", 1)[-1]
            if resource:
                out[resource] = text(e.get("InternetGatewayExclusionMode")).lower()
    return out


def subnet_mode(subnet: Subnet, mode: str | None, excluded: dict[str, str] | None) -> str | None:
    """The mode in force for the subnet; None when it cannot be told."""
    if subnet.bpa_mode:
        return _normalised(subnet.bpa_mode)
    if mode is None or mode == OFF:
        return mode
    if excluded is None:
        return None  # BPA is on and the exclusions are unknown: any subnet may be excluded
    how = excluded.get(subnet.id) or excluded.get(subnet.vpc_id)
    if how == "allow-bidirectional":
        return OFF
    if how == "allow-egress" and mode == BIDIRECTIONAL:
        return INGRESS
    return mode


def apply(posture: Egress, mode: str | None) -> Egress:
    if mode == BIDIRECTIONAL and posture in (Egress.PUBLIC, Egress.NAT):
        return Egress.ISOLATED
    if mode == INGRESS and posture is Egress.PUBLIC:
        return Egress.ISOLATED
    return posture
