"""The one door to AWS: every client is built here, retried, counted and read-only."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import boto3
from botocore.config import Config

from vpce_audit import __version__

READ_ONLY_PREFIXES = ("Describe", "List", "Get")
# Standard mode retries throttles with jittered backoff; 10 attempts in all ride out a busy account's bursts.
MAX_ATTEMPTS = 10


class ReadOnlyViolation(RuntimeError):
    """Raised before a request is sent when it would change something in the account."""


class CallCounter:
    """Counts API calls (not retry attempts) per `service:Operation`; shared by all threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def __call__(self, model: Any, **_: Any) -> None:
        key = f"{model.service_model.service_name}:{model.name}"
        with self._lock:
            self._counts[key] += 1

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())


class ReadOnlyGuard:
    """Refuses any operation not named Describe*, List* or Get*, unless the user asked for it by name."""

    def __init__(self, allow: frozenset[str] = frozenset()) -> None:
        self.allow = allow

    def __call__(self, model: Any, **_: Any) -> None:
        name = f"{model.service_model.service_name}:{model.name}"
        if not model.name.startswith(READ_ONLY_PREFIXES) and name not in self.allow:
            raise ReadOnlyViolation(f"refused {name}: vpce-audit is read-only")


class ClientFactory:
    """Builds and caches one client per (service, region) for one account's session.

    Endpoints and credentials come the standard boto3 way, so AWS_ENDPOINT_URL and profiles work.
    """

    def __init__(
        self,
        session: boto3.Session,
        *,
        counter: CallCounter | None = None,
        allow_writes: frozenset[str] = frozenset(),
        max_pool_connections: int = 16,
    ) -> None:
        self.session = session
        self.counter = counter or CallCounter()
        self._guard = ReadOnlyGuard(allow_writes)
        self._config = Config(
            retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
            max_pool_connections=max_pool_connections,
            user_agent_extra=f"vpce-audit/{__version__}",
        )
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                client = self.session.client(service, region_name=region, config=self._config)
                # before-parameter-build fires before anything is serialised or sent.
                client.meta.events.register("before-parameter-build", self._guard)
                client.meta.events.register("before-call", self.counter)
                self._clients[key] = client
            return self._clients[key]
