"""`make bench`: the cost of the AZ-loss simulation (verdicts/az_loss.py) at 10,000 interface endpoints in 3
regions with 6 AZs each (bench/scale.py's largest estate, its VPCs alternating between AZs 1-3 and 4-6).

Prints one build_report without the simulation (every check but az-loss-cross-az), the simulation on the same
Inventory (what the check, or --az-loss, adds), and their ratio; the issue's budget is 3x. Figures, not pass/fail.
"""

from __future__ import annotations

import time
from dataclasses import replace

from bench.scale import SERVICES, synthetic_snapshot
from vpce_audit.checks import REGISTRY
from vpce_audit.report.model import build_report
from vpce_audit.snapshot import GLOBAL_REGION, Snapshot
from vpce_audit.verdicts.az_loss import Impact, simulate

VPCS = 1000  # x 10 interface endpoints
SIX = "abcdef"


def _az_id(region: str, letter: str) -> str:
    return f"{region[:2]}{region[-1]}-az{SIX.index(letter) + 1}"


def six_az_snapshot(vpcs: int = VPCS) -> Snapshot:
    """scale's estate with six AZs per region: odd VPCs move their subnets (and so their ENIs) to AZs d-f."""
    snap = synthetic_snapshot(vpcs)
    parts = []
    for part in snap.parts:
        if part.region == GLOBAL_REGION:
            parts.append(part)
            continue
        region = part.region
        apis = dict(part.apis)
        subnets = []
        for s in apis["ec2:DescribeSubnets"]:
            n = int(s["VpcId"][4:], 16)
            letter = s["AvailabilityZone"][-1]
            if n % 2:
                letter = SIX[SIX.index(letter) + 3]
            subnets.append(s | {"AvailabilityZone": f"{region}{letter}", "AvailabilityZoneId": _az_id(region, letter)})
        apis["ec2:DescribeSubnets"] = subnets
        apis["ec2:DescribeAvailabilityZones"] = [
            {"ZoneName": f"{region}{x}", "ZoneId": _az_id(region, x), "RegionName": region} for x in SIX
        ]
        apis["ec2:DescribeVpcEndpointServices"] = [
            s | {"AvailabilityZones": [f"{region}{x}" for x in SIX]} for s in apis["ec2:DescribeVpcEndpointServices"]
        ]
        parts.append(replace(part, apis=apis))
    return replace(snap, parts=tuple(parts))


def main() -> None:
    snap = six_az_snapshot()
    others = tuple(c for c in REGISTRY if c != "az-loss-cross-az")
    started, cpu = time.perf_counter(), time.process_time()
    report = build_report(snap, others)
    t_report, c_report = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    result = simulate(report.inventory)
    t_loss, c_loss = time.perf_counter() - started, time.process_time() - cpu
    entries = sum(len(e) for e in result.losses.values())
    lost = sum(e.impact is Impact.LOST for es in result.losses.values() for e in es)
    print(
        f"az-loss: {len(report.endpoints)} endpoints ({len(SERVICES)} services per VPC), {len(result.losses)} AZs "
        f"simulated, {entries} entries ({lost} lost)"
    )
    # CPU seconds too: on a shared machine the wall clock also counts other processes' turns.
    print(
        f"  build_report without az-loss: {t_report:.2f} s ({c_report:.2f} s CPU); simulation: {t_loss:.2f} s "
        f"({c_loss:.2f} s CPU); ratio {t_loss / t_report:.2f}x ({c_loss / c_report:.2f}x in CPU)"
    )


if __name__ == "__main__":
    main()
