"""DNS names as the engine compares them: containment, label counts, wildcards, and what an endpoint's own
names (vpce-<id>-<rand>[-<az>].<service>.<region>.vpce.amazonaws.com) say about it.

Names are lower-case and without the trailing dot (normalize/dns.py makes them so); "" is the root.
"""

from __future__ import annotations

import re

VPCE_SUFFIXES = (".vpce.amazonaws.com", ".vpce.amazonaws.com.cn")
_ZONAL = re.compile(r"^vpce-[0-9a-z]+-[0-9a-z]+-([a-z]{2}(?:-gov)?-[a-z]+-\d[a-z])\.")
_VPCE_ID = re.compile(r"(?:^|\.)(vpce-[0-9a-z]+)(?:-|\.)")


def under(name: str, domain: str) -> bool:
    """True when `name` is `domain` or below it; "" is the root and covers everything. A query "*.x" stands
    for any name below x and is compared like one."""
    return domain == "" or name == domain or name.endswith("." + domain)


def proper_parent(domain: str, name: str) -> bool:
    return domain != name and under(name, domain)


def labels(domain: str) -> int:
    return 0 if not domain else domain.count(".") + 1


def base(name: str) -> str:
    """The domain a private name lives in: *.dkr.ecr.x -> dkr.ecr.x."""
    return name.removeprefix("*.")


def is_vpce_name(name: str) -> bool:
    return name.endswith(VPCE_SUFFIXES)


def zonal_az_name(name: str) -> str:
    """The AZ name a zonal endpoint name is pinned to (vpce-<id>-<rand>-us-east-1a.<svc>...), else ""."""
    m = _ZONAL.match(name.removeprefix("*."))
    return m.group(1) if m else ""


def vpce_id_of(name: str) -> str:
    m = _VPCE_ID.search(name)
    return m.group(1) if m else ""


def vpce_region(name: str) -> str:
    """The region in a vpce name: ...<svc>.<region>.vpce.amazonaws.com."""
    for suffix in VPCE_SUFFIXES:
        if name.endswith(suffix):
            return name.removesuffix(suffix).rsplit(".", 1)[-1]
    return ""
