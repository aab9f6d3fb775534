"""Shapes of AWS identifiers and names, checked one way everywhere."""

from __future__ import annotations

import re
from typing import Any

# ASCII digits only: `\d` also matches other scripts' digits, which no account id holds.
_ACCOUNT_ID = re.compile(r"[0-9]{12}")
_SERVICE_PREFIXES = ("com.amazonaws.", "cn.com.amazonaws.")


def is_account_id(value: Any) -> bool:
    return isinstance(value, str) and _ACCOUNT_ID.fullmatch(value) is not None


def short_service_name(service_name: str, region: str) -> str:
    """`s3` for com.amazonaws.us-east-1.s3 (and cn.com.amazonaws.cn-north-1.s3): the name AWS gives its own
    services; "" for any other service (a partner's or a customer's endpoint service)."""
    for prefix in _SERVICE_PREFIXES:
        if service_name.startswith(f"{prefix}{region}."):
            return service_name.removeprefix(f"{prefix}{region}.")
    return ""
