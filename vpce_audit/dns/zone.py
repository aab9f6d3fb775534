"""What one private hosted zone answers for a name: its records, NXDOMAIN or NODATA."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vpce_audit.dns.kinds import Outcome
from vpce_audit.dns.names import base, under
from vpce_audit.model.dns import HostedZone, RecordSet

ADDRESS_TYPES = frozenset({"A", "AAAA", "CNAME"})


def _ancestors(name: str, apex: str) -> Iterable[str]:
    """name's proper ancestors down to the zone apex, nearest first."""
    while name != apex and "." in name:
        name = name.split(".", 1)[1]
        if not under(name, apex):
            return
        yield name


def lookup(zone: HostedZone, name: str) -> tuple[Outcome, tuple[RecordSet, ...]]:
    """What the zone answers for `name`: (RECORDS, address records) or (NXDOMAIN | NODATA, ()).

    Wildcards follow RFC 4592 as Route 53 applies them: `*.p` answers names below the closest existing
    ancestor p. A query "*.x" (any name below x) is answered like a label that does not exist."""
    records = zone.records or ()
    present = {r.name for r in records}
    existing = {zone.name} | present | {a for n in present for a in _ancestors(n, zone.name)}
    if not name.startswith("*.") and name in existing:
        found = tuple(r for r in records if r.name == name and r.type in ADDRESS_TYPES)
        return (Outcome.RECORDS, found) if found else (Outcome.NODATA, ())
    start = base(name) if name.startswith("*.") else name.split(".", 1)[1] if "." in name else zone.name
    encloser = next((n for n in (start, *_ancestors(start, zone.name)) if n in existing), zone.name)
    wildcard = tuple(r for r in records if r.name == f"*.{encloser}")
    if not wildcard:
        return Outcome.NXDOMAIN, ()
    found = tuple(r for r in wildcard if r.type in ADDRESS_TYPES)
    return (Outcome.RECORDS, found) if found else (Outcome.NODATA, ())


def record_evidence(r: RecordSet) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": r.name, "type": r.type}
    if r.alias_target:
        doc["alias_target"] = r.alias_target
    else:
        doc["values"] = list(r.values)
    if r.set_identifier:
        doc["set_identifier"] = r.set_identifier
    return doc
