"""If this AZ fails: the route-table components (verdicts/az_loss_routes.py). Zonal NAT gateways and Gateway Load
Balancer endpoints in the lost AZ are gone; routes to them become blackholes; the egress posture and the packet
path are re-derived on the view. Hand-built snapshots where the collector is not under test, moto worlds for the
two the issue names (NAT fallback of a service whose DNS bypasses the endpoint, cross-AZ GWLB route)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tests.dns_raw import Account, alias, inv_of, report_of
from tests.raw_snapshot import route
from vpce_audit.model.inventory import Inventory
from vpce_audit.verdicts.az_loss import AzLossEntry, Impact, LostAz, simulate

SSM = "ssm.us-east-1.amazonaws.com"
HUB, SPOKE = "vpc-0a1", "vpc-0b2"
EP = "vpce-0a1b2c3d"
AZ1, AZ2, AZ3 = "use1-az1", "use1-az2", "use1-az3"
CHECK = "az-loss-cross-az"
GWLB_SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"


def entries(inv: Inventory, az_id: str) -> tuple[AzLossEntry, ...]:
    return simulate(inv).losses.get(LostAz("us-east-1", az_id), ())


def impacts(inv: Inventory, az_id: str) -> dict[tuple[str, str], tuple[str, str]]:
    return {(e.vpc_id, e.workload_az_id): (e.impact.value, str(e.component or "")) for e in entries(inv, az_id)}


def findings(acct: Account) -> list:  # type: ignore[type-arg]
    return [f for f in report_of(acct, check_ids=[CHECK]).findings if f.check_id == CHECK]


def nat(acct: Account, nat_id: str, subnet: str = "", *, regional: bool = False) -> None:
    item: dict[str, Any] = {"NatGatewayId": nat_id, "VpcId": HUB, "State": "available", "ConnectivityType": "public"}
    if regional:
        item |= {"AvailabilityMode": "regional", "NatGatewayAddresses": [{"AvailabilityZoneId": a} for a in (AZ1, AZ2)]}
    else:
        item |= {"AvailabilityMode": "zonal", "SubnetId": subnet}
    acct.reg.add("ec2:DescribeNatGateways", item)


def default_routes(acct: Account, subnets: dict[str, str], via: dict[str, str]) -> None:
    """One route table per AZ letter of the hub, its default route to `via[letter]`."""
    for letter, target in via.items():
        acct.reg.route_table(f"rtb-{letter}", HUB, [subnets[letter]], [route("0.0.0.0/0", target)])


def bypass_world(
    via: dict[str, str], *, private_dns: bool = False, zone: bool = False
) -> tuple[Account, dict[str, str]]:
    """A hub with an ssm endpoint in three AZs and workloads in each; private DNS off and no zone, so its clients
    resolve the service's public addresses and leave by their default route (`via`: AZ letter -> target)."""
    acct = Account()
    hub = acct.vpc(HUB, "10.0.0.0/16")
    acct.endpoint(EP, HUB, "ssm", [hub[x] for x in "abc"], private_dns=private_dns)
    if zone:
        acct.zone("Z1", SSM, [HUB], [alias(SSM, f"{EP}-abcd1234.ssm.us-east-1.vpce.amazonaws.com")])
    default_routes(acct, hub, via)
    return acct, hub


# --- NAT gateways --------------------------------------------------------------------------------------------------


def nat_fallback_in_az1(**kw: Any) -> Account:
    acct, hub = bypass_world({x: "nat-0a" for x in "abc"}, **kw)
    nat(acct, "nat-0a", hub["a"])
    return acct


def test_nat_fallback_in_one_az_loses_the_service_for_the_others():
    acct = nat_fallback_in_az1()
    inv = inv_of(acct)
    got = impacts(inv, AZ1)
    assert got == {(HUB, AZ2): ("lost", "nat"), (HUB, AZ3): ("lost", "nat")}  # AZ1's own loss is not counted
    entry = next(e for e in entries(inv, AZ1) if e.workload_az_id == AZ2)
    assert entry.usable_fraction == 0.0 and entry.isolated is False and entry.consequence_of == ()
    chain = " | ".join(entry.evidence)
    assert "nat-0a (subnet-0a1a) in use1-az1" in chain and "rtb-b of subnet-0a1b sends 0.0.0.0/0 -> nat-0a" in chain
    assert SSM in chain and "bypasses" in chain
    # Losing AZ2 removes an endpoint ENI and nothing the hub's public path uses: no impact listed.
    assert {e.impact for e in entries(inv, AZ2)} <= {Impact.UNAFFECTED}
    (found,) = findings(acct)  # no single-component check reports a NAT dependency: the combination does
    assert (found.vpc_id, found.resource_id, found.key) == (HUB, EP, f"{AZ1}/{HUB}")
    assert found.evidence["components"] == ["nat"] and found.evidence["workload_az_ids"] == [AZ2, AZ3]
    assert str(found.severity) == "high"  # it had a way out: the public fallback itself is what is lost


def test_a_regional_nat_gateway_keeps_serving_the_other_azs():
    acct, _ = bypass_world({x: "nat-0r" for x in "abc"})
    nat(acct, "nat-0r", regional=True)
    inv = inv_of(acct)
    assert not [e for az in (AZ1, AZ2) for e in entries(inv, az) if e.impact is not Impact.UNAFFECTED]
    assert not findings(acct)


def test_each_az_on_its_own_nat_gateway_is_no_cross_az_dependency():
    acct, hub = bypass_world({x: f"nat-0{x}" for x in "abc"})
    for x in "abc":
        nat(acct, f"nat-0{x}", hub[x])
    inv = inv_of(acct)
    for az in (AZ1, AZ2, AZ3):  # each loss takes only its own AZ's NAT, whose workloads are not counted
        assert not [e for e in entries(inv, az) if e.impact is not Impact.UNAFFECTED]
    assert not findings(acct)


def test_a_vpc_reaching_the_endpoint_through_dns_does_not_depend_on_nat():
    for kw in ({"private_dns": True}, {"zone": True}):
        acct = nat_fallback_in_az1(**kw)
        inv = inv_of(acct)
        got = impacts(inv, AZ1)
        assert got and {i for i, _ in got.values()} == {"unaffected"}, kw
        assert not findings(acct)


def test_s3_through_a_gateway_endpoint_on_the_table_does_not_depend_on_nat():
    """An S3 interface endpoint with private DNS off: the public S3 names are taken by the gateway endpoint's
    prefix-list route, more specific than the default route to the NAT gateway. Without it, lost with the NAT."""

    def s3_world(gateway: bool) -> Account:
        acct = Account()
        hub = acct.vpc(HUB, "10.0.0.0/16")
        acct.endpoint(EP, HUB, "s3", [hub[x] for x in "abc"])
        extra = [route("pl-63a5400a", "vpce-0s3gw")] if gateway else []
        for x in "abc":
            acct.reg.route_table(f"rtb-{x}", HUB, [hub[x]], [route("0.0.0.0/0", "nat-0a"), *extra])
        if gateway:
            acct.reg.endpoint(
                "vpce-0s3gw",
                HUB,
                "com.amazonaws.us-east-1.s3",
                kind="Gateway",
                route_table_ids=["rtb-a", "rtb-b", "rtb-c"],
            )
        nat(acct, "nat-0a", hub["a"])
        return acct

    assert impacts(inv_of(s3_world(gateway=False)), AZ1)[HUB, AZ2] == ("lost", "nat")
    assert not [e for e in entries(inv_of(s3_world(gateway=True)), AZ1) if e.impact is not Impact.UNAFFECTED]


def test_nat_gateways_not_collected_leave_it_unknown_and_quiet():
    acct = nat_fallback_in_az1()
    acct.reg.without("ec2:DescribeNatGateways")
    assert not impacts(inv_of(acct), AZ1)
    assert not findings(acct)


def test_some_subnets_of_the_az_on_a_lost_nat_is_degraded():
    acct, hub = bypass_world({"a": "nat-0a", "c": "nat-0a"})
    nat(acct, "nat-0a", hub["a"])
    nat(acct, "nat-0b", hub["b"])
    # A second workload subnet in AZ b on its own NAT gateway: half of b's subnets keep their way out.
    acct.reg.subnet("subnet-0a1b2", HUB, "us-east-1b", CidrBlock="10.0.200.0/24")
    acct.reg.eni("eni-wb2", "subnet-0a1b2", HUB)
    acct.reg.route_table("rtb-b", HUB, [hub["b"]], [route("0.0.0.0/0", "nat-0a")])
    acct.reg.route_table("rtb-b2", HUB, ["subnet-0a1b2"], [route("0.0.0.0/0", "nat-0b")])
    inv = inv_of(acct)
    (entry,) = [e for e in entries(inv, AZ1) if e.workload_az_id == AZ2]
    assert (entry.impact, entry.component, entry.usable_fraction) == (Impact.DEGRADED, "nat", 0.5)
    assert impacts(inv, AZ1)[HUB, AZ3] == ("lost", "nat")


def test_a_spoke_whose_default_names_resolve_publicly_depends_on_its_nat():
    """The spoke reaches the endpoint only by a custom name (ssm.corp.internal): its default SDK clients resolve
    the public name and leave through the spoke's one NAT gateway, in use1-az1."""
    acct = Account()
    hub = acct.vpc(HUB, "10.0.0.0/16")
    spoke = acct.vpc(SPOKE, "10.1.0.0/16")
    acct.endpoint(EP, HUB, "ssm", [hub[x] for x in "abc"])
    acct.zone(
        "Z2", "corp.internal", [SPOKE], [alias("ssm.corp.internal", f"{EP}-abcd1234.ssm.us-east-1.vpce.amazonaws.com")]
    )
    for x in "abc":
        acct.reg.route_table(f"rtb-s{x}", SPOKE, [spoke[x]], [route("0.0.0.0/0", "nat-0s")])
    acct.reg.add(
        "ec2:DescribeNatGateways",
        {"NatGatewayId": "nat-0s", "VpcId": SPOKE, "State": "available", "SubnetId": spoke["a"]},
    )
    inv = inv_of(acct)
    assert impacts(inv, AZ1)[SPOKE, AZ2] == ("lost", "nat")


# --- Gateway Load Balancer endpoints: a bypassing client's default route -------------------------------------------


def gwlbe(acct: Account, ep_id: str, subnet: str) -> None:
    eni = f"eni-{ep_id.removeprefix('vpce-')}"
    acct.reg.eni(eni, subnet, HUB, "gateway_load_balancer_endpoint")
    acct.reg.endpoint(ep_id, HUB, GWLB_SERVICE, kind="GatewayLoadBalancer", subnet_ids=[subnet], eni_ids=[eni])


def inspected(via: dict[str, str], endpoints: Iterable[str]) -> Account:
    acct, hub = bypass_world(via)
    for x in endpoints:
        gwlbe(acct, f"vpce-0gw{x}", hub[x])
    return acct


def test_a_default_route_to_another_azs_gwlb_endpoint_is_lost_with_it():
    acct = inspected({x: "vpce-0gwa" for x in "abc"}, "a")
    inv = inv_of(acct)
    assert impacts(inv, AZ1) == {(HUB, AZ2): ("lost", "gwlb-endpoint"), (HUB, AZ3): ("lost", "gwlb-endpoint")}
    assert {e.consequence_of for e in entries(inv, AZ1)} == {("gwlb-missing-az",)}
    assert not findings(acct)  # gwlb-missing-az reports the route: one problem, one finding
    # With an unused endpoint of the same service in AZ b, the route is gwlb-cross-az's finding instead.
    inv = inv_of(inspected({x: "vpce-0gwa" for x in "abc"}, "ab"))
    by_az = {e.workload_az_id: e.consequence_of for e in entries(inv, AZ1)}
    assert by_az == {AZ2: ("gwlb-cross-az",), AZ3: ("gwlb-missing-az",)}


def test_a_gwlb_endpoint_in_the_workloads_own_az_is_no_cross_az_dependency():
    acct = inspected({x: f"vpce-0gw{x}" for x in "abc"}, "abc")
    inv = inv_of(acct)
    for az in (AZ1, AZ2, AZ3):
        assert not [e for e in entries(inv, az) if e.impact is not Impact.UNAFFECTED]
    assert not findings(acct)


# --- moto worlds: the collector's answers through the whole pipeline -----------------------------------------------


def _moto_inv(aws):  # type: ignore[no-untyped-def]
    from tests.conftest import collect
    from vpce_audit.normalize import normalize

    return normalize(collect(aws)[0])


def test_moto_nat_fallback_in_one_az_for_a_service_whose_dns_bypasses_the_endpoint(aws):  # type: ignore[no-untyped-def]
    from moto_fixtures import Builder
    from moto_fixtures.worlds import isolated_vpc, subnets_in
    from tests.conftest import REGION

    b = Builder(aws, REGION)
    try:
        ids = isolated_vpc(b, "app")
        azs = sorted(k.removeprefix("subnet.") for k in ids if k.startswith("subnet."))
        ep = b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, *azs), [ids["sg"]], private_dns=False)
        public = b.subnet(ids["vpc"], azs[0], "10.0.200.0/24", "public")
        b.route_table(ids["vpc"], [public], default_target=b.internet_gateway(ids["vpc"]), name="public")
        nat_id = b.nat_gateway(public)
        b.route(ids["rt"], "0.0.0.0/0", nat_id)  # every private AZ leaves through the NAT gateway in azs[0]
        inv = _moto_inv(aws)
        assert inv.nat_gateways[nat_id].az_ids == {azs[0]}
        got = {(e.workload_az_id, e.impact, e.component) for e in entries(inv, azs[0]) if e.endpoint.id == ep}
        assert got == {(azs[1], Impact.LOST, "nat"), (azs[2], Impact.LOST, "nat")}
        assert not [e for e in entries(inv, azs[1]) if e.impact is not Impact.UNAFFECTED]
    finally:
        b.close()


def _peered(b):  # type: ignore[no-untyped-def]
    """moto_fixtures' hub and spoke, peered (no route yet): the ids and the peering connection's."""
    from moto_fixtures.net_worlds import hub_spoke

    ids = hub_spoke(b)
    answer = b.ec2.create_vpc_peering_connection(VpcId=ids["hub"], PeerVpcId=ids["spoke"])
    pcx = str(answer["VpcPeeringConnection"]["VpcPeeringConnectionId"])
    b.ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    return ids, pcx


def test_moto_cross_az_gwlb_route_to_the_endpoint_fails_the_packet_path(aws):  # type: ignore[no-untyped-def]
    """A peered spoke inspects its traffic to the hub's ssm endpoint through the GWLB endpoint in use1-az1 (one
    route table for every AZ), although another sits in use1-az2. Losing use1-az1 blackholes that route: the
    packet-path engine fails the hop for the spoke's other AZs; gwlb-cross-az already reports the route."""
    from moto_fixtures import Builder
    from moto_fixtures.dns_worlds import HUB_CIDR, SPOKE_CIDR
    from moto_fixtures.net_worlds import _gwlb_endpoint
    from tests.conftest import REGION

    b = Builder(aws, REGION)
    try:
        ids, pcx = _peered(b)
        b.route(ids["hub.rt"], SPOKE_CIDR, pcx)
        azs = sorted(k.removeprefix("spoke.subnet.") for k in ids if k.startswith("spoke.subnet."))
        gw = {az: _gwlb_endpoint(b, ids["spoke"], ids[f"spoke.subnet.{az}"]) for az in azs[:2]}
        b.ec2.create_route(RouteTableId=ids["spoke.rt"], DestinationCidrBlock=HUB_CIDR, VpcEndpointId=gw[azs[0]])
        inv = _moto_inv(aws)
        spoke = [e for e in entries(inv, azs[0]) if e.vpc_id == ids["spoke"]]
        assert {(e.workload_az_id, e.impact, e.component) for e in spoke} == {
            (azs[1], Impact.LOST, "gwlb-endpoint"),
            (azs[2], Impact.LOST, "gwlb-endpoint"),
        }
        by_az = {e.workload_az_id: e.consequence_of for e in spoke}
        assert by_az == {azs[1]: ("gwlb-cross-az",), azs[2]: ("gwlb-missing-az",)}
        assert any("blackhole" in line for e in spoke for line in e.evidence)
        # Losing the AZ of the unused GWLB endpoint (and an ENI) leaves the spoke's path as it was.
        assert not [e for e in entries(inv, azs[1]) if e.vpc_id == ids["spoke"] and e.impact is not Impact.UNAFFECTED]
    finally:
        b.close()


def test_moto_each_spoke_az_inspected_by_its_own_gwlb_endpoint_loses_nothing_across_azs(aws):  # type: ignore[no-untyped-def]
    """Near miss: the same peered spoke, each AZ on its own route table to the GWLB endpoint of its AZ."""
    from moto_fixtures import Builder
    from moto_fixtures.dns_worlds import HUB_CIDR, SPOKE_CIDR
    from moto_fixtures.net_worlds import _gwlb_endpoint
    from tests.conftest import REGION

    b = Builder(aws, REGION)
    try:
        ids, pcx = _peered(b)
        b.route(ids["hub.rt"], SPOKE_CIDR, pcx)
        azs = sorted(k.removeprefix("spoke.subnet.") for k in ids if k.startswith("spoke.subnet."))
        for az in azs:
            subnet = ids[f"spoke.subnet.{az}"]
            rt = b.route_table(ids["spoke"], [subnet], name=f"spoke-{az}")
            gw = _gwlb_endpoint(b, ids["spoke"], subnet)
            b.ec2.create_route(RouteTableId=rt, DestinationCidrBlock=HUB_CIDR, VpcEndpointId=gw)
        inv = _moto_inv(aws)
        for az in azs:
            spoke = [e for e in entries(inv, az) if e.vpc_id == ids["spoke"]]
            assert spoke and {e.impact for e in spoke} == {Impact.UNAFFECTED}
    finally:
        b.close()


def test_moto_replies_returned_through_another_azs_gwlb_endpoint_are_lost_with_it(aws):  # type: ignore[no-untyped-def]
    """A peered spoke reaches the hub's ssm endpoint directly, but the hub sends its replies to the spoke through
    the GWLB endpoint in use1-az1 (one route table for every AZ). Before the loss the way back is undecided
    (beyond the appliance is not modelled); losing use1-az1 blackholes the return route for every ENI left."""
    from moto_fixtures import Builder
    from moto_fixtures.dns_worlds import HUB_CIDR, SPOKE_CIDR
    from moto_fixtures.net_worlds import _gwlb_endpoint
    from tests.conftest import REGION, audit

    b = Builder(aws, REGION)
    try:
        ids, pcx = _peered(b)
        b.route(ids["spoke.rt"], HUB_CIDR, pcx)
        azs = sorted(k.removeprefix("hub.subnet.") for k in ids if k.startswith("hub.subnet."))
        gw = _gwlb_endpoint(b, ids["hub"], ids[f"hub.subnet.{azs[0]}"])
        b.ec2.create_route(RouteTableId=ids["hub.rt"], DestinationCidrBlock=SPOKE_CIDR, VpcEndpointId=gw)
        inv = _moto_inv(aws)
        spoke = [e for e in entries(inv, azs[0]) if e.vpc_id == ids["spoke"]]
        assert {(e.workload_az_id, e.impact, e.component) for e in spoke} == {
            (azs[1], Impact.LOST, "gwlb-endpoint"),
            (azs[2], Impact.LOST, "gwlb-endpoint"),
        }
        assert all(any("return-route" in line and "blackhole" in line for line in e.evidence) for e in spoke)
        # Losing another AZ leaves the way back through use1-az1 as it was: nothing lost across AZs.
        assert not [e for e in entries(inv, azs[1]) if e.vpc_id == ids["spoke"] and e.impact is not Impact.UNAFFECTED]
        # ... and before any loss the inspected way back is undecided, not a missing route
        assert not [f for f in audit(aws).findings if f.check_id == "net-no-route"]
    finally:
        b.close()
