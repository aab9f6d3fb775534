"""Build the Lambda zip for deploy/template.yaml: the runtime dependencies and the vpce_audit package, nothing
else. The development install also carries moto_fixtures (the demo's worlds) and moto; neither belongs in a
function that audits real accounts, so the zip is assembled from an allow-list rather than from `pip install .`.

    python deploy/package.py [OUT.zip]        (default dist/vpce-audit-lambda.zip; `make package` runs it)

Build it on Linux x86_64 with Python 3.11, the template's runtime and architecture: some dependencies ship
compiled wheels.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "vpce_audit"
# A fixed timestamp: two builds of the same tree give the same zip.
EPOCH = (2020, 1, 1, 0, 0, 0)


def runtime_requirements(root: Path = ROOT) -> list[str]:
    """The `[project] dependencies` of pyproject.toml: what the package needs at run time, no extras."""
    with (root / "pyproject.toml").open("rb") as fh:
        return list(tomllib.load(fh)["project"]["dependencies"])


def package_files(root: Path = ROOT) -> Iterator[tuple[Path, str]]:
    """(file, name in the zip) for every file of the vpce_audit package, compiled caches left out."""
    base = root / PACKAGE
    for path in sorted(base.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield path, path.relative_to(root).as_posix()


def _install(requirements: list[str], target: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "--no-compile",
            "--target",
            str(target),
            *requirements,
        ],
        check=True,
    )


def _entries(staging: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(staging.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield path, path.relative_to(staging).as_posix()


def build(out: Path, root: Path = ROOT) -> Path:
    with tempfile.TemporaryDirectory(prefix="vpce-audit-lambda-") as tmp:
        staging = Path(tmp)
        _install(runtime_requirements(root), staging)
        for src, name in package_files(root):
            dest = staging / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".tmp")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            for path, name in _entries(staging):
                info = zipfile.ZipInfo(name, EPOCH)
                info.external_attr = (0o644 if not os.access(path, os.X_OK) else 0o755) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())
        partial.replace(out)
    return out


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "dist" / "vpce-audit-lambda.zip"
    built = build(out)
    with zipfile.ZipFile(built) as zf:
        count = len(zf.namelist())
    print(f"wrote {built} ({count} files, {built.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
