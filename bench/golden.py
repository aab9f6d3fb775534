"""Pin reports across a refactor: save snapshots once, render them with two versions of the code, compare.

    python -m bench.golden collect DIR          scan every moto world, the demo and the bench worlds into DIR
    python -m bench.golden render  DIR OUT      render each snapshot of DIR in every format into OUT
    python -m bench.golden compare OLD NEW      byte-compare two OUT folders; exit 1 on any difference

Collection runs once, with the code before the change; rendering runs with the code before and after, on the
same snapshots, so the comparison sees only what judging and rendering do (moto's ids and the collection
time differ on every build and would hide that). Everything goes through the command line (`vpce-audit scan`
and `vpce-audit audit`, in-process), the interface a refactor keeps stable.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
from moto import mock_aws

from moto_fixtures import WORLDS, build_world, fake_aws_env
from moto_fixtures.dns_worlds import SPOKE_ACCOUNT
from moto_fixtures.env import ACCOUNT_ID

FORMATS = ("json", "table", "csv", "asff", "ocsf", "html")
REGION = "us-east-1"
SUPPRESSIONS = """
[[suppression]]
check = "az-single"
resource = "vpce-*"
reason = "pinned by bench.golden"

[[suppression]]
check = "phz-zonal-alias"
resource = "*"
reason = "pinned by bench.golden"
expires = 2020-01-01
"""


def _cli(argv: list[str]) -> int:
    from vpce_audit.cli.main import run

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return run(argv)


def _scan(target: Path, *extra: str) -> None:
    code = _cli(
        [
            "scan",
            "--region",
            REGION,
            "--quiet",
            *extra,
            "--save-snapshot",
            str(target),
            "-o",
            "json",
            "--output-file",
            str(target.with_suffix(".report")),
            "--fail-on",
            "none",
        ]
    )
    target.with_suffix(".report").unlink(missing_ok=True)
    if code not in (0, 3):
        raise SystemExit(f"scan for {target.name} exited {code}")


@contextlib.contextmanager
def _moto() -> Iterator[boto3.Session]:
    with fake_aws_env(), mock_aws():
        yield boto3.Session(region_name=REGION)


def _world(name: str) -> Callable[[Path], None]:
    def collect(target: Path) -> None:
        with _moto() as session:
            world = build_world(name, session, REGION)
            try:
                _scan(target)
                if name == "dns-cross-account":
                    joined = target.with_name(f"{target.stem}.joined.json")
                    _scan(joined, "--role-name", "VpceAuditReadOnly", "--accounts", f"{ACCOUNT_ID},{SPOKE_ACCOUNT}")
            finally:
                world.close()

    return collect


def _bench(module: str) -> Callable[[Path], None]:
    def collect(target: Path) -> None:
        import importlib

        bench = importlib.import_module(f"bench.{module}")
        with _moto() as session:
            builder = bench.build(session)
            try:
                _scan(target)
            finally:
                builder.close()

    return collect


def _scale(target: Path) -> None:
    from bench.scale import synthetic_snapshot
    from vpce_audit.snapshot import dump_snapshot

    target.write_text(dump_snapshot(synthetic_snapshot(30)), encoding="utf-8")


def sources() -> dict[str, Callable[[Path], None]]:
    out = {f"world-{name}": _world(name) for name in sorted(WORLDS)}
    out["bench-scan"] = _bench("scan")
    out["bench-route53"] = _bench("route53")
    out["bench-scale"] = _scale
    return out


def collect(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, make in sources().items():
        started = time.perf_counter()
        make(folder / f"{name}.json")
        print(f"{name}: {time.perf_counter() - started:.1f}s", flush=True)


def render(snapshots: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rules = out / "suppressions.toml"
    rules.write_text(SUPPRESSIONS, encoding="utf-8")
    for snap in sorted(snapshots.glob("*.json")):
        for fmt in FORMATS:
            _audit(snap, out / f"{snap.stem}.{fmt}", ["-o", fmt])
        _audit(snap, out / f"{snap.stem}.suppressed.json", ["-o", "json", "--suppressions", str(rules)])
        _audit(snap, out / f"{snap.stem}.suppressed.table", ["-o", "table", "--suppressions", str(rules)])
    _checks(out / "checks.json")
    print(f"rendered {len(list(out.iterdir()))} files into {out}")


def _audit(snap: Path, target: Path, options: list[str]) -> None:
    code = _cli(["audit", str(snap), *options, "--output-file", str(target), "--fail-on", "high"])
    target.with_name(target.name + ".exit").write_text(f"{code}\n", encoding="utf-8")


def _checks(target: Path) -> None:
    buffer = io.StringIO()
    from vpce_audit.cli.main import run

    with contextlib.redirect_stdout(buffer):
        run(["checks", "-o", "json"])
    target.write_text(buffer.getvalue(), encoding="utf-8")


def compare(old: Path, new: Path) -> int:
    names = sorted({p.name for p in old.iterdir()} | {p.name for p in new.iterdir()})
    differ = 0
    for name in names:
        a, b = old / name, new / name
        if not a.exists() or not b.exists():
            print(f"only in {'new' if b.exists() else 'old'}: {name}")
            differ += 1
            continue
        if a.read_bytes() == b.read_bytes():
            continue
        differ += 1
        print(f"differs: {name}")
        left, right = a.read_text(encoding="utf-8"), b.read_text(encoding="utf-8")
        if name.endswith(".json"):
            with contextlib.suppress(json.JSONDecodeError):
                left = json.dumps(json.loads(left), indent=1, sort_keys=True)
                right = json.dumps(json.loads(right), indent=1, sort_keys=True)
        diff = list(difflib.unified_diff(left.splitlines(), right.splitlines(), "old", "new", n=1, lineterm=""))
        print("\n".join(diff[:30]) + ("\n  ..." if len(diff) > 30 else ""))
    print(f"{len(names) - differ} identical, {differ} different, of {len(names)} files")
    return 1 if differ else 0


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "collect":
        collect(Path(argv[1]))
        return 0
    if len(argv) == 3 and argv[0] == "render":
        render(Path(argv[1]), Path(argv[2]))
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        return compare(Path(argv[1]), Path(argv[2]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
