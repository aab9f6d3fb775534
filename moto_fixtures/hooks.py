"""Stand-ins for what AWS does to a scan that moto never does: latency, throttling, denied calls, timeouts.

Each is a botocore `before-send` handler put ahead of moto's own stubber in every botocore session created
while it is active (moto's stubber is a built-in handler too, and the first answer wins). That reaches the
sessions the scanner opens for itself (profiles, assumed roles), which a test cannot get hold of. A handler
sees one HTTP attempt: retries go through it again, exactly as they would reach AWS again.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from botocore import handlers
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectTimeoutError
from moto.iam.models import get_account_id_from

# How each service says "slow down" (code, HTTP status) and "denied" (code, status), as AWS does.
THROTTLE = {
    "ec2": ("RequestLimitExceeded", 503),
    "route53": ("Throttling", 400),
    "route53resolver": ("ThrottlingException", 400),
    "sts": ("Throttling", 400),
    "organizations": ("TooManyRequestsException", 400),
}
DENY = {
    "ec2": ("UnauthorizedOperation", 403),
    "route53": ("AccessDenied", 403),
    "route53resolver": ("AccessDeniedException", 400),
    "sts": ("AccessDenied", 403),
    "organizations": ("AccessDeniedException", 400),
}
JSON_SERVICES = frozenset({"route53resolver", "organizations"})


@dataclass(frozen=True)
class Call:
    """One HTTP attempt as the hook sees it."""

    service: str  # the signing name: ec2, route53, route53resolver, sts, organizations
    operation: str
    region: str
    access_key: str
    method: str
    url: str
    body: str

    @property
    def account_id(self) -> str:
        return str(get_account_id_from(self.access_key))

    def param(self, name: str) -> str | None:
        """A query-protocol parameter (EC2, STS) or a REST query-string one (Route 53)."""
        values = parse_qs(self.body).get(name) or parse_qs(urlsplit(self.url).query).get(name)
        return values[0] if values else None

    @property
    def key(self) -> str:
        """What makes a request the same request again (a retry), whoever's credentials sign it."""
        return f"{self.account_id} {self.method} {self.url} {self.body}"


Handler = Callable[[Call], AWSResponse | None]


def _call(request: Any, event_name: str) -> Call:
    # Authorization: AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/ec2/aws4_request, SignedHeaders=...
    auth = request.headers.get("Authorization", b"")
    auth = auth.decode() if isinstance(auth, bytes) else str(auth)
    scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/") if "Credential=" in auth else []
    body = request.body
    text = body.decode() if isinstance(body, bytes) else str(body or "")
    return Call(
        service=scope[3] if len(scope) > 3 else "",
        operation=event_name.rsplit(".", 1)[-1],
        region=scope[2] if len(scope) > 2 else "",
        access_key=scope[0] if scope else "",
        method=str(request.method),
        url=str(request.url),
        body=text,
    )


@contextmanager
def intercept(handler: Handler) -> Iterator[None]:
    """Run `handler` on every request of every botocore session created inside the block; a response it
    returns replaces moto's, an exception it raises is what the HTTP layer raised."""

    def before_send(request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        return handler(_call(request, event_name))

    spec = ("before-send", before_send, handlers.REGISTER_FIRST)
    handlers.BUILTIN_HANDLERS.append(spec)
    try:
        yield
    finally:
        handlers.BUILTIN_HANDLERS.remove(spec)


# --- responses ------------------------------------------------------------------------------------------


class _Body(io.BytesIO):
    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.read()


def error_response(call: Call, code: str, message: str, status: int) -> AWSResponse:
    """An error in the service's own wire format, so botocore parses the code as it would AWS's."""
    headers: dict[str, str] = {}
    if call.service in JSON_SERVICES:
        body = json.dumps({"__type": code, "message": message})
        headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}
    elif call.service == "ec2":
        body = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            "<RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>"
        )
    else:  # query (STS) and REST-XML (Route 53) services share this envelope
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
        )
    return AWSResponse(call.url, status, headers, _Body(body.encode()))


def denied(call: Call) -> AWSResponse:
    code, status = DENY[call.service]
    return error_response(call, code, f"You are not authorized to perform {call.service}:{call.operation}.", status)


def throttled(call: Call) -> AWSResponse:
    code, status = THROTTLE[call.service]
    return error_response(call, code, "Rate exceeded", status)


def forbidden(call: Call) -> AWSResponse:
    """A bare 403 with a body no parser understands (a proxy or an SCP page): only the status says it."""
    return AWSResponse(call.url, 403, {}, _Body(b"Forbidden"))


def timed_out(call: Call) -> AWSResponse:
    raise ConnectTimeoutError(endpoint_url=call.url)


# --- handlers -------------------------------------------------------------------------------------------


def when(predicate: Callable[[Call], bool], respond: Callable[[Call], AWSResponse]) -> Handler:
    """Answer with `respond` the calls `predicate` picks; leave the others to moto."""
    return lambda call: respond(call) if predicate(call) else None


def chain(*chained: Handler) -> Handler:
    """The first handler that answers wins, as botocore does with its own."""

    def handler(call: Call) -> AWSResponse | None:
        for h in chained:
            response = h(call)
            if response is not None:
                return response
        return None

    return handler


class Throttler:
    """Throttles a share of attempts, picked by a hash of the request and how many times it was sent: the same
    world throttles the same attempts whatever the thread timing, and a retry is a new draw. With
    `every_operation`, the first attempt of each operation is throttled too, so even an operation called once
    (ListAccounts) goes through its retry."""

    def __init__(self, share: float, seed: str = "vpce-audit", *, every_operation: bool = False) -> None:
        self.share = share
        self.seed = seed
        self.every_operation = every_operation
        self._sent: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.throttled: Counter[str] = Counter()

    def __call__(self, call: Call) -> AWSResponse | None:
        if call.service not in THROTTLE:
            return None
        operation = f"{call.service}:{call.operation}"
        with self._lock:
            self._sent[call.key] += 1
            attempt = self._sent[call.key]
            first_of_operation = self.every_operation and operation not in self.throttled
        digest = hashlib.sha256(f"{self.seed} {attempt} {call.key}".encode()).digest()
        if not first_of_operation and int.from_bytes(digest[:8], "big") / 2**64 >= self.share:
            return None
        with self._lock:
            self.throttled[operation] += 1
        return throttled(call)


class Latency:
    """Sleeps before every attempt, standing in for the network and AWS's own time to answer."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __call__(self, call: Call) -> None:
        time.sleep(self.seconds)


class Spy:
    """Remembers every attempt (service, operation, account, region and parameters), answers none."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    def __call__(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def of(self, service: str, operation: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.service == service and c.operation == operation]
