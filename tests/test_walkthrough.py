"""The README's walkthrough runs as written (issue 12, item 10): its five commands, in a shell, against the
moto server `python -m moto_fixtures.serve` starts on 127.0.0.1 (port 0 here instead of the README's 5000, so
tests never collide on a port)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.moto_server import REPO_ROOT

BLOCK = re.compile(r"### A walkthrough against a local moto server\n.*?```sh\n(.*?)```", re.S)


def walkthrough() -> list[str]:
    match = BLOCK.search((REPO_ROOT / "README.md").read_text())
    assert match, "README has no walkthrough block"
    return [line.split("  #", 1)[0].strip() for line in match.group(1).strip().splitlines()]


@pytest.mark.server
def test_readme_walkthrough_runs_as_written(tmp_path: Path) -> None:
    commands = walkthrough()
    assert len(commands) == 5
    venv = str(REPO_ROOT / ".venv" / "bin") + "/"
    steps = [c.replace(".venv/bin/", venv).replace("--port 5000", "--port 0") for c in commands]
    # Each step's exit code on its own line, then stop the server the way the README says.
    script = "\n".join(f'{step}\necho "step $? "' for step in steps) + "\nkill %1; wait\n"
    env = {k: os.environ[k] for k in ("PATH", "LANG", "TMPDIR") if k in os.environ}
    env |= {"PYTHONPATH": str(REPO_ROOT), "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    env |= {"AWS_EC2_METADATA_DISABLED": "true", "NO_COLOR": "1", "HOME": str(tmp_path)}
    proc = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    codes = re.findall(r"^step (\d+) $", proc.stdout, re.M)
    # 1 and 2 start the server and source its environment; 3 and 4 find the demo's high findings (exit 1, the
    # default --fail-on high); 5 writes the page with --fail-on none
    assert codes[1:] == ["0", "1", "1", "0"], proc.stdout[-2000:] + proc.stderr[-2000:]
    exported = (tmp_path / "moto.env").read_text()
    assert re.fullmatch(r"export AWS_ENDPOINT_URL=http://127\.0\.0\.1:\d+ .*\n", exported)
    table = proc.stdout.split("step 0 \n", 2)[2]
    assert "VPC vpc-" in table and "az-single" in table
    high = json.loads(proc.stdout.split("step 1 \n", 1)[1].split("step 1 \n", 1)[0])
    assert sorted(check for check, _ in high) == ["az-single", "gw-rt-gap", "phz-zonal-alias"]
    assert (tmp_path / "report.html").read_text().startswith("<!DOCTYPE html>")
