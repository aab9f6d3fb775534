"""Route 53 Resolver rules that take service names away from the endpoints, and rules that do not work."""

from __future__ import annotations

from collections.abc import Iterator

from vpce_audit.checks.registry import check
from vpce_audit.dns.candidates import interface_endpoints_in
from vpce_audit.dns.kinds import Outcome
from vpce_audit.dns.links import zone_links
from vpce_audit.dns.names import base, proper_parent
from vpce_audit.dns.resolve import resolve
from vpce_audit.model.dns import ResolverRule
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import EndpointType, Vpc

FORWARDING = frozenset({"FORWARD", "DELEGATE"})


def names_in_use(inv: Inventory, vpc_id: str) -> dict[str, str]:
    """Private DNS names the VPC's clients should reach an endpoint by -> the service: services of the VPC's
    own interface endpoints and of endpoints whose private zones reach it."""
    linked = {ep_id for ep_id, by_vpc in zone_links(inv).items() if vpc_id in by_vpc}
    out: dict[str, str] = {}
    endpoints = [*interface_endpoints_in(inv, vpc_id), *(inv.endpoints[e] for e in sorted(linked))]
    for ep in endpoints:
        service = inv.service_of(ep)
        for name in service.private_dns_names if service else ():
            out.setdefault(name, ep.service_name)
    return dict(sorted(out.items()))


def _active_rules(inv: Inventory, vpc: Vpc) -> Iterator[ResolverRule]:
    for assoc in inv.rule_associations_of(vpc.id):
        rule = inv.dns.rules.get(assoc.rule_id)
        if rule and rule.rule_type in FORWARDING and rule.status == "COMPLETE" and assoc.status == "COMPLETE":
            yield rule


def _captures(rule: ResolverRule, name: str) -> bool:
    """The rule takes the name, or (for a wildcard name) some of the names below it, whatever zone exists:
    a same-name rule beats a private zone and a more specific one always wins."""
    domain = base(name)
    return rule.domain == domain or (name.startswith("*.") and proper_parent(domain, rule.domain))


@check(
    "rslv-forward-shadows",
    severity=Severity.HIGH,
    title="Resolver forwarding rule takes a service name away from its endpoint",
    severities="high when the rule matches the service name (or below it) or beats a zone for it; medium when a "
    "parent-domain rule captures a service that has no zone in the VPC",
    remediation="Remove the service name from the rule's scope, or add a SYSTEM rule for the service name so "
    "Resolver answers it locally.",
)
def rslv_forward_shadows(inv: Inventory) -> Iterator[Finding]:
    """Resolver takes the most specific match, and a forwarding rule for the same name beats a private zone:
    queries go to the rule's targets (usually on-premises), which answer public IPs or nothing. A parent rule
    (amazonaws.com, .) loses to a more specific zone, but captures every service name that has none."""
    for vpc_id in sorted(inv.vpcs):
        vpc = inv.vpcs[vpc_id]
        if not inv.resolver_known(vpc.account_id, vpc.region):
            continue
        names = names_in_use(inv, vpc_id)
        # S3/DynamoDB with a gateway endpoint: their public answers take the gateway path wherever they come from.
        gateways = inv.endpoints_in(vpc_id, EndpointType.GATEWAY)
        gateway_served = {gw.service_name for gw in gateways if gw.available}
        for rule in _active_rules(inv, vpc):
            exact = [n for n in names if _captures(rule, n)]
            beaten: list[str] = []
            parent: list[str] = []
            for n in names:
                if n in exact or not proper_parent(rule.domain, base(n)):
                    continue
                answer = resolve(inv, vpc_id, n)
                if answer.outcome is not Outcome.FORWARDED or answer.rule is None or answer.rule.id != rule.id:
                    continue
                if answer.overridden:
                    beaten.append(n)
                elif names[n] not in gateway_served:
                    parent.append(n)
            if not (exact or beaten or parent):
                continue
            high = bool(exact or beaten)
            shown = exact + beaten if high else parent
            detail = (
                "it matches them as specifically as, or more than, any zone"
                if high
                else "the VPC has no private zone or private DNS for them"
            )
            yield Finding(
                account_id=vpc.account_id,
                region=vpc.region,
                vpc_id=vpc_id,
                resource_id=rule.id,
                message=f"Resolver rule {rule.id} ({rule.domain or '.'}) forwards {', '.join(shown)} from {vpc_id} to "
                f"{', '.join(rule.target_ips) or 'its targets'}: {detail}, so clients do not reach the endpoint",
                severity=Severity.HIGH if high else Severity.MEDIUM,
                related_ids=tuple(sorted({names[n] for n in shown})),
                evidence={
                    "rule_id": rule.id,
                    "rule_domain": rule.domain or ".",
                    "target_ips": list(rule.target_ips),
                    "names": shown,
                    "also_captured": parent if high else [],
                },
            )


@check(
    "rslv-rule-failed",
    severity=Severity.MEDIUM,
    title="Resolver rule or rule association is not COMPLETE",
    remediation="Fix or recreate the rule or its association (see its status message in the Resolver console).",
)
def rslv_rule_failed(inv: Inventory) -> Iterator[Finding]:
    """A rule or association that is not COMPLETE (FAILED, OVERRIDDEN, still changing) does not do what its
    configuration says: names it should forward, or keep local, may resolve some other way."""
    for assoc_id in sorted(inv.dns.associations):
        assoc = inv.dns.associations[assoc_id]
        vpc = inv.vpcs.get(assoc.vpc_id)
        if vpc is None:
            continue  # a VPC outside the scan
        rule = inv.dns.rules.get(assoc.rule_id)
        if assoc.status != "COMPLETE":
            # The message names only what the association itself says: it must not change when the rule
            # list could not be read.
            yield Finding(
                account_id=vpc.account_id,
                region=vpc.region,
                vpc_id=vpc.id,
                resource_id=assoc.id,
                message=f"association {assoc.id} of Resolver rule {assoc.rule_id} with {vpc.id} is {assoc.status}",
                related_ids=(assoc.rule_id,),
                evidence={"association_id": assoc.id, "rule_id": assoc.rule_id, "status": assoc.status}
                | ({"rule_domain": rule.domain or "."} if rule else {}),
            )
        if rule is not None and rule.status != "COMPLETE":
            yield Finding(
                account_id=vpc.account_id,
                region=vpc.region,
                vpc_id=vpc.id,
                resource_id=rule.id,
                message=f"Resolver rule {rule.id} ({rule.domain or '.'}), associated with {vpc.id}, is {rule.status}",
                related_ids=(assoc.id,),
                evidence={"rule_id": rule.id, "status": rule.status, "association_id": assoc.id},
            )
