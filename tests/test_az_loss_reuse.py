"""The AZ-loss views reuse what cannot change in them (record targets that name no endpoint, subnet-to-subnet
packet paths within a VPC) instead of deciding everything again: the results must be exactly those of views
that reuse nothing. And the DNS engine's candidate lookup by suffix answers as the plain scan did."""

from __future__ import annotations

from typing import Any

import pytest

from bench.az_loss import six_az_snapshot
from tests.dns_raw import a, alias, inv_of
from tests.test_az_loss import SSM, regional, world, zonal
from vpce_audit.dns.candidates import Candidate, Candidates
from vpce_audit.dns.index import DnsIndex
from vpce_audit.dns.kinds import CandidateKind
from vpce_audit.dns.names import under
from vpce_audit.model.inventory import Inventory
from vpce_audit.normalize.build import normalize
from vpce_audit.verdicts import az_loss
from vpce_audit.verdicts.network_path import PathIndex


def _worlds() -> dict[str, Inventory]:
    return {
        "six AZs, transit gateway": normalize(six_az_snapshot(12)),
        "zonal alias": inv_of(world([alias(SSM, zonal("a"))])),
        "regional alias": inv_of(world([alias(SSM, regional())])),
        "single-AZ endpoint": inv_of(world(endpoint_azs="a")),
        "static IPs": inv_of(world([a(SSM, "10.0.1.10", "10.0.2.10")])),
        "inbound in one AZ": inv_of(world(spoke_dns=["10.0.1.53"], inbound=["10.0.1.53"])),
    }


def test_the_views_reuse_and_judge_exactly_as_views_that_reuse_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    reused: list[int] = []
    real_targets, real_pairs = az_loss.inherit_targets, az_loss.inherit_pairs

    def spy_targets(source: Inventory, view: Inventory) -> None:
        real_targets(source, view)
        reused.append(len(DnsIndex.of(view).inherited))

    def spy_pairs(source: Inventory, view: Inventory, **kw: Any) -> None:
        real_pairs(source, view, **kw)
        source = PathIndex.of(view).source
        reused.append(len(source.pairs) if source else 0)

    with_reuse = {}
    monkeypatch.setattr(az_loss, "inherit_targets", spy_targets)
    monkeypatch.setattr(az_loss, "inherit_pairs", spy_pairs)
    for name, inv in _worlds().items():
        with_reuse[name] = az_loss.simulate(inv).to_dict()
    assert sum(reused) > 0  # something was reused: the comparison below is not vacuous
    monkeypatch.setattr(az_loss, "inherit_targets", lambda source, view: None)
    monkeypatch.setattr(az_loss, "inherit_pairs", lambda source, view, **kw: None)
    for name, inv in _worlds().items():  # fresh Inventories: nothing of the first runs is cached
        assert az_loss.simulate(inv).to_dict() == with_reuse[name], name
    assert any(e["entries"] for doc in with_reuse.values() for e in doc)


DOMAINS = ["", "com", "example.com", "ssm.example.com", "xample.com", "amazonaws.com", "example.com", "*.example.com"]


@pytest.mark.parametrize(
    "name",
    ["ssm.example.com", "example.com", "a.b.ssm.example.com", "xexample.com", "com", "", "*.example.com", "other.org"],
)
def test_candidates_by_suffix_match_exactly_what_under_matches_in_order(name: str) -> None:
    found = Candidates(tuple(Candidate(d, CandidateKind.ZONE) for d in DOMAINS))
    expected = [c for c in found.found if under(name, c.domain)]
    assert found.matching(name) == expected
    assert [c.domain for c in expected][:1] == [""]  # the root matches every name, and first: the order is kept


def test_paths_through_a_transit_gateway_are_judged_again_when_its_attachments_lose_the_az(
    aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spoke reaches the hub's endpoint through a transit gateway whose hub attachment has a subnet in
    use1-az1 only: losing it strands the spoke, with the views reusing what they may as when they reuse
    nothing (the pairs through the gateway are decided again: the view's attachments differ)."""
    from tests.test_az_loss import AZ1, AZ2, _moto_inv, _tgw_world

    b, ids = _tgw_world(aws, (AZ1,))
    try:
        reused = az_loss.simulate(_moto_inv(aws)).to_dict()
        monkeypatch.setattr(az_loss, "inherit_targets", lambda source, view: None)
        monkeypatch.setattr(az_loss, "inherit_pairs", lambda source, view, **kw: None)
        assert az_loss.simulate(_moto_inv(aws)).to_dict() == reused
    finally:
        b.close()
    (lost,) = [doc for doc in reused if doc["az_id"] == AZ1]
    spoke = [e for e in lost["entries"] if e["vpc_id"] == ids["spoke"] and e["workload_az_id"] == AZ2]
    assert [e["impact"] for e in spoke] == ["lost"]
