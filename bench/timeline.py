"""The request timeline of a scan: when each service's first and last request left, relative to the start.

Registered on a boto3 session before the scan's clients exist (they inherit session handlers), on
`before-send`, which fires after the Route 53 limiter (registered on the client), so the times are when
requests really left. The critical path is the service whose last request comes last.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import boto3


class Timeline:
    def __init__(self, session: boto3.Session) -> None:
        self.started = time.perf_counter()
        self.sent: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        session.events.register("before-send", self._sent)

    def _sent(self, request: Any = None, **kwargs: Any) -> None:
        service = str(kwargs.get("event_name", "before-send.unknown")).split(".")[1]
        now = time.perf_counter() - self.started
        with self._lock:
            self.sent.setdefault(service, []).append(now)

    def restart(self) -> None:
        with self._lock:
            self.started = time.perf_counter()
            self.sent = {}

    def lines(self) -> list[str]:
        with self._lock:
            rows = sorted(self.sent.items(), key=lambda kv: kv[1][0])
        return [
            f"  {service:<18} {len(times):>5} requests, first {times[0]:6.2f}s, last {max(times):6.2f}s"
            for service, times in rows
        ]
