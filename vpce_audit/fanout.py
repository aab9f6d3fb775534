"""The organisation spread over a Step Functions state machine: list the accounts, collect each apart, judge once.

    {"mode": "list",    "run_id": R}              -> PREFIX/runs/R/accounts.json   (ACTIVE accounts)
    {"mode": "collect", "run_id": R, "account": A,
     "role_name": ROLE}                           -> PREFIX/runs/R/parts/A.json.gz (one account's snapshot)
    {"mode": "judge",   "run_id": R}              -> report, latest.json, diff, SNS, metrics (lambda_handler.publish)

Collection is what is spread; the judgement runs once over every part of the run merged by estate.py, so a spoke's
zone owned by the hub and a hub endpoint serving spokes' AZs come out exactly as in one live `--organization` scan.

An account that cannot be collected at all (its role cannot be assumed) still stores its part, holding the error
the live scan would record, and then fails the invocation (CollectFailed): the Distributed Map counts it against
its tolerated failure percentage while the judge reads the reason from the part. An account whose collect stored
no part (crashed, timed out, never ran) is added to the report's errors by the judge. Either way the report is
partial and names the account; the judge runs whatever happened to the collects.

Each mode raises on bad input or a failed write instead of returning an error summary: a state machine step must
fail visibly, not hand an empty result to the next step.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from vpce_audit.app import job as jobs
from vpce_audit.app.job import Scope
from vpce_audit.aws.clients import ClientFactory
from vpce_audit.collect.accounts import in_parallel, organization_accounts
from vpce_audit.errors import CollectionError, InputError, describe_exception, one_line
from vpce_audit.estate import Source, merge, read_s3_snapshot
from vpce_audit.lambda_handler import (
    LambdaConfig,
    _put,
    deadline_from,
    load_config,
    make_job,
    publish,
)
from vpce_audit.model.names import is_account_id
from vpce_audit.snapshot import Snapshot, encode_snapshot, utc_now

MODES = ("list", "collect", "judge")
# Keys of a state machine step's event on top of lambda_handler.EVENT_KEYS.
RUN_KEYS = ("mode", "run_id", "account")
# A Step Functions execution name (1-80 characters, no spaces or wildcards): it becomes part of S3 keys.
RUN_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,80}$")
# The error of a collect that stored no part: not an AWS call, so service and operation name the step.
NO_PART = ("states", "Collect", "NoPart")
GZIP = "application/gzip"
PART_READERS = 8  # concurrent part reads of the judge
log = logging.getLogger(__name__)


class CollectFailed(RuntimeError):
    """No unit of the account could be collected (its part, holding why, is stored): the map item fails."""


def run_prefix(config: LambdaConfig, run_id: str) -> str:
    return f"{config.prefix}runs/{run_id}/"


def accounts_key(config: LambdaConfig, run_id: str) -> str:
    return f"{run_prefix(config, run_id)}accounts.json"


def parts_prefix(config: LambdaConfig, run_id: str) -> str:
    return f"{run_prefix(config, run_id)}parts/"


def part_key(config: LambdaConfig, run_id: str, account: str) -> str:
    return f"{parts_prefix(config, run_id)}{account}.json.gz"


def handle(event: Mapping[str, Any], context: Any, env: Mapping[str, str] = os.environ) -> dict[str, Any]:
    mode = event.get("mode")
    run_id = event.get("run_id")
    if not isinstance(run_id, str) or not RUN_ID.match(run_id):
        raise InputError(f"run_id must be 1-80 letters, digits or _.:- (got {run_id!r})")
    rest = {k: v for k, v in event.items() if k not in RUN_KEYS}
    session = boto3.Session()
    if mode == "list":
        return list_accounts(load_config(rest, env), session, run_id)
    if mode == "collect":
        account = event.get("account")
        if not isinstance(account, str) or not is_account_id(account):
            raise InputError(f"account must be an AWS account id (12 digits, got {account!r})")
        if rest.get("accounts") is not None or rest.get("organization"):
            raise InputError("collect takes one account: give account, not accounts or organization")
        return collect_account(load_config({**rest, "accounts": [account]}, env), session, context, run_id)
    if mode == "judge":
        return judge_run(load_config(rest, env), session, run_id)
    raise InputError(f"mode must be one of scan, {', '.join(MODES)} (got {mode!r})")


# --- list ---------------------------------------------------------------------------------------------------


def list_accounts(config: LambdaConfig, session: boto3.Session, run_id: str) -> dict[str, Any]:
    """The organisation's ACTIVE accounts, stored as the Distributed Map's items (an S3 object, not the state's
    output: 256 KB of state payload would end at about 10,000 accounts)."""
    try:
        accounts = organization_accounts(ClientFactory(session), config.home)
    except (ClientError, BotoCoreError) as exc:
        code, message = describe_exception(exc)
        raise InputError(
            f"cannot list the organization's accounts (organizations:ListAccounts {code}): {message}"
        ) from None
    if not accounts:
        raise InputError("nothing to scan: the organization has no ACTIVE account")
    key = accounts_key(config, run_id)
    body = json.dumps([{"account": a} for a in accounts]).encode()
    _put(_writer(session, config), config.bucket, key, body)
    return {"run_id": run_id, "bucket": config.bucket, "accounts_key": key, "accounts": len(accounts)}


# --- collect ------------------------------------------------------------------------------------------------


def collect_account(config: LambdaConfig, session: boto3.Session, context: Any, run_id: str) -> dict[str, Any]:
    """One account, its regions, nothing judged: the snapshot is the run's part for this account."""
    (account,) = config.accounts
    snapshot, calls = jobs.collect(
        Scope(config.request(), config.home, sessions=(session,), stop=deadline_from(context))
    )
    key = part_key(config, run_id, account)
    _put(_writer(session, config), config.bucket, key, encode_snapshot(snapshot, compress=True), GZIP)
    summary = {
        "run_id": run_id,
        "account": account,
        "part_key": key,
        "parts": len(snapshot.parts),
        "errors": len(snapshot.errors),
        "api_calls": calls,
    }
    if not snapshot.parts and snapshot.errors:
        first = snapshot.errors[0]
        raise CollectFailed(
            f"account {account} not collected ({first.service}:{first.operation} {first.code}: {first.message}); "
            f"its part s3://{config.bucket}/{key} records why"
        )
    return summary


# --- judge --------------------------------------------------------------------------------------------------


def judge_run(
    config: LambdaConfig, session: boto3.Session, run_id: str, now: Callable[[], float] = time.time
) -> dict[str, Any]:
    """Every part of the run merged as one estate and judged once; then the single-run handler's publication."""
    started = now()
    job = make_job(config, session)  # a bad suppressions file fails before anything is read or written
    s3 = ClientFactory(session).client("s3", config.home)
    expected = _listed_accounts(s3, config, run_id)
    # Reads overlap (a thousand GETs one after another would be half a minute of waiting); parsing holds the
    # interpreter lock, so more threads would not help.
    sources = in_parallel(
        lambda key: Source(f"s3://{config.bucket}/{key}", read_s3_snapshot(s3, config.bucket, key)),
        _part_keys(s3, config, run_id),
        PART_READERS,
    )
    stored = {_account_of(source.label) for source in sources}
    missing = tuple(
        CollectionError(account, "*", *NO_PART[:2], NO_PART[2], "the collect step stored no part for this account "
                        "(it failed, timed out or did not run): see the state machine's map run")
        for account in sorted(set(expected) - stored)
    )  # fmt: skip
    snapshot = merge(sources) if sources else Snapshot(utc_now(), (), tuple(sorted(config.regions)), ())
    snapshot = replace(snapshot, errors=snapshot.errors + missing)
    log.debug("run %s: %d part(s), %d account(s) without one", run_id, len(sources), len(missing))
    summary = publish(config, session, jobs.audit(snapshot, job), run_id, started, now)
    return {**summary, "parts": len(sources), "accounts_without_part": [e.account_id for e in missing]}


def _listed_accounts(s3: Any, config: LambdaConfig, run_id: str) -> list[str]:
    key = accounts_key(config, run_id)
    try:
        body = s3.get_object(Bucket=config.bucket, Key=key)["Body"].read()
        return [str(item["account"]) for item in json.loads(body)]
    except (ClientError, BotoCoreError) as exc:
        code, message = describe_exception(exc)
        raise InputError(f"cannot read s3://{config.bucket}/{key} (s3:GetObject {code}): {message}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(f"s3://{config.bucket}/{key} is not a list of accounts: {one_line(str(exc))}") from None


def _part_keys(s3: Any, config: LambdaConfig, run_id: str) -> list[str]:
    prefix = parts_prefix(config, run_id)
    keys: list[str] = []
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=config.bucket, Prefix=prefix):
            keys += [str(o["Key"]) for o in page.get("Contents", []) if str(o["Key"]).endswith(".json.gz")]
    except (ClientError, BotoCoreError) as exc:
        code, message = describe_exception(exc)
        raise InputError(f"cannot list s3://{config.bucket}/{prefix} (s3:ListBucket {code}): {message}") from None
    return sorted(keys)


def _account_of(label: str) -> str:
    return label.rsplit("/", 1)[-1].removesuffix(".json.gz")


# --- writes -------------------------------------------------------------------------------------------------


def _writer(session: boto3.Session, config: LambdaConfig) -> Any:
    return ClientFactory(session, allow_writes=frozenset({"s3:PutObject"})).client("s3", config.home)
