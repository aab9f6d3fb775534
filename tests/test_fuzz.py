"""Hostile API responses: whatever AWS (or a damaged snapshot) says, the audit finishes, keeps its JSON contract
and never calls unknown data healthy. Run `pytest tests/test_fuzz.py --hypothesis-show-statistics` to see the
generated case counts; add `--hypothesis-profile explore` to draw new cases rather than the repeatable ones, or
run `make fuzz` for ten times as many (the profiles are in tests/conftest.py)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from tests import strategies as hs
from tests.dns_raw import Account, alias, inv_of
from tests.raw_snapshot import ACCOUNT, REGION, RawPart, inventory, snapshot
from vpce_audit.cli.main import run
from vpce_audit.dns.names import under
from vpce_audit.dns.path import dns_path
from vpce_audit.dns.targets import services_for_name
from vpce_audit.model.resources import EndpointType
from vpce_audit.normalize import normalize
from vpce_audit.report.fit import DEFAULT_WIDTH
from vpce_audit.report.json import render_json
from vpce_audit.report.model import build_report
from vpce_audit.report.schema import report_schema
from vpce_audit.report.table import render_table
from vpce_audit.snapshot import Part, Snapshot, SnapshotError, dump_snapshot, load_snapshot

HUB = "vpc-hub"
REPORT_SCHEMA = Draft202012Validator(report_schema())
EP = "vpce-0a1b2c3d"
SSM = "ssm.us-east-1.amazonaws.com"


def budget(shares: int) -> settings:
    """`shares` times the active profile's max_examples (tests/conftest.py). Read when this module is imported,
    after pytest has loaded the profile that --hypothesis-profile named."""
    return settings(max_examples=shares * settings.default.max_examples)


# The whole-report test reaches every check and renderer, so it gets three shares and the others one each:
# 3 + 5 x 1 = 8 shares, 4,000 generated snapshots per run under the default profile.
FUZZ = budget(3)
SMALL = budget(1)


@FUZZ
@given(hs.snapshots())
def test_any_snapshot_is_judged_and_rendered_without_an_exception(snapshot: Snapshot) -> None:
    report = build_report(snapshot)
    document = json.loads(render_json(report))
    table = render_table(report)
    # Other tools parse the JSON: whatever AWS said, the document keeps its contract.
    assert [e.message for e in REPORT_SCHEMA.iter_errors(document)] == []
    # How deep the generated cases reach, shown by --hypothesis-show-statistics.
    event("has endpoints", str(bool(report.endpoints)))
    event("has findings", str(bool(report.findings)))
    event("AZ coverage judged", str(any(v.az is not None and v.az.status == "known" for v in report.endpoints)))
    event("DNS path traced", str(any(v.dns is not None and v.dns.vpcs for v in report.endpoints)))
    assert document["summary"]["endpoints"] == len(report.endpoints)
    assert len(document["findings"]) == len(report.findings)
    assert table.endswith("\n")
    # The table fits its width whatever the names (issue 12, item 7): wrapped, never overflowing.
    assert [line for line in table.splitlines() if len(line) > DEFAULT_WIDTH] == []


@SMALL
@given(hs.snapshots())
def test_a_saved_hostile_snapshot_audits_to_the_same_report(snapshot: Snapshot) -> None:
    reloaded = Snapshot.from_dict(json.loads(dump_snapshot(snapshot)))
    assert render_json(build_report(reloaded)) == render_json(build_report(snapshot))


def _states_as_listed(snapshot: Snapshot) -> dict[str, Any]:
    """Each endpoint id's State, read from the raw DescribeVpcEndpoints items rather than through normalize, so
    that the test below shares no code with the check. An id listed more than once keeps the listing that
    comes last, the parts taken in (account, region) order: the tie-break normalize/build.py documents."""
    states: dict[str, Any] = {}
    for part in sorted(snapshot.parts, key=lambda p: (p.account_id, p.region)):
        listed = part.apis.get("ec2:DescribeVpcEndpoints")
        for item in listed if isinstance(listed, list) else []:
            if isinstance(item, dict) and isinstance(item.get("VpcEndpointId"), str) and item["VpcEndpointId"]:
                states[item["VpcEndpointId"]] = item.get("State")
    return states


def _expected_ep_state(state: Any) -> str | None:
    """What AWS's documented endpoint states mean, compared without regard to case (AWS documents TitleCase
    and returns camelCase): `available` serves traffic and `deleting`/`deleted` is gone, so neither is
    reported; `failed`, `rejected` and `expired` never recover (critical); anything else, including a state
    with stray spaces, a missing one or one that is no string, might carry no traffic (high)."""
    said = state.lower() if isinstance(state, str) else None
    if said in ("available", "deleting", "deleted"):
        return None
    return "critical" if said in ("failed", "rejected", "expired") else "high"


@SMALL
@given(hs.snapshots())
def test_every_endpoint_that_is_not_available_raises_ep_state(snapshot: Snapshot) -> None:
    expected = {
        ep_id: severity
        for ep_id, state in _states_as_listed(snapshot).items()
        if (severity := _expected_ep_state(state)) is not None
    }
    flagged = sorted((f.resource_id, str(f.severity)) for f in build_report(snapshot, ("ep-state",)).findings)
    event("endpoints ep-state should flag", str(len(expected)))
    assert flagged == sorted(expected.items())


@SMALL
@given(hs.snapshots())
def test_an_endpoint_of_an_unknown_type_is_reported_unknown_never_blank(snapshot: Snapshot) -> None:
    report = build_report(snapshot)
    for v in report.endpoints:
        doc = v.to_dict()
        judged = {"az_coverage", "route_coverage", "verdict"} & set(doc)
        if v.endpoint.type is EndpointType.UNKNOWN:
            assert doc["verdict"]["status"] == "unknown"
            assert repr(v.endpoint.type_raw or "none") in doc["verdict"]["reason"]
        elif v.endpoint.type in (EndpointType.INTERFACE, EndpointType.GATEWAY):
            assert judged
        elif v.endpoint.type in (EndpointType.RESOURCE, EndpointType.SERVICE_NETWORK):
            # issue 15: AZ coverage and a DNS verdict, known or unknown, never left out
            assert "az_coverage" in doc and "dns_path" in doc


# --- the examples hypothesis found, kept as plain regression tests ------------------------------------------


def _one_part(apis: dict[str, list[Any]]) -> Snapshot:
    return Snapshot(
        "2024-01-01T00:00:00Z", (ACCOUNT,), (REGION,), (Part(ACCOUNT, REGION, "2024-01-01T00:00:00Z", apis),)
    )


def test_a_scalar_where_a_list_of_tags_belongs_names_nothing() -> None:
    inv = normalize(_one_part({"ec2:DescribeVpcs": [{"VpcId": "vpc-1", "CidrBlock": None, "Tags": True}]}))
    assert inv.vpcs["vpc-1"].name == ""


def test_a_scalar_where_resolver_ip_addresses_belong_is_no_address() -> None:
    snap = _one_part(
        {
            "route53resolver:ListResolverEndpoints": [{"Id": "rslvr-in-1", "Direction": "INBOUND"}],
            "route53resolver:ListResolverEndpointIpAddresses": [
                {"ResolverEndpointId": "rslvr-in-1", "IpAddresses": True}
            ],
        }
    )
    assert normalize(snap).dns.resolver_endpoints["rslvr-in-1"].ips == ()


def test_a_scalar_association_state_does_not_crash_and_counts_as_associated() -> None:
    raw = RawPart()
    raw.vpc("vpc-1", CidrBlockAssociationSet=[{"CidrBlock": "10.1.0.0/16", "CidrBlockState": "associated"}])
    raw.add(
        "ec2:DescribeRouteTables",
        {"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Associations": [{"Main": True, "AssociationState": 7}]},
    )
    inv = inventory(raw)
    assert inv.vpcs["vpc-1"].cidrs == ("10.0.0.0/16", "10.1.0.0/16")
    assert inv.route_tables["rtb-1"].is_main


def test_the_order_of_parts_does_not_change_the_dns_verdicts() -> None:
    """Found by `make fuzz`: one resolver rule association id listed by two regions, failed in one, and the
    report depended on which part came first, so a saved snapshot (parts sorted) audited differently."""

    def part(region: str, status: str) -> Part:
        association = {"Id": "rslvr-rrassoc-1", "ResolverRuleId": "rslvr-rr-1", "VPCId": "vpc-1", "Status": status}
        apis = {"ec2:DescribeVpcs": [{"VpcId": "vpc-1"}], "route53resolver:ListResolverRuleAssociations": [association]}
        return Part(ACCOUNT, region, "2024-01-01T00:00:00Z", apis)

    parts = (part("us-east-1", " COMPLETE "), part("eu-west-1", "COMPLETE"))
    reports = {
        render_json(build_report(Snapshot("2024-01-01T00:00:00Z", (ACCOUNT,), ("eu-west-1", "us-east-1"), order)))
        for order in (parts, parts[::-1])
    }
    assert len(reports) == 1


def _zone_records(records: Any, owner: dict[str, str]) -> Snapshot:
    """A VPC with an ssm endpoint and a zone named for ssm; the zone's record listing says `records`."""
    listing = {"VPCId": "vpc-1", "HostedZoneSummaries": [{"HostedZoneId": "Z1", "Name": f"{SSM}.", "Owner": owner}]}
    regional = RawPart()
    regional.vpc("vpc-1")
    service = {"ServiceName": "com.amazonaws.us-east-1.ssm", "PrivateDnsName": SSM, "Owner": "amazon"}
    regional.add("ec2:DescribeVpcEndpointServices", service)
    global_apis = {
        "route53:ListHostedZonesByVPC": [listing],
        "route53:GetHostedZone": [],
        "route53:ListResourceRecordSets": [{"HostedZoneId": "Z1", "ResourceRecordSets": records}],
        "route53:SkippedZones": [],
    }
    return Snapshot(
        "2024-01-01T00:00:00Z",
        (ACCOUNT,),
        (REGION,),
        (regional.part(), Part(ACCOUNT, "global", "2024-01-01T00:00:00Z", global_apis)),
    )


def test_a_record_listing_that_is_not_a_list_leaves_the_records_unknown_not_empty() -> None:
    """An empty zone named for the service is NXDOMAIN for it (critical); a listing that says nothing is not."""
    inv = normalize(_zone_records(None, {"OwningAccount": ACCOUNT}))
    assert inv.dns.zones["Z1"].records is None
    assert build_report(_zone_records(None, {"OwningAccount": ACCOUNT}), ("phz-record-missing",)).findings == ()
    (finding,) = build_report(_zone_records([], {"OwningAccount": ACCOUNT}), ("phz-record-missing",)).findings
    assert finding.resource_id == "Z1"


def test_a_zone_whose_records_were_listed_is_owned_by_the_account_that_listed_them() -> None:
    """Only a zone's owner can list its records: a listing that names no owning account (found by the fuzzer:
    a finding with account_id '') gets the reader's."""
    (finding,) = build_report(_zone_records([], {"OwningService": "x.amazonaws.com"}), ("phz-record-missing",)).findings
    assert finding.account_id == ACCOUNT


@pytest.mark.parametrize("owner", [{}, {"OwningAccount": "ü"}], ids=["no owner", "owner not an account id"])
def test_a_zone_no_account_owns_is_reported_in_the_account_that_found_it(owner: dict[str, str]) -> None:
    """Found by the fuzzer: a zone listed with no owning account (as a service-owned one is) or one that is no
    account id, and unread records, gave a phz-name-mismatch with account_id '' (or 'ü')."""
    regional = RawPart()
    service = {"ServiceName": "com.amazonaws.us-east-1.ssm", "PrivateDnsName": "\\052.s3.us-east-1.amazonaws.com."}
    regional.add("ec2:DescribeVpcEndpointServices", service | {"Owner": "amazon"})
    listing = {"VPCId": "vpc-1", "HostedZoneSummaries": [{"HostedZoneId": "Z1", "Name": f"{SSM}.", "Owner": owner}]}
    global_apis = {"route53:ListHostedZonesByVPC": [listing], "route53:GetHostedZone": [], "route53:SkippedZones": []}
    snap = Snapshot(
        "2024-01-01T00:00:00Z",
        (ACCOUNT,),
        (REGION,),
        (regional.part(), Part(ACCOUNT, "global", "2024-01-01T00:00:00Z", global_apis)),
    )
    (finding,) = build_report(snap, ("phz-name-mismatch",)).findings
    assert finding.resource_id == "Z1" and finding.account_id == ACCOUNT


def test_an_endpoint_type_aws_added_later_is_listed_as_unknown_with_its_type() -> None:
    raw = RawPart()
    raw.vpc("vpc-1")
    raw.subnet("subnet-1", "vpc-1", "us-east-1a")
    raw.endpoint("vpce-1", "vpc-1", kind="Teleporter", subnet_ids=["subnet-1"])
    report = build_report(snapshot(raw))
    (doc,) = json.loads(render_json(report))["endpoints"]
    assert doc["type"] == "Teleporter"
    assert doc["verdict"] == {"status": "unknown", "reason": "endpoint type 'Teleporter' is not one vpce-audit knows"}
    assert "unknown: endpoint type 'Teleporter'" in render_table(report)


def test_an_endpoint_state_nobody_knows_is_not_healthy() -> None:
    raw = RawPart()
    raw.vpc("vpc-1")
    raw.endpoint("vpce-1", "vpc-1", state="Quantum")
    (finding,) = build_report(snapshot(raw), ("ep-state",)).findings
    assert finding.resource_id == "vpce-1" and "not one vpce-audit knows" in finding.message


def test_a_resolver_rule_of_an_unknown_type_makes_the_answer_unknown_not_system() -> None:
    acct = Account()
    hub = acct.vpc(HUB)
    acct.endpoint(EP, HUB, "ssm", hub.values())
    acct.zone("ZP", "amazonaws.com", [HUB], [alias(SSM, f"{EP}-abcd1234.ssm.us-east-1.vpce.amazonaws.com")])
    acct.rule("rslvr-rr-0fwd", "us-east-1.amazonaws.com", [HUB])
    acct.rule("rslvr-rr-0new", SSM, [HUB], rule_type="TELEPATHY")
    path = dns_path(inv_of(acct), inv_of(acct).endpoints[EP])
    assert [p.mode for p in path.vpcs] == ["unknown"]
    assert "TELEPATHY" in path.vpcs[0].reason


NAMES = st.sampled_from(
    (
        "ssm.us-east-1.amazonaws.com",
        "s3.us-east-1.amazonaws.com",
        "a.b.s3.us-east-1.amazonaws.com",
        "x..s3.us-east-1.amazonaws.com",
        "us-east-1.amazonaws.com",
        "",
        ".",
        "a.",
        "com",
        "*.s3.us-east-1.amazonaws.com",
        "bücher.example",
    )
)


@SMALL
@given(hs.snapshots(), NAMES)
def test_the_service_name_index_finds_what_a_scan_of_every_service_finds(snapshot: Snapshot, name: str) -> None:
    inv = normalize(snapshot)
    scanned = {
        s.name
        for s in inv.services.values()
        for n in s.private_dns_names
        if n == name or (n.startswith("*.") and name != n[2:] and under(name, n[2:]))
    }
    assert services_for_name(inv, name) == scanned


# --- snapshot files damaged deep inside: one line, exit 2 ---------------------------------------------------


def _snapshot_text(apis: dict[str, Any], **top: Any) -> str:
    doc: dict[str, Any] = {
        "schema": "vpce-audit/snapshot/v1",
        "collected_at": "2024-01-01T00:00:00Z",
        "scope": {"accounts": [ACCOUNT], "regions": [REGION]},
        "parts": [{"account_id": ACCOUNT, "region": REGION, "collected_at": "t", "apis": apis}],
    }
    return json.dumps(doc | top)


DEEP_DAMAGE = {
    "api value a number": _snapshot_text({"ec2:DescribeVpcs": 5}),
    "api value an object": _snapshot_text({"ec2:DescribeVpcs": {"VpcId": "vpc-1"}}),
    "api value null": _snapshot_text({"ec2:DescribeVpcEndpoints": None}),
    "api value a string": _snapshot_text({"route53:ListResourceRecordSets": "records"}),
    "errors a number": _snapshot_text({}, errors=5),
    "error not an object": _snapshot_text({}, errors=["denied"]),
    "scope accounts a number": _snapshot_text({}, scope={"accounts": 1, "regions": []}),
    "parts an object": _snapshot_text({}, parts={"account_id": ACCOUNT}),
}


@pytest.mark.parametrize("case", sorted(DEEP_DAMAGE))
def test_a_snapshot_damaged_deep_inside_is_one_line_and_exit_2(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "snap.json"
    path.write_text(DEEP_DAMAGE[case], encoding="utf-8")
    with pytest.raises(SnapshotError):
        load_snapshot(path)
    assert run(["audit", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@SMALL
@given(hs.snapshots(max_parts=1, max_items=1), st.floats(0.0, 0.999))
def test_a_truncated_snapshot_file_is_a_snapshot_error(snapshot: Snapshot, keep: float) -> None:
    text = dump_snapshot(snapshot).rstrip()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "snap.json"
        path.write_text(text[: int(len(text) * keep)], encoding="utf-8")
        with pytest.raises(SnapshotError) as info:
            load_snapshot(path)
    assert "\n" not in str(info.value)
