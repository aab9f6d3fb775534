"""Several snapshots judged as one estate: `vpce-audit audit A.json B.json.gz DIR/ s3://bucket/prefix/`.

Collection can be spread (one `vpce-audit collect` per account, per machine, per credential, or one Lambda per
account); judgement must stay whole, because cross-account hub and spoke is only visible when the hub's zones
and the spokes' VPCs are judged together. The merge rules (README, "Collect and judge apart"):

- every snapshot has the one schema this version reads (`Snapshot.from_dict` refuses any other);
- every snapshot was written by the same vpce-audit version: parsers and collectors change between versions,
  so parts of two versions are refused, never mixed;
- every snapshot has the same `--vpc-id` filter (the scope must mean one thing for the whole estate);
- one (account, region) part, or one account's `global` part, given twice is an error unless both hold the
  same data (`apis` equal: the same file reached twice, through a file and its directory, is fine);
- accounts, regions and skipped regions are the union; errors the union without repeats;
- `collected_at` (the report's `generated_at`) is the earliest of the snapshots' times: the report is as old
  as the oldest data it judges.

One snapshot is returned as it is, so `audit FILE` stays byte-identical to the live scan that saved it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from vpce_audit.errors import describe_exception
from vpce_audit.snapshot import Part, Snapshot, SnapshotError, load_snapshot, parse_snapshot

S3_SCHEME = "s3://"
SNAPSHOT_SUFFIXES = (".json", ".json.gz")


class EstateError(SnapshotError):
    """Snapshots that cannot be judged together; the message is one line for the user."""


@dataclass(frozen=True)
class Source:
    """One snapshot and where it came from (a path or s3:// URL), for error messages."""

    label: str
    snapshot: Snapshot


# --- merging --------------------------------------------------------------------------------------------


def merge(sources: Sequence[Source]) -> Snapshot:
    """One snapshot holding every source's parts; EstateError when the merge rules forbid it."""
    if not sources:
        raise EstateError("no snapshot to audit")
    if len(sources) == 1:
        return sources[0].snapshot
    _same(sources, lambda s: s.tool_version, "vpce-audit versions", "collect them again with one version")
    _same(sources, lambda s: tuple(sorted(s.vpc_ids)), "--vpc-id filters", "collect them with the same filter")
    parts: dict[tuple[str, str], tuple[Part, str]] = {}
    for source in sources:
        for part in source.snapshot.parts:
            key = (part.account_id, part.region)
            seen = parts.get(key)
            if seen is None:
                parts[key] = (part, source.label)
            elif seen[0].apis != part.apis:
                raise EstateError(
                    f"account {part.account_id} region {part.region} is in {seen[1]} and {source.label} "
                    "with different data: audit one of them"
                )
    snaps = [s.snapshot for s in sources]
    return Snapshot(
        collected_at=min(s.collected_at for s in snaps),
        accounts=_union(s.accounts for s in snaps),
        regions=_union(s.regions for s in snaps),
        parts=tuple(part for part, _ in parts.values()),
        errors=tuple(dict.fromkeys(e for s in snaps for e in s.errors)),
        vpc_ids=snaps[0].vpc_ids,
        skipped_regions=tuple(sorted({pair for s in snaps for pair in s.skipped_regions})),
        tool_version=snaps[0].tool_version,
    )


def _same(sources: Sequence[Source], value: Callable[[Snapshot], Any], what: str, hint: str) -> None:
    first = sources[0]
    other = next((s for s in sources if value(s.snapshot) != value(first.snapshot)), None)
    if other is not None:
        shown = [_shown(value(s.snapshot)) for s in (first, other)]
        raise EstateError(
            f"snapshots from different {what} cannot be merged: {first.label} ({shown[0]}), "
            f"{other.label} ({shown[1]}); {hint}"
        )


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(value) or "none"
    return str(value) or "unknown"


def _union(groups: Iterable[Iterable[str]]) -> tuple[str, ...]:
    return tuple(sorted({item for group in groups for item in group}))


# --- reading -------------------------------------------------------------------------------------------


def is_snapshot_name(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return not base.startswith(".") and base.endswith(SNAPSHOT_SUFFIXES)


def load_estate(locations: Sequence[str], s3_client: Callable[[], Any] | None = None) -> Snapshot:
    """Read every location (a file, a directory of snapshot files, or s3://bucket/prefix/) and merge."""
    sources: list[Source] = []
    for location in locations:
        if location.startswith(S3_SCHEME):
            if s3_client is None:
                raise EstateError(f"{location}: S3 locations need AWS credentials")
            sources += _from_s3(location, s3_client())
        else:
            sources += _from_path(Path(location))
    return merge(_distinct(sources))


def _distinct(sources: list[Source]) -> list[Source]:
    """The same file named twice (directly and through its folder) is read once."""
    seen: dict[str, Source] = {}
    for source in sources:
        seen.setdefault(source.label, source)
    return list(seen.values())


def _from_path(path: Path) -> list[Source]:
    if not path.is_dir():
        return [Source(str(path), load_snapshot(path))]
    try:
        files = sorted(p for p in path.iterdir() if p.is_file() and is_snapshot_name(p.name))
    except OSError as exc:
        raise EstateError(f"cannot read the directory {path}: {exc.strerror or exc}") from None
    if not files:
        raise EstateError(f"{path} holds no snapshot (*.json or *.json.gz)")
    return [Source(str(p), load_snapshot(p)) for p in files]


def split_s3_prefix(location: str) -> tuple[str, str]:
    bucket, _, prefix = location.removeprefix(S3_SCHEME).partition("/")
    if not bucket:
        raise EstateError(f"{location!r} is not an S3 location (s3://bucket/prefix/)")
    return bucket, prefix


def _from_s3(location: str, s3: Any) -> list[Source]:
    """Every snapshot object directly under the prefix, or below it when the prefix names no folder level."""
    bucket, prefix = split_s3_prefix(location)
    keys: list[str] = []
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys += [str(o["Key"]) for o in page.get("Contents", []) if is_snapshot_name(str(o["Key"]))]
    except (ClientError, BotoCoreError) as exc:
        code, message = describe_exception(exc)
        raise EstateError(f"cannot list {location} (s3:ListBucket {code}): {message}") from None
    if not keys:
        raise EstateError(f"{location} holds no snapshot (*.json or *.json.gz)")
    return [Source(f"s3://{bucket}/{key}", read_s3_snapshot(s3, bucket, key)) for key in sorted(keys)]


def read_s3_snapshot(s3: Any, bucket: str, key: str) -> Snapshot:
    label = f"s3://{bucket}/{key}"
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except (ClientError, BotoCoreError) as exc:
        code, message = describe_exception(exc)
        raise EstateError(f"cannot read {label} (s3:GetObject {code}): {message}") from None
    return parse_snapshot(bytes(body), label)
