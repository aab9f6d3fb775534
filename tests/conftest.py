"""Shared fixtures: an in-process moto with fake credentials, named worlds, and a scan of them; the test tiers
(markers given from the fixtures a test uses) and the hypothesis profiles that set how much the fuzz tests draw."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest
from hypothesis import HealthCheck, settings
from moto import mock_aws

from moto_fixtures import World, build_world, fake_aws_env
from tests.browser import BROWSERS, find_browser
from vpce_audit.aws.clients import ClientFactory
from vpce_audit.collect.scan import scan_account
from vpce_audit.collect.units import caller_account
from vpce_audit.report.model import Report, build_report
from vpce_audit.snapshot import Snapshot, dump_snapshot

# --- hypothesis profiles ------------------------------------------------------------------------------------
# A profile's max_examples is one share of the fuzz budget; each property test in tests/test_fuzz.py asks for
# a number of shares (`budget`). At 500 a share, `make test` (CI) draws 4,000 cases per run.
# `repeatable`, the default, draws the same cases on every run, so a suite that passed fails later only for a
# change of ours. `deep` (`make fuzz`) draws ten times as many, new ones each run; `explore`
# (`pytest -m fuzz --hypothesis-profile explore`) draws new ones at the default budget.
FUZZ_SHARE = 500
_FUZZ_COMMON = settings(
    deadline=None,
    database=None,  # no example database left in the shared working tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile("repeatable", _FUZZ_COMMON, derandomize=True, max_examples=FUZZ_SHARE)
# A random run that fails prints a @reproduce_failure blob: the only way back to a case nobody saved.
settings.register_profile("explore", _FUZZ_COMMON, max_examples=FUZZ_SHARE, print_blob=True)
settings.register_profile("deep", _FUZZ_COMMON, max_examples=10 * FUZZ_SHARE, print_blob=True)
# --hypothesis-profile, read after this file is loaded, overrides the default.
settings.load_profile("repeatable")

# --- tiers --------------------------------------------------------------------------------------------------
# A test gets its tier from the fixtures it uses, so a test written later lands in the right tier without
# marking itself. Markers are registered in pyproject.toml; `make test-fast` leaves out all four tiers.
MARK_BY_FIXTURE = {
    "server": "server",  # tests/test_cli.py and tests/test_faults.py: a tests.moto_server.MotoServer
    "chromium": "browser",  # the fixture below
}
# Whatever its name, a fixture annotated to give a MotoServer puts its tests in the server tier.
SERVER_TYPE = "MotoServer"
# Tests that take seconds on their own, measured with `pytest --durations=40` (module::function, every
# parameter alike): sweeps over every world, API or IAM action. Name one here when it joins them.
SLOW = frozenset(
    {
        "test_coverage.py::test_no_world_with_every_input_collected_says_spokes_unknown",
        "test_dnspath.py::test_missing_dns_data_never_adds_a_finding_and_only_makes_verdicts_unknown",
        "test_dnspath.py::test_missing_ec2_data_never_adds_a_dns_finding_and_only_makes_verdicts_unknown",
        "test_faults.py::test_a_failed_api_is_one_error_per_account_and_no_false_finding",
        "test_iam.py::test_each_read_only_action_missing_is_an_error_and_no_false_finding",
        "test_iam.py::test_every_action_a_scan_calls_is_in_the_policy_and_every_policy_action_is_called",
        "test_org.py::test_concurrency_1_and_16_give_byte_identical_reports",
        "test_schema.py::test_world_reports_validate",
        "test_worlds.py::test_world_raises_exactly_its_expected_checks_each_with_its_own_identity",
        # issue 16, the organisation state machine: its first test builds the world and runs an execution (8 s)
        "test_state_machine.py::test_a_refused_account_makes_the_report_partial_and_named_while_the_rest_is_judged",
        # issue 13, the IPv6 packet path: one moto dual-stack world built and audited (about 4 s)
        "test_netpath_ipv6.py::test_the_moto_dual_stack_world_is_reachable_over_ipv6_from_its_ipv6_only_workloads",
    }
)


@pytest.hookimpl(tryfirst=True)  # before -m deselects by these markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    slow_seen: set[str] = set()
    for item in items:
        for fixture, mark in MARK_BY_FIXTURE.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(mark)
        if _uses_a_moto_server(item):
            item.add_marker("server")
        # hypothesis marks every @given test it wraps: any property test is fuzz, wherever it lives.
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker("fuzz")
        name = f"{item.path.name}::{getattr(item, 'originalname', item.name)}"
        if name in SLOW:
            item.add_marker("slow")
            slow_seen.add(name)
    collected_files = {item.path.name for item in items}
    whole_files = not any("::" in arg for arg in config.args)
    stale = sorted(n for n in SLOW - slow_seen if whole_files and n.split("::")[0] in collected_files)
    if stale:
        # Renamed or removed: the test still runs in `make test`, only `make test-fast` gets slower.
        warnings.warn(f"tests/conftest.py SLOW names tests that do not exist: {', '.join(stale)}", stacklevel=1)


def _uses_a_moto_server(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)  # pytest's record of the fixtures a test function resolves
    definitions = [d for defs in info.name2fixturedefs.values() for d in defs] if info is not None else []
    return any(SERVER_TYPE in str(getattr(d.func, "__annotations__", {}).get("return", "")) for d in definitions)


@pytest.fixture
def chromium() -> str:
    """The path of a headless Chromium. Where there is none the test is skipped and says what to install;
    with TESTS_REQUIRE_BROWSER=1 (set by .ci/run, which installs it) it fails instead."""
    browser = find_browser()
    if browser is None:
        reason = (
            f"no Chromium on PATH (looked for {', '.join(BROWSERS)}): install Debian's chromium "
            "(apt-get install chromium) to run this browser test; .ci/run installs it"
        )
        if os.environ.get("TESTS_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return browser


REGION = "us-east-1"


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    """A boto3 session inside mock_aws; AWS_ENDPOINT_URL and profiles are removed so nothing leaves."""
    with fake_aws_env(), mock_aws():
        yield boto3.Session(region_name=REGION)


@pytest.fixture
def make_world(aws: boto3.Session) -> Iterator[Callable[[str], World]]:
    built: list[World] = []

    def make(name: str) -> World:
        w = build_world(name, aws, REGION)
        built.append(w)
        return w

    yield make
    for w in reversed(built):
        w.close()


def collect(
    session: boto3.Session, regions: tuple[str, ...] = (REGION,), vpc_ids: tuple[str, ...] = ()
) -> tuple[Snapshot, ClientFactory]:
    factory = ClientFactory(session)
    return scan_account(factory, caller_account(factory), regions, vpc_ids), factory


@pytest.fixture(scope="session")
def demo_snapshot_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo world collected once per worker: the renderers' tests read it rather than build moto again."""
    path = tmp_path_factory.mktemp("demo") / "demo.json"
    with fake_aws_env(), mock_aws():
        session = boto3.Session(region_name=REGION)
        world = build_world("demo", session, REGION)
        try:
            path.write_text(dump_snapshot(collect(session)[0]))
        finally:
            world.close()
    return path


def audit(session: boto3.Session, vpc_ids: tuple[str, ...] = (), check_ids: tuple[str, ...] | None = None) -> Report:
    snapshot, _ = collect(session, vpc_ids=vpc_ids)
    return build_report(snapshot, check_ids)


def fired(report: Report, vpc_id: str | None = None) -> set[str]:
    return {f.check_id for f in report.findings if vpc_id is None or f.vpc_id == vpc_id}
