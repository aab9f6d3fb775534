"""Which accounts to scan and with which credentials: profiles, assumed roles, an AWS Organization.

AssumeRole is the one non-read call the scanner makes on its own: it changes nothing in any account, it only
mints temporary credentials, so the guard allows exactly `sts:AssumeRole` on the caller's factory.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import boto3
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError
from botocore.session import get_session

from vpce_audit import __version__
from vpce_audit.aws.clients import CallCounter, ClientFactory
from vpce_audit.aws.partition import global_home, partition_of
from vpce_audit.collect.base import paginate
from vpce_audit.errors import CollectionError, describe_exception

ROLE_NAME = re.compile(r"^[\w+=,.@/-]{1,64}$")
SESSION_NAME = f"vpce-audit-{__version__}"
ASSUME_ROLE = frozenset({"sts:AssumeRole"})
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Target:
    """One account to scan, with the factory whose credentials reach it."""

    account_id: str
    factory: ClientFactory
    via: str  # "profile NAME", "caller" or "role ARN": shown in progress and errors, never a secret


def role_arn(partition: str, account_id: str, role_name: str) -> str:
    return f"arn:{partition}:iam::{account_id}:role/{role_name.strip('/')}"


def assumed_session(caller: ClientFactory, arn: str, external_id: str | None, region: str | None) -> boto3.Session:
    """A session whose credentials come from AssumeRole and renew themselves before they expire, so a scan
    that outlives the role session keeps going."""
    sts = caller.client("sts", region)

    def fetch() -> dict[str, Any]:
        params: dict[str, Any] = {"RoleArn": arn, "RoleSessionName": SESSION_NAME}
        if external_id:
            params["ExternalId"] = external_id
        creds = sts.assume_role(**params)["Credentials"]
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": creds["Expiration"].isoformat(),
        }

    # Fetched now, so a refusal fails in the caller's hands rather than on the first scan call; and these
    # first credentials serve until they near expiry, so each account costs one AssumeRole, not two.
    credentials = RefreshableCredentials.create_from_metadata(fetch(), fetch, "sts-assume-role")
    core = get_session()
    core._credentials = credentials
    session = boto3.Session(botocore_session=core, region_name=region)
    # Parse the service models once per scan, not once per account: EC2's alone is megabytes of JSON, and
    # parsing it again for each of a hundred accounts costs more CPU than their whole scan.
    core.register_component("data_loader", caller.session._session.get_component("data_loader"))
    return session


def organization_accounts(caller: ClientFactory, region: str) -> list[str]:
    """ACTIVE member accounts of the caller's organization. Organizations is global: its client is given its
    partition's home region explicitly, so no default region is needed (an AWS_ENDPOINT_URL setup has none)."""
    accounts = paginate(caller.client("organizations", global_home(region)), "list_accounts", "Accounts")
    return sorted(str(a["Id"]) for a in accounts if str(a.get("Status", "")).upper() == "ACTIVE")


def role_targets(
    caller: ClientFactory,
    caller_account: str,
    account_ids: list[str],
    role_name: str,
    external_id: str | None,
    region: str | None,
    counter: CallCounter,
    on_error: Callable[[CollectionError], None],
    concurrency: int = 1,
) -> list[Target]:
    """One target per account: the caller's own account with its own credentials, the rest through the role.
    An account whose role cannot be assumed becomes an error entry and is skipped. Roles are assumed
    `concurrency` at a time: a thousand accounts one after another would spend minutes on AssumeRole alone."""
    partition = partition_of(region or "")

    def reach(account_id: str) -> Target | CollectionError:
        if account_id == caller_account:
            return Target(account_id, caller, "caller")
        arn = role_arn(partition, account_id, role_name)
        try:
            session = assumed_session(caller, arn, external_id, region)
        except (ClientError, BotoCoreError) as exc:
            code, message = describe_exception(exc)
            return CollectionError(account_id, "*", "sts", "AssumeRole", code, message)
        return Target(account_id, ClientFactory(session, counter=counter, build_lock=caller.build_lock), f"role {arn}")

    targets: list[Target] = []
    for outcome in in_parallel(reach, sorted(set(account_ids)), concurrency):
        if isinstance(outcome, CollectionError):
            on_error(outcome)
        else:
            targets.append(outcome)
    return targets


def in_parallel(fn: Callable[[T], R], items: list[T], concurrency: int) -> list[R]:
    """fn over items, `concurrency` at a time, results in the items' order (so plans do not depend on timing)."""
    if concurrency <= 1 or len(items) <= 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(concurrency, len(items)), thread_name_prefix="vpce-audit-plan") as pool:
        return list(pool.map(fn, items))


def enabled_regions(factory: ClientFactory, region: str) -> tuple[list[str], list[str]]:
    """(enabled, skipped): regions the account can use, and opt-in regions it has not enabled."""
    regions = factory.client("ec2", region).describe_regions(AllRegions=True)["Regions"]
    enabled: list[str] = []
    skipped: list[str] = []
    for r in regions:
        status = str(r.get("OptInStatus", "opt-in-not-required"))
        (skipped if status == "not-opted-in" else enabled).append(str(r["RegionName"]))
    return sorted(enabled), sorted(skipped)
