"""Route 53 Resolver DNS Firewall responses (regional parts) -> the firewall model."""

from __future__ import annotations

from collections.abc import Iterable

from vpce_audit.apis import Api
from vpce_audit.model.firewall import DomainList, FirewallAssociation, FirewallInventory, FirewallRule
from vpce_audit.normalize.dns import dns_name
from vpce_audit.normalize.fields import dicts, text
from vpce_audit.snapshot import Part


def _int(raw: object, default: int = 0) -> int:
    try:
        return int(raw)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return default


def domain(raw: object) -> str:
    """A firewall domain as DNS compares it; `*` and `*.x` keep their wildcard."""
    name = text(raw).strip().lower().rstrip(".")
    return name if name.startswith("*") else dns_name(name)


def normalize_firewall(parts: Iterable[Part]) -> FirewallInventory:
    associations: dict[str, FirewallAssociation] = {}
    rules: dict[str, tuple[FirewallRule, ...]] = {}
    lists: dict[str, DomainList] = {}
    for part in parts:
        for a in dicts(part.items(Api.LIST_FIREWALL_RULE_GROUP_ASSOCIATIONS)):
            if text(a.get("Id")) and text(a.get("FirewallRuleGroupId")):
                associations[text(a.get("Id"))] = FirewallAssociation(
                    id=text(a.get("Id")),
                    group_id=text(a.get("FirewallRuleGroupId")),
                    vpc_id=text(a.get("VpcId")),
                    priority=_int(a.get("Priority")),
                    status=text(a.get("Status")).upper(),
                    account_id=part.account_id,
                    region=part.region,
                    name=text(a.get("Name")),
                )
        for g in dicts(part.items(Api.LIST_FIREWALL_RULES)):
            group_id = text(g.get("FirewallRuleGroupId"))
            raw = g.get("FirewallRules")
            if not group_id or not isinstance(raw, list):
                continue  # anything but a list is no answer: the rules stay unknown
            rules[group_id] = tuple(
                sorted(
                    (
                        FirewallRule(
                            group_id=group_id,
                            priority=_int(r.get("Priority")),
                            action=text(r.get("Action")).upper(),
                            domain_list_id=text(r.get("FirewallDomainListId")),
                            name=text(r.get("Name")),
                            qtype=text(r.get("Qtype")).upper(),
                            redirection=text(r.get("FirewallDomainRedirectionAction")).upper(),
                            block_response=text(r.get("BlockResponse")).upper(),
                        )
                        for r in dicts(raw)
                    ),
                    key=lambda r: (r.priority, r.name),
                )
            )
        domains = {
            text(d.get("FirewallDomainListId")): tuple(sorted({domain(x) for x in d.get("Domains") or [] if text(x)}))
            for d in dicts(part.items(Api.LIST_FIREWALL_DOMAINS))
            if text(d.get("FirewallDomainListId")) and isinstance(d.get("Domains"), list)
        }
        for d in dicts(part.items(Api.LIST_FIREWALL_DOMAIN_LISTS)):
            list_id = text(d.get("Id"))
            if list_id:
                lists[list_id] = DomainList(
                    list_id, text(d.get("Name")), text(d.get("ManagedOwnerName")), domains.get(list_id)
                )
        for list_id, found in domains.items():
            lists.setdefault(list_id, DomainList(list_id, domains=found))
    return FirewallInventory(associations, rules, lists)
