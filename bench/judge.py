"""`python -m bench.judge`: the state machine's judge step on a merged synthetic organisation.

The estate: ACCOUNTS accounts x 17 regions, 10 VPCs per account (one in each of 10 regions; 7 regions empty, as
most regions of most accounts are), 10 interface endpoints (9 in 3 AZs, kms in one: a finding per VPC for the
diff to compare) and 100 Route 53 records per VPC: 1,000 accounts make 100,000 interface endpoints and
1,000,000 records, ten times bench/scale.py's largest. Each account is one gzip part, as the collect step stores
it; the parts are written to a temporary folder (the S3 prefix of a run) by this process, then judged in a fresh
process so that its peak memory is the judge's own:

    read every part (gunzip, parse) -> merge (estate.py) -> normalize, verdicts, checks (jobs.audit)
    -> report JSON streamed to a spool (what is stored twice: dated report, latest.json) -> the previous report
    read back without its verdicts, as the Lambda reads latest.json -> diff

The S3 transfers themselves are not measured (moto would hold the whole estate in this process); the note gives
them as an estimate. Prints wall seconds per stage and the peak resident memory (ru_maxrss), against Lambda's
limits (10,240 MB, 900 s), and writes the figures to build/bench-judge.json for bench/fanout.py's model.
`--accounts N` scales the estate down (100 accounts: 10,000 endpoints) when the machine is short of time.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.scale import ACCOUNT, _regional_part
from vpce_audit.app import job as jobs
from vpce_audit.estate import Source, merge
from vpce_audit.lambda_handler import compare, rendered
from vpce_audit.model.findings import Severity
from vpce_audit.report.diff import parse_report, without_verdicts
from vpce_audit.snapshot import GLOBAL_REGION, Part, Snapshot, dump_snapshot, parse_snapshot

# The 17 regions enabled by default in an aws-partition account.
REGIONS_17 = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1",
    "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
)  # fmt: skip
VPCS_PER_ACCOUNT = 10  # 100 interface endpoints per account
DEFAULT_ACCOUNTS = 1000
WHEN = "2024-01-01T00:00:00Z"
LAMBDA_MEMORY_MB, LAMBDA_TIMEOUT_S = 10_240, 900
RESULT = Path("build") / "bench-judge.json"


def account_id(index: int) -> str:
    return f"{200000000000 + index:012d}"


def _az_ids(region: str, apis: dict[str, list[Any]]) -> None:
    """bench/scale.py derives AZ ids from the region's first and last letters, which 17 regions share (eu-west-1
    and eu-central-1): give each region its own, as AWS does."""
    short = region.replace("-", "")
    for item in apis["ec2:DescribeAvailabilityZones"]:
        item["ZoneId"] = f"{short}-az{item['ZoneId'].rsplit('az', 1)[-1]}"
    for item in apis["ec2:DescribeSubnets"]:
        item["AvailabilityZoneId"] = f"{short}-az{item['AvailabilityZoneId'].rsplit('az', 1)[-1]}"


@functools.cache
def _first_account() -> str:
    """Account 0's snapshot text: VPCS_PER_ACCOUNT VPCs, one in each of the first regions, every region
    collected. Its resource ids are `<kind>-0000000<r>...` (bench/scale.py writes the VPC number in 8 hex digits)."""
    zones: dict[str, list[Any]] = {"listing": [], "zones": [], "records": []}
    parts = []
    for r, region in enumerate(REGIONS_17):
        part = _regional_part(region, r, 1 if r < VPCS_PER_ACCOUNT else 0, zones)
        _az_ids(region, part.apis)
        for endpoint in part.apis["ec2:DescribeVpcEndpoints"]:
            if endpoint["ServiceName"].endswith(".kms"):  # one AZ of three: az-single, a finding per VPC to diff
                endpoint["SubnetIds"] = endpoint["SubnetIds"][:1]
                endpoint["NetworkInterfaceIds"] = endpoint["NetworkInterfaceIds"][:1]
        parts.append(part)
    parts.append(
        Part(ACCOUNT, GLOBAL_REGION, WHEN, {
            "route53:ListHostedZonesByVPC": zones["listing"],
            "route53:GetHostedZone": zones["zones"],
            "route53:ListResourceRecordSets": zones["records"],
            "route53:SkippedZones": [],
        })
    )  # fmt: skip
    text = dump_snapshot(Snapshot(WHEN, (ACCOUNT,), REGIONS_17, tuple(parts)))
    return text


def account_part(index: int) -> bytes:
    """Account `index`'s part as the collect step stores it (gzip JSON): account 0's, with the account id and
    the first seven hex digits of every resource id replaced (ids unique in the estate; CIDRs and zone names
    repeat across accounts, as they do in real organisations)."""
    text = _first_account().replace("0000000", f"{index:07x}").replace(ACCOUNT, account_id(index))
    return gzip.compress(text.encode(), compresslevel=1, mtime=0)


def write_estate(folder: Path, accounts: int) -> tuple[float, int]:
    started = time.perf_counter()
    size = 0
    for index in range(accounts):
        body = account_part(index)
        size += len(body)
        (folder / f"{account_id(index)}.json.gz").write_bytes(body)
    return time.perf_counter() - started, size


def judge(folder: Path) -> dict[str, Any]:
    """In a fresh process: what the judge step does with a run's parts, stage by stage."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    sources = [Source(str(p), parse_snapshot(p.read_bytes(), str(p))) for p in sorted(folder.glob("*.json.gz"))]
    merged = merge(sources)
    del sources
    t1 = time.perf_counter()
    report = jobs.audit(merged, jobs.Job(fail_on=Severity.HIGH)).report
    t2 = time.perf_counter()
    document = report.to_document(endpoints=False)
    with rendered(report) as body:  # as the Lambda stores it: streamed into a spool that spills to /tmp
        t3 = time.perf_counter()
        size = body.seek(0, io.SEEK_END)
        body.seek(0)
        # against a previous report of the same size, read as the Lambda reads latest.json: the diff's full cost
        previous = parse_report(without_verdicts(io.TextIOWrapper(body, encoding="utf-8")), "latest.json")
        diff = compare(previous, document)
    t4 = time.perf_counter()
    return {
        "accounts": len(merged.accounts),
        "parts": len(merged.parts),
        "endpoints": sum(1 for e in report.endpoints if e.endpoint.type_raw == "Interface"),
        "findings": len(report.findings),
        "report_mib": size / 2**20,
        "unchanged": len(diff.unchanged),
        "read_merge_s": t1 - t0,
        "judge_s": t2 - t1,
        "render_s": t3 - t2,
        "diff_s": t4 - t3,
        "total_s": t4 - t0,
        # The judge is one thread: its CPU seconds are its wall time on an idle vCPU (this machine is shared).
        "cpu_s": time.process_time() - cpu0,
        "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rss_at_start_mib": rss_before,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.judge", description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=DEFAULT_ACCOUNTS, help=f"accounts ({DEFAULT_ACCOUNTS})")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # the child: judge this folder
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(judge(Path(args.one))))
        return 0
    endpoints = args.accounts * VPCS_PER_ACCOUNT * 10
    print(
        f"judge step on a merged organisation: {args.accounts} accounts x {len(REGIONS_17)} regions, "
        f"{endpoints:,} interface endpoints, {endpoints * 10:,} Route 53 records"
        + (
            ""
            if args.accounts == DEFAULT_ACCOUNTS
            else f" (scaled down from {DEFAULT_ACCOUNTS} accounts by --accounts)"
        )
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seconds, size = write_estate(folder, args.accounts)
        print(f"  parts written: {args.accounts} gzip files, {size / 2**20:.0f} MiB, in {seconds:.1f} s (not judged)")
        out = subprocess.run(
            [sys.executable, "-m", "bench.judge", "--one", str(folder)], check=True, capture_output=True, text=True
        )
    r: dict[str, Any] = json.loads(out.stdout)
    print(
        f"  read+merge {r['read_merge_s']:.1f} s | normalize+verdicts+checks {r['judge_s']:.1f} s | "
        f"report JSON {r['render_s']:.1f} s ({r['report_mib']:.0f} MiB) | diff {r['diff_s']:.1f} s"
    )
    print(
        f"  judged {r['endpoints']:,} interface endpoints of {r['accounts']} accounts ({r['parts']} parts), "
        f"{r['findings']:,} findings: {r['total_s']:.1f} s wall ({r['cpu_s']:.1f} s CPU), "
        f"peak RSS {r['maxrss_mib']:.0f} MiB "
        f"(Lambda allows {LAMBDA_TIMEOUT_S} s and {LAMBDA_MEMORY_MB:,} MB: "
        f"{100 * r['total_s'] / LAMBDA_TIMEOUT_S:.0f}% of the time, {100 * r['maxrss_mib'] / LAMBDA_MEMORY_MB:.0f}% "
        "of the memory)"
    )
    RESULT.parent.mkdir(exist_ok=True)
    RESULT.write_text(json.dumps(r, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
