"""Packet path across transit gateway attachment subnets (issue 13): the NACLs AWS evaluates around an attachment
(tgw-nacls.html) named in net-nacl-deny, their unknowns when the data was not collected, and appliance mode
left alone where no VPC inspects the traffic. The worlds are in moto_fixtures/net_worlds.py (test_worlds.py runs
their expectations); here the findings' details. Kept apart from test_netpath.py, whose module-scoped moto world
would otherwise stay open around these."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import boto3
import pytest
from moto import mock_aws

from moto_fixtures import build_world, fake_aws_env
from tests.conftest import REGION, collect
from vpce_audit.report.model import Report, build_report
from vpce_audit.verdicts.network_path import NACL_DENY, PathStatus

# --- NACLs of the transit gateway attachment subnets (tgw-nacls.html) ----------------------------------------


def _world_report(name: str) -> tuple[Report, dict[str, str], Any]:
    """Build a world, audit it, keep the report and its ids (and the snapshot, for the reduced reruns)."""
    with fake_aws_env(), mock_aws():
        session = boto3.Session(region_name=REGION)
        world = build_world(name, session, REGION)
        try:
            snapshot, _ = collect(session)
        finally:
            world.close()
    return build_report(snapshot), dict(world.ids), snapshot


class _Worlds(dict[str, tuple[Report, dict[str, str], Any]]):
    """Each world built on first use (under 2 s each), then kept for the module's other tests."""

    def __missing__(self, name: str) -> tuple[Report, dict[str, str], Any]:
        self[name] = _world_report(name)
        return self[name]


@pytest.fixture(scope="module")
def attachment_worlds() -> _Worlds:
    return _Worlds()


def test_a_deny_in_the_hubs_attachment_subnet_names_it_and_cuts_only_the_spoke_az_entering_there(
    attachment_worlds,
) -> None:
    report, ids, _ = attachment_worlds["net-tgw-attachment-nacl-deny"]
    (finding,) = [f for f in report.findings if f.check_id == NACL_DENY]
    assert finding.severity is not None and finding.severity.value == "high"
    assert finding.evidence["client_vpc_id"] == ids["spoke"]
    assert finding.evidence["az_status"] == {
        "use1-az1": "unreachable",
        "use1-az2": "reachable",
        "use1-az6": "reachable",
    }
    hops = [h for entries in finding.evidence["hops"].values() for h in entries]
    assert {h["hop"] for h in hops} == {"endpoint-attachment-nacl-egress"}
    assert {h["attachment_subnet"] for h in hops} == {ids["hub.tgw.use1-az1"]}
    assert ids["hub.tgw.use1-az1"] in finding.message and ids["acl"] in finding.message
    # the hub's own clients never cross the transit gateway subnets: its own path stays reachable
    (verdict,) = [v for v in report.endpoints if v.endpoint.id == ids["ep"]]
    assert verdict.network is not None
    assert next(v for v in verdict.network.vpcs if v.vpc_id == ids["hub"]).status is PathStatus.REACHABLE


def test_the_spokes_attachment_subnets_dropping_the_replies_make_every_az_unreachable(attachment_worlds) -> None:
    report, ids, _ = attachment_worlds["net-tgw-attachment-nacl-return"]
    (finding,) = [f for f in report.findings if f.check_id == NACL_DENY]
    assert finding.severity is not None and finding.severity.value == "critical"
    hops = [h for entries in finding.evidence["hops"].values() for h in entries]
    assert {h["hop"] for h in hops} == {"client-attachment-nacl-egress-return"}
    assert {h["direction"] for h in hops} == {"egress"} and {h["ports"] for h in hops} == {"1024-65535"}
    # the replies from the ENI in AZ Y leave the transit gateway through the spoke's subnet in AZ Y
    by_eni_az = {(h["eni_az_id"], h["attachment_subnet"]) for h in hops}
    assert by_eni_az == {(az, ids[f"spoke.tgw.{az}"]) for az in ("use1-az1", "use1-az2", "use1-az6")}


def _without(snapshot: Any, api: str, keep: Any = None) -> Any:
    """The snapshot with `api` dropped, or with only the items `keep` accepts."""

    def apis(part: Any) -> dict[str, Any]:
        if api not in part.apis:
            return dict(part.apis)
        if keep is None:
            return {k: v for k, v in part.apis.items() if k != api}
        return part.apis | {api: [i for i in part.apis[api] if keep(i)]}

    return replace(snapshot, parts=tuple(replace(p, apis=apis(p)) for p in snapshot.parts))


@pytest.mark.parametrize("missing", ["nacls", "attachment-subnets", "attachment-subnet-nacl"])
def test_without_the_nacls_or_the_attachment_subnets_the_attachment_hops_are_unknown_never_a_finding(
    attachment_worlds, missing: str
) -> None:
    _, ids, snapshot = attachment_worlds["net-tgw-attachment-nacl-deny"]
    if missing == "nacls":
        reduced = _without(snapshot, "ec2:DescribeNetworkAcls")
    elif missing == "attachment-subnets":
        reduced = _without(snapshot, "ec2:DescribeTransitGatewayVpcAttachments")
    else:  # the listing holds no NACL for the hub's attachment subnet in use1-az1 (its custom NACL left out)
        reduced = _without(snapshot, "ec2:DescribeNetworkAcls", lambda acl: acl["NetworkAclId"] != ids["acl"])
    reduced_report = build_report(reduced)
    assert not [f for f in reduced_report.findings if f.check_id.startswith("net-")]
    (verdict,) = [v for v in reduced_report.endpoints if v.endpoint.id == ids["ep"]]
    assert verdict.network is not None
    spoke = next((v for v in verdict.network.vpcs if v.vpc_id == ids["spoke"]), None)
    if spoke is None:  # the whole verdict is unknown, with the reason
        assert verdict.network.status is PathStatus.UNKNOWN and verdict.network.reason
    else:
        assert {a.az_id: a.status for a in spoke.azs}["use1-az1"] is PathStatus.UNKNOWN
    if missing == "attachment-subnet-nacl":
        unknown = {h.detail for _, r, h in _all_hops(spoke) if h.ok is None}
        subnet = ids["hub.tgw.use1-az1"]
        assert unknown == {f"attachment subnet {subnet} in use1-az1: no network ACL lists {subnet}"}


def _all_hops(vpc: Any) -> Iterator[tuple[Any, Any, Any]]:
    for az in vpc.azs:
        for r in az.results:
            for h in r.path.hops:
                yield az, r, h


def test_appliance_mode_disabled_without_an_inspection_vpc_is_no_concern(attachment_worlds) -> None:
    report, ids, _ = attachment_worlds["net-tgw-appliance-off"]
    atts = report.inventory.network.attachments
    assert {atts[ids[f"att.{ids[side]}"]].appliance_mode for side in ("hub", "spoke")} == {False}
    assert report.findings == ()
    (verdict,) = [v for v in report.endpoints if v.endpoint.id == ids["ep"]]
    assert verdict.network is not None and verdict.network.status is PathStatus.REACHABLE
