"""Collect and judge apart: `vpce-audit collect` per account, `vpce-audit audit` of them all as one estate.

The merge rules are in vpce_audit/estate.py and the README; the organisation test proves the point of them: a
cross-account hub and spoke judged from per-account snapshots gives the live --organization scan's report.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from moto_fixtures import fake_aws_env
from moto_fixtures.builder import AZ1, AZ2, Builder
from moto_fixtures.dns_worlds import hub_and_spoke, service_zone
from moto_fixtures.org_worlds import NO_DEFAULT_AMIS, create_organization, member_builder, region_list, small_stack
from tests.inprocess import CliRun, cli, without_generated_at
from tests.raw_snapshot import RawPart
from vpce_audit.errors import CollectionError
from vpce_audit.estate import EstateError, Source, load_estate, merge
from vpce_audit.snapshot import Snapshot, SnapshotError, dump_snapshot, load_snapshot, save_snapshot

A, B = "111111111111", "222222222222"
ROLE = "VpceAuditScan"
HOME = "us-east-1"


def snap(*parts: RawPart, at: str = "2026-01-02T03:04:05Z", version: str = "1.0.0", **extra: object) -> Snapshot:
    return replace(
        Snapshot(
            collected_at=at,
            accounts=tuple(sorted({p.account_id for p in parts})),
            regions=tuple(sorted({p.region for p in parts})),
            parts=tuple(p.part() for p in parts),
            tool_version=version,
        ),
        **extra,  # type: ignore[arg-type]
    )


def part(account: str, region: str = HOME, vpc: str = "vpc-1") -> RawPart:
    raw = RawPart(account_id=account, region=region)
    raw.vpc(vpc)
    return raw


# --- merge rules ---------------------------------------------------------------------------------------


def test_one_snapshot_is_returned_unchanged():
    only = snap(part(A))
    assert merge([Source("a.json", only)]) is only


def test_parts_accounts_regions_and_errors_are_united_and_the_earliest_time_kept():
    error = CollectionError(B, "eu-west-1", "ec2", "DescribeSubnets", "AccessDenied", "no")
    first = snap(part(A), at="2026-01-02T05:00:00Z", skipped_regions=((A, "af-south-1"),))
    second = snap(part(B, "eu-west-1"), at="2026-01-02T04:00:00Z", errors=(error, error))
    merged = merge([Source("a", first), Source("b", second)])
    assert merged.collected_at == "2026-01-02T04:00:00Z"
    assert merged.accounts == (A, B)
    assert merged.regions == ("eu-west-1", HOME)
    assert merged.skipped_regions == ((A, "af-south-1"),)
    assert merged.errors == (error,)
    assert sorted((p.account_id, p.region) for p in merged.parts) == [(A, HOME), (B, "eu-west-1")]


def test_the_same_part_twice_is_accepted_when_identical_and_refused_when_not():
    same = merge([Source("a", snap(part(A))), Source("b", snap(part(A), at="2026-01-03T00:00:00Z"))])
    assert len(same.parts) == 1
    with pytest.raises(EstateError, match=f"account {A} region {HOME} is in a and b with different data"):
        merge([Source("a", snap(part(A))), Source("b", snap(part(A, vpc="vpc-2")))])


def test_snapshots_of_different_tool_versions_are_refused():
    with pytest.raises(EstateError, match=r"different vpce-audit versions .*a \(1.0.0\), b \(1.1.0\)"):
        merge([Source("a", snap(part(A))), Source("b", snap(part(B), version="1.1.0"))])


def test_snapshots_with_different_vpc_filters_are_refused():
    with pytest.raises(EstateError, match="different --vpc-id filters"):
        merge([Source("a", snap(part(A), vpc_ids=("vpc-1",))), Source("b", snap(part(B)))])


# --- reading: files, gzip, directories ------------------------------------------------------------------


def test_gzip_snapshot_round_trips_and_is_deterministic(tmp_path):
    original = snap(part(A))
    path = tmp_path / "a.json.gz"
    save_snapshot(path, original)
    raw = path.read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    assert gzip.decompress(raw).decode() == dump_snapshot(original)
    assert load_snapshot(path).to_dict() == original.to_dict()
    save_snapshot(path, original)
    assert path.read_bytes() == raw  # no timestamp in the gzip header


def test_a_truncated_gzip_snapshot_is_one_clear_error(tmp_path):
    path = tmp_path / "a.json.gz"
    save_snapshot(path, snap(part(A)))
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(SnapshotError, match="truncated or corrupt gzip"):
        load_snapshot(path)


def test_a_directory_is_every_snapshot_file_in_it_and_a_file_named_twice_is_read_once(tmp_path):
    save_snapshot(tmp_path / "a.json.gz", snap(part(A)))
    save_snapshot(tmp_path / "b.json", snap(part(B)))
    (tmp_path / "notes.txt").write_text("not a snapshot")
    merged = load_estate([str(tmp_path), str(tmp_path / "b.json")])
    assert merged.accounts == (A, B)


def test_an_empty_directory_is_an_error(tmp_path):
    with pytest.raises(EstateError, match="holds no snapshot"):
        load_estate([str(tmp_path)])


# --- the CLI's bad input: one line, exit 2, nothing written ---------------------------------------------


def _bad_audit(tmp_path: Path, *locations: str) -> CliRun:
    out = Path(tempfile.mkdtemp(dir=tmp_path)) / "report.json"
    result = cli("audit", *locations, "-o", "json", "--output-file", str(out))
    assert result.code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("vpce-audit: error: ")
    assert list(out.parent.iterdir()) == []
    return result


def test_audit_of_conflicting_parts_fails_cleanly(tmp_path):
    save_snapshot(tmp_path / "a.json", snap(part(A)))
    save_snapshot(tmp_path / "a2.json.gz", snap(part(A, vpc="vpc-2")))
    assert "with different data" in _bad_audit(tmp_path, str(tmp_path / "a.json"), str(tmp_path / "a2.json.gz")).stderr


def test_audit_of_an_empty_directory_fails_cleanly(tmp_path):
    (tmp_path / "empty").mkdir()
    assert "holds no snapshot" in _bad_audit(tmp_path, str(tmp_path / "empty")).stderr


def test_audit_of_a_truncated_gzip_fails_cleanly(tmp_path):
    path = tmp_path / "a.json.gz"
    save_snapshot(path, snap(part(A)))
    path.write_bytes(path.read_bytes()[:40])
    assert "truncated or corrupt gzip" in _bad_audit(tmp_path, str(path)).stderr


def test_audit_of_versions_that_differ_fails_cleanly(tmp_path):
    save_snapshot(tmp_path / "a.json", snap(part(A)))
    save_snapshot(tmp_path / "b.json", snap(part(B), version="0.0.1"))
    assert "different vpce-audit versions" in _bad_audit(tmp_path, str(tmp_path)).stderr


def test_audit_of_an_unreadable_s3_prefix_fails_cleanly(tmp_path, aws):
    s3 = aws.client("s3", region_name=HOME)
    s3.create_bucket(Bucket="parts-bucket")
    assert "cannot list s3://no-such-bucket/runs/" in _bad_audit(tmp_path, "s3://no-such-bucket/runs/").stderr
    assert "holds no snapshot" in _bad_audit(tmp_path, "s3://parts-bucket/none/").stderr


def test_audit_reads_snapshots_under_an_s3_prefix(tmp_path, aws):
    s3 = aws.client("s3", region_name=HOME)
    s3.create_bucket(Bucket="parts-bucket")
    for name, one in (("a.json.gz", snap(part(A))), ("b.json", snap(part(B)))):
        local = tmp_path / name
        save_snapshot(local, one)
        s3.put_object(Bucket="parts-bucket", Key=f"runs/r1/parts/{name}", Body=local.read_bytes())
    result = cli("audit", "s3://parts-bucket/runs/r1/parts/", "-o", "json", "--fail-on", "none")
    assert result.code == 0, result.stderr
    assert result.doc["scope"]["accounts"] == [A, B]


# --- the organisation, live and merged ------------------------------------------------------------------


@dataclass
class HubSpokeOrg:
    management: str
    spoke: str
    other: str
    ids: dict[str, str]
    extra: tuple[str, ...] = ()  # further member accounts, with nothing in them


@contextmanager
def hub_spoke_org(extra_members: int = 0, **mock_config: Any) -> Iterator[HubSpokeOrg]:
    """The management account holds a hub endpoint in two AZs and its zone, associated with a spoke VPC in a
    member account whose workloads also run in a third AZ; another member has a one-AZ kms endpoint.
    `mock_config` is moto's configuration (tests/test_state_machine.py runs Step Functions in it)."""
    with fake_aws_env(**NO_DEFAULT_AMIS), mock_aws(config=mock_config or None), region_list():
        session = boto3.Session(region_name=HOME)
        spoke_account, other_account, *extra = create_organization(session, 2 + extra_members)
        hub = Builder(session, HOME)
        spoke = member_builder(session, spoke_account, HOME)
        other = member_builder(session, other_account, HOME)
        try:
            ids = hub_and_spoke(hub, hub_azs=(AZ1, AZ2), spoke_builder=spoke)
            service_zone(hub, ids, hub.alias_record(ids["name"], ids["regional"]))
            small_stack(other)
            management = str(session.client("sts").get_caller_identity()["Account"])
            yield HubSpokeOrg(management, spoke_account, other_account, ids, tuple(extra))
        finally:
            for b in (other, spoke, hub):
                b.close()


@pytest.fixture(scope="module")
def org() -> Iterator[HubSpokeOrg]:
    with hub_spoke_org() as built:
        yield built


def test_per_account_collects_merged_by_audit_equal_the_live_organization_scan(org, tmp_path):
    common = ("-o", "json", "--fail-on", "none")
    live = cli("scan", "--organization", "--role-name", ROLE, "--region", HOME, "--quiet", *common)
    assert live.code == 0, live.stderr
    for account in (org.management, org.spoke, org.other):
        path = tmp_path / "parts" / f"{account}.json.gz"
        path.parent.mkdir(exist_ok=True)
        collected = cli(
            "collect", "--accounts", account, "--role-name", ROLE, "--region", HOME, "--quiet",
            "--output-file", str(path),
        )  # fmt: skip
        assert collected.code == 0, collected.stderr
        assert collected.stdout == ""
    merged = cli("audit", str(tmp_path / "parts"), *common)
    assert merged.code == 0, merged.stderr
    # The one documented difference: generated_at is the earliest collect's start, not the live scan's.
    assert without_generated_at(merged.stdout) == without_generated_at(live.stdout)
    fired = {(f["check_id"], f["account_id"]) for f in merged.doc["findings"]}
    # Cross-account judgement: the spoke's AZ gap is only visible with the hub's zone and endpoint.
    assert ("az-gap", org.management) in fired or ("az-gap", org.spoke) in fired
    assert any(check == "phz-hub-coverage" for check, _ in fired)
    # Each part alone does not see it: the spoke's own snapshot judged alone raises no az-gap.
    alone = cli("audit", str(tmp_path / "parts" / f"{org.spoke}.json.gz"), *common)
    assert "az-gap" not in {f["check_id"] for f in alone.doc["findings"]}


def test_collect_writes_a_plain_snapshot_that_audit_judges_like_scan(org, tmp_path):
    path = tmp_path / "mine.json"
    collected = cli("collect", "--region", HOME, "--quiet", "--output-file", str(path))
    assert collected.code == 0, collected.stderr
    assert json.loads(path.read_text())["schema"] == "vpce-audit/snapshot/v1"
    assert load_snapshot(path).accounts == (org.management,)
