"""Every check module, imported so that each registers its checks."""

from vpce_audit.checks import (
    az,
    az_loss,
    dependencies,
    dns,
    firewall,
    gateway,
    health,
    ipv6,
    network,
    phz,
    provider,
    resolver,
    resolver_endpoints,
    security_groups,
    shapes,
    zones_left,
)
from vpce_audit.checks.registry import REGISTRY, Check, check, run_checks

__all__ = [
    "REGISTRY",
    "Check",
    "az",
    "az_loss",
    "check",
    "dependencies",
    "dns",
    "firewall",
    "gateway",
    "health",
    "ipv6",
    "network",
    "phz",
    "provider",
    "resolver",
    "resolver_endpoints",
    "run_checks",
    "security_groups",
    "shapes",
    "zones_left",
]
