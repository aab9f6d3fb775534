"""`python -m bench.custodian`: vpce-audit and Cloud Custodian 0.9.53 side by side on a small account.

The account: 2 regions, 3 VPCs in each (plus moto's default VPC per region), subnets in 3 AZs, interface
endpoints, an S3 gateway endpoint, and 2 private hosted zones with records, served by moto on 127.0.0.1.
Both tools run as the user runs them, as subprocesses against that server (AWS_ENDPOINT_URL):

  vpce-audit scan --region us-east-1 --region eu-west-1 -o json
  custodian run   over describe-only policies of what vpce-audit reads (vpc, subnet, eni, route-table,
                  security-group, vpc-endpoint, prefix-list, hostedzone, resolver-rule), both regions

Cloud Custodian is installed from the package registry into its own virtualenv (build/c7n-venv) on first use.
Every request of either tool waits --latency seconds first: a botocore hook both interpreters load from a
sitecustomize on PYTHONPATH (the same hook as the other benches, registered before any client exists), which
also records when each service's requests left, for the timeline. 3 pairs at 0 ms and 3 at 50 ms, the order
alternating within each pair; prints the median wall time of each tool and each tool's request timeline.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from moto_fixtures import Builder, fake_aws_env
from moto_fixtures.builder import AZ1, AZ2, AZ3
from moto_fixtures.env import FAKE_ENV

C7N_VERSION = "0.9.53"
VENV = Path("build") / "c7n-venv"
REGIONS = ("us-east-1", "eu-west-1")
LATENCIES = (0.0, 0.05)
PAIRS = 3
C7N_RESOURCES = (
    "aws.vpc", "aws.subnet", "aws.eni", "aws.route-table", "aws.security-group", "aws.vpc-endpoint",
    "aws.prefix-list", "aws.hostedzone", "aws.resolver-rule",
)  # fmt: skip

# Loaded by both tools' interpreters (PYTHONPATH): latency before every request, and the request timeline.
SITECUSTOMIZE = """
import atexit, json, os, threading, time
from botocore import handlers
_delay = float(os.environ.get("BENCH_LATENCY", "0"))
_out = os.environ.get("BENCH_TIMELINE")
_t0 = time.perf_counter()
_sent = {}
_lock = threading.Lock()
def _before_send(request=None, event_name="before-send.unknown", **_):
    now = time.perf_counter() - _t0
    with _lock:
        _sent.setdefault(event_name.split(".")[1], []).append(now)
    if _delay:
        time.sleep(_delay)
handlers.BUILTIN_HANDLERS.append(("before-send", _before_send, handlers.REGISTER_FIRST))
if _out:
    atexit.register(lambda: open(_out, "w").write(json.dumps(_sent)))
"""


def ensure_custodian() -> Path | None:
    """build/c7n-venv/bin/custodian, created with pip from the package registry on first use."""
    custodian = VENV / "bin" / "custodian"
    if custodian.exists():
        return custodian
    print(f"installing c7n=={C7N_VERSION} into {VENV} (first run only)", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    done = subprocess.run([*pip, f"c7n=={C7N_VERSION}"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"  cannot install c7n=={C7N_VERSION} from the package registry: {done.stderr.strip()[-300:]}")
        return None
    return custodian


def build_account(session: boto3.Session) -> None:
    """3 VPCs per region, subnets in 3 AZs, 2 interface endpoints and an S3 gateway endpoint each; 2 private
    zones (one per region) with a few records, associated with that region's VPCs."""
    for r, region in enumerate(REGIONS):
        b = Builder(session, region)
        vpcs = []
        for v in range(3):
            vpc = b.vpc(f"10.{10 * r + v}.0.0/16", f"vpc-{region}-{v}")
            subnets = b.subnets(vpc, (AZ1, AZ2, AZ3), prefix=f"10.{10 * r + v}")
            b.interface_endpoint(vpc, "ssm", subnets)
            b.interface_endpoint(vpc, "kms", subnets[:1])
            b.gateway_endpoint(vpc, "s3", [b.main_route_table(vpc)])
            vpcs.append(vpc)
        zone = b.private_zone(f"internal-{r}.example.", vpcs)
        b.records(zone, *(b.a_record(f"host{i}.internal-{r}.example.", [f"10.0.0.{i + 1}"]) for i in range(5)))


def policies(folder: Path) -> Path:
    path = folder / "policies.json"
    found = [{"name": f"describe-{res.split('.', 1)[1]}", "resource": res} for res in C7N_RESOURCES]
    path.write_text(json.dumps({"policies": found}), encoding="utf-8")
    return path


def run_tool(command: list[str], env: dict[str, str], latency: float, folder: Path) -> tuple[float, dict[str, Any]]:
    timeline = folder / f"timeline-{time.monotonic_ns()}.json"
    started = time.perf_counter()
    done = subprocess.run(
        command,
        env=env | {"BENCH_LATENCY": str(latency), "BENCH_TIMELINE": str(timeline)},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1, 3):
        raise RuntimeError(f"{command[0]} exited {done.returncode}: {done.stderr.strip()[-500:]}")
    sent = json.loads(timeline.read_text()) if timeline.exists() else {}
    if not sent:
        raise RuntimeError(f"{command[0]} sent no request: {(done.stderr or done.stdout).strip()[-800:]}")
    return seconds, sent


def show_timeline(label: str, sent: dict[str, list[float]]) -> None:
    total = sum(len(t) for t in sent.values())
    print(f"  {label}: {total} requests")
    for service, times in sorted(sent.items(), key=lambda kv: kv[1][0]):
        print(f"    {service:<18} {len(times):>4} requests, first {min(times):6.2f}s, last {max(times):6.2f}s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.custodian", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=PAIRS, help=f"pairs per latency ({PAIRS})")
    args = parser.parse_args(argv)
    custodian = ensure_custodian()
    if custodian is None:
        return 0
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    try:
        with fake_aws_env(AWS_ENDPOINT_URL=url), tempfile.TemporaryDirectory() as tmp:
            build_account(boto3.Session(region_name=REGIONS[0]))
            folder = Path(tmp)
            (folder / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
            env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHONPATH"))}
            env |= FAKE_ENV | {"AWS_ENDPOINT_URL": url, "PYTHONPATH": str(folder)}
            env |= {"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
            vpce = [str(Path(sys.executable).with_name("vpce-audit")), "scan", "-q", "-o", "json", "--fail-on", "none"]
            vpce += [arg for region in REGIONS for arg in ("--region", region)]
            c7n = [str(custodian), "run", "-s", str(folder / "c7n-out"), "--cache-period", "0"]
            c7n += [*(arg for region in REGIONS for arg in ("--region", region)), str(policies(folder))]
            tools = {"vpce-audit": vpce, "c7n": c7n}
            print(
                f"vpce-audit vs Cloud Custodian {C7N_VERSION}: one account, {len(REGIONS)} regions, "
                "6 VPCs (+ moto's 2 default VPCs), 2 private zones"
            )
            for latency in LATENCIES:
                times: dict[str, list[float]] = {name: [] for name in tools}
                last: dict[str, dict[str, Any]] = {}
                for pair in range(args.pairs):
                    order = list(tools) if pair % 2 == 0 else list(reversed(tools))
                    for name in order:
                        seconds, sent = run_tool(tools[name], env, latency, folder)
                        times[name].append(seconds)
                        last[name] = sent
                medians = {name: statistics.median(t) for name, t in times.items()}
                print(
                    f"+{latency * 1000:.0f} ms per request, median of {args.pairs}: "
                    + ", ".join(
                        f"{name} {m:.2f} s ({' '.join(f'{t:.2f}' for t in times[name])})" for name, m in medians.items()
                    )
                    + f"; vpce-audit / c7n = {medians['vpce-audit'] / medians['c7n']:.2f}"
                )
                for name in tools:
                    show_timeline(
                        f"{name} request timeline (last run; seconds from the interpreter's start)", last[name]
                    )
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
