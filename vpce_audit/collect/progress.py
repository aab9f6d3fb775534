"""Progress on stderr while scanning on a terminal: accounts and regions done, calls, errors."""

from __future__ import annotations

import sys
import threading
from typing import TextIO


class Progress:
    """Thread-safe one-line progress. Silent unless enabled (a TTY and not --quiet), so pipes stay clean."""

    def __init__(self, total: int, *, enabled: bool, stream: TextIO | None = None) -> None:
        self.total = total
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self._done = 0
        self._lock = threading.Lock()

    def step(self, label: str, calls: int, errors: int) -> None:
        with self._lock:
            self._done += 1
            if self.enabled:
                self.stream.write(f"\r\x1b[2K[{self._done}/{self.total}] {label} · {calls} calls · {errors} errors")
                self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
