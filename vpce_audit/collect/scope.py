"""Scope selection: from what the user asked (profiles, roles, accounts, regions) to a ScanPlan.

Everything the user typed is validated before the first AWS call; what the accounts themselves refuse while
planning (an AssumeRole, DescribeRegions) becomes an `errors` entry, and the rest of the scan goes on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound

from vpce_audit.aws.clients import CallCounter, ClientFactory
from vpce_audit.collect.accounts import (
    ASSUME_ROLE,
    ROLE_NAME,
    Target,
    enabled_regions,
    in_parallel,
    organization_accounts,
    role_targets,
)
from vpce_audit.collect.scan import DEFAULT_CONCURRENCY, ScanPlan
from vpce_audit.collect.units import caller_account
from vpce_audit.errors import CollectionError, InputError, describe_exception
from vpce_audit.model.names import is_account_id

log = logging.getLogger(__name__)

MAX_CONCURRENCY = 64
FALLBACK_HOME = "us-east-1"


@dataclass(frozen=True)
class ScopeRequest:
    profiles: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    all_regions: bool = False
    vpc_ids: tuple[str, ...] = ()
    role_name: str | None = None
    accounts: tuple[str, ...] = ()
    organization: bool = False
    exclude_accounts: tuple[str, ...] = ()
    external_id: str | None = None
    concurrency: int = DEFAULT_CONCURRENCY
    # Without --region: the region each --profile scans, in --profile order (AWS_REGION, else that profile's
    # own region; app/validate.profile_regions). Empty: every profile scans the home region.
    profile_regions: tuple[str, ...] = ()

    def validate(self) -> None:
        for account in (*self.accounts, *self.exclude_accounts):
            if not is_account_id(account):
                raise InputError(f"{account!r} is not an AWS account id (12 digits)")
        for vpc in self.vpc_ids:
            if not vpc.startswith("vpc-"):
                raise InputError(f"--vpc-id {vpc!r} is not a VPC id (vpc-...)")
        if self.role_name is not None and not ROLE_NAME.match(self.role_name):
            raise InputError(f"--role-name {self.role_name!r} is not a valid IAM role name")
        if (self.accounts or self.organization) and self.role_name is None:
            raise InputError("--accounts and --organization need --role-name (the role to assume in each account)")
        if self.role_name is not None and not (self.accounts or self.organization):
            raise InputError("--role-name needs --accounts ID,... or --organization")
        if self.accounts and self.organization:
            raise InputError("--accounts and --organization are alternatives: give one")
        if self.exclude_accounts and self.role_name is None:
            raise InputError("--exclude-accounts applies to --accounts or --organization")
        if self.accounts and set(self.accounts) <= set(self.exclude_accounts):
            raise InputError("nothing left to scan: --exclude-accounts leaves out every account of --accounts")
        if self.external_id is not None and self.role_name is None:
            raise InputError("--external-id applies to --role-name")
        if self.role_name is not None and len(self.profiles) > 1:
            raise InputError("with --role-name, give at most one --profile (the credentials that assume the role)")
        if self.all_regions and self.regions:
            raise InputError("--regions all and --region are alternatives: give one")
        if not 1 <= self.concurrency <= MAX_CONCURRENCY:
            raise InputError(f"--concurrency must be between 1 and {MAX_CONCURRENCY}")


def open_session(profile: str | None) -> boto3.Session:
    try:
        return boto3.Session(profile_name=profile)
    except ProfileNotFound:
        raise InputError(f"AWS profile {profile!r} not found in your AWS config") from None


def identify(factory: ClientFactory, region: str, via: str) -> str:
    try:
        return caller_account(factory, region)
    except NoCredentialsError:
        raise InputError(
            f"no AWS credentials found for {via} (use --profile, environment variables or an instance role)"
        ) from None
    except (ClientError, BotoCoreError) as exc:
        code, message = describe_exception(exc)
        raise InputError(
            f"cannot identify the AWS account of {via} (sts:GetCallerIdentity {code}): {message}"
        ) from None
    except ValueError as exc:  # botocore's answer to a malformed AWS_ENDPOINT_URL or endpoint_url setting
        raise InputError(f"cannot create an AWS client: {exc}") from None


def build_plan(
    request: ScopeRequest,
    counter: CallCounter,
    home_region: str | None,
    sessions: tuple[boto3.Session, ...] | None = None,
) -> ScanPlan:
    """Resolve accounts and regions. `sessions` replaces opening the profiles (the demo brings its own)."""
    request.validate()
    home = (request.regions[0] if request.regions else None) or home_region or FALLBACK_HOME
    opened = sessions or tuple(open_session(p) for p in (request.profiles or (None,)))
    allow = ASSUME_ROLE if request.role_name else frozenset()
    callers: list[Target] = []
    for session, label in zip(opened, request.profiles or ("the default credentials",) * len(opened), strict=False):
        factory = ClientFactory(session, counter=counter, allow_writes=allow)
        callers.append(Target(identify(factory, home, label), factory, label))
    errors: list[CollectionError] = []
    regions: dict[str, tuple[str, ...]] = {}
    if request.role_name:
        targets = _role_targets(request, callers[0], counter, home, errors)
        regions = {target.account_id: request.regions or (home,) for target in targets}
    else:
        own = request.profile_regions if len(request.profile_regions) == len(callers) else (home,) * len(callers)
        targets, regions = _unique(callers, [request.regions or (region,) for region in own])
    skipped: list[tuple[str, str]] = []
    if request.all_regions:
        answers = in_parallel(partial(_enabled, home=home), targets, request.concurrency)
        for target, (enabled, not_enabled, error) in zip(targets, answers, strict=True):
            regions[target.account_id] = enabled
            skipped.extend((target.account_id, r) for r in not_enabled)
            errors.extend([error] if error else [])
    return ScanPlan(
        targets=tuple(targets),
        regions=regions,
        vpc_ids=request.vpc_ids,
        concurrency=request.concurrency,
        errors=tuple(errors),
        skipped_regions=tuple(skipped),
    )


def _unique(callers: list[Target], wanted: list[tuple[str, ...]]) -> tuple[list[Target], dict[str, tuple[str, ...]]]:
    """Two profiles for one account scan it once, with the first one's credentials, in every region either
    would have scanned (their home regions may differ): the union, in --profile order."""
    seen: dict[str, Target] = {}
    regions: dict[str, tuple[str, ...]] = {}
    for target, own in zip(callers, wanted, strict=True):
        first = seen.setdefault(target.account_id, target)
        if first is not target:
            log.debug("plan: %s and %s reach account %s: scanned once", first.via, target.via, target.account_id)
        regions[target.account_id] = tuple(dict.fromkeys((*regions.get(target.account_id, ()), *own)))
    return list(seen.values()), regions


def _role_targets(
    request: ScopeRequest, caller: Target, counter: CallCounter, home: str, errors: list[CollectionError]
) -> list[Target]:
    if request.organization:
        try:
            account_ids = organization_accounts(caller.factory, home)
        except (ClientError, BotoCoreError) as exc:
            code, message = describe_exception(exc)
            raise InputError(
                f"cannot list the organization's accounts (organizations:ListAccounts {code}): {message}"
            ) from None
    else:
        account_ids = list(request.accounts)
    wanted = sorted(set(account_ids) - set(request.exclude_accounts))
    if not wanted:  # a clean report of nothing would read as "all is well"
        where = "no ACTIVE account" if not account_ids else "no ACTIVE account outside --exclude-accounts"
        raise InputError(f"nothing left to scan: the organization has {where}")
    assert request.role_name is not None
    return role_targets(
        caller.factory,
        caller.account_id,
        wanted,
        request.role_name,
        request.external_id,
        home,
        counter,
        errors.append,
        request.concurrency,
    )


def _enabled(target: Target, home: str) -> tuple[tuple[str, ...], list[str], CollectionError | None]:
    """(regions to scan, opt-in regions not enabled, the error if DescribeRegions failed)."""
    try:
        enabled, not_enabled = enabled_regions(target.factory, home)
    except (ClientError, BotoCoreError) as exc:
        code, message = describe_exception(exc)
        return (), [], CollectionError(target.account_id, home, "ec2", "DescribeRegions", code, message)
    return tuple(enabled), not_enabled, None
