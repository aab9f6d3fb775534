"""What could not be collected, in a form a report can carry and a user can act on."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

_MAX_MESSAGE = 300


@dataclass(frozen=True, slots=True, order=True)
class CollectionError:
    account_id: str
    region: str
    service: str
    operation: str
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CollectionError:
        return cls(**{k: str(data[k]) for k in cls.__dataclass_fields__})


def describe_exception(exc: BaseException) -> tuple[str, str]:
    """(code, one-line message) for an AWS failure; 403s become AccessDenied whatever the service calls them."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {}) or {}
        code = str(err.get("Code") or "")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if not code.isalpha() and status == 403:
            code = "AccessDenied"
        message = str(err.get("Message") or "") or str(exc)
        return code or f"HTTP{status}", one_line(message)
    if isinstance(exc, BotoCoreError):
        return type(exc).__name__, one_line(str(exc))
    return type(exc).__name__, one_line(str(exc))


def one_line(text: str) -> str:
    # Some services return an XML body as the message; keep the human part, on one line.
    text = re.sub(r"<[^>]+>", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


class InputError(Exception):
    """Bad input from the user (options, files, configuration): reported as one line, exit 2."""
