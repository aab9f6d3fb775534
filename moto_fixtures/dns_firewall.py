"""Route 53 Resolver DNS Firewall for moto 5.2.5, which has none (every firewall operation raises
NotImplementedError, and a scan now lists firewall rule group associations in every region).

The List* operations the collector calls are added to moto's own Route53ResolverResponse class, answering from
an in-memory store shaped like the botocore service model. A method on moto's response class rather than a
botocore before-call hook: it is reached through moto's request handling, so in-process mock_aws, the threaded
moto server of the CLI tests and moto's IAM enforcement (the remove-each-action test) all see it, exactly as
they see moto's own Resolver operations. Installed once, when moto_fixtures is imported; worlds add to the store
through `firewall_rule_group` and the Builder undoes it on close.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from moto.route53resolver.exceptions import ResourceNotFoundException
from moto.route53resolver.responses import Route53ResolverResponse

from moto_fixtures.builder import Builder


@dataclass
class FirewallStore:
    """One account and region's DNS Firewall, as the List* operations answer it."""

    associations: list[dict[str, Any]] = field(default_factory=list)
    rules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # rule group id -> rules
    domain_lists: list[dict[str, Any]] = field(default_factory=list)
    domains: dict[str, list[str]] = field(default_factory=dict)  # domain list id -> domains


STORE: dict[tuple[str, str], FirewallStore] = {}
_counter = [0]


def _store(account_id: str, region: str) -> FirewallStore:
    return STORE.setdefault((account_id, region), FirewallStore())


def _page(items: list[Any], key: str, params: Any) -> str:
    """A page of at most MaxResults items; NextToken is the index of the next one."""
    start = int(params("NextToken") or 0)
    size = int(params("MaxResults") or 100)
    doc: dict[str, Any] = {key: items[start : start + size]}
    if start + size < len(items):
        doc["NextToken"] = str(start + size)
    return json.dumps(doc)


def _list_associations(self: Route53ResolverResponse) -> str:
    found = _store(self.current_account, self.region).associations
    vpc = self._get_param("VpcId")
    return _page([a for a in found if not vpc or a["VpcId"] == vpc], "FirewallRuleGroupAssociations", self._get_param)


def _list_rules(self: Route53ResolverResponse) -> str:
    group = self._get_param("FirewallRuleGroupId")
    rules = _store(self.current_account, self.region).rules.get(group)
    if rules is None:
        raise ResourceNotFoundException(f"Can't find firewall rule group {group}")
    return _page(rules, "FirewallRules", self._get_param)


def _list_domain_lists(self: Route53ResolverResponse) -> str:
    return _page(_store(self.current_account, self.region).domain_lists, "FirewallDomainLists", self._get_param)


def _list_domains(self: Route53ResolverResponse) -> str:
    list_id = self._get_param("FirewallDomainListId")
    domains = _store(self.current_account, self.region).domains.get(list_id)
    if domains is None:
        raise ResourceNotFoundException(f"Can't find firewall domain list {list_id}")
    return _page(domains, "Domains", self._get_param)


def install() -> None:
    Route53ResolverResponse.list_firewall_rule_group_associations = _list_associations  # type: ignore[attr-defined]
    Route53ResolverResponse.list_firewall_rules = _list_rules  # type: ignore[attr-defined]
    Route53ResolverResponse.list_firewall_domain_lists = _list_domain_lists  # type: ignore[attr-defined]
    Route53ResolverResponse.list_firewall_domains = _list_domains  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Rule:
    """One firewall rule: `domains` become a domain list of its own (a managed one when `managed` names it)."""

    priority: int
    action: str  # ALLOW | BLOCK | ALERT
    domains: tuple[str, ...] = ()
    managed: str = ""  # e.g. AWSManagedDomainsMalwareDomainList: its domains cannot be listed
    qtype: str = ""
    redirection: str = ""  # INSPECT_REDIRECTION_DOMAIN (AWS's default) | TRUST_REDIRECTION_DOMAIN


def _next_id(prefix: str) -> str:
    _counter[0] += 1
    return f"{prefix}-{_counter[0]:016x}"


def firewall_rule_group(
    b: Builder, vpc_ids: Iterable[str], rules: Iterable[Rule], *, priority: int = 101, status: str = "COMPLETE"
) -> str:
    """A rule group holding `rules`, associated with `vpc_ids` at `priority`; returns its id."""
    store = _store(b.account_id, b.region)
    group_id = _next_id("rslvr-frg")
    added_lists: list[str] = []
    group_rules = []
    for rule in rules:
        list_id = _next_id("rslvr-fdl")
        added_lists.append(list_id)
        entry: dict[str, Any] = {"Id": list_id, "Name": rule.managed or list_id, "Arn": f"arn:aws:x:{list_id}"}
        if rule.managed:
            entry |= {"ManagedOwnerName": "Route 53 Resolver DNS Firewall"}
        else:
            store.domains[list_id] = list(rule.domains)
        store.domain_lists.append(entry)
        item: dict[str, Any] = {
            "FirewallRuleGroupId": group_id,
            "FirewallDomainListId": list_id,
            "Name": f"rule-{rule.priority}",
            "Priority": rule.priority,
            "Action": rule.action,
        }
        if rule.action == "BLOCK":
            item["BlockResponse"] = "NXDOMAIN"
        if rule.qtype:
            item["Qtype"] = rule.qtype
        if rule.redirection:
            item["FirewallDomainRedirectionAction"] = rule.redirection
        group_rules.append(item)
    store.rules[group_id] = group_rules
    added = [
        {
            "Id": _next_id("rslvr-frgassoc"),
            "FirewallRuleGroupId": group_id,
            "VpcId": vpc_id,
            "Name": f"{group_id}-{vpc_id}",
            "Priority": priority,
            "MutationProtection": "DISABLED",
            "Status": status,
        }
        for vpc_id in vpc_ids
    ]
    store.associations.extend(added)

    def undo() -> None:
        store.rules.pop(group_id, None)
        store.associations[:] = [a for a in store.associations if a["FirewallRuleGroupId"] != group_id]
        store.domain_lists[:] = [d for d in store.domain_lists if d["Id"] not in added_lists]
        for list_id in added_lists:
            store.domains.pop(list_id, None)

    b._undo.append(undo)
    return group_id
