"""A moto server on 127.0.0.1 holding one bundled world, for trying the CLI as against a real account:

    .venv/bin/python -m moto_fixtures.serve demo --port 5000

The server runs in this process, so the realism patches that make moto's endpoints look like real ones reach
it. It prints the environment a shell needs (fake keys, AWS_ENDPOINT_URL) and serves until interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import threading

import boto3
from moto.server import ThreadedMotoServer

from moto_fixtures.env import FAKE_ENV, fake_aws_env
from moto_fixtures.worlds import WORLDS, build_world

REGION = "us-east-1"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m moto_fixtures.serve", description=__doc__.split("\n\n")[0])
    parser.add_argument("world", nargs="?", default="demo", choices=sorted(WORLDS), metavar="WORLD")
    parser.add_argument("--port", type=int, default=5000, help="0 picks a free port (default 5000)")
    args = parser.parse_args(argv)

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    try:
        with fake_aws_env(AWS_ENDPOINT_URL=url):
            world = build_world(args.world, boto3.Session(region_name=REGION), REGION)
        env = {k: FAKE_ENV[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION")}
        print(" ".join(["export", f"AWS_ENDPOINT_URL={url}", *(f"{k}={v}" for k, v in env.items())]), flush=True)
        print(f"# world {args.world!r} served on {url}; Ctrl-C stops it", file=sys.stderr, flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a user stops it
            stop.wait()
        world.close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
