"""Whether Route 53 Resolver DNS Firewall lets a VPC's clients resolve a name, following AWS's rules:

- rule groups associated with the VPC are evaluated from the lowest association priority up, and each group's
  rules from the lowest rule priority up; the first rule whose domain list matches decides (ALLOW and ALERT let
  the query through, BLOCK stops it) (resolver-dns-firewall-overview.html, resolver-dns-firewall-rule-actions.html);
- with INSPECT_REDIRECTION_DOMAIN (the default) every name of a CNAME chain is inspected; an ALLOW rule with
  TRUST_REDIRECTION_DOMAIN lets the rest of the chain through;
- DNS Firewall filters on the query name only; a rule restricted to another query type than A does not apply
  to the A queries SDK clients make.

What the documentation leaves open gives `unknown`, never a guess: whether `*.example.com` matches
`example.com` itself, and whether the firewall of a VPC applies to queries arriving through its inbound Resolver
endpoint. AWS-managed domain lists (threat lists) cannot be listed: they are taken not to hold AWS service names
and are named in the evidence. Rules that match by threat detection instead of a domain list are passed over
for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.dns.names import under
from vpce_audit.model.firewall import FirewallAssociation, FirewallRule
from vpce_audit.model.inventory import Inventory

FIREWALL_APIS = (Api.LIST_FIREWALL_RULE_GROUP_ASSOCIATIONS,)
PASSING = frozenset({"ALLOW", "ALERT"})
TRUST = "TRUST_REDIRECTION_DOMAIN"


@dataclass(frozen=True, slots=True)
class Decision:
    """The firewall's verdict on a chain of names, or why it cannot be told."""

    blocked: bool = False
    unknown: str = ""
    name: str = ""  # the name the deciding rule matched
    domain: str = ""  # the domain list entry that matched it
    rule: FirewallRule | None = None
    association: FirewallAssociation | None = None
    passed_over: tuple[str, ...] = ()  # managed lists and threat-detection rules taken not to match

    def evidence(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"blocked": self.blocked}
        if self.unknown:
            doc["unknown"] = self.unknown
        if self.rule is not None and self.association is not None:
            doc |= {
                "name": self.name,
                "rule_group_id": self.rule.group_id,
                "association_id": self.association.id,
                "association_priority": self.association.priority,
                **({"route53_profile_id": self.association.profile_id} if self.association.profile_id else {}),
                "rule_name": self.rule.name,
                "rule_priority": self.rule.priority,
                "action": self.rule.action,
                "domain_list_id": self.rule.domain_list_id,
                "domain": self.domain,
            }
        if self.passed_over:
            doc["passed_over"] = list(self.passed_over)
        return doc

    def describe(self) -> str:
        assert self.rule is not None and self.association is not None
        via = f", from Route 53 Profile {self.association.profile_id}" if self.association.profile_id else ""
        return (
            f"DNS Firewall rule group {self.rule.group_id} (association priority {self.association.priority}{via}), "
            "rule "
            f"{self.rule.name or self.rule.priority} (priority {self.rule.priority}, {self.rule.action} on "
            f"{self.domain} in domain list {self.rule.domain_list_id}) blocks {self.name}"
        )


ALLOWED = Decision()


def associations_of(inv: Inventory, vpc_id: str) -> tuple[FirewallAssociation, ...]:
    """Rule group associations of a VPC in evaluation order."""
    found = (a for a in inv.dns.firewall.associations.values() if a.vpc_id == vpc_id)
    return tuple(sorted(found, key=lambda a: (a.priority, a.id)))


def firewall_problem(inv: Inventory, vpc_id: str) -> str:
    """Why the firewall of an audited VPC cannot be known, "" when its associations were collected."""
    vpc = inv.vpcs[vpc_id]
    if inv.has(vpc.account_id, vpc.region, *FIREWALL_APIS):
        return ""
    return (
        f"DNS Firewall rule group associations of account {vpc.account_id} in {vpc.region} not collected "
        "(route53resolver:ListFirewallRuleGroupAssociations)"
    )


def match(pattern: str, name: str) -> str:
    """ "yes", "no" or "maybe" (undocumented): does a domain list entry match a query name ("*.x": any name
    below x; such a name matches an exact entry only for one name below x, which is not counted)."""
    if pattern == "*":
        return "yes"
    if pattern.startswith("*."):
        parent = pattern[2:]
        if name.startswith("*."):
            return "yes" if under(name[2:], parent) else "no"
        if name.endswith("." + parent):
            return "yes"
        return "maybe" if name == parent else "no"
    return "yes" if pattern == name else "no"


def decide(inv: Inventory, vpc_id: str, names: tuple[str, ...]) -> Decision:
    """The firewall's verdict for clients of an audited VPC whose query for names[0] leads through names[1:].

    Rule groups a Route 53 Profile delivers (issue 14) are ordered by their priority inside the Profile; how they
    interleave with the VPC's own associations is not documented. When the VPC has both, the verdict is decided
    with the Profile's groups first and last: if the two differ, it is unknown."""
    assocs = associations_of(inv, vpc_id)
    own = tuple(a for a in assocs if not a.profile_id)
    delivered = tuple(a for a in assocs if a.profile_id)
    if not own or not delivered:
        return _decide(inv, assocs, names)
    first, last = _decide(inv, delivered + own, names), _decide(inv, own + delivered, names)
    if (first.blocked, bool(first.unknown)) == (last.blocked, bool(last.unknown)):
        return first if first.blocked or first.unknown else last
    profiles = ", ".join(sorted({a.profile_id for a in delivered}))
    return Decision(
        unknown=f"DNS Firewall rule groups of {vpc_id} and of Route 53 Profile {profiles} disagree on "
        f"{names[0]}: the order AWS evaluates a VPC's own and a Profile's rule groups in is not documented"
    )


def _decide(inv: Inventory, assocs: tuple[FirewallAssociation, ...], names: tuple[str, ...]) -> Decision:
    passed: list[str] = []
    trusted = False
    for index, name in enumerate(names):
        if index and trusted:
            break
        decision = _first_match(inv, assocs, name, index, passed)
        if decision.unknown or decision.blocked:
            return decision
        trusted = index == 0 and decision.rule is not None and decision.rule.redirection == TRUST
    return Decision(passed_over=tuple(dict.fromkeys(passed)))


def _first_match(
    inv: Inventory, assocs: tuple[FirewallAssociation, ...], name: str, index: int, passed: list[str]
) -> Decision:
    fw = inv.dns.firewall
    doubt = ""
    for assoc in assocs:
        rules = fw.rules.get(assoc.group_id)
        if rules is None:
            return Decision(
                unknown=f"rules of DNS Firewall rule group {assoc.group_id} not collected "
                "(route53resolver:ListFirewallRules)"
            )
        for rule in rules:
            if rule.qtype not in ("", "A") or (index and rule.redirection == TRUST and rule.action in PASSING):
                continue
            if not rule.domain_list_id:
                passed.append(f"rule {rule.name or rule.priority} of {assoc.group_id} (threat detection)")
                continue
            listed = fw.domain_lists.get(rule.domain_list_id)
            if listed is not None and listed.managed_owner:
                passed.append(f"managed domain list {listed.name or listed.id} ({assoc.group_id})")
                continue
            if listed is None or listed.domains is None:
                return Decision(
                    unknown=f"domains of DNS Firewall domain list {rule.domain_list_id} (rule group {assoc.group_id}) "
                    "not collected (route53resolver:ListFirewallDomains)"
                )
            found = [(m, d) for d in listed.domains if (m := match(d, name)) != "no"]
            if not found:
                continue
            certain = next((d for m, d in found if m == "yes"), "")
            if not certain:
                if rule.action == "BLOCK":
                    return Decision(
                        unknown=f"rule {rule.name or rule.priority} of DNS Firewall rule group {assoc.group_id} "
                        f"blocks {found[0][1]}: whether that matches {name} itself is not documented"
                    )
                doubt = doubt or f"{found[0][1]} ({assoc.group_id}) may or may not allow {name}"
                continue
            if rule.action == "BLOCK":
                if doubt:
                    return Decision(unknown=f"{doubt}, and a later rule blocks it")
                return Decision(True, "", name, certain, rule, assoc)
            return Decision(False, "", name, certain, rule, assoc)
    return ALLOWED
