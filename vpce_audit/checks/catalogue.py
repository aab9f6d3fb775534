"""The check catalogue as data: what `vpce-audit checks --output json` prints and docs/checks.md is rendered from."""

from __future__ import annotations

from typing import Any

from vpce_audit.checks import REGISTRY
from vpce_audit.checks.registry import Check


def checks() -> list[Check]:
    """Every registered check, in id order."""
    return [REGISTRY[cid] for cid in sorted(REGISTRY)]


def entry(check: Check) -> dict[str, Any]:
    """One check's catalogue entry. `severity` is the default severity a finding gets unless the check sets its
    own; `severity_rule` says when it does."""
    return {
        "id": check.id,
        "title": check.title,
        "severity": str(check.severity),
        "severity_rule": check.severity_rule,
        "summary": check.summary,
        "risk": check.risk,
        "remediation": check.remediation,
        "references": list(check.references),
        "category": str(check.category),
        "resource_types": [str(t) for t in check.resource_types],
        "inputs": [str(a) for a in check.inputs],
    }


def catalogue_document() -> list[dict[str, Any]]:
    return [entry(c) for c in checks()]
