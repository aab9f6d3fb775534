"""Everything a user types or configures, checked before the first AWS call, the same way for the CLI and the
Lambda: regions, accounts, check ids, the --fail-on threshold, suppressions, output paths, JMESPath.

Each function takes the name the setting has where it was given (`--fail-on` on the command line, `fail_on`
in a Lambda event), so the one line a user reads names what they typed. Bad input raises InputError (exit 2,
or the Lambda's error result).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import boto3
import jmespath
import jmespath.functions
from jmespath.exceptions import JMESPathError, JMESPathTypeError

from vpce_audit.app.suppressions import Suppression, is_s3, load_suppressions
from vpce_audit.checks import REGISTRY
from vpce_audit.collect.scope import ScopeRequest, open_session
from vpce_audit.errors import InputError
from vpce_audit.model.findings import Severity
from vpce_audit.model.names import is_account_id
from vpce_audit.snapshot import probe_writable

NO_THRESHOLD = "none"
FAIL_ON_CHOICES = (*(str(s) for s in Severity), NO_THRESHOLD)


def id_list(value: Any, name: str) -> tuple[str, ...]:
    """A comma-separated string or a list of strings: stripped, blanks dropped, duplicates dropped, in order."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise InputError(f"{name} must be a list of strings or a comma-separated string")
    return tuple(dict.fromkeys(i.strip() for i in items if i.strip()))


@functools.cache
def known_regions() -> frozenset[str]:
    """Every region of every partition botocore knows (read from its bundled data, no call)."""
    session = boto3.Session()
    return frozenset(
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("ec2", partition_name=partition)
    )


def regions(values: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(values))
    unknown = sorted(set(chosen) - known_regions())
    if unknown:
        raise InputError(f"unknown region(s): {', '.join(unknown)}")
    return chosen


def accounts(values: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(values))
    for account in chosen:
        if not is_account_id(account):
            raise InputError(f"{account!r} is not an AWS account id (12 digits)")
    return chosen


def check_ids(
    chosen: Iterable[str] = (), skipped: Iterable[str] = (), *, names: str = "--checks/--exclude-checks"
) -> tuple[str, ...]:
    """The checks to run, sorted: the chosen ones (all when none are), less the skipped ones."""
    chosen, skipped = list(chosen), list(skipped)
    unknown = sorted(set(chosen + skipped) - set(REGISTRY))
    if unknown:
        raise InputError(f"unknown check id(s): {', '.join(unknown)} (see `vpce-audit checks`)")
    selected = set(chosen or REGISTRY) - set(skipped)
    if not selected:
        raise InputError(f"no checks left to run after {names}")
    return tuple(sorted(selected))


def fail_on(value: str, name: str = "--fail-on") -> Severity | None:
    """The threshold for exit 1 (and for the Lambda's alerts); None for `none`."""
    level = value.strip().lower()
    if level not in FAIL_ON_CHOICES:
        raise InputError(f"{name} must be one of {', '.join(FAIL_ON_CHOICES)} (got {value!r})")
    return None if level == NO_THRESHOLD else Severity(level)


def writable(path: Path | None, name: str) -> None:
    """A file the report or snapshot can be written to, checked before the scan spends minutes."""
    if path is None:
        return
    if path.is_dir():
        raise InputError(f"{name} {path} is a directory")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"{name} {path}: folder {parent} does not exist")
    try:
        # Creates and removes the very temporary file the write will use: a folder that takes none
        # (/proc, a read-only mount) is found now, under the user's own path.
        probe_writable(path)
    except OSError as exc:
        raise InputError(f"{name} {path}: cannot write there ({exc.strerror or exc})") from None


def query(text: str | None, name: str = "--query") -> Any:
    """A compiled JMESPath expression, or None. Its functions are checked now (name and number of arguments),
    so a typo fails before the scan rather than after it; jmespath itself would only find out when it runs."""
    if text is None:
        return None
    try:
        compiled = jmespath.compile(text)
    except JMESPathError as exc:
        raise InputError(f"invalid {name}: {' '.join(str(exc).split())}") from None
    problem = _function_problem(compiled.parsed)
    if problem:
        raise InputError(f"invalid {name}: {problem}")
    return compiled


@functools.cache
def _jmespath_functions() -> dict[str, tuple[dict[str, Any], ...]]:
    """jmespath's built-in functions: name -> signature (one dict per argument, the last maybe variadic)."""
    return {name: tuple(entry["signature"]) for name, entry in jmespath.functions.Functions().FUNCTION_TABLE.items()}


def _function_problem(node: Any) -> str:
    """The first unknown function or wrong number of arguments in a compiled expression's tree, or ""."""
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "function_expression":
        fn, given = str(node.get("value")), len(node.get("children") or ())
        known = _jmespath_functions()
        if fn not in known:
            return f"unknown function {fn}() (JMESPath has {', '.join(sorted(known))})"
        signature = known[fn]
        variadic = bool(signature) and bool(signature[-1].get("variadic"))
        if given != len(signature) and not (variadic and given >= len(signature)):
            wanted = f"at least {len(signature)}" if variadic else str(len(signature))
            return f"{fn}() takes {wanted} argument(s), not {given}"
    for child in node.get("children") or ():
        problem = _function_problem(child)
        if problem:
            return problem
    return ""


def query_failure(exc: JMESPathError, name: str = "--query") -> InputError:
    """One short line for an expression that failed on the report (a type error): never the value it met,
    which may be the whole report."""
    if isinstance(exc, JMESPathTypeError):
        expected = " or ".join(str(t) for t in exc.expected_types)
        return InputError(f"{name}: {exc.function_name}() expects {expected}, got {exc.actual_type}")
    text = " ".join(str(exc).split())
    return InputError(f"{name} failed: {text[:200]}{'...' if len(text) > 200 else ''}")


def suppressions(
    location: str | None,
    name: str = "--suppressions",
    *,
    session: Callable[[], boto3.Session] = boto3.Session,
    region: str | None = None,
) -> tuple[Suppression, ...] | None:
    """The accepted risks from a file or s3://bucket/key; None when no location is given. `session` is
    called only for S3, so an offline audit with a local file opens no session."""
    if location is None:
        return None
    return load_suppressions(
        location, REGISTRY, option=name, session=session() if is_s3(location) else None, region=region
    )


def home_region(request: ScopeRequest, environ: Mapping[str, str]) -> str | None:
    """The region a scan starts from (STS, Organizations, DescribeRegions) and scans when none is named."""
    # boto3 reads AWS_DEFAULT_REGION and the profile but not AWS_REGION; the AWS CLI v2 reads it first.
    home = environ.get("AWS_REGION") or open_session(request.profiles[0] if request.profiles else None).region_name
    if not request.regions and not request.all_regions and not home:
        raise InputError("no region: pass --region, --regions all, or set AWS_REGION / a profile region")
    if home and not request.regions and home not in known_regions():
        raise InputError(f"unknown region {home!r} (from AWS_REGION or the profile)")
    return home


def profile_regions(request: ScopeRequest, environ: Mapping[str, str], home: str | None) -> tuple[str, ...]:
    """Without --region, the region each --profile scans: AWS_REGION when set (it overrides every profile, as
    in the AWS CLI), else the profile's own region, else the home region. Empty when the scan names regions."""
    if request.regions or request.all_regions or not request.profiles or environ.get("AWS_REGION"):
        return ()
    chosen = tuple(open_session(p).region_name or home or "" for p in request.profiles)
    for profile, region in zip(request.profiles, chosen, strict=True):
        if not region:
            raise InputError(f"no region for --profile {profile}: pass --region or set its region")
        if region not in known_regions():
            raise InputError(f"unknown region {region!r} (from --profile {profile})")
    return chosen
