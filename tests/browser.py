"""Headless Chromium, offline: render an HTML file to its DOM or to a PNG.

Every network path is closed: background services off, and all traffic sent to a proxy on a closed loopback
port, so a page (or Chromium itself) that tried to fetch anything would fail instead of leaving the machine.

    python -m tests.browser REPORT.html SCREENSHOT.png     (what `make report-screenshot` runs)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WIDTH = 1280
BROWSERS = ("chromium", "chromium-browser")


def find_browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def _command(browser: str, profile: Path, *extra: str) -> list[str]:
    return [
        browser,
        "--headless",
        "--no-sandbox",  # tests run as root, where Chromium refuses its sandbox
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--dns-prefetch-disable",
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        f"--user-data-dir={profile}",
        *extra,
    ]


def _run(browser: str, page: Path, *extra: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [*_command(browser, Path(profile), *extra), page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
    return done.stdout


def dump_dom(browser: str, page: Path) -> str:
    """The DOM after Chromium parsed and laid out the page, serialised back to HTML."""
    return _run(browser, page, "--dump-dom")


def screenshot(browser: str, page: Path, png: Path, height: int = 2400) -> None:
    _run(browser, page, f"--screenshot={png.resolve()}", f"--window-size={WIDTH},{height}", "--hide-scrollbars")


def main(argv: list[str]) -> int:
    browser = find_browser()
    if browser is None:
        sys.stderr.write("no Chromium found: apt-get install chromium\n")
        return 2
    screenshot(browser, Path(argv[0]), Path(argv[1]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
