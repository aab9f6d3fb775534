"""Every check module, imported so that each registers its checks."""

from vpce_audit.checks import az, gateway, health
from vpce_audit.checks.registry import REGISTRY, Check, check, run_checks

__all__ = ["REGISTRY", "Check", "az", "check", "gateway", "health", "run_checks"]
