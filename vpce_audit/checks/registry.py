"""The check registry: the one piece of global state. A check is a pure function Inventory -> Findings, and its
`@check(...)` registration is its catalogue entry: every piece of text about it (title, summary, risk, severity
rule, remediation, references) is written there once, and the README table, docs/checks.md and
`vpce-audit checks` are generated from it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Endpoint

CheckFunc = Callable[[Inventory], Iterator[Finding]]

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)+$")
DOCS_PREFIX = "https://docs.aws.amazon.com/"


class Category(StrEnum):
    """What a check is about; the docs group and filter by it."""

    HEALTH = "health"  # the endpoint's own state and shape
    AVAILABILITY = "availability"  # AZ coverage
    ROUTING = "routing"  # route tables and gateway endpoints
    DNS = "dns"  # VPC DNS settings, private hosted zones, Resolver
    SECURITY_GROUP = "security-group"
    DEPENDENCY = "dependency"  # endpoints that need another one


class ResourceType(StrEnum):
    """The type of a finding's resource, named as AWS Security Hub names resource types (AwsEc2Vpc) and, for
    the ones it has no type for, in the same style."""

    VPC_ENDPOINT = "AwsEc2VpcEndpoint"
    VPC = "AwsEc2Vpc"
    HOSTED_ZONE = "AwsRoute53HostedZone"
    RESOLVER_RULE = "AwsRoute53ResolverRule"
    RESOLVER_RULE_ASSOCIATION = "AwsRoute53ResolverRuleAssociation"
    # DNS sources (issue 14): Resolver endpoints, DNS Firewall, Route 53 Profiles
    RESOLVER_ENDPOINT = "AwsRoute53ResolverEndpoint"
    FIREWALL_RULE_GROUP = "AwsRoute53ResolverFirewallRuleGroup"
    VPC_ENDPOINT_SERVICE = "AwsEc2VpcEndpointService"  # provider side (issue 15)


@dataclass(frozen=True, slots=True)
class Check:
    """A check and its catalogue entry."""

    id: str
    title: str  # one line
    summary: str  # one paragraph: what the check looks at and when it fires
    risk: str  # what fails, and for whom
    severity: Severity  # the default; a finding may carry its own, as severity_rule says
    severity_rule: str  # how a finding's severity is decided
    remediation: str  # the default fix; a finding may carry a more specific one
    references: tuple[str, ...]  # AWS documentation that explains the failure or the fix
    category: Category
    resource_types: tuple[ResourceType, ...]  # what a finding's resource_id can be
    inputs: tuple[Api, ...]  # every collected API whose data it reads, itself or through the verdicts it uses
    func: CheckFunc

    def run(self, inv: Inventory) -> list[Finding]:
        return [
            replace(
                f,
                check_id=self.id,
                title=self.title,
                severity=f.severity or self.severity,
                remediation=f.remediation or self.remediation,
                references=self.references,
            )
            for f in self.func(inv)
        ]


REGISTRY: dict[str, Check] = {}


def check(
    check_id: str,
    *,
    title: str,
    summary: str,
    risk: str,
    severity: Severity,
    severity_rule: str,
    remediation: str,
    references: Iterable[str],
    category: Category,
    resource_types: Iterable[ResourceType],
    inputs: Iterable[Api],
) -> Callable[[CheckFunc], CheckFunc]:
    """Register a check with its catalogue entry. Text may be wrapped freely: whitespace runs become one space."""

    def register(func: CheckFunc) -> CheckFunc:
        if check_id in REGISTRY:
            raise ValueError(f"duplicate check id {check_id}")
        entry = Check(
            id=check_id,
            title=_prose(title),
            summary=_prose(summary),
            risk=_prose(risk),
            severity=severity,
            severity_rule=_prose(severity_rule),
            remediation=_prose(remediation),
            references=tuple(references),
            category=category,
            resource_types=tuple(resource_types),
            inputs=tuple(sorted(set(inputs))),  # groups overlap: each API once, in a stable order
            func=func,
        )
        _validate(entry)
        REGISTRY[check_id] = entry
        return func

    return register


def _prose(text: str) -> str:
    return " ".join(text.split())


def _validate(entry: Check) -> None:
    """Refuse an entry the docs could not render truthfully, at import time rather than in a reader's browser."""
    problems = []
    if not ID_PATTERN.match(entry.id):
        problems.append("id is not lowercase kebab-case with a prefix")
    for name in ("title", "summary", "risk", "severity_rule", "remediation"):
        if not getattr(entry, name):
            problems.append(f"{name} is empty")
    if not entry.references or not all(r.startswith(DOCS_PREFIX) for r in entry.references):
        problems.append(f"references must be AWS documentation URLs ({DOCS_PREFIX}...)")
    if not entry.resource_types or not entry.inputs:
        problems.append("resource_types and inputs must not be empty")
    if not all(isinstance(a, Api) for a in entry.inputs):
        problems.append("inputs must be vpce_audit.apis.Api members")
    if problems:
        raise ValueError(f"check {entry.id}: " + "; ".join(problems))


def run_checks(inv: Inventory, check_ids: Iterable[str] | None = None) -> list[Finding]:
    ids = sorted(REGISTRY) if check_ids is None else sorted(set(check_ids))
    findings = [f for cid in ids for f in REGISTRY[cid].run(inv)]
    return sorted(findings, key=Finding.sort_key)


def about(ep: Endpoint, message: str, **fields: Any) -> Finding:
    """A finding whose resource is this endpoint."""
    return Finding(
        account_id=ep.account_id, region=ep.region, vpc_id=ep.vpc_id, resource_id=ep.id, message=message, **fields
    )
