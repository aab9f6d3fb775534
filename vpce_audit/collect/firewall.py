"""Route 53 Resolver DNS Firewall, once per account and region: every rule group association (listed whole,
filtered by VPC later), then the rules of each associated rule group, the domain lists (to tell AWS-managed
ones, whose domains cannot be listed, from the customer's) and the domains of each customer list the rules name.

Calls: one ListFirewallRuleGroupAssociations, then one ListFirewallRules per rule group, one
ListFirewallDomainLists, and one ListFirewallDomains per customer domain list, never per VPC or per rule. Each
per-group and per-list call is recorded on its own: one denial (a rule group shared by another account) leaves
the others known.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.collect.base import Recorder, paginate

# ListFirewallDomains takes up to 5,000 per page (the default is 100): a large block list is a few calls.
DOMAINS_PAGE = 5000


def collect_firewall(rec: Recorder, resolver: Any, delivered: list[str] | None = None) -> None:
    """`delivered`: rule groups Route 53 Profiles deliver (collect/profiles.py); their rules are listed too."""
    associations = rec.record(
        Api.LIST_FIREWALL_RULE_GROUP_ASSOCIATIONS,
        lambda: paginate(resolver, "list_firewall_rule_group_associations", "FirewallRuleGroupAssociations"),
    )
    groups = sorted(
        {str(a["FirewallRuleGroupId"]) for a in associations or () if a.get("FirewallRuleGroupId")}
        | set(delivered or ())
    )
    if groups:
        collect_rule_groups(rec, resolver, groups)


def collect_rule_groups(rec: Recorder, resolver: Any, group_ids: list[str]) -> None:
    """The rules of these rule groups and the domains of the customer lists they name."""
    results: list[Any] = []
    for group_id in group_ids:
        rules = rec.attempt(Api.LIST_FIREWALL_RULES, partial(_rules, resolver, group_id))
        if rules is not None:
            results.append(rules)
    if results:
        rec.apis[Api.LIST_FIREWALL_RULES] = results
    list_ids = sorted(
        {str(r["FirewallDomainListId"]) for g in results for r in g["FirewallRules"] if r.get("FirewallDomainListId")}
    )
    if not list_ids:
        return
    lists = rec.record(
        Api.LIST_FIREWALL_DOMAIN_LISTS,
        lambda: paginate(resolver, "list_firewall_domain_lists", "FirewallDomainLists"),
    )
    if lists is None:
        return
    managed = {str(d.get("Id")) for d in lists if d.get("ManagedOwnerName")}
    domains: list[Any] = []
    for list_id in list_ids:
        if list_id in managed:
            continue  # AWS does not list a managed list's domains: judged as unknown content
        found = rec.attempt(Api.LIST_FIREWALL_DOMAINS, partial(_domains, resolver, list_id))
        if found is not None:
            domains.append(found)
    if domains or all(i in managed for i in list_ids):
        rec.apis[Api.LIST_FIREWALL_DOMAINS] = domains


def _rules(resolver: Any, group_id: str) -> dict[str, Any]:
    rules = paginate(resolver, "list_firewall_rules", "FirewallRules", FirewallRuleGroupId=group_id)
    return {"FirewallRuleGroupId": group_id, "FirewallRules": rules}


def _domains(resolver: Any, list_id: str) -> dict[str, Any]:
    found = paginate(
        resolver, "list_firewall_domains", "Domains", FirewallDomainListId=list_id, MaxResults=DOMAINS_PAGE
    )
    return {"FirewallDomainListId": list_id, "Domains": found}
