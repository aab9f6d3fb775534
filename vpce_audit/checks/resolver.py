"""Route 53 Resolver rules that take service names away from the endpoints, and rules that do not work."""

from __future__ import annotations

from collections.abc import Iterator

from vpce_audit.apis import Api
from vpce_audit.checks.inputs import DNS_PATH, RESOLVER_RULES
from vpce_audit.checks.registry import Category, ResourceType, check
from vpce_audit.dns.candidates import interface_endpoints_in
from vpce_audit.dns.kinds import Outcome
from vpce_audit.dns.links import zone_links
from vpce_audit.dns.names import base, proper_parent
from vpce_audit.dns.profiles import rule_profiles, via_text
from vpce_audit.dns.resolve import Answer, resolve
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
    seen: set[str] = set()  # a rule may reach the VPC directly and through a Route 53 Profile (issue 14)
    for assoc in inv.rule_associations_of(vpc.id):
        rule = inv.dns.rules.get(assoc.rule_id)
        active = rule and rule.rule_type in FORWARDING and rule.status == "COMPLETE" and assoc.status == "COMPLETE"
        if rule and active and rule.id not in seen:
            seen.add(rule.id)
            yield rule


def _contested(answer: Answer) -> bool:
    """Rules for one domain from the VPC and a Route 53 Profile: which wins is not documented (issue 14)."""
    return answer.outcome is Outcome.UNKNOWN and bool(answer.profiles) and answer.rule is None


def _captures(rule: ResolverRule, name: str) -> bool:
    """The rule takes the name, or (for a wildcard name) some of the names below it, whatever zone exists:
    a same-name rule beats a private zone and a more specific one always wins."""
    domain = base(name)
    return rule.domain == domain or (name.startswith("*.") and proper_parent(domain, rule.domain))


@check(
    "rslv-forward-shadows",
    title="Resolver forwarding rule takes a service name away from its endpoint",
    summary="Fires for each active Resolver forwarding (or delegation) rule associated with a VPC that takes a "
    "private DNS name the VPC's clients should reach an endpoint by (a service of the VPC's own interface endpoints, "
    "or of an endpoint a private zone links the VPC to): the rule's domain is the name or above a wildcard name, or a "
    "parent-domain rule (amazonaws.com, .) is what Resolver uses for the name. S3 and DynamoDB names are left out "
    "where a gateway endpoint serves them in the VPC.",
    risk="Resolver takes the most specific match, and a forwarding rule for the same name beats a private zone: "
    "queries go to the rule's targets (usually on-premises DNS), which answer with public addresses or not at all, "
    "so clients do not reach the endpoint.",
    severity=Severity.HIGH,
    severity_rule="High when the rule matches the service name as specifically as any zone, or more (it takes the "
    "name from the endpoint's zone or private DNS); medium when a parent-domain rule captures a service that has no "
    "private zone or private DNS in the VPC.",
    remediation="Remove the service name from the rule's scope, or add a SYSTEM rule for the service name so Resolver "
    "answers it locally.",
    references=(
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-overview-DSN-queries-to-vpc.html",
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-rules-managing.html",
    ),
    category=Category.DNS,
    resource_types=(ResourceType.RESOLVER_RULE,),
    inputs=DNS_PATH,
)
def rslv_forward_shadows(inv: Inventory) -> Iterator[Finding]:
    for vpc_id in sorted(inv.vpcs):
        vpc = inv.vpcs[vpc_id]
        if not inv.resolver_known(vpc.account_id, vpc.region):
            continue
        names = names_in_use(inv, vpc_id)
        # S3/DynamoDB with a gateway endpoint: their public answers take the gateway path wherever they come from.
        gateways = inv.endpoints_in(vpc_id, EndpointType.GATEWAY)
        gateway_served = {gw.service_name for gw in gateways if gw.available}
        for rule in _active_rules(inv, vpc):
            exact = [n for n in names if _captures(rule, n) and not _contested(resolve(inv, vpc_id, n))]
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
            profiles = rule_profiles(inv, vpc_id, rule.id)
            yield Finding(
                account_id=vpc.account_id,
                region=vpc.region,
                vpc_id=vpc_id,
                resource_id=rule.id,
                message=f"Resolver rule {rule.id} ({rule.domain or '.'}){via_text(profiles)} forwards "
                f"{', '.join(shown)} from {vpc_id} to {', '.join(rule.target_ips) or 'its targets'}: {detail}, so "
                "clients do not reach the endpoint",
                severity=Severity.HIGH if high else Severity.MEDIUM,
                key=vpc_id,  # one rule may be associated with several VPCs
                related_ids=tuple(sorted({names[n] for n in shown})) + profiles,
                evidence={
                    "rule_id": rule.id,
                    "rule_domain": rule.domain or ".",
                    "target_ips": list(rule.target_ips),
                    "names": shown,
                    "also_captured": parent if high else [],
                }
                | ({"route53_profile_ids": list(profiles)} if profiles else {}),
            )


@check(
    "rslv-rule-failed",
    title="Resolver rule or rule association is not COMPLETE",
    summary="Fires for a Resolver rule association with a scanned VPC whose status is not COMPLETE, and for a rule "
    "associated with a scanned VPC whose own status is not COMPLETE (FAILED, OVERRIDDEN, or still changing).",
    risk="A rule or association that is not COMPLETE does not do what its configuration says: names it should "
    "forward, or keep local, may resolve some other way for the VPC's clients.",
    severity=Severity.MEDIUM,
    severity_rule="Always medium: resolution of the rule's domain may be wrong; its status message says why.",
    remediation="Fix or recreate the rule or its association (see its status message in the Resolver console).",
    references=(
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-rules-managing.html",
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-overview-DSN-queries-to-vpc.html",
    ),
    category=Category.DNS,
    resource_types=(ResourceType.RESOLVER_RULE_ASSOCIATION, ResourceType.RESOLVER_RULE),
    inputs=(Api.DESCRIBE_VPCS, *RESOLVER_RULES),
)
def rslv_rule_failed(inv: Inventory) -> Iterator[Finding]:
    for assoc_id in sorted(inv.dns.associations):
        assoc = inv.dns.associations[assoc_id]
        vpc = inv.vpcs.get(assoc.vpc_id)
        if vpc is None:
            continue  # a VPC outside the scan
        rule = inv.dns.rules.get(assoc.rule_id)
        given = (assoc.profile_id,) if assoc.profile_id else ()
        if assoc.status != "COMPLETE":
            # The message names only what the association itself says: it must not change when the rule
            # list could not be read.
            yield Finding(
                account_id=vpc.account_id,
                region=vpc.region,
                vpc_id=vpc.id,
                resource_id=assoc.id,
                message=f"association {assoc.id} of Resolver rule {assoc.rule_id} with {vpc.id}"
                f"{via_text(given)} is {assoc.status}",
                related_ids=(assoc.rule_id, *given),
                evidence={"association_id": assoc.id, "rule_id": assoc.rule_id, "status": assoc.status}
                | ({"rule_domain": rule.domain or "."} if rule else {})
                | ({"route53_profile_id": assoc.profile_id} if assoc.profile_id else {}),
            )
        if rule is not None and rule.status != "COMPLETE":
            yield Finding(
                account_id=vpc.account_id,
                region=vpc.region,
                vpc_id=vpc.id,
                resource_id=rule.id,
                message=f"Resolver rule {rule.id} ({rule.domain or '.'}), associated with {vpc.id}, is {rule.status}",
                key=vpc.id,  # one finding per VPC the rule is associated with
                related_ids=(assoc.id,),
                evidence={"rule_id": rule.id, "status": rule.status, "association_id": assoc.id},
            )
