"""Route 53 Profiles for moto 5.2.5, which has none (no backend, no URL: every call is a 404 "Not yet
implemented" ClientError, moto notes §11).

A small moto service of our own rather than a botocore before-call hook: registered in moto's URL index and
backend lookup, it is reached through moto's request handling, so in-process mock_aws, the threaded moto server
of the CLI tests (same process) and moto's IAM enforcement (the remove-each-action test) all see it, as they see
moto's own services. Only the two List operations the collector calls are served, from an in-memory store
shaped like the botocore service model (route53profiles 2018-05-10); worlds add to the store through
`profile` and the Builder undoes it on close. Installed once, when moto_fixtures is imported.
"""

from __future__ import annotations

import json
import re
import sys
import types
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import moto.backend_index as backend_index
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.exceptions import JsonRESTError
from moto.core.responses import BaseResponse

from moto_fixtures.builder import Builder

SERVICE = "route53profiles"
URL_BASE = r"https?://route53profiles\.(.+)\.amazonaws\.com"


@dataclass
class ProfileStore:
    """One account and region's Profiles, as the List operations answer them."""

    associations: list[dict[str, Any]] = field(default_factory=list)  # ProfileAssociation shapes
    resources: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # profile id -> resource assocs


STORE: dict[tuple[str, str], ProfileStore] = {}
_counter = [0]


def _store(account_id: str, region: str) -> ProfileStore:
    return STORE.setdefault((account_id, region), ProfileStore())


class ResourceNotFound(JsonRESTError):
    code = 404

    def __init__(self, message: str) -> None:
        super().__init__("ResourceNotFoundException", message)


class ProfilesResponse(BaseResponse):
    def __init__(self) -> None:
        super().__init__(service_name=SERVICE)

    def _page(self, items: list[Any], key: str) -> str:
        # rest-json: the query string carries camelCase names (nextToken, maxResults, resourceId).
        start = int(self._get_param("nextToken") or 0)
        size = int(self._get_param("maxResults") or 100)
        doc: dict[str, Any] = {key: items[start : start + size]}
        if start + size < len(items):
            doc["NextToken"] = str(start + size)
        return json.dumps(doc)

    def list_profile_associations(self) -> str:
        found = _store(self.current_account, self.region).associations
        vpc, profile = self._get_param("resourceId"), self._get_param("profileId")
        kept = [a for a in found if vpc in (None, a["ResourceId"]) and profile in (None, a["ProfileId"])]
        return self._page(kept, "ProfileAssociations")

    def list_profile_resource_associations(self) -> str:
        profile = self.path.rstrip("/").rsplit("/", 1)[-1]
        resources = _store(self.current_account, self.region).resources.get(profile)
        if resources is None:
            raise ResourceNotFound(f"Profile {profile} not found")
        return self._page(resources, "ProfileResourceAssociations")


class ProfilesBackend(BaseBackend):
    """Holds nothing: the store is module-level (undone by the Builder), the backend only routes URLs."""

    @property
    def _url_module(self) -> Any:
        return sys.modules[__name__ + "._urls"]


route53profiles_backends = BackendDict(ProfilesBackend, SERVICE)


def install() -> None:
    urls = types.ModuleType(__name__ + "._urls")
    urls.url_bases = [URL_BASE]  # type: ignore[attr-defined]
    urls.url_paths = {  # type: ignore[attr-defined]
        "{0}/profileassociations$": ProfilesResponse.dispatch,
        "{0}/profileresourceassociations/profileid/(?P<ProfileId>[^/]+)$": ProfilesResponse.dispatch,
    }
    sys.modules[urls.__name__] = urls
    sys.modules["moto." + SERVICE] = sys.modules[__name__]  # moto.backends imports "moto.<service>"
    if not any(name == SERVICE for name, _ in backend_index.backend_url_patterns):
        backend_index.backend_url_patterns.append((SERVICE, re.compile(URL_BASE)))


# --- worlds ---------------------------------------------------------------------------------------------


def _next_id(prefix: str) -> str:
    _counter[0] += 1
    return f"{prefix}-{_counter[0]:016x}"


@dataclass(frozen=True)
class Resource:
    """A resource a Profile delivers: a private hosted zone (bare id), a Resolver rule or a firewall rule group."""

    arn: str
    type: str  # AWS::Route53::HostedZone | AWS::Route53Resolver::ResolverRule | AWS::Route53Resolver::FirewallRuleGroup
    properties: str = ""  # JSON, e.g. '{"priority":100}' for a firewall rule group
    status: str = "COMPLETE"


def zone_resource(zone_id: str) -> Resource:
    return Resource(f"arn:aws:route53:::hostedzone/{zone_id.removeprefix('/hostedzone/')}", "AWS::Route53::HostedZone")


def rule_resource(b: Builder, rule_id: str) -> Resource:
    arn = f"arn:aws:route53resolver:{b.region}:{b.account_id}:resolver-rule/{rule_id}"
    return Resource(arn, "AWS::Route53Resolver::ResolverRule")


def firewall_resource(b: Builder, group_id: str, priority: int = 100) -> Resource:
    arn = f"arn:aws:route53resolver:{b.region}:{b.account_id}:firewall-rule-group/{group_id}"
    return Resource(arn, "AWS::Route53Resolver::FirewallRuleGroup", json.dumps({"priority": priority}))


def profile(
    b: Builder,
    vpc_ids: Iterable[str],
    resources: Iterable[Resource],
    *,
    priority: int | None = None,
    status: str = "COMPLETE",
) -> str:
    """A Profile delivering `resources`, associated with `vpc_ids` (Priority only when given); returns its id."""
    store = _store(b.account_id, b.region)
    profile_id = _next_id("rp")
    store.resources[profile_id] = [
        {
            "Id": _next_id("rpr"),
            "Name": f"{profile_id}-{n}",
            "OwnerId": b.account_id,
            "ProfileId": profile_id,
            "ResourceArn": r.arn,
            "ResourceType": r.type,
            "ResourceProperties": r.properties,
            "Status": r.status,
        }
        for n, r in enumerate(resources)
    ]
    for vpc_id in vpc_ids:
        entry: dict[str, Any] = {
            "Id": _next_id("rpassoc"),
            "Name": f"{profile_id}-{vpc_id}",
            "OwnerId": b.account_id,
            "ProfileId": profile_id,
            "ResourceId": vpc_id,
            "Status": status,
        }
        if priority is not None:
            entry["Priority"] = priority
        store.associations.append(entry)

    def undo() -> None:
        store.resources.pop(profile_id, None)
        store.associations[:] = [a for a in store.associations if a["ProfileId"] != profile_id]

    b._undo.append(undo)
    return profile_id
