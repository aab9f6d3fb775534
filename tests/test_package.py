"""The Lambda zip holds the package and its runtime dependencies: no moto, no test fixtures, no tests."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _packager() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deploy_package", ROOT / "deploy" / "package.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_package_files_are_the_vpce_audit_package_alone():
    names = [name for _, name in _packager().package_files(ROOT)]
    assert "vpce_audit/lambda_handler.py" in names
    assert "vpce_audit/policies/read-only.json" in names
    assert all(name.startswith("vpce_audit/") for name in names)
    assert not any("__pycache__" in name or name.endswith(".pyc") for name in names)


def test_the_requirements_are_the_runtime_dependencies_without_moto():
    requirements = _packager().runtime_requirements(ROOT)
    assert any(r.startswith("boto3") for r in requirements)
    assert not any(r.lower().startswith(("moto", "pytest", "hypothesis")) for r in requirements)


@pytest.mark.slow
def test_the_built_zip_runs_the_handler_without_moto_or_fixtures(tmp_path):
    """Builds the zip for real (pip installs the runtime dependencies from the package index), then imports
    the handler from it in an interpreter that sees nothing but the zip's contents and the standard library."""
    out = _packager().build(tmp_path / "lambda.zip", ROOT)
    with zipfile.ZipFile(out) as zf:
        tops = {name.split("/")[0] for name in zf.namelist()}
        zf.extractall(tmp_path / "unzipped")
    assert {"vpce_audit", "boto3", "botocore"} <= tops
    assert not tops & {"moto", "moto_fixtures", "tests", "bench"}
    probe = (
        "import importlib.util, sys; sys.path.insert(0, sys.argv[1]);"
        "from vpce_audit.lambda_handler import handler;"
        "print(callable(handler), importlib.util.find_spec('moto'), importlib.util.find_spec('moto_fixtures'))"
    )
    # -I: no PYTHONPATH, no user site; -S: no site-packages (the development install is invisible).
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", probe, str(tmp_path / "unzipped")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "None", "None"]
