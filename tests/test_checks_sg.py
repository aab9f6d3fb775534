"""sg-endpoint-ingress and sg-endpoint-default-sg: what they say on their moto worlds, and the edges
(rule shapes, group references, prefix lists, secondary CIDRs, IPv6, missing data, the default group and
which of the two checks speaks) on hand-built snapshots."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from moto_fixtures.builder import AZ1, AZ2, AZ3, Builder
from moto_fixtures.sg_worlds import ALL_AZS
from moto_fixtures.worlds import isolated_vpc, subnets_in
from tests.conftest import audit
from tests.raw_snapshot import ACCOUNT, SSM, RawPart, inventory
from tests.scanned import findings_of, scan_world, the_finding
from vpce_audit.checks import run_checks
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.verdicts.admission import Admission, admissions, judged_endpoints

SG_CHECKS = ["sg-endpoint-ingress", "sg-endpoint-default-sg"]
ALL_OUT = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
TWO_SUBNETS = {"subnet-a": ("10.0.0.0/24", "us-east-1a"), "subnet-b": ("10.0.1.0/24", "us-east-1b")}


def rule(
    *,
    protocol: str = "tcp",
    ports: tuple[int, int] | None = (443, 443),
    cidrs: Iterable[str] = (),
    ipv6: Iterable[str] = (),
    groups: Iterable[str] = (),
    prefix_lists: Iterable[str] = (),
) -> dict[str, Any]:
    """An IpPermissions item as DescribeSecurityGroups returns it."""
    item: dict[str, Any] = {
        "IpProtocol": protocol,
        "IpRanges": [{"CidrIp": c} for c in cidrs],
        "Ipv6Ranges": [{"CidrIpv6": c} for c in ipv6],
        "UserIdGroupPairs": [{"GroupId": g, "UserId": ACCOUNT} for g in groups],
        "PrefixListIds": [{"PrefixListId": p} for p in prefix_lists],
    }
    if ports is not None:
        item["FromPort"], item["ToPort"] = ports
    return item


def group(
    raw: RawPart, sg_id: str, *ingress: dict[str, Any], name: str = "", vpc: str = "vpc-1", egress: Any = None
) -> None:
    raw.add(
        "ec2:DescribeSecurityGroups",
        {
            "GroupId": sg_id,
            "GroupName": name or sg_id,
            "VpcId": vpc,
            "IpPermissions": list(ingress),
            "IpPermissionsEgress": ALL_OUT if egress is None else egress,
        },
    )


def default_group(raw: RawPart, sg_id: str = "sg-default", *extra: dict[str, Any]) -> None:
    """The VPC's default group as AWS creates it: all traffic from its own members, all out."""
    group(raw, sg_id, rule(protocol="-1", ports=None, groups=[sg_id]), *extra, name="default")


def vpc_world(
    *,
    subnets: Mapping[str, tuple[str, str]] = TWO_SUBNETS,
    clients: Mapping[str, Iterable[str]] | None = None,
    endpoint_groups: Iterable[str] = ("sg-ep",),
    vpc_cidrs: Iterable[str] = ("10.0.0.0/16",),
    service: str = SSM,
    **endpoint: Any,
) -> RawPart:
    """vpc-1 with the given subnets ({id: (cidr, az)}), one workload ENI per subnet in `clients`
    ({subnet: groups}; default: every subnet, holding sg-app) and an available ssm endpoint vpce-1 with an
    ENI in each subnet, holding `endpoint_groups`. Security groups are added by each test."""
    raw = RawPart()
    cidrs = list(vpc_cidrs)
    raw.vpc(
        "vpc-1",
        cidrs[0],
        CidrBlockAssociationSet=[{"CidrBlock": c, "CidrBlockState": {"State": "associated"}} for c in cidrs],
    )
    for subnet_id, (cidr, az) in subnets.items():
        extra: dict[str, Any] = (
            {"CidrBlock": cidr} if ":" not in cidr else {"Ipv6CidrBlockAssociationSet": [{"Ipv6CidrBlock": cidr}]}
        )
        raw.subnet(subnet_id, "vpc-1", az, **extra)
    chosen = {s: ("sg-app",) for s in subnets} if clients is None else clients
    for subnet_id, held in chosen.items():
        raw.eni(f"eni-client-{subnet_id}", subnet_id, "vpc-1", Groups=[{"GroupId": g} for g in held])
    raw.route_table("rtb-main", "vpc-1", main=True)
    groups = [{"GroupId": g, "GroupName": g} for g in endpoint_groups]
    raw.interface_endpoint(
        "vpce-1", "vpc-1", {s: f"eni-ep-{s}" for s in subnets}, ServiceName=service, Groups=groups, **endpoint
    )
    raw.service(service)
    return raw


def sg_findings(raw: RawPart) -> list[Finding]:
    return run_checks(inventory(raw), SG_CHECKS)


def only(raw: RawPart, check_id: str) -> Finding:
    found = sg_findings(raw)
    assert [f.check_id for f in found] == [check_id], [f.message for f in found]
    return found[0]


# --- sg-endpoint-ingress: rule shapes --------------------------------------------------------------------


def test_a_rule_from_the_vpc_cidr_admits_every_subnet():
    raw = vpc_world()
    group(raw, "sg-ep", rule(cidrs=["10.0.0.0/16"]))
    assert sg_findings(raw) == []


def test_no_rule_for_443_refuses_every_subnet_critical():
    raw = vpc_world()
    group(raw, "sg-ep", rule(ports=(22, 22), cidrs=["10.0.0.0/16"]))
    f = only(raw, "sg-endpoint-ingress")
    assert f.severity is Severity.CRITICAL
    assert (f.vpc_id, f.resource_id) == ("vpc-1", "vpce-1")
    assert set(f.related_ids) == {"sg-ep", "subnet-a", "subnet-b"}
    assert "none of the 2 workload subnet(s)" in f.message
    assert f.evidence["security_group_ids"] == ["sg-ep"]
    assert f.evidence["rules_considered"] == [
        {"group_id": "sg-ep", "protocol": "tcp", "ports": "22", "sources": ["10.0.0.0/16"], "admits_443": False}
    ]
    assert [s["subnet_id"] for s in f.evidence["not_admitted"]] == ["subnet-a", "subnet-b"]
    assert f.evidence["not_admitted"][0]["cidr"] == "10.0.0.0/24"
    assert f.evidence["admitted"] == []
    assert f.remediation


@pytest.mark.parametrize(
    ("protocol", "ports", "admitted"),
    [
        ("tcp", (443, 443), True),
        ("tcp", (0, 65535), True),
        ("tcp", (440, 450), True),
        ("-1", None, True),  # all traffic: AWS sends no ports
        ("tcp", (444, 65535), False),
        ("tcp", (0, 442), False),
        ("udp", (443, 443), False),
        ("icmp", (-1, -1), False),
    ],
)
def test_protocol_and_port_range_decide_whether_a_rule_admits_443(protocol, ports, admitted):
    raw = vpc_world()
    group(raw, "sg-ep", rule(protocol=protocol, ports=ports, cidrs=["10.0.0.0/16"]))
    found = sg_findings(raw)
    assert found == [] if admitted else [f.severity for f in found] == [Severity.CRITICAL]


def test_rules_of_every_group_of_the_endpoint_are_united():
    raw = vpc_world(endpoint_groups=("sg-ep", "sg-b"))
    group(raw, "sg-ep", rule(cidrs=["10.0.0.0/24"]))
    group(raw, "sg-b", rule(cidrs=["10.0.1.0/24"]))
    assert sg_findings(raw) == []


def test_some_subnets_refused_is_high_and_names_only_them():
    raw = vpc_world()
    group(raw, "sg-ep", rule(cidrs=["10.0.0.0/24"]))
    f = only(raw, "sg-endpoint-ingress")
    assert f.severity is Severity.HIGH
    assert set(f.related_ids) == {"sg-ep", "subnet-b"}
    assert "1 of 2 workload subnet(s)" in f.message and "subnet-b (10.0.1.0/24" in f.message
    assert f.evidence["admitted"] == [
        {"subnet_id": "subnet-a", "cidr": "10.0.0.0/24", "by": ["sg-ep 10.0.0.0/24"], "vpc_cidr": "10.0.0.0/16"}
    ]


def test_a_source_narrower_than_the_subnet_does_not_admit_it():
    raw = vpc_world()
    group(raw, "sg-ep", rule(cidrs=["10.0.0.0/25", "10.0.1.0/25"]))
    assert only(raw, "sg-endpoint-ingress").severity is Severity.CRITICAL


# --- secondary CIDR blocks --------------------------------------------------------------------------------

SECONDARY = {**TWO_SUBNETS, "subnet-c": ("100.64.1.0/24", "us-east-1c")}


def test_subnet_in_a_secondary_block_is_refused_by_a_primary_only_rule():
    raw = vpc_world(subnets=SECONDARY, vpc_cidrs=("10.0.0.0/16", "100.64.0.0/16"))
    group(raw, "sg-ep", rule(cidrs=["10.0.0.0/16"]))
    f = only(raw, "sg-endpoint-ingress")
    assert f.severity is Severity.HIGH
    assert set(f.related_ids) == {"sg-ep", "subnet-c"}
    assert "in VPC block 100.64.0.0/16" in f.message
    assert f.evidence["not_admitted"] == [
        {"subnet_id": "subnet-c", "cidr": "100.64.1.0/24", "vpc_cidr": "100.64.0.0/16"}
    ]
    assert f.evidence["vpc_cidrs"] == ["10.0.0.0/16", "100.64.0.0/16"]


def test_subnet_in_a_secondary_block_is_admitted_when_the_rule_names_that_block():
    raw = vpc_world(subnets=SECONDARY, vpc_cidrs=("10.0.0.0/16", "100.64.0.0/16"))
    group(raw, "sg-ep", rule(cidrs=["10.0.0.0/16", "100.64.0.0/16"]))
    assert sg_findings(raw) == []


# --- security-group references ---------------------------------------------------------------------------


def test_a_group_reference_admits_subnets_whose_workloads_hold_that_group():
    raw = vpc_world(clients={"subnet-a": ("sg-app",), "subnet-b": ("sg-web", "sg-app")})
    group(raw, "sg-ep", rule(groups=["sg-app"]))
    assert sg_findings(raw) == []


def test_a_group_reference_refuses_a_subnet_whose_workloads_lack_it():
    raw = vpc_world(clients={"subnet-a": ("sg-app",), "subnet-b": ("sg-batch",)})
    group(raw, "sg-ep", rule(groups=["sg-app"]))
    f = only(raw, "sg-endpoint-ingress")
    assert f.severity is Severity.HIGH
    assert set(f.related_ids) == {"sg-ep", "subnet-b"}
    assert f.evidence["admitted"][0]["by"] == ["sg-ep sg-app"]


def test_the_endpoints_own_enis_holding_the_group_are_not_clients():
    """A self-referencing rule admits members; the endpoint's ENIs are members but not clients."""
    raw = vpc_world()
    group(raw, "sg-ep", rule(protocol="-1", ports=None, groups=["sg-ep"]))
    assert only(raw, "sg-endpoint-ingress").severity is Severity.CRITICAL


def test_workload_enis_of_another_vpc_do_not_admit_this_vpcs_subnet():
    raw = vpc_world(clients={"subnet-a": ("sg-app",), "subnet-b": ()})
    raw.vpc("vpc-2", "10.9.0.0/16")
    raw.subnet("subnet-z", "vpc-2", "us-east-1b", CidrBlock="10.9.0.0/24")
    raw.eni("eni-z", "subnet-z", "vpc-2", Groups=[{"GroupId": "sg-app"}])
    group(raw, "sg-ep", rule(groups=["sg-app"]))
    assert set(only(raw, "sg-endpoint-ingress").related_ids) == {"sg-ep", "subnet-b"}


# --- prefix lists -----------------------------------------------------------------------------------------


def test_a_prefix_list_rule_whose_entries_are_invisible_raises_no_false_critical():
    raw = vpc_world()
    group(raw, "sg-ep", rule(prefix_lists=["pl-corp"]))
    inv = inventory(raw)
    assert run_checks(inv, SG_CHECKS) == []
    ((ep, groups),) = judged_endpoints(inv)
    results = admissions(inv, ep, groups)
    assert {r.verdict for r in results} == {Admission.UNVERIFIABLE}
    assert results[0].to_dict()["by"] == ["sg-ep pl-corp (prefix-list entries not visible)"]


def test_a_prefix_list_rule_leaves_subnets_unverifiable_beside_a_partial_cidr_rule():
    raw = vpc_world()
    group(raw, "sg-ep", rule(cidrs=["10.0.0.0/24"]), rule(prefix_lists=["pl-corp"]))
    assert sg_findings(raw) == []


def test_a_prefix_list_whose_entries_were_collected_is_judged_like_cidrs():
    covering = vpc_world()
    covering.prefix_list("pl-known", "corp", ["10.0.0.0/16"])
    group(covering, "sg-ep", rule(prefix_lists=["pl-known"]))
    assert sg_findings(covering) == []
    elsewhere = vpc_world()
    elsewhere.prefix_list("pl-known", "corp", ["192.168.0.0/16"])
    group(elsewhere, "sg-ep", rule(prefix_lists=["pl-known"]))
    assert only(elsewhere, "sg-endpoint-ingress").severity is Severity.CRITICAL


# --- IPv6 -------------------------------------------------------------------------------------------------


def test_an_ipv6_rule_admits_an_ipv6_only_subnet():
    raw = vpc_world(subnets={"subnet-6": ("2600:1f18:1:1::/64", "us-east-1a")})
    group(raw, "sg-ep", rule(ipv6=["2600:1f18:1::/56"]))
    assert sg_findings(raw) == []


def test_an_ipv6_rule_does_not_admit_an_ipv4_subnet():
    raw = vpc_world()
    group(raw, "sg-ep", rule(ipv6=["::/0"]))
    assert only(raw, "sg-endpoint-ingress").severity is Severity.CRITICAL


# --- what is not judged -----------------------------------------------------------------------------------


def test_a_group_aws_did_not_return_leaves_the_endpoint_unknown():
    raw = vpc_world(endpoint_groups=("sg-ep", "sg-deleted"))
    group(raw, "sg-ep", rule(ports=(22, 22), cidrs=["10.0.0.0/16"]))
    assert sg_findings(raw) == []


@pytest.mark.parametrize("api", ["ec2:DescribeSecurityGroups", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"])
def test_nothing_is_judged_without_the_data(api):
    raw = vpc_world()
    group(raw, "sg-ep", rule(ports=(22, 22), cidrs=["10.0.0.0/16"]))
    assert sg_findings(raw.without(api)) == []


@pytest.mark.parametrize(
    "endpoint",
    [
        {"State": "failed"},
        {"State": "pendingAcceptance"},
        {"VpcEndpointType": "GatewayLoadBalancer"},
        {"VpcEndpointType": "Gateway"},
    ],
)
def test_only_available_interface_endpoints_are_judged(endpoint):
    raw = vpc_world(**endpoint)
    group(raw, "sg-ep", rule(ports=(22, 22), cidrs=["10.0.0.0/16"]))
    assert sg_findings(raw) == []


def test_a_providers_endpoint_service_is_not_judged_on_443():
    """Its listeners are invisible to the consumer: it may serve 5432, not 443."""
    raw = vpc_world(service="com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0")
    raw.apis["ec2:DescribeVpcEndpointServices"][-1]["Owner"] = "444455556666"
    group(raw, "sg-ep", rule(ports=(5432, 5432), cidrs=["10.0.0.0/16"]))
    assert sg_findings(raw) == []


def test_an_endpoint_reported_without_groups_is_not_judged():
    """moto's shape when no group is named (AWS would attach the default group)."""
    raw = vpc_world(endpoint_groups=())
    assert sg_findings(raw) == []


def test_a_vpc_without_workload_enis_is_judged_for_its_first_client():
    """Issue 13: a VPC built and not used yet still needs its endpoint to admit its subnets (high: nobody is
    refused today). A hub serving spokes is judged on the spokes instead (worlds sg-spoke-denied, dns-hub-spoke)."""
    raw = vpc_world(clients={})
    group(raw, "sg-ep", rule(cidrs=["10.1.0.0/16", "10.2.0.0/16"]))
    f = only(raw, "sg-endpoint-ingress")
    assert f.severity is Severity.HIGH and "no workload yet" in f.message


# --- the VPC's default group ------------------------------------------------------------------------------


def test_untouched_default_group_with_clients_inside_it_is_high():
    raw = vpc_world(endpoint_groups=("sg-default",), clients={"subnet-a": ("sg-default",), "subnet-b": ("sg-default",)})
    default_group(raw)
    f = only(raw, "sg-endpoint-default-sg")
    assert f.severity is Severity.HIGH
    assert set(f.related_ids) == {"sg-default", "subnet-a", "subnet-b"}
    assert "admits TCP 443 only from its own members" in f.message
    assert f.evidence["default_group_id"] == "sg-default"
    assert f.evidence["relying_on_default"] == ["subnet-a", "subnet-b"]
    assert [s["by"] for s in f.evidence["admitted"]] == [["sg-default sg-default"]] * 2
    assert f.remediation


def test_default_group_changed_to_admit_443_from_the_vpc_is_no_finding():
    raw = vpc_world(endpoint_groups=("sg-default",), clients={"subnet-a": ("sg-default",), "subnet-b": ("sg-app",)})
    default_group(raw, "sg-default", rule(cidrs=["10.0.0.0/16"]))
    assert sg_findings(raw) == []


def test_default_group_made_redundant_by_another_group_is_no_finding():
    raw = vpc_world(endpoint_groups=("sg-default", "sg-ep"), clients={"subnet-a": ("sg-default",)})
    default_group(raw)
    group(raw, "sg-ep", rule(cidrs=["10.0.0.0/16"]))
    assert sg_findings(raw) == []


def test_default_group_refusing_every_client_is_reported_once_by_ingress():
    raw = vpc_world(endpoint_groups=("sg-default",))  # clients hold sg-app, not the default group
    default_group(raw)
    f = only(raw, "sg-endpoint-ingress")
    assert f.severity is Severity.CRITICAL
    assert f.evidence["untouched_default_group"] == "sg-default"
    assert "sg-default is the VPC's default security group" in f.message


def test_default_group_admitting_some_clients_is_reported_once_by_ingress_as_high():
    raw = vpc_world(endpoint_groups=("sg-default",), clients={"subnet-a": ("sg-default",), "subnet-b": ("sg-app",)})
    default_group(raw)
    f = only(raw, "sg-endpoint-ingress")
    assert f.severity is Severity.HIGH
    assert set(f.related_ids) == {"sg-default", "subnet-b"}


def test_default_group_with_restricted_egress_still_counts_as_untouched():
    """Egress of an endpoint's group never decides who gets in: replies are stateful."""
    raw = vpc_world(endpoint_groups=("sg-default",), clients={"subnet-a": ("sg-default",)})
    group(raw, "sg-default", rule(protocol="-1", ports=None, groups=["sg-default"]), name="default", egress=[])
    assert only(raw, "sg-endpoint-default-sg").evidence["relying_on_default"] == ["subnet-a"]


def test_default_group_in_a_vpc_without_workloads_warns_about_future_clients():
    raw = vpc_world(endpoint_groups=("sg-default",), clients={})
    default_group(raw)
    f = only(raw, "sg-endpoint-default-sg")
    assert "no workload ENI yet" in f.message
    assert f.evidence["workload_assumed"] is True


def test_default_group_stripped_of_rules_admits_nobody():
    """The CIS benchmark empties the default group; in a VPC without workloads that is all we can say."""
    raw = vpc_world(endpoint_groups=("sg-default",), clients={})
    group(raw, "sg-default", name="default")
    # Refused outright now that a VPC without workloads is judged (issue 13): one finding, naming the cause.
    f = only(raw, "sg-endpoint-ingress")
    assert "sg-default is the VPC's default security group" in f.message


def test_a_group_merely_named_like_another_vpcs_default_is_not_this_vpcs_default():
    raw = vpc_world(endpoint_groups=("sg-other-default",), clients={"subnet-a": ("sg-other-default",)})
    group(
        raw,
        "sg-other-default",
        rule(protocol="-1", ports=None, groups=["sg-other-default"]),
        name="default",
        vpc="vpc-2",
    )
    assert sg_findings(raw) == []


# --- on moto ----------------------------------------------------------------------------------------------


def test_group_without_443_refuses_every_client(make_world, aws):
    world, report = scan_world(make_world, aws, "sg-no-https")
    f = the_finding(report, "sg-endpoint-ingress")
    assert f.severity is Severity.CRITICAL
    assert f.resource_id == world.ids["ep.ssm"]
    assert set(f.related_ids) == {world.ids["sg.ssh"], *subnets_in(world.ids, *ALL_AZS)}
    assert f.evidence["rules_considered"] == [
        {
            "group_id": world.ids["sg.ssh"],
            "protocol": "tcp",
            "ports": "22",
            "sources": ["10.0.0.0/16"],
            "admits_443": False,
        }
    ]


def test_secondary_block_subnet_is_refused_by_the_primary_only_group(make_world, aws):
    world, report = scan_world(make_world, aws, "sg-secondary-cidr")
    f = the_finding(report, "sg-endpoint-ingress")
    assert (f.resource_id, f.severity) == (world.ids["ep.ssm"], Severity.HIGH)
    assert set(f.related_ids) == {world.ids["sg.primary"], world.ids[f"subnet.{AZ3}"]}
    assert f.evidence["not_admitted"][0]["vpc_cidr"] == "100.64.0.0/16"
    assert sorted(s["subnet_id"] for s in f.evidence["admitted"]) == sorted(subnets_in(world.ids, AZ1, AZ2))


def test_default_group_shared_with_the_workloads_is_latent(make_world, aws):
    world, report = scan_world(make_world, aws, "sg-default")
    f = the_finding(report, "sg-endpoint-default-sg")
    assert (f.resource_id, f.severity) == (world.ids["ep.ssm"], Severity.HIGH)
    assert set(f.related_ids) == {world.ids["sg.default"], *subnets_in(world.ids, *ALL_AZS)}


def test_default_group_refusing_the_workloads_names_the_cause(make_world, aws):
    world, report = scan_world(make_world, aws, "sg-default-blocked")
    f = the_finding(report, "sg-endpoint-ingress")
    assert f.severity is Severity.CRITICAL
    assert f.evidence["untouched_default_group"] == world.ids["sg.default"]
    assert findings_of(report, "sg-endpoint-default-sg") == []


def test_customer_prefix_list_rule_on_moto_is_unverifiable_not_missing(aws):
    b = Builder(aws)
    try:
        ids = isolated_vpc(b, "pl")
        pl = b.customer_prefix_list("corp", ["10.0.0.0/16"])
        sg = b.security_group(ids["vpc"], "endpoint-from-pl", https_from=())
        b.allow_ingress(sg, prefix_lists=[pl])
        b.interface_endpoint(ids["vpc"], "ssm", subnets_in(ids, *ALL_AZS), [sg])
        report = audit(aws, check_ids=tuple(SG_CHECKS))
    finally:
        b.close()
    assert report.findings == () and report.errors == ()
    assert any(pl in r.prefix_list_ids for g in report.inventory.security_groups.values() for r in g.ingress)
