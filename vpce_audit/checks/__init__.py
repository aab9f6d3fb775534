"""Every check module, imported so that each registers its checks."""

from vpce_audit.checks import (
    az,
    dependencies,
    dns,
    firewall,  # DNS sources (issue 14)
    gateway,
    health,
    network,  # packet path (issue 13)
    phz,
    resolver,
    resolver_endpoints,  # DNS sources (issue 14)
    security_groups,
    zones_left,  # DNS sources (issue 14)
)
from vpce_audit.checks.registry import REGISTRY, Check, check, run_checks

__all__ = [
    "REGISTRY",
    "Check",
    "az",
    "check",
    "dependencies",
    "dns",
    "firewall",
    "gateway",
    "health",
    "network",
    "phz",
    "resolver",
    "resolver_endpoints",
    "run_checks",
    "security_groups",
    "zones_left",
]
