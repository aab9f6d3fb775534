"""The CLI end to end: `python -m vpce_audit` as a subprocess against a moto server, as a user runs it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import pytest
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models import EC2Backend

from moto_fixtures import ACCOUNT_ID, World
from moto_fixtures.builder import AZ1
from moto_fixtures.worlds import isolated_vpc
from tests.moto_server import REGION, CliResult, MotoServer
from vpce_audit import __version__
from vpce_audit.apis import Api
from vpce_audit.checks import REGISTRY

SEVERITIES = ["critical", "high", "medium", "low", "info"]
FINDING_FIELDS = {
    "check_id",
    "severity",
    "title",
    "account_id",
    "region",
    "vpc_id",
    "resource_id",
    "related_ids",
    "message",
    "evidence",
    "remediation",
    "references",
    "key",
}
ERROR_FIELDS = {"account_id", "region", "service", "operation", "code", "message"}

MakeWorld = Callable[..., World]


@pytest.fixture(scope="module")
def server() -> Iterator[MotoServer]:
    srv = MotoServer()
    yield srv
    srv.stop()


@pytest.fixture
def make_world(server: MotoServer) -> Iterator[MakeWorld]:
    built: list[World] = []

    def make(name: str, extend: Callable[[World], None] | None = None) -> World:
        w = server.build(name, extend)
        built.append(w)
        return w

    yield make
    for w in reversed(built):
        w.close()


def single_az_kms(world: World) -> None:
    """healthy-3az plus a kms endpoint in one AZ: exactly one high finding (az-single), nothing critical."""
    ids = world.ids
    ids["ep.kms"] = world.builder.interface_endpoint(ids["vpc"], "kms", [ids[f"subnet.{AZ1}"]], [ids["sg"]])


def second_vpc_single_az(world: World) -> None:
    """A second VPC with its own single-AZ endpoint, so --vpc-id has something to leave out."""
    other = isolated_vpc(world.builder, "other", cidr="10.1.0.0/16")
    world.ids["vpc.other"] = other["vpc"]
    world.ids["ep.other"] = world.builder.interface_endpoint(
        other["vpc"], "kms", [other[f"subnet.{AZ1}"]], [other["sg"]]
    )


def report(result: CliResult) -> dict:
    assert result.stderr == "", result.stderr
    return json.loads(result.stdout)


def check_ids(doc: dict) -> set[str]:
    return {f["check_id"] for f in doc["findings"]}


def without_timestamp(text: str) -> dict:
    doc = json.loads(text)
    doc.pop("generated_at")
    return doc


# --- exit codes ---------------------------------------------------------------------------------------


def test_healthy_world_exits_0_with_zero_findings(server, make_world):
    world = make_world("healthy-3az")
    result = server.cli("scan", "--output", "json")
    assert result.code == 0
    doc = report(result)
    assert doc["findings"] == [] and doc["errors"] == []
    assert doc["summary"]["findings_by_severity"] == dict.fromkeys(SEVERITIES, 0)
    assert {e["endpoint_id"] for e in doc["endpoints"]} == {world.ids["ep.ssm"], world.ids["ep.s3"]}


def test_fail_on_sets_the_threshold_for_exit_1(server, make_world, tmp_path):
    make_world("healthy-3az", single_az_kms)  # one high finding, nothing critical
    snap = tmp_path / "s.json"
    assert server.cli("scan", "--output", "json", "--save-snapshot", str(snap)).code == 1  # default is high
    assert server.cli("scan", "--output", "json", "--fail-on", "critical").code == 0
    # The same threshold logic judges a saved snapshot: sweep the other levels offline, faster.
    expected = {"critical": 0, "high": 1, "medium": 1, "low": 1, "info": 1, "none": 0}
    codes = {level: server.cli("audit", str(snap), "--output", "json", "--fail-on", level).code for level in expected}
    assert codes == expected


def test_critical_finding_fails_even_fail_on_critical_but_not_none(server, make_world):
    make_world("demo")  # an endpoint in state failed: critical
    assert server.cli("scan", "--output", "json", "--fail-on", "critical").code == 1
    assert server.cli("scan", "--output", "json", "--fail-on", "none").code == 0


def test_denied_api_makes_a_partial_scan_exit_3(server, make_world):
    make_world("healthy-3az")
    denied = EC2ClientError("UnauthorizedOperation", "You are not authorized to perform this operation.")
    # The server shares this process, so a patched backend method answers the CLI subprocess too.
    with mock.patch.object(EC2Backend, "describe_vpc_endpoint_services", side_effect=denied):
        result = server.cli("scan", "--output", "json")
        high_on = server.cli("scan", "--output", "json", "--fail-on", "none")
    assert result.code == 3
    doc = report(result)
    assert doc["findings"] == []
    assert [(e["operation"], e["code"]) for e in doc["errors"]] == [
        ("DescribeVpcEndpointServices", "UnauthorizedOperation")
    ]
    assert doc["summary"]["partial"] is True
    assert high_on.code == 3  # --fail-on none does not hide that the scan was partial


# --- the JSON document --------------------------------------------------------------------------------


def test_json_document_has_the_v1_shape(server, make_world):
    world = make_world("demo")
    result = server.cli("scan", "--output", "json")
    assert result.code == 1
    doc = report(result)
    assert doc["schema"] == "vpce-audit/report/v1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", doc["generated_at"])
    assert doc["tool_version"] == __version__
    collected = doc["scope"].pop("collected")
    assert doc["scope"] == {
        "accounts": [ACCOUNT_ID],
        "regions": [REGION],
        "skipped_regions": [],
        "checks": sorted(REGISTRY),
        "vpc_ids": [],
        "inputs": sorted(str(a) for a in Api),
    }
    # A clean scan collected every input in full: its region's part and its account's Route 53 part.
    assert collected == [
        {"account_id": ACCOUNT_ID, "region": "global", "missing": []},
        {"account_id": ACCOUNT_ID, "region": REGION, "missing": []},
    ]
    assert doc["errors"] == []

    counts = doc["summary"]["findings_by_severity"]
    assert list(counts) == sorted(SEVERITIES)  # all five, even when zero
    assert counts == {s: sum(f["severity"] == s for f in doc["findings"]) for s in SEVERITIES}
    assert doc["summary"]["endpoints"] == len(doc["endpoints"]) == sum(k.startswith("ep.") for k in world.ids)

    by_id = {e["endpoint_id"]: e for e in doc["endpoints"]}
    kms = by_id[world.ids["ep.kms"]]["az_coverage"]
    assert kms["status"] == "known"
    assert kms["covered"] == ["use1-az1"] and kms["tolerated_az_failures"] == 0
    assert kms["workload"] == ["use1-az1", "use1-az2", "use1-az6"]
    assert kms["missing"] == ["use1-az2", "use1-az6"]
    assert set(kms["service"]) >= set(kms["workload"])
    s3 = by_id[world.ids["ep.s3"]]
    assert "az_coverage" not in s3
    assert s3["route_coverage"]["covered_subnets"] == [] and len(s3["route_coverage"]["missing_subnets"]) == 3

    assert check_ids(doc) == set(world.expect)
    for finding in doc["findings"]:
        assert set(finding) == FINDING_FIELDS
        assert finding["severity"] in SEVERITIES
        assert finding["account_id"] == ACCOUNT_ID and finding["region"] == REGION
        assert finding["vpc_id"] in {world.ids[k] for k in world.ids if k.startswith("vpc")}
        assert finding["resource_id"].startswith("vpce-")
        assert finding["title"] and finding["message"] and finding["remediation"]
        assert isinstance(finding["related_ids"], list) and isinstance(finding["evidence"], dict)
        assert finding["evidence"], finding["check_id"]
    ranks = [SEVERITIES.index(f["severity"]) for f in doc["findings"]]
    assert ranks == sorted(ranks)  # worst first


def test_two_scans_of_one_world_differ_only_in_generated_at(server, make_world):
    make_world("demo")
    first = server.cli("scan", "--output", "json")
    second = server.cli("scan", "--output", "json")
    assert first.code == second.code == 1
    assert without_timestamp(first.stdout) == without_timestamp(second.stdout)


def test_query_applies_jmespath_to_the_document(server, make_world):
    make_world("demo")
    full = report(server.cli("scan", "--output", "json"))
    result = server.cli("scan", "--query", "findings[].check_id")
    assert result.code == 1  # the exit code still reflects the findings
    assert json.loads(result.stdout) == [f["check_id"] for f in full["findings"]]
    critical = server.cli("scan", "--query", "summary.findings_by_severity.critical")
    assert json.loads(critical.stdout) == full["summary"]["findings_by_severity"]["critical"] == 1


def test_checks_and_exclude_checks_choose_what_runs(server, make_world):
    world = make_world("demo")
    only = server.cli("scan", "--output", "json", "--checks", "az-single,ep-state")
    assert check_ids(report(only)) == {"az-single", "ep-state"}
    skipped = server.cli("scan", "--output", "json", "--exclude-checks", "ep-state, gw-rt-gap")
    assert check_ids(report(skipped)) == set(world.expect) - {"ep-state", "gw-rt-gap"}
    medium_only = server.cli("scan", "--output", "json", "--checks", "az-gap")
    assert check_ids(report(medium_only)) == {"az-gap"}
    assert medium_only.code == 0  # nothing left at or above high


def test_vpc_id_limits_the_scan(server, make_world):
    world = make_world("healthy-3az", second_vpc_single_az)
    healthy = server.cli("scan", "--output", "json", "--vpc-id", world.ids["vpc"])
    assert healthy.code == 0
    doc = report(healthy)
    assert {e["vpc_id"] for e in doc["endpoints"]} == {world.ids["vpc"]}
    assert doc["findings"] == []

    other = report(server.cli("scan", "--output", "json", "--vpc-id", world.ids["vpc.other"]))
    assert [(f["check_id"], f["resource_id"]) for f in other["findings"]] == [("az-single", world.ids["ep.other"])]
    assert {e["vpc_id"] for e in other["endpoints"]} == {world.ids["vpc.other"]}

    both = report(server.cli("scan", "--output", "json"))
    assert {e["vpc_id"] for e in both["endpoints"]} == {world.ids["vpc"], world.ids["vpc.other"]}


def test_unknown_vpc_id_is_an_error_entry_and_exit_3(server, make_world):
    world = make_world("healthy-3az")
    missing = "vpc-0123456789abcdef0"
    result = server.cli("scan", "--output", "json", "--vpc-id", missing, "--vpc-id", world.ids["vpc"])
    assert result.code == 3
    doc = report(result)
    assert doc["findings"] == []
    assert {e["vpc_id"] for e in doc["endpoints"]} == {world.ids["vpc"]}
    assert len(doc["errors"]) == 1
    error = doc["errors"][0]
    assert set(error) == ERROR_FIELDS
    assert (error["account_id"], error["operation"], error["code"]) == (ACCOUNT_ID, "DescribeVpcs", "VpcNotFound")
    assert missing in error["message"]


def test_output_file_receives_the_report(server, make_world, tmp_path):
    world = make_world("demo")
    target = tmp_path / "report.json"
    result = server.cli("scan", "--output", "json", "--output-file", str(target))
    assert (result.code, result.stdout, result.stderr) == (1, "", "")
    doc = json.loads(target.read_text())
    assert doc["schema"] == "vpce-audit/report/v1" and check_ids(doc) == set(world.expect)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]  # no temporary file left behind


# --- snapshots ----------------------------------------------------------------------------------------


def test_audit_of_a_saved_snapshot_prints_exactly_what_the_scan_printed(server, make_world, tmp_path):
    make_world("demo")
    json_snap, table_snap = tmp_path / "json.snapshot", tmp_path / "table.snapshot"
    live_json = server.cli("scan", "--output", "json", "--save-snapshot", str(json_snap))
    live_table = server.cli("scan", "--save-snapshot", str(table_snap))
    server.reset()  # the audit must need nothing from AWS
    offline_json = server.cli("audit", str(json_snap), "--output", "json")
    offline_table = server.cli("audit", str(table_snap))

    assert live_json.stdout == offline_json.stdout
    assert live_table.stdout == offline_table.stdout
    assert live_json.code == offline_json.code == live_table.code == offline_table.code == 1
    assert f"Findings ({len(report(live_json)['findings'])})" in offline_table.stdout

    saved = json.loads(json_snap.read_text())
    assert saved["schema"] == "vpce-audit/snapshot/v1"
    assert saved["scope"]["accounts"] == [ACCOUNT_ID] and saved["scope"]["regions"] == [REGION]
    (part,) = [p for p in saved["parts"] if p["region"] == REGION]
    assert part["account_id"] == ACCOUNT_ID
    assert part["collected_at"] and saved["collected_at"]
    assert {"ec2:DescribeVpcEndpoints", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"} <= set(part["apis"])


def test_audit_without_aws_credentials_or_server(server, make_world, tmp_path):
    make_world("healthy-3az")
    snap = tmp_path / "s.json"
    assert server.cli("scan", "--save-snapshot", str(snap), "--output", "json").code == 0
    # Without credentials any AWS call would fail: the audit reads the file and nothing else.
    offline = server.cli("audit", str(snap), "--output", "json", credentials=False)
    assert offline.code == 0 and report(offline)["findings"] == []


# --- the catalogue and the demo -----------------------------------------------------------------------


def test_checks_lists_every_registered_check(server):
    table = server.cli("checks")
    assert table.code == 0 and table.stderr == ""
    # Titles and meanings wrap onto continuation lines, which start blank under the id column.
    listed = {line.split()[0] for line in table.stdout.splitlines()[2:] if line[:1].strip()}
    assert listed == set(REGISTRY)
    assert all(REGISTRY[cid].summary.split()[0] in table.stdout for cid in REGISTRY)
    as_json = json.loads(server.cli("checks", "--output", "json").stdout)
    assert [c["id"] for c in as_json] == sorted(REGISTRY)
    keys = {"id", "title", "severity", "severity_rule", "summary", "risk", "remediation", "references", "category"}
    assert all(set(c) == keys | {"resource_types", "inputs"} for c in as_json)
    # `severity` is the default a finding gets, not the rule's prose (that is `severity_rule`)
    assert {c["id"]: c["severity"] for c in as_json} == {cid: str(c.severity) for cid, c in REGISTRY.items()}
    assert all(c["severity_rule"] == REGISTRY[c["id"]].severity_rule for c in as_json)


def test_demo_prints_a_parseable_report(server, make_world):
    world = make_world("demo")  # the same world the demo builds in its own process: its expectations hold there
    result = server.cli("demo", "--output", "json", "--fail-on", "none")
    assert result.code == 0
    assert check_ids(report(result)) == set(world.expect)


# --- bad input: one line on stderr, exit 2, nothing written -------------------------------------------


def _write(path: Path, content: bytes) -> str:
    path.write_bytes(content)
    return str(path)


BAD_INPUTS: dict[str, Callable[[Path], list[str]]] = {
    "unknown region": lambda d: ["scan", "--region", "mars-east-9"],
    "bad jmespath": lambda d: ["scan", "--query", "findings[?"],
    "missing snapshot": lambda d: ["audit", str(d / "nope.json")],
    "directory as snapshot": lambda d: ["audit", str(d)],
    # Root reads any file whatever its mode; a path through a regular file is unreadable for everyone.
    "unreadable snapshot": lambda d: ["audit", str(Path(_write(d / "file", b"{}")) / "snap.json")],
    "not-json snapshot": lambda d: ["audit", _write(d / "s.json", b"this is not json\n")],
    "binary snapshot": lambda d: ["audit", _write(d / "s.bin", b"\xff\xfe\x00\x81")],
    "empty snapshot": lambda d: ["audit", _write(d / "s.json", b"")],
    "wrong schema": lambda d: ["audit", _write(d / "s.json", b'{"schema": "vpce-audit/snapshot/v99"}')],
    "malformed snapshot": lambda d: ["audit", _write(d / "s.json", b'{"schema": "vpce-audit/snapshot/v1"}')],
    "json array snapshot": lambda d: ["audit", _write(d / "s.json", b"[1, 2]")],
    "unknown check id": lambda d: ["scan", "--checks", "az-single,no-such-check"],
    "unknown excluded check id": lambda d: ["scan", "--exclude-checks", "no-such-check"],
    "every check excluded": lambda d: ["scan", "--exclude-checks", ",".join(REGISTRY)],
    "unknown fail-on": lambda d: ["scan", "--fail-on", "severe"],
    "unknown output": lambda d: ["scan", "--output", "xml"],
    "unknown option": lambda d: ["scan", "--no-such-option"],
    "unknown command": lambda d: ["rescan"],
    "missing snapshot argument": lambda d: ["audit"],
    "output file in a missing folder": lambda d: ["scan", "--output-file", str(d / "no" / "such" / "r.json")],
    "output file is a directory": lambda d: ["scan", "--output-file", str(d)],
    "snapshot in a missing folder": lambda d: ["scan", "--save-snapshot", str(d / "no" / "s.json")],
    "not a vpc id": lambda d: ["scan", "--vpc-id", "subnet-0123"],
    "unknown profile": lambda d: ["scan", "--profile", "nobody"],
}
# Bad settings in the environment rather than on the command line.
BAD_ENVIRONMENTS: dict[str, dict[str, str | None]] = {
    "malformed endpoint url": {"AWS_ENDPOINT_URL": "not a url"},
    "no region anywhere": {"AWS_REGION": None, "AWS_DEFAULT_REGION": None},
    "unknown region in the environment": {"AWS_REGION": "mars-east-9"},
    "unknown profile in the environment": {"AWS_PROFILE": "nobody"},
}


def assert_one_line_usage_error(result: CliResult) -> None:
    assert result.code == 2, result
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.endswith("\n") and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("vpce-audit: error: ")


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_exit_2(server, tmp_path, case):
    folder = tmp_path / "work"
    folder.mkdir()
    result = server.cli(*BAD_INPUTS[case](folder), cwd=tmp_path)
    assert_one_line_usage_error(result)


@pytest.mark.parametrize("case", sorted(BAD_ENVIRONMENTS))
def test_bad_environment_is_one_line_exit_2(server, tmp_path, case):
    assert_one_line_usage_error(server.cli("scan", cwd=tmp_path, env=BAD_ENVIRONMENTS[case]))


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "--query", "findings[?"],
        ["scan", "--checks", "no-such-check"],
        ["scan", "--region", "mars-east-9"],
        ["scan", "--fail-on", "severe"],
        ["audit", "missing.snapshot"],
    ],
    ids=["bad query", "bad check", "bad region", "bad fail-on", "bad snapshot"],
)
def test_bad_input_writes_no_file(server, make_world, tmp_path, args):
    make_world("healthy-3az")  # a scan would succeed if the input were fine
    outputs = ["--output-file", str(tmp_path / "report.json")]
    if args[0] == "scan":
        outputs += ["--save-snapshot", str(tmp_path / "snap.json")]
    result = server.cli(*args, *outputs, cwd=tmp_path)
    assert_one_line_usage_error(result)
    assert list(tmp_path.iterdir()) == []


def test_a_failing_stdout_is_one_line_exit_2(server, make_world, tmp_path):
    make_world("healthy-3az")
    snap = tmp_path / "s.json"
    assert server.cli("scan", "--save-snapshot", str(snap), "--output", "json").code == 0
    with open("/dev/full", "w") as full:  # every write fails with ENOSPC
        proc = subprocess.run(
            [sys.executable, "-m", "vpce_audit", "audit", str(snap), "--output", "json"],
            env=server.env(),
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert_one_line_usage_error(CliResult(proc.returncode, "", proc.stderr))
    assert proc.stderr == "vpce-audit: error: No space left on device\n"


def test_a_malformed_aws_config_file_is_one_line_exit_2(server, tmp_path):
    config = tmp_path / "config"
    config.write_text("[default\nregion = us-east-1\n")
    result = server.cli("scan", "--region", REGION, env={"AWS_CONFIG_FILE": str(config)})
    assert_one_line_usage_error(result)
    assert str(config) in result.stderr


def test_region_option_alone_is_enough(server, make_world):
    make_world("healthy-3az")
    unset = {"AWS_REGION": None, "AWS_DEFAULT_REGION": None}
    result = server.cli("scan", "--region", REGION, "--output", "json", env=unset)
    assert result.code == 0, result.stderr
    assert report(result)["scope"]["regions"] == [REGION]
    from_aws_region = server.cli(
        "scan", "--output", "json", env={"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": None}
    )
    assert report(from_aws_region)["scope"]["regions"] == ["eu-west-1"]  # boto3 alone would not read it
    no_region = server.cli("scan", env=unset)
    assert_one_line_usage_error(no_region)
    assert "region" in no_region.stderr


def test_scan_without_any_credentials_is_one_line_exit_2(server, make_world, tmp_path):
    make_world("healthy-3az")
    out = tmp_path / "report.json"
    result = server.cli("scan", "--output-file", str(out), credentials=False)
    assert_one_line_usage_error(result)
    assert "credentials" in result.stderr
    assert not out.exists()


# --- leaving: no interpreter teardown, but every byte written and every exit handler run ---------------------


@pytest.mark.parametrize(
    ("args", "code"), [(["schema"], 0), (["audit", "/nonexistent/snapshot.json"], 2)], ids=["ok", "bad-input"]
)
def test_the_cli_leaves_with_its_code_its_whole_output_and_the_exit_handlers_run(
    tmp_path: Path, args: list[str], code: int
) -> None:
    """main() ends with os._exit to skip the teardown: output is flushed first, and the exit handlers others
    registered (coverage, a sitecustomize) run as they would."""
    marker = tmp_path / "atexit-ran"
    script = (
        "import atexit, sys, pathlib\n"
        f"atexit.register(lambda: pathlib.Path({str(marker)!r}).write_text('ran'))\n"
        f"sys.argv = ['vpce-audit', *{args!r}]\n"
        "from vpce_audit.cli.main import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == code, done.stderr
    assert marker.read_text() == "ran"
    if code == 0:
        assert json.loads(done.stdout)["$schema"]  # the whole document, flushed
    else:
        assert done.stdout == "" and len(done.stderr.strip().splitlines()) == 1
