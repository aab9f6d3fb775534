"""Route 53 Profiles, once per account and region: every Profile association of the region (listed whole,
filtered by VPC when judged), then the resources (private hosted zones, Resolver rules, DNS Firewall rule groups)
of each associated Profile.

Calls: one ListProfileAssociations, then one ListProfileResourceAssociations per associated Profile, never per
VPC. Each per-Profile call is recorded on its own: one denial (a Profile shared by another account) leaves the
others known. Both operations have botocore paginators.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.collect.base import Recorder, paginate

SERVICE = "route53profiles"
FIREWALL_TYPE = "AWS::Route53Resolver::FirewallRuleGroup"
ZONE_TYPE = "AWS::Route53::HostedZone"


def collect_profiles(rec: Recorder, profiles: Any) -> list[str]:
    """Record the associations and the associated Profiles' resources; return the ids of the DNS Firewall rule
    groups the Profiles deliver, whose rules the firewall collector lists with the directly associated ones."""
    associations = rec.record(
        Api.LIST_PROFILE_ASSOCIATIONS,
        lambda: paginate(profiles, "list_profile_associations", "ProfileAssociations"),
    )
    ids = sorted({str(a["ProfileId"]) for a in associations or () if isinstance(a, dict) and a.get("ProfileId")})
    results: list[Any] = []
    for profile_id in ids:
        found = rec.attempt(Api.LIST_PROFILE_RESOURCE_ASSOCIATIONS, partial(_resources, profiles, profile_id))
        if found is not None:
            results.append(found)
    if results or not ids:
        rec.apis[Api.LIST_PROFILE_RESOURCE_ASSOCIATIONS] = results
    return sorted(
        {
            str(r.get("ResourceArn") or "").rsplit("/", 1)[-1]
            for p in results
            for r in p["ProfileResourceAssociations"]
            if isinstance(r, dict) and r.get("ResourceType") == FIREWALL_TYPE and r.get("ResourceArn")
        }
    )


def _resources(profiles: Any, profile_id: str) -> dict[str, Any]:
    found = paginate(
        profiles, "list_profile_resource_associations", "ProfileResourceAssociations", ProfileId=profile_id
    )
    return {"ProfileId": profile_id, "ProfileResourceAssociations": found}


def delivered_zones(results: Any, account_id: str) -> list[str]:
    """Private hosted zones the region's associated Profiles deliver and this account owns, for the account's
    Route 53 work to read (a zone found only this way has no in-scope VPC association to list it by). A Profile
    resource association is made by the Profile's owner, who must own the zone (private zones cannot be shared
    through RAM) [inferred]: another owner's zone is left to that account's scan."""
    return sorted(
        {
            str(r["ResourceArn"]).rsplit("/", 1)[-1]
            for p in results or ()
            if isinstance(p, dict)
            for r in p.get("ProfileResourceAssociations") or ()
            if isinstance(r, dict)
            and r.get("ResourceType") == ZONE_TYPE
            and r.get("ResourceArn")
            and str(r.get("OwnerId") or account_id) == account_id
        }
    )
