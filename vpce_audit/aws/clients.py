"""The one door to AWS: every client is built here, retried, counted and read-only."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import boto3
from botocore.config import Config

from vpce_audit import __version__

READ_ONLY_PREFIXES = ("Describe", "List", "Get")
# Read-only operations AWS named otherwise (packet path, issue 13): searching a transit gateway route table
# changes nothing. Named one by one, never by a prefix such as Search*.
READ_ONLY_OPERATIONS = frozenset({"ec2:SearchTransitGatewayRoutes"})
# Standard mode retries throttles with jittered backoff; 10 attempts in all ride out a busy account's bursts.
MAX_ATTEMPTS = 10


# Protocols whose error bodies botocore parses as XML and fails on anything else (ResponseParserError).
XML_ERROR_PROTOCOLS = frozenset({"ec2", "query"})


def readable_error_body(operation_model: Any, response_dict: dict[str, Any], **_: Any) -> None:
    """botocore `before-parse` handler. A refusal that does not come from the service itself (a proxy, a
    firewall) can be a 403 whose body is not the service's XML; botocore's EC2 and query parsers then raise
    ResponseParserError, no ClientError, and the scan would end there. Give such a body the generic error
    shape, so the call fails as a ClientError with its HTTP status (403 reads as AccessDenied) like any other."""
    status = int(response_dict.get("status_code") or 0)
    if status < 400 or operation_model.service_model.resolved_protocol not in XML_ERROR_PROTOCOLS:
        return
    body = response_dict.get("body") or b""
    try:
        ElementTree.fromstring(body)
        return
    except ElementTree.ParseError:
        pass
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    message = escape(" ".join(text.split())[:200]) or f"HTTP {status}"
    response_dict["body"] = (
        f"<Response><Errors><Error><Code>HTTP{status}</Code><Message>{message}</Message></Error></Errors></Response>"
    ).encode()


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
        read_only = model.name.startswith(READ_ONLY_PREFIXES) or name in READ_ONLY_OPERATIONS
        if not read_only and name not in self.allow:
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
        build_lock: threading.Lock | None = None,
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
        # Factories whose sessions share one model loader should share this lock too: botocore's loader cache
        # has no lock of its own, so threads building their first EC2 clients at once would each parse its
        # megabytes of model (sixteen threads, sixteen parses). Building is CPU-bound, so holding one lock
        # while it runs costs no parallelism under the GIL.
        self.build_lock = build_lock or threading.Lock()

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region)
        with self.build_lock:
            if key not in self._clients:
                client = self.session.client(service, region_name=region, config=self._config)
                # before-parameter-build fires before anything is serialised or sent.
                client.meta.events.register("before-parameter-build", self._guard)
                client.meta.events.register("before-call", self.counter)
                client.meta.events.register("before-parse", readable_error_body)
                self._clients[key] = client
            return self._clients[key]

    def release(self, service: str, region: str | None = None) -> None:
        """Close and forget a client that will not be needed again. An EC2 client holds about a megabyte of
        objects: kept for every account and region of an organisation, they take gigabytes, and every garbage
        collection walks them all."""
        with self.build_lock:
            client = self._clients.pop((service, region), None)
        if client is not None:
            client.close()
