"""Route 53 Resolver DNS Firewall rules that block the names clients reach an endpoint by."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vpce_audit.checks.inputs import DNS_PATH, EGRESS, FIREWALL
from vpce_audit.checks.registry import Category, ResourceType, check
from vpce_audit.dns.path import dns_path
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Egress, EndpointType


@check(
    "dns-firewall-blocks",
    title="DNS Firewall blocks a name clients reach an endpoint by",
    summary="Fires for each DNS Firewall rule group whose BLOCK rule is the first match (rule groups by association "
    "priority, rules by rule priority) for a name in an interface endpoint's resolution chain in a VPC on the "
    "endpoint's DNS path: a private DNS name of its service, a name the VPC's zones lead through (CNAME targets "
    "included, unless an earlier ALLOW rule trusts the chain). An earlier ALLOW or ALERT rule covering the name, a "
    "block on unrelated domains, or a rule for another query type than A stay quiet. AWS-managed domain lists cannot "
    "be listed and are taken not to hold AWS service names.",
    risk="The resolver answers the blocked name with NXDOMAIN, NODATA or an override: clients cannot find the endpoint "
    "(nor the service's public address), so every call to the service fails from that VPC.",
    severity=Severity.CRITICAL,
    severity_rule="Critical when the VPC has isolated workload subnets (they have no other way to the service); high "
    "otherwise (clients with internet egress lose the endpoint's names, and may reach the service only by names or "
    "resolvers configured elsewhere).",
    remediation="Add an ALLOW rule for the service's names (and the vpce names of the chain) at a lower priority "
    "number than the BLOCK rule, or take them out of the blocked domain list.",
    references=(
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall-overview.html",
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-dns-firewall-rule-actions.html",
    ),
    category=Category.DNS,
    resource_types=(ResourceType.FIREWALL_RULE_GROUP,),
    inputs=(*DNS_PATH, *FIREWALL, *EGRESS),
)
def dns_firewall_blocks(inv: Inventory) -> Iterator[Finding]:
    # (VPC, rule group) -> what it blocks there, across every endpoint whose path crosses the VPC.
    blocked: dict[tuple[str, str], dict[str, Any]] = {}
    for ep in inv.endpoints_of(EndpointType.INTERFACE):
        for path in dns_path(inv, ep).vpcs:
            if not path.account_id:
                continue
            for name in path.names:
                fw = name.evidence.get("firewall") or {}
                if not fw.get("blocked"):
                    continue
                entry = blocked.setdefault(
                    (path.vpc_id, fw["rule_group_id"]),
                    {"account": path.account_id, "region": path.region, "rules": {}, "endpoints": set(), "names": {}},
                )
                entry["endpoints"].add(ep.id)
                entry["names"].setdefault(name.name, fw["name"])
                entry["rules"][fw["rule_priority"]] = fw
    for (vpc_id, group_id), entry in sorted(blocked.items()):
        if not inv.has(entry["account"], entry["region"], *EGRESS):
            continue  # the severity turns on which workload subnets are isolated: unknown
        isolated = sorted(s for s in inv.workload_subnets.get(vpc_id, ()) if inv.egress.get(s) is Egress.ISOLATED)
        names = dict(sorted(entry["names"].items()))
        shown = ", ".join(n if n == blocked_as else f"{n} (as {blocked_as})" for n, blocked_as in names.items())
        rules = [entry["rules"][p] for p in sorted(entry["rules"])]
        yield Finding(
            account_id=entry["account"],
            region=entry["region"],
            vpc_id=vpc_id,
            resource_id=group_id,
            message=f"DNS Firewall rule group {group_id} blocks {shown} in {vpc_id} (rule "
            f"{', '.join(str(r['rule_name'] or r['rule_priority']) for r in rules)}): clients there cannot resolve "
            f"endpoint(s) {', '.join(sorted(entry['endpoints']))}"
            + (f"; isolated subnets {', '.join(isolated)} have no other way to the service" if isolated else ""),
            severity=Severity.CRITICAL if isolated else Severity.HIGH,
            key=vpc_id,  # one rule group may be associated with many VPCs
            related_ids=tuple(sorted(entry["endpoints"])),
            evidence={
                "rule_group_id": group_id,
                "names": names,
                "rules": rules,
                "isolated_workload_subnets": isolated,
            },
        )
