"""A moto server on 127.0.0.1 for end-to-end CLI tests, and the environment a subprocess needs to use it.

The server runs in a thread of the test process, so moto_fixtures' realism patches (which edit moto's backend
objects) and injected failures reach it exactly as they reach in-process moto.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer

from moto_fixtures import World, build_world, fake_aws_env
from moto_fixtures.env import FAKE_ENV

REGION = "us-east-1"
REPO_ROOT = Path(__file__).resolve().parent.parent
# Only what Python needs to start: the CLI must not see the caller's AWS profile, keys or endpoints.
_PASSED_THROUGH = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str


class MotoServer:
    """One ThreadedMotoServer on an ephemeral port of the loopback interface."""

    def __init__(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per request otherwise
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"

    def stop(self) -> None:
        self._server.stop()

    def reset(self) -> None:
        """Wipe every backend, as a fresh server would start."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    def env(self, *, credentials: bool = True) -> dict[str, str]:
        """The environment for a CLI subprocess: this server, fake keys, no AWS config files."""
        env = {k: os.environ[k] for k in _PASSED_THROUGH if k in os.environ}
        env |= {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            # Without keys botocore would otherwise ask the instance metadata service, off this machine.
            "AWS_EC2_METADATA_DISABLED": "true",
            "PYTHONPATH": str(REPO_ROOT),
            "NO_COLOR": "1",
        }
        if credentials:
            env |= {k: FAKE_ENV[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")}
        return env

    def build(self, name: str, extend: Callable[[World], None] | None = None) -> World:
        """Build a named world on this server (after wiping it); `extend` may add to it while the endpoint
        is still the server's. Close the returned world when done: it undoes process-global patches."""
        self.reset()
        with fake_aws_env(AWS_ENDPOINT_URL=self.url):
            world = build_world(name, boto3.Session(region_name=REGION), REGION)
            try:
                if extend is not None:
                    extend(world)
            except BaseException:
                world.close()
                raise
        return world

    def cli(
        self,
        *args: str,
        cwd: Path | None = None,
        credentials: bool = True,
        env: Mapping[str, str | None] | None = None,
        umask: int = -1,
    ) -> CliResult:
        """Run `python -m vpce_audit ARGS` against this server, as a user would from a shell. `env` adds to
        the environment; a None value removes that variable; `umask` (when not -1) is the process's umask."""
        environ = self.env(credentials=credentials)
        for key, value in (env or {}).items():
            if value is None:
                environ.pop(key, None)
            else:
                environ[key] = value
        proc = subprocess.run(
            [sys.executable, "-m", "vpce_audit", *args],
            env=environ,
            cwd=cwd or REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            umask=umask,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)
