"""Reading raw AWS items defensively: a damaged or unexpected value reads as absent, never as a fact."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vpce_audit.model.names import is_account_id
from vpce_audit.snapshot import Part


def dicts(items: Any) -> Iterable[dict[str, Any]]:
    # A damaged snapshot can hold anything where a list belongs: such a value holds no items.
    if not isinstance(items, list | tuple):
        return ()
    return (i for i in items if isinstance(i, dict))


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def texts(values: Any, key: str | None = None) -> tuple[str, ...]:
    if not isinstance(values, list):
        return ()
    if key is None:
        return tuple(v for v in values if isinstance(v, str))
    found = (v.get(key) for v in values if isinstance(v, dict))
    return tuple(s for s in found if isinstance(s, str) and s)


def account_id(value: Any) -> str:
    """`value` if it is an account id (12 digits), else "": reports and other tools rely on the shape."""
    return value if is_account_id(value) else ""


def owner_of(item: dict[str, Any], part: Part) -> str:
    """The account that owns a resource: OwnerId (a shared VPC's subnets belong to the VPC's owner, not the
    account that listed them), or the listing account when OwnerId is not an account id at all."""
    return account_id(item.get("OwnerId")) or part.account_id


def name_tag(item: dict[str, Any]) -> str:
    for tag in dicts(item.get("Tags")):
        if tag.get("Key") == "Name":
            return text(tag.get("Value"))
    return ""


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
