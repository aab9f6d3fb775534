"""The raw collected responses: what AWS said, per account and region, JSON-serialisable and versioned.

A snapshot is the boundary between the slow, permission-bound world and the pure one: the live scan and
`vpce-audit audit FILE` both normalise exactly this structure, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import errno
import gzip
import json
import os
import secrets
import stat
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vpce_audit import __version__
from vpce_audit.apis import Api
from vpce_audit.errors import CollectionError

SNAPSHOT_SCHEMA = "vpce-audit/snapshot/v1"
GLOBAL_REGION = "global"  # Route 53 and other account-wide services


class SnapshotError(ValueError):
    """A snapshot file that cannot be used; the message is one line for the user."""


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def to_json_value(value: Any) -> Any:
    """AWS responses carry datetimes; make them the strings a saved snapshot will hold."""
    return json.loads(json.dumps(value, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"cannot serialise {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class Part:
    """Everything collected for one account in one region (or `global`): API name -> items."""

    account_id: str
    region: str
    collected_at: str
    apis: dict[str, Any] = field(default_factory=dict)

    def has(self, api: Api) -> bool:
        return api in self.apis

    def items(self, api: Api) -> list[Any]:
        return list(self.apis.get(api) or [])


@dataclass(frozen=True, slots=True)
class Snapshot:
    collected_at: str
    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    parts: tuple[Part, ...]
    errors: tuple[CollectionError, ...] = ()
    vpc_ids: tuple[str, ...] = ()
    skipped_regions: tuple[tuple[str, str], ...] = ()  # (account, region): opt-in regions not enabled
    tool_version: str = __version__

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SNAPSHOT_SCHEMA,
            "tool_version": self.tool_version,
            "collected_at": self.collected_at,
            "scope": {
                "accounts": list(self.accounts),
                "regions": list(self.regions),
                "vpc_ids": list(self.vpc_ids),
                "skipped_regions": [{"account_id": a, "region": r} for a, r in sorted(self.skipped_regions)],
            },
            "parts": [
                {
                    "account_id": p.account_id,
                    "region": p.region,
                    "collected_at": p.collected_at,
                    "apis": p.apis,
                }
                for p in sorted(self.parts, key=lambda p: (p.account_id, p.region))
            ],
            "errors": [e.to_dict() for e in sorted(self.errors)],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Snapshot:
        if not isinstance(data, dict):
            raise SnapshotError("not a vpce-audit snapshot: the top level is not a JSON object")
        schema = data.get("schema")
        if schema != SNAPSHOT_SCHEMA:
            raise SnapshotError(f"unsupported snapshot schema {schema!r} (this version reads {SNAPSHOT_SCHEMA})")
        try:
            scope = data["scope"]
            parts = tuple(
                Part(str(p["account_id"]), str(p["region"]), str(p["collected_at"]), _require_dict(p["apis"]))
                for p in data["parts"]
            )
            return cls(
                collected_at=str(data["collected_at"]),
                accounts=tuple(str(a) for a in scope["accounts"]),
                regions=tuple(str(r) for r in scope["regions"]),
                vpc_ids=tuple(str(v) for v in scope.get("vpc_ids", [])),
                skipped_regions=tuple(
                    (str(s["account_id"]), str(s["region"])) for s in scope.get("skipped_regions", [])
                ),
                parts=parts,
                errors=tuple(CollectionError.from_dict(e) for e in data.get("errors", [])),
                tool_version=str(data.get("tool_version", "")),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise SnapshotError(f"malformed snapshot: missing or wrong-typed field {exc}") from None


def _require_dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError("apis")
    # Collectors record every API as a list of items; anything else is damage, not data to judge.
    wrong = next((api for api, items in value.items() if not isinstance(items, list)), None)
    if wrong is not None:
        raise TypeError(f"apis.{wrong}")
    return value


GZIP_MAGIC = b"\x1f\x8b"


def load_snapshot(path: str | Path) -> Snapshot:
    """A snapshot file, plain JSON or gzip-compressed (recognised by its content, whatever its name)."""
    p = Path(path)
    if p.is_dir():
        raise SnapshotError(f"{p} is a directory, not a snapshot file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise SnapshotError(f"cannot read {p}: {exc.strerror or exc}") from None
    return parse_snapshot(data, str(p))


def parse_snapshot(data: bytes, label: str) -> Snapshot:
    """The bytes of a snapshot file or S3 object; `label` names it in the one-line error."""
    if data.startswith(GZIP_MAGIC):
        try:
            data = gzip.decompress(data)
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise SnapshotError(f"{label} is a truncated or corrupt gzip file ({exc})") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SnapshotError(f"{label} is not a text file") from None
    if not text.strip():
        raise SnapshotError(f"{label} is empty")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"{label} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    return Snapshot.from_dict(document)


def is_gzip_name(path: str | Path) -> bool:
    return str(path).endswith(".gz")


def encode_snapshot(snapshot: Snapshot, compress: bool) -> bytes:
    """The file's bytes: gzip with no timestamp in the header, so the same snapshot gives the same bytes."""
    raw = dump_snapshot(snapshot).encode("utf-8")
    return gzip.compress(raw, compresslevel=6, mtime=0) if compress else raw


def save_snapshot(path: str | Path, snapshot: Snapshot) -> None:
    """Write atomically; gzip-compressed when the name ends in `.gz`."""
    write_atomic(path, encode_snapshot(snapshot, is_gzip_name(path)))


def write_atomic(path: str | Path, text: str | bytes) -> None:
    """Write via a temporary file in the same folder and rename, so readers never see half a file. The file
    gets the mode any file the user creates gets (0666 less the umask), or keeps the mode of the file it
    replaces: a temporary file's private 0600 must not survive the rename."""
    target = Path(path)
    fd, tmp = _create_beside(target)
    try:
        if isinstance(text, bytes):
            with os.fdopen(fd, "wb") as fb:
                fb.write(text)
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
        if target.exists():
            os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def probe_writable(path: str | Path) -> None:
    """Raise the OSError that writing `path` would raise, before any work is done: the folder must take a new
    file (the temporary one write_atomic renames) and an existing target must be a file we may replace."""
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a directory", str(target))
    if target.exists() and not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, "not writable", str(target))
    fd, tmp = _create_beside(target)
    os.close(fd)
    os.unlink(tmp)


def _create_beside(target: Path) -> tuple[int, str]:
    """A new, empty file next to `target`, opened for writing with mode 0666 (the umask applies)."""
    folder = target.parent if str(target.parent) else Path(".")
    for _ in range(100):
        tmp = str(folder / f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))


def dump_snapshot(snapshot: Snapshot) -> str:
    return json.dumps(snapshot.to_dict(), indent=1, sort_keys=True) + "\n"
