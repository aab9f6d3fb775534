"""Paging and failure recording shared by every collector."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from vpce_audit.apis import Api
from vpce_audit.errors import CollectionError, describe_exception
from vpce_audit.snapshot import to_json_value

# EC2 accepts at most 200 values per filter.
FILTER_CHUNK = 200


class Recorder:
    """Collects API results for one (account, region) and turns failures into error entries.

    A failed API is simply absent from `apis`: the normaliser then knows that data is unknown, not empty.
    """

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region
        self.apis: dict[str, Any] = {}
        self.errors: list[CollectionError] = []

    def record(self, api: Api, fetch: Callable[[], Any]) -> Any | None:
        """Fetch and store under `api`; on failure store nothing and log an error."""
        value = self.attempt(api, fetch)
        if value is not None:
            self.apis[api] = value
        return value

    def attempt(self, api: Api, fetch: Callable[[], Any]) -> Any | None:
        """Fetch without storing (for APIs called once per resource); None and an error entry on failure."""
        try:
            return to_json_value(fetch())
        except (ClientError, BotoCoreError) as exc:
            self.fail(api, exc)
            return None

    def fail(self, api: Api, exc: BaseException) -> None:
        code, message = describe_exception(exc)
        self.errors.append(CollectionError(self.account_id, self.region, api.service, api.operation, code, message))


def paginate(client: Any, operation: str, key: str, **params: Any) -> list[Any]:
    """All items of a paginated operation, following NextToken until AWS stops sending one."""
    return [item for page in client.get_paginator(operation).paginate(**params) for item in page.get(key, [])]


def token_pages(call: Callable[..., Any], key: str, **params: Any) -> list[Any]:
    """All items of an operation botocore has no paginator for: NextToken followed by hand, stopping on a token
    already sent (a service that repeats one would otherwise loop forever)."""
    items: list[Any] = []
    sent: set[str] = set()
    while True:
        page = call(**params)
        items.extend(page.get(key) or [])
        token = page.get("NextToken") or ""
        if not token or token in sent:
            return items
        sent.add(token)
        params = {**params, "NextToken": token}


def chunks(values: Iterable[str], size: int = FILTER_CHUNK) -> Iterator[list[str]]:
    ordered = sorted(set(values))
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def paginate_filtered(
    client: Any, operation: str, key: str, name: str, values: Iterable[str] | None, **params: Any
) -> list[Any]:
    """Paginate with a `name` filter over `values` (None means no filter), chunked to EC2's limit."""
    if values is None:
        return paginate(client, operation, key, **params)
    items: list[Any] = []
    for chunk in chunks(values):
        items.extend(paginate(client, operation, key, Filters=[{"Name": name, "Values": chunk}], **params))
    return items


@contextmanager
def in_background(task: Callable[[], None]) -> Iterator[None]:
    """Run `task` on a thread of its own while the block runs; wait for it after, and raise what it raised.
    A Recorder may be shared: each API is stored under its own key and errors are appended, both atomic."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            task()
        except BaseException as exc:  # re-raised in the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"{threading.current_thread().name}-bg", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()
    if failure:
        raise failure[0]
