"""CIDR arithmetic, parsed once: route tables, security groups, prefix lists and DNS servers all ask the same
few questions of the same few blocks, so parsing would otherwise dominate the checks' cost."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=65536)
def network(text: str) -> Network | None:
    """The block `text` names (host bits ignored, as AWS does), or None when it is not a CIDR."""
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=65536)
def address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def within(inner: str, outer: str) -> bool:
    """`inner` is `outer` or a block inside it (same address family)."""
    net, out = network(inner), network(outer)
    if net is None or out is None or net.version != out.version:
        return False
    return net.subnet_of(out)  # type: ignore[arg-type]


def covered_by(inner: str, outers: Iterable[str]) -> str | None:
    """The first of `outers` that holds `inner`, or None."""
    return next((outer for outer in outers if within(inner, outer)), None)


def holds_ip(ip: str, cidrs: Iterable[str]) -> bool:
    """The address lies in one of the blocks; False for anything that is not an address."""
    addr = address(ip)
    if addr is None:
        return False
    return any((net := network(cidr)) is not None and addr in net for cidr in cidrs)


def offset_address(cidr: str, offset: int) -> str:
    """The block's base address plus `offset` (the VPC resolver sits at +2), "" when `cidr` is not a CIDR."""
    net = network(cidr)
    return str(net.network_address + offset) if net is not None else ""
