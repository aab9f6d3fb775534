"""Snapshot -> Inventory: parse each API's items, then derive what every verdict shares."""

from vpce_audit.normalize.build import normalize

__all__ = ["normalize"]
