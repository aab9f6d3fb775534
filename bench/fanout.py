"""`python -m bench.fanout`: the organisation state machine's collect step, measured, and 1,000 accounts x 17
regions, estimated from it.

Measured (moto in this process; every request waits --latency seconds first, as in bench/org.py):
  1. one collect step: `fanout.collect_account` for one member account reached through its role, 17 regions
     each with a VPC and an interface endpoint, its part written to S3: the work of one Lambda of the map;
  2. the handler's import (a fresh interpreter importing vpce_audit.lambda_handler and fanout), standing in
     for a cold start's init;
  3. the single-machine CLI: `scan --organization` of --cli-accounts accounts x 17 regions (moto in-process:
     moto's CPU shares this machine's two cores, so this is a pessimistic figure for one machine).

Then the model for 1,000 accounts x 17 regions, printed as an ESTIMATE, with the judge's figures from
build/bench-judge.json (bench/judge.py, which `make bench` runs first). Assumptions are printed with it.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from typing import Any

import boto3
from moto import mock_aws

from bench.judge import REGIONS_17, RESULT
from bench.org import lean_stack
from bench.timeline import Timeline
from moto_fixtures import Builder, fake_aws_env
from moto_fixtures.hooks import Latency, intercept
from moto_fixtures.org_worlds import NO_DEFAULT_AMIS, create_organization, member_session, region_list
from tests.inprocess import cli
from vpce_audit import fanout
from vpce_audit.lambda_handler import load_config

HOME = "us-east-1"
ROLE = "VpceAuditScan"
BUCKET = "bench-reports"
ACCOUNTS = 1000
# Assumptions of the model (documented AWS defaults; each account's may differ).
LAMBDA_CONCURRENCY_QUOTA = 1000  # concurrent executions per region, shared with everything else there
S3_GET_S = 0.03  # one part read by the judge; fanout.PART_READERS at once
LIST_PAGE = 20  # organizations:ListAccounts page size
MAX_CONCURRENCIES = (40, 100, 250, 1000)  # the template's default first


def world(accounts: int) -> tuple[list[str], list[Builder]]:
    """The management account and accounts-1 members, a lean stack (a VPC, a one-AZ kms endpoint) in each of
    the 17 regions of each."""
    session = boto3.Session(region_name=HOME)
    members = create_organization(session, accounts - 1)
    builders: list[Builder] = []
    for account in [None, *members]:
        acting = session if account is None else member_session(session, account, HOME)
        for region in REGIONS_17:
            builders.append(Builder(acting, region))
            lean_stack(builders[-1])
    session.client("s3").create_bucket(Bucket=BUCKET)
    return members, builders


def collect_step(member: str, latency: float) -> dict[str, Any]:
    env = {"VPCE_AUDIT_BUCKET": BUCKET, "VPCE_AUDIT_REGIONS": ",".join(REGIONS_17)}
    config = load_config({"accounts": [member], "role_name": ROLE}, env)
    session = boto3.Session(region_name=HOME)
    timeline = Timeline(boto3.Session())  # fed by the hook below only, which sees the assumed role's calls too
    started = time.perf_counter()
    delay = Latency(latency)

    def sent(call: Any) -> None:
        timeline._sent(event_name=f"before-send.{call.service}")
        delay(call)

    timeline.restart()
    with intercept(sent):
        summary = fanout.collect_account(config, session, None, "bench-run")
    return {**summary, "seconds": time.perf_counter() - started, "timeline": timeline.lines()}


def cli_scan(latency: float) -> tuple[float, int]:
    started = time.perf_counter()
    with intercept(Latency(latency)):
        regions = [arg for region in REGIONS_17 for arg in ("--region", region)]
        run = cli("scan", "--organization", "--role-name", ROLE, *regions, "--quiet", "-o", "json", "--fail-on", "none")
    seconds = time.perf_counter() - started
    assert run.code in (0, 3), run.stderr
    endpoints = len(run.doc["endpoints"])
    return seconds, endpoints


def import_seconds() -> float:
    code = "import time; t = time.perf_counter(); import vpce_audit.lambda_handler, vpce_audit.fanout; "
    code += "print(time.perf_counter() - t)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(out.stdout)


def model(collect_s: float, init_s: float, cli_per_account_s: float) -> None:
    judge: dict[str, Any] | None = json.loads(RESULT.read_text()) if RESULT.exists() else None
    item_s = collect_s + init_s
    list_s = init_s + math.ceil(ACCOUNTS / LIST_PAGE) * 0.05 + 0.5  # pages at 50 ms, the accounts.json write
    print(f"\nESTIMATE (a model, not a measurement): {ACCOUNTS} accounts x {len(REGIONS_17)} regions at 50 ms per call")
    print(
        f"  one map item = collect {collect_s:.1f} s (measured) + init {init_s:.1f} s (import, measured) "
        f"= {item_s:.1f} s"
    )
    if judge is None:
        judge_s = float("nan")
        print(f"  judge: no {RESULT} (run `python -m bench.judge` first)")
    else:
        scale = ACCOUNTS / judge["accounts"]
        reads_s = ACCOUNTS * S3_GET_S / fanout.PART_READERS
        judge_s = judge["cpu_s"] * scale + init_s + reads_s + 2 * judge["report_mib"] / 50
        print(
            f"  judge = {judge['cpu_s']:.0f} s CPU measured on {judge['accounts']} accounts "
            f"({judge['endpoints']:,} endpoints, peak {judge['maxrss_mib']:.0f} MiB)"
            + (f" x {scale:.1f} (linear)" if scale != 1 else "")
            + f" + {ACCOUNTS} part GETs at {S3_GET_S * 1000:.0f} ms, {fanout.PART_READERS} at once ({reads_s:.0f} s)"
            + f" + 2 report PUTs at 50 MB/s + init = {judge_s:.0f} s"
        )
    print(f"  list = {list_s:.1f} s ({math.ceil(ACCOUNTS / LIST_PAGE)} ListAccounts pages at 50 ms, init)")
    print(f"  Lambda concurrency quota assumed {LAMBDA_CONCURRENCY_QUOTA} (the default per region; less is common)")
    print(f"  {'MaxConcurrency':>14} {'waves':>6} {'collect':>9} {'total':>9}")
    for wanted in MAX_CONCURRENCIES:
        concurrency = min(wanted, LAMBDA_CONCURRENCY_QUOTA)
        waves = math.ceil(ACCOUNTS / concurrency)
        collect_wall = waves * item_s
        total = list_s + collect_wall + judge_s
        print(f"  {wanted:>14} {waves:>6} {collect_wall:>8.0f}s {total:>8.0f}s")
    cli_total = cli_per_account_s * ACCOUNTS
    print(
        f"  single machine, the CLI (`scan --organization`): {cli_per_account_s:.2f} s per account measured "
        f"-> {cli_total / 60:.0f} min for {ACCOUNTS} accounts (linear; the judge's share included in the measurement)"
    )
    print(
        "  Not modelled: the Distributed Map's ramp-up of child executions, throttling by a shared Lambda quota, "
        "cold starts beyond the first wave (warm functions skip init)."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every request (0.05)")
    parser.add_argument("--cli-accounts", type=int, default=6, help="accounts of the CLI measurement (6)")
    args = parser.parse_args(argv)
    print(f"collect step: one member account, {len(REGIONS_17)} regions, +{args.latency * 1000:.0f} ms per request")
    with fake_aws_env(**NO_DEFAULT_AMIS), mock_aws(), region_list(REGIONS_17, ()):
        built = time.perf_counter()
        members, builders = world(args.cli_accounts)
        print(
            f"  moto world: {args.cli_accounts} accounts x {len(REGIONS_17)} regions built in "
            f"{time.perf_counter() - built:.0f} s"
        )
        try:
            step = collect_step(members[0], args.latency)
            print(
                f"  collect_account: {step['seconds']:.1f} s, {step['api_calls']} API calls "
                f"({step['api_calls'] / step['seconds']:.0f}/s), {step['parts']} parts, {step['errors']} errors; "
                "request timeline:"
            )
            print("\n".join(step["timeline"]))
            cli_s, endpoints = cli_scan(args.latency)
            print(
                f"  CLI scan --organization of {args.cli_accounts} accounts x {len(REGIONS_17)} regions: {cli_s:.1f} s "
                f"({endpoints} endpoints judged; moto in-process)"
            )
        finally:
            for b in reversed(builders):
                b.close()
    init_s = import_seconds()
    print(f"  handler import in a fresh interpreter: {init_s:.2f} s")
    model(step["seconds"], init_s, cli_s / args.cli_accounts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
