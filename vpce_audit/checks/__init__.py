"""Every check module, imported so that each registers its checks."""

from vpce_audit.checks import az, dependencies, dns, gateway, health, network, phz, resolver, security_groups
from vpce_audit.checks.registry import REGISTRY, Check, check, run_checks

__all__ = [
    "REGISTRY",
    "Check",
    "az",
    "check",
    "dependencies",
    "dns",
    "gateway",
    "health",
    "network",
    "phz",
    "resolver",
    "run_checks",
    "security_groups",
]
