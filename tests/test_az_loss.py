"""If this AZ fails (verdicts/az_loss.py, check az-loss-cross-az): hand-built hub-and-spoke worlds where one
AZ's loss takes a service from another AZ through each component, near misses that stay unaffected, and a
fully multi-AZ estate where no single loss reaches another AZ."""

from __future__ import annotations

from collections.abc import Iterable

from tests.dns_raw import Account, a, alias, inv_of, report_of
from vpce_audit.model.inventory import Inventory
from vpce_audit.verdicts.az_loss import AzLossEntry, Impact, LostAz, simulate

SSM = "ssm.us-east-1.amazonaws.com"
HUB, SPOKE = "vpc-0a1", "vpc-0b2"
EP = "vpce-0a1b2c3d"
AZ1, AZ2, AZ3 = "use1-az1", "use1-az2", "use1-az3"
CHECK = "az-loss-cross-az"


def regional(short: str = "ssm") -> str:
    return f"{EP}-abcd1234.{short}.us-east-1.vpce.amazonaws.com"


def zonal(letter: str) -> str:
    return f"{EP}-abcd1234-us-east-1{letter}.ssm.us-east-1.vpce.amazonaws.com"


def world(
    records: list[dict] | None = None,
    *,
    endpoint_azs: Iterable[str] = "abc",
    spoke_dns: list[str] | None = None,
    inbound: list[str] | None = None,
) -> Account:
    """A hub with an ssm endpoint (private DNS off) and a spoke, both associated with a zone for the ssm name
    whose records default to an alias to the endpoint's regional name; workloads in three AZs in both."""
    acct = Account()
    hub = acct.vpc(HUB, "10.0.0.0/16")  # subnets 10.0.1.0/24 (a), 10.0.2.0/24 (b), 10.0.3.0/24 (c)
    acct.vpc(SPOKE, "10.1.0.0/16", dns_servers=spoke_dns)
    acct.endpoint(EP, HUB, "ssm", [hub[x] for x in endpoint_azs])
    acct.zone("Z1", SSM, [HUB, SPOKE], records if records is not None else [alias(SSM, regional())])
    if inbound is not None:
        acct.inbound("rslvr-in-0h", HUB, inbound)
    return acct


def entries(inv: Inventory, az_id: str) -> tuple[AzLossEntry, ...]:
    return simulate(inv).losses[LostAz("us-east-1", az_id)]


def impacts(inv: Inventory, az_id: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(client VPC, workload AZ) -> (impact, component) under the loss of az_id."""
    return {(e.vpc_id, e.workload_az_id): (e.impact.value, str(e.component or "")) for e in entries(inv, az_id)}


def findings(acct: Account) -> list:  # type: ignore[type-arg]
    return [f for f in report_of(acct, check_ids=[CHECK]).findings if f.check_id == CHECK]


def test_zonal_alias_loses_every_other_az_with_the_aliased_one():
    acct = world([alias(SSM, zonal("a"))])
    inv = inv_of(acct)
    got = impacts(inv, AZ1)
    for vpc in (HUB, SPOKE):
        assert got[vpc, AZ2] == ("lost", "zonal-record") and got[vpc, AZ3] == ("lost", "zonal-record")
        assert (vpc, AZ1) not in got  # the lost AZ's own workloads are not an impact
    # Losing another AZ leaves the aliased one serving everyone.
    assert {i for i, _ in impacts(inv, AZ2).values()} == {"unaffected"}
    assert not findings(acct)  # phz-zonal-alias reports the cause: one problem, one finding
    assert {e.consequence_of for e in entries(inv, AZ1) if e.impact is Impact.LOST} == {("phz-zonal-alias",)}


def test_single_az_endpoint_loses_its_clients_in_the_other_azs():
    acct = world(endpoint_azs="a")
    inv = inv_of(acct)
    got = impacts(inv, AZ1)
    assert got[SPOKE, AZ2] == ("lost", "endpoint-eni") and got[HUB, AZ3] == ("lost", "endpoint-eni")
    assert not findings(acct)  # az-single's condition
    assert {e.consequence_of for e in entries(inv, AZ1) if e.impact is Impact.LOST} == {("az-single",)}
    assert {i for i, _ in impacts(inv, AZ2).values()} == set()  # nothing of the endpoint in AZ2: not re-run


def test_two_az_endpoint_survives_either_loss():
    inv = inv_of(world(endpoint_azs="ab"))
    for az in (AZ1, AZ2):
        assert {i for i, _ in impacts(inv, az).values()} == {"unaffected"}


def test_static_ips_all_in_one_az_are_lost_with_it():
    acct = world()
    ips = acct.ips(EP)
    acct = world([a(SSM, ips[0])])  # same world, the record holding only AZ a's address
    inv = inv_of(acct)
    assert impacts(inv, AZ1)[SPOKE, AZ2] == ("lost", "static-ip-record")
    assert not findings(acct)  # phz-static-ips's condition
    assert {e.consequence_of for e in entries(inv, AZ1) if e.impact is Impact.LOST} == {("phz-static-ips",)}


def test_static_ips_across_two_azs_are_degraded_not_lost():
    acct = world()
    ips = acct.ips(EP)
    acct = world([a(SSM, ips[0], ips[1])])
    inv = inv_of(acct)
    (entry,) = [e for e in entries(inv, AZ1) if (e.vpc_id, e.workload_az_id) == (SPOKE, AZ2)]
    assert entry.impact is Impact.DEGRADED and entry.usable_fraction == 0.5
    assert not findings(acct)  # a degradation is in the matrix, not a finding


def test_single_az_inbound_resolver_endpoint_used_by_a_spoke():
    acct = world(spoke_dns=["10.0.1.200", "10.0.1.201"], inbound=["10.0.1.200", "10.0.1.201"])
    inv = inv_of(acct)
    got = impacts(inv, AZ1)
    assert got[SPOKE, AZ2] == ("lost", "resolver-endpoint")
    assert got[HUB, AZ2] == ("unaffected", "")  # the hub asks its own resolver
    assert not findings(acct)  # rslv-endpoint-single-az's condition
    (lost,) = {e.consequence_of for e in entries(inv, AZ1) if e.impact is Impact.LOST}
    assert lost == ("rslv-endpoint-single-az",)


def test_spoke_asking_only_one_az_of_a_two_az_inbound_endpoint_is_the_combination_finding():
    """No single check sees it: the endpoint spans three AZs, the Resolver endpoint two, and the spoke's DHCP
    options name only the address in use1-az1."""
    acct = world(spoke_dns=["10.0.1.200"], inbound=["10.0.1.200", "10.0.2.200"])
    inv = inv_of(acct)
    assert impacts(inv, AZ1)[SPOKE, AZ2] == ("lost", "resolver-endpoint")
    (found,) = findings(acct)
    assert (found.vpc_id, found.resource_id, found.key) == (SPOKE, EP, f"{AZ1}/{SPOKE}")
    assert found.evidence["components"] == ["resolver-endpoint"] and found.evidence["workload_az_ids"] == [AZ2, AZ3]
    assert "only the combination" in found.evidence["explanation"]
    # Losing the other address's AZ costs the spoke nothing: it never asked it.
    assert {i for (vpc, _), (i, _) in impacts(inv, AZ2).items() if vpc == SPOKE} == {"unaffected"}


def test_inbound_resolver_endpoint_in_two_azs_fails_over():
    acct = world(spoke_dns=["10.0.1.200", "10.0.2.200"], inbound=["10.0.1.200", "10.0.2.200"])
    inv = inv_of(acct)
    assert {i for i, _ in impacts(inv, AZ1).values()} == {"unaffected"}
    assert not findings(acct)


def test_fully_multi_az_hub_and_spoke_loses_nothing_across_azs():
    servers = ["10.0.1.200", "10.0.2.200", "10.0.3.200"]
    acct = world(spoke_dns=servers, inbound=servers)
    inv = inv_of(acct)
    for az in (AZ1, AZ2, AZ3):
        got = entries(inv, az)
        assert got and {e.impact for e in got} == {Impact.UNAFFECTED}
        assert all(e.workload_az_id != az for e in got)
    assert not findings(acct)


# --- the CLI: audit --az-loss --------------------------------------------------------------------------------


def _saved(tmp_path, acct: Account, name: str = "snap") -> str:  # type: ignore[no-untyped-def]
    from tests.raw_snapshot import snapshot
    from vpce_audit.snapshot import save_snapshot

    path = tmp_path / f"{name}.json"
    save_snapshot(path, snapshot(*acct.parts()))
    return str(path)


def test_audit_az_loss_prints_the_matrix_and_json_and_query_reach_it(tmp_path, capsys):  # type: ignore[no-untyped-def]
    import json

    from vpce_audit.cli.main import run

    snap = _saved(tmp_path, world([alias(SSM, zonal("a"))]))
    run(["audit", snap, "--az-loss", "--checks", CHECK])
    table = capsys.readouterr().out
    assert "If this AZ fails" in table and "lost (zonal-record, phz-zonal-alias)" in table and AZ3 in table
    combination = _saved(tmp_path, world(spoke_dns=["10.0.1.200"], inbound=["10.0.1.200", "10.0.2.200"]), "combination")
    run(["audit", combination, "--checks", CHECK])
    plain = capsys.readouterr().out
    assert "If this AZ fails" not in plain and CHECK in plain  # the check runs without the flag; the matrix not
    run(["audit", snap, "--az-loss", "--checks", CHECK, "-o", "json"])
    doc = json.loads(capsys.readouterr().out)
    (loss,) = [x for x in doc["az_loss"] if x["az_id"] == AZ1]
    assert loss["counts"]["lost"] == 4  # hub and spoke, each in AZ2 and AZ3
    run(["audit", snap, "--az-loss", "--checks", CHECK, "--query", "az_loss[?az_id=='use1-az1'].counts.lost"])
    assert json.loads(capsys.readouterr().out) == [4]
    run(["audit", snap, "--checks", CHECK, "-o", "json"])
    assert "az_loss" not in json.loads(capsys.readouterr().out)
    run(["audit", snap, "--az-loss", "--checks", CHECK, "-o", "html"])
    page = capsys.readouterr().out
    assert 'id="az-loss"' in page and 'data-state="lost"' in page and 'data-state="unaffected"' in page


def test_isolated_clients_make_it_critical_a_way_out_keeps_it_high():
    from tests.raw_snapshot import route

    def combination() -> Account:
        return world(spoke_dns=["10.0.1.200"], inbound=["10.0.1.200", "10.0.2.200"])

    isolated = combination()
    isolated.reg.route_table("rtb-hub", HUB, main=True)
    isolated.reg.route_table("rtb-spoke", SPOKE, main=True)
    assert [(f.vpc_id, str(f.severity)) for f in findings(isolated)] == [(SPOKE, "critical")]
    public = combination()
    public.reg.route_table("rtb-hub", HUB, main=True)
    public.reg.route_table("rtb-spoke", SPOKE, [], [route("0.0.0.0/0", "igw-0abc")], main=True)
    assert [(f.vpc_id, str(f.severity)) for f in findings(public)] == [(SPOKE, "high")]
    # Route tables not collected: the severity cannot be told, so no finding (the impact stays in the matrix).
    unknown = combination()
    unknown.reg.without("ec2:DescribeRouteTables")
    assert not findings(unknown)
    assert impacts(inv_of(unknown), AZ1)[SPOKE, AZ2] == ("lost", "resolver-endpoint")


# --- the packet path: re-run on the view (moto worlds of issue 13) --------------------------------------------


def _tgw_world(aws, hub_azs):  # type: ignore[no-untyped-def]
    from moto_fixtures import Builder
    from moto_fixtures.net_worlds import hub_spoke, over_tgw
    from tests.conftest import REGION

    b = Builder(aws, REGION)
    return b, over_tgw(b, hub_spoke(b), hub_azs=hub_azs)


def _moto_inv(aws):  # type: ignore[no-untyped-def]
    from tests.conftest import collect
    from vpce_audit.normalize import normalize

    return normalize(collect(aws)[0])


def test_losing_the_hub_attachments_only_az_strands_the_spoke_though_the_endpoint_keeps_enis(aws):  # type: ignore[no-untyped-def]
    """The endpoint has ENIs in three AZs, the hub's attachment a subnet in use1-az1 only: before the loss the
    spoke reaches the use1-az1 ENI alone (net-tgw-az-gap, degraded); losing use1-az1 leaves ENIs whose replies
    cannot enter the transit gateway. AZ coverage alone would call the spoke unaffected."""
    b, ids = _tgw_world(aws, (AZ1,))
    try:
        inv = _moto_inv(aws)
        (entry,) = [e for e in entries(inv, AZ1) if (e.vpc_id, e.workload_az_id) == (ids["spoke"], AZ2)]
        assert (entry.impact, entry.component) == (Impact.LOST, "tgw-attachment")
        assert entry.consequence_of == ("net-tgw-az-gap",)  # reported before the loss: no second finding
        assert any("endpoint-attachment-return" in line for line in entry.evidence)
        assert entry.usable_fraction == 0.0
        # Losing another AZ costs the spoke nothing it had: only the use1-az1 ENI answered, and still does.
        assert {e.impact for e in entries(inv, AZ2) if e.vpc_id == ids["spoke"]} == {Impact.UNAFFECTED}
    finally:
        b.close()


def test_a_hub_attached_in_every_az_loses_nothing_across_azs(aws):  # type: ignore[no-untyped-def]
    b, ids = _tgw_world(aws, (AZ1, AZ2, "use1-az6"))
    try:
        inv = _moto_inv(aws)
        got = [e for e in entries(inv, AZ1) if e.vpc_id == ids["spoke"]]
        assert got and {e.impact for e in got} == {Impact.UNAFFECTED}
    finally:
        b.close()


def test_a_forwarding_rule_to_one_az_of_a_two_az_inbound_endpoint_is_lost_with_that_az():
    """The spoke has no zone: a rule forwards the ssm name to the hub's inbound address in use1-az1 only, though
    the inbound endpoint has another in use1-az2. No single check sees it (rslv-rule-target: the target is a
    serving address; rslv-endpoint-single-az: the endpoint spans two AZs)."""
    acct = Account()
    hub = acct.vpc(HUB, "10.0.0.0/16")
    acct.vpc(SPOKE, "10.1.0.0/16")
    acct.endpoint(EP, HUB, "ssm", [hub[x] for x in "abc"])
    acct.zone("Z1", SSM, [HUB], [alias(SSM, regional())])
    acct.inbound("rslvr-in-0h", HUB, ["10.0.1.200", "10.0.2.200"])
    acct.rule("rslvr-rr-0fwd", SSM, [SPOKE], target_ips=["10.0.1.200"])
    inv = inv_of(acct)
    assert impacts(inv, AZ1)[SPOKE, AZ2] == ("lost", "resolver-endpoint")
    (found,) = findings(acct)
    assert found.vpc_id == SPOKE and "10.0.1.200" in " ".join(found.evidence["chain"])
    assert {i for (vpc, _), (i, _) in impacts(inv, AZ2).items() if vpc == SPOKE} == {"unaffected"}
