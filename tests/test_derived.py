"""What later stages derive from an Inventory (Inventory.derived, the DNS index, the verdicts' caches) is built
once per Inventory, and an Inventory made with dataclasses.replace (an AZ lost, a zone gone) gets its own:
verdicts on the copy never come from the original's caches, and the original's stay as they were."""

from __future__ import annotations

from dataclasses import replace

from tests.dns_raw import Account, alias, inv_of
from vpce_audit.dns.index import DnsIndex
from vpce_audit.dns.kinds import Mode, Outcome, Via
from vpce_audit.dns.path import dns_path
from vpce_audit.dns.resolve import resolve
from vpce_audit.model.inventory import Derived, Inventory
from vpce_audit.verdicts.coverage import CoverageIndex, az_coverage
from vpce_audit.verdicts.spokes import SpokeIndex, spokes

HUB, SPOKE, EP = "vpc-0a1", "vpc-0b2", "vpce-0a1b2c3d"
SSM_NAME = "ssm.us-east-1.amazonaws.com"


def hub_and_spoke() -> Inventory:
    """A hub endpoint with ENIs in use1-az1 and use1-az2, the hub's workloads in use1-az1; a spoke in another
    account with workloads in use1-az2 and use1-az3 reaches it through the hub's ssm zone."""
    hub = Account("111111111111")
    subnets = hub.vpc(HUB, "10.0.0.0/16", azs=("a", "b"), workloads=("a",))
    hub.endpoint(EP, HUB, "ssm", subnets.values())
    hub.zone("Z1", SSM_NAME, [HUB, SPOKE], [alias(SSM_NAME, f"{EP}-abcd1234.ssm.us-east-1.vpce.amazonaws.com")])
    spoke = Account("222222222222")
    spoke.vpc(SPOKE, "10.1.0.0/16", azs=("b", "c"))
    spoke.foreign_zone("Z1", SSM_NAME, [SPOKE], "111111111111")
    return inv_of(hub, spoke)


def without_az(inv: Inventory, az_id: str) -> Inventory:
    """The inventory as if the ENIs of one AZ were gone: what a simulated AZ loss builds."""
    return replace(inv, enis={e: eni for e, eni in inv.enis.items() if eni.az_id != az_id})


def test_derived_builds_each_kind_once_and_keys_by_kind():
    derived = Derived()
    built: list[str] = []

    def build(value: str) -> str:
        built.append(value)
        return value

    assert derived.of(str, lambda: build("first")) == "first"
    assert derived.of(str, lambda: build("second")) == "first"
    assert derived.of(list, lambda: [build("other kind")]) == ["other kind"]
    assert built == ["first", "other kind"]


def test_indexes_are_built_once_per_inventory():
    inv = hub_and_spoke()
    assert DnsIndex.of(inv) is DnsIndex.of(inv)
    assert resolve(inv, SPOKE, SSM_NAME) is resolve(inv, SPOKE, SSM_NAME)
    ep = inv.endpoints[EP]
    assert dns_path(inv, ep) is dns_path(inv, ep)
    assert az_coverage(inv, ep) is az_coverage(inv, ep)
    assert DnsIndex.of(inv).paths == {EP: dns_path(inv, ep)}
    assert CoverageIndex.of(inv).az == {ep: az_coverage(inv, ep)}


def test_a_replaced_inventory_starts_with_empty_derived_objects():
    inv = hub_and_spoke()
    ep = inv.endpoints[EP]
    az_coverage(inv, ep)  # fills the DNS index, the spoke index and the coverage index of `inv`
    copy = replace(inv)
    assert copy.derived is not inv.derived
    for kind in (DnsIndex, SpokeIndex, CoverageIndex):
        assert kind.of(copy) is not kind.of(inv)
    assert DnsIndex.of(copy).paths == {} and CoverageIndex.of(copy).az == {}
    # Cached members of the Inventory itself are the copy's own too.
    assert inv.live_endpoints == (ep,)
    gone = replace(inv, endpoints={})
    assert gone.live_endpoints == () and gone.live_endpoints_by_vpc == {}
    assert inv.live_endpoints_by_vpc == {HUB: (ep,)}


def test_losing_an_az_is_judged_on_the_copy_and_leaves_the_original_verdict_alone():
    inv = hub_and_spoke()
    ep = inv.endpoints[EP]
    before = az_coverage(inv, ep)
    assert before.covered == {"use1-az1", "use1-az2"} and before.missing == {"use1-az3"}

    lost = without_az(inv, "use1-az2")
    after = az_coverage(lost, ep)
    assert after.covered == {"use1-az1"}
    assert after.missing == {"use1-az2", "use1-az3"}
    # The original's verdict, asked again, is what it was: the copy neither read nor overwrote its cache.
    assert az_coverage(inv, ep) is before and before.covered == {"use1-az1", "use1-az2"}


def test_a_zone_removed_in_the_copy_changes_its_dns_path_and_spokes_only():
    inv = hub_and_spoke()
    ep = inv.endpoints[EP]
    path = dns_path(inv, ep)
    assert [(v.vpc_id, v.via, v.mode) for v in path.vpcs] == [
        (HUB, Via.ENDPOINT_VPC, Mode.ALIAS_REGIONAL),
        (SPOKE, Via.ZONE, Mode.ALIAS_REGIONAL),
    ]
    assert spokes(inv, ep).az_ids == {"use1-az2", "use1-az3"}

    no_zone = replace(inv, dns=replace(inv.dns, zones={}, zones_by_vpc={}))
    assert [(v.vpc_id, v.mode) for v in dns_path(no_zone, ep).vpcs] == [(HUB, Mode.NAMES_ONLY)]
    assert resolve(no_zone, SPOKE, SSM_NAME).outcome is Outcome.PUBLIC
    assert spokes(no_zone, ep).az_ids == frozenset()
    assert az_coverage(no_zone, ep).spoke_workload == frozenset()
    # The original still sees its spoke.
    assert dns_path(inv, ep) is path
    assert resolve(inv, SPOKE, SSM_NAME).outcome is Outcome.RECORDS
    assert az_coverage(inv, ep).spoke_workload == {"use1-az2", "use1-az3"}
