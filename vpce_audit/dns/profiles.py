"""Route 53 Profiles in the DNS engine (issue 14): whether a VPC's Profiles are known, and what names them in
evidence. The deliveries themselves were merged into the DNS inventory by normalize/profiles.py, so the
candidates, the answers and every check see a Profile's zones and rules as the VPC's own.

Nothing guesses: a VPC whose Profile associations were not collected, or one of whose Profiles' resources were
not listed or include a zone that was not read, has candidates that cannot all be known (unknown, with the API).
"""

from __future__ import annotations

from typing import Any

from vpce_audit.apis import Api
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.profiles import FIREWALL, RULE, ZONE

PROFILE_APIS = (Api.LIST_PROFILE_ASSOCIATIONS,)
# Resource types a Profile may carry that do not change what a name resolves to.
NOT_RESOLVING = frozenset({"AWS::Route53Resolver::ResolverQueryLoggingConfig"})


def profiles_collected(inv: Inventory, vpc_id: str) -> bool:
    vpc = inv.vpcs.get(vpc_id)
    return vpc is not None and inv.has(vpc.account_id, vpc.region, *PROFILE_APIS)


def profiles_problem(inv: Inventory, vpc_id: str) -> str:
    """Why what the VPC's Profiles deliver cannot all be known; "" when it can."""
    vpc = inv.vpcs.get(vpc_id)
    if vpc is None:  # an endpoint's VPC that DescribeVpcs did not return: its account and region are unknown
        return f"{vpc_id} was not audited (ec2:DescribeVpcs): its Route 53 Profiles are unknown"
    if not profiles_collected(inv, vpc_id):
        return (
            f"Route 53 Profile associations of account {vpc.account_id} in {vpc.region} not collected "
            "(route53profiles:ListProfileAssociations)"
        )
    profiles = inv.dns.profiles
    for assoc in profiles.of_vpc(vpc_id):
        resources = profiles.resources.get(assoc.profile_id)
        if resources is None:
            return (
                f"resources of Route 53 Profile {assoc.profile_id} (associated with {vpc_id}) not collected "
                "(route53profiles:ListProfileResourceAssociations)"
            )
        for res in resources:
            if res.resource_type == ZONE and res.resource_id not in inv.dns.zones:
                return (
                    f"private hosted zone {res.resource_id} delivered to {vpc_id} by Route 53 Profile "
                    f"{assoc.profile_id} was not read (route53:GetHostedZone, route53:ListResourceRecordSets): "
                    "audit the account that owns it with a VPC it is associated with"
                )
            if res.resource_type not in (ZONE, RULE, FIREWALL) and res.resource_type not in NOT_RESOLVING:
                return (
                    f"Route 53 Profile {assoc.profile_id} delivers {res.resource_type or 'a resource'} "
                    f"{res.resource_id} to {vpc_id}, which vpce-audit does not judge"
                )
    return ""


def profiles_evidence(inv: Inventory, vpc_id: str) -> Any:
    """The VPC's Route 53 Profiles for a path's evidence: "not audited" only when they were not collected."""
    if vpc_id not in inv.vpcs or not profiles_collected(inv, vpc_id):
        return "not audited"
    profiles = inv.dns.profiles
    out = []
    for assoc in profiles.of_vpc(vpc_id):
        doc: dict[str, Any] = {"profile_id": assoc.profile_id, "association_id": assoc.id, "status": assoc.status}
        if assoc.priority is not None:
            doc["priority"] = assoc.priority
        resources = profiles.resources.get(assoc.profile_id)
        if resources is None:
            doc["resources"] = "not collected"
        else:
            doc["resources"] = [f"{r.resource_type.rsplit('::', 1)[-1]} {r.resource_id}" for r in resources]
        out.append(doc)
    return out


def delivered_by(inv: Inventory, vpc_id: str, resource_id: str) -> tuple[str, ...]:
    """The Profiles delivering a zone, rule or rule group to a VPC, by priority."""
    return tuple(dict.fromkeys(d.profile_id for d in inv.dns.profiles.deliveries(vpc_id, resource_id)))


def rule_profiles(inv: Inventory, vpc_id: str, rule_id: str) -> tuple[str, ...]:
    """The Profiles through which a Resolver rule is associated with a VPC ("" entries excluded)."""
    return tuple(
        dict.fromkeys(a.profile_id for a in inv.rule_associations_of(vpc_id) if a.rule_id == rule_id and a.profile_id)
    )


def via_text(profile_ids: tuple[str, ...]) -> str:
    return f" (delivered by Route 53 Profile {', '.join(profile_ids)})" if profile_ids else ""
