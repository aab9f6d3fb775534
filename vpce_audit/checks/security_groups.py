"""Security groups on interface endpoints: do they admit the workload subnets on TCP 443? The admission
itself is decided in verdicts/admission.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vpce_audit.checks.inputs import ADMISSION, NETWORK_PATH
from vpce_audit.checks.registry import Category, ResourceType, about, check
from vpce_audit.dns.path import reached_vpcs
from vpce_audit.model.cidr import within
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Endpoint, EndpointType, SecurityGroup, SecurityGroupRule, Subnet
from vpce_audit.verdicts.admission import (
    Admission,
    SubnetAdmission,
    admissions,
    admits_https,
    client_groups,
    is_untouched_default,
    judged_endpoints,
)
from vpce_audit.verdicts.network_path import network_path


def _rule_dict(group: SecurityGroup, rule: SecurityGroupRule) -> dict[str, Any]:
    if rule.protocol in ("-1", "all") or rule.from_port is None or rule.to_port is None:
        ports = "all"
    else:
        ports = str(rule.from_port) if rule.from_port == rule.to_port else f"{rule.from_port}-{rule.to_port}"
    return {
        "group_id": group.id,
        "protocol": rule.protocol,
        "ports": ports,
        "sources": [*rule.cidrs, *rule.ipv6_cidrs, *rule.group_ids, *rule.prefix_list_ids],
        "admits_443": admits_https(rule),
    }


def _vpc_block(inv: Inventory, subnet: Subnet) -> str:
    """The VPC CIDR block holding the subnet: a secondary block is the one rules most often forget."""
    vpc = inv.vpcs.get(subnet.vpc_id)
    blocks = vpc.cidrs if vpc else ()
    return next((b for b in blocks if subnet.cidr and within(subnet.cidr, b)), "")


def _label(inv: Inventory, subnet: Subnet) -> str:
    block = _vpc_block(inv, subnet)
    where = f" in VPC block {block}" if block else ""
    return f"{subnet.id} ({subnet.cidr or ', '.join(subnet.ipv6_cidrs)}{where})"


def _evidence(
    inv: Inventory, ep: Endpoint, groups: tuple[SecurityGroup, ...], results: tuple[SubnetAdmission, ...]
) -> dict[str, Any]:
    def pick(verdict: Admission) -> list[dict[str, Any]]:
        return [r.to_dict() | {"vpc_cidr": _vpc_block(inv, r.subnet)} for r in results if r.verdict == verdict]

    evidence: dict[str, Any] = {
        "security_group_ids": [g.id for g in groups],
        "rules_considered": [_rule_dict(g, r) for g in groups for r in g.ingress],
        "admitted": pick(Admission.ADMITTED),
        "not_admitted": pick(Admission.DENIED),
        "workload_assumed": ep.vpc_id in inv.workload_assumed,
    }
    unverifiable = pick(Admission.UNVERIFIABLE)
    if unverifiable:
        evidence["unverifiable"] = unverifiable
    vpc = inv.vpcs.get(ep.vpc_id)
    if vpc is not None:
        evidence["vpc_cidrs"] = list(vpc.cidrs) + list(vpc.ipv6_cidrs)
    return evidence


def _denied(results: tuple[SubnetAdmission, ...]) -> list[SubnetAdmission]:
    return [r for r in results if r.verdict == Admission.DENIED]


def _ingress_fires(inv: Inventory, ep: Endpoint, results: tuple[SubnetAdmission, ...]) -> bool:
    # A VPC without a single workload ENI is judged on all its subnets (built, not used yet: its first client
    # must get in), unless the endpoint serves spokes: a hub's groups rightly admit only the spokes' CIDRs,
    # and the spokes are judged on their own (issue 13).
    if ep.vpc_id in inv.workload_assumed and reached_vpcs(inv, ep):
        return False
    return bool(_denied(results))


def _spoke_findings(inv: Inventory, ep: Endpoint) -> Iterator[Finding]:
    """Spokes whose workload subnets the hub endpoint's groups do not admit, read from the packet path's
    security-group hop (verdicts/network_path.py), one finding per spoke VPC."""
    for vpc in network_path(inv, ep).vpcs:
        if vpc.via != "zone" or not vpc.caveats:  # nothing failed on that path
            continue
        results = {
            r.client_subnet_id: h
            for az in vpc.azs
            for r in az.results
            for h in r.path.hops
            if h.hop == "security-group"
        }
        denied = sorted(s for s, h in results.items() if h.ok is False)
        if not denied:
            continue
        every = len(denied) == len(results)
        labels = ", ".join(_label(inv, inv.subnets[s]) for s in denied)
        yield about(
            ep,
            f"security group(s) {', '.join(ep.group_ids)} do not admit TCP 443 from {len(denied)} of {len(results)} "
            f"workload subnet(s) of spoke VPC {vpc.vpc_id}, which reaches {ep.service_name} through a private "
            f"hosted zone: {labels}",
            severity=Severity.CRITICAL if every else Severity.HIGH,
            related_ids=(*ep.group_ids, vpc.vpc_id, *denied),
            evidence={
                "security_group_ids": list(ep.group_ids),
                "spoke_vpc_id": vpc.vpc_id,
                "not_admitted": denied,
                "spoke_cidrs": (
                    [*inv.vpcs[vpc.vpc_id].cidrs, *inv.vpcs[vpc.vpc_id].ipv6_cidrs] if vpc.vpc_id in inv.vpcs else []
                ),
            },
            key=vpc.vpc_id,
        )


@check(
    "sg-endpoint-ingress",
    title="Endpoint security groups do not admit workload subnets on TCP 443",
    summary="Fires for an available interface endpoint to an AWS service whose security groups do not admit TCP 443 "
    "from some workload subnets of its VPC. A subnet is admitted by a rule allowing TCP (or all traffic) on 443 from "
    "a CIDR containing the subnet's, from a group one of the subnet's workload network interfaces holds, or from a "
    "prefix list; for a dual-stack or IPv6 endpoint, only the ranges of the family the subnet's clients use "
    "count (its IPv6 block for IPv6-only subnets given AAAA records, its IPv4 block for dual-stack subnets given A "
    "records), while for an IPv4 endpoint a range of either family counts; customer prefix-list entries are not "
    "visible, so such a rule makes the subnets it might cover "
    "unverifiable rather than refused. Subnets in secondary VPC CIDR blocks count like any other. A VPC with no "
    "workload network interface is judged on all its subnets (its first client must get in), unless the endpoint "
    "serves spokes through private hosted zones: a hub rightly admits only its spokes, and then each spoke's "
    "workload subnets are judged instead, one finding per spoke VPC. "
    "When the endpoint relies on the VPC's untouched default group, this finding names that group as the cause and "
    "sg-endpoint-default-sg stays quiet: one problem, one finding. Resource and service-network endpoints are "
    "judged the same way on any TCP port (the resource's or service's ports are the provider's and not visible "
    "here), so only a group admitting no TCP at all from a subnet counts; the evidence names the endpoint type.",
    risk="DNS sends clients to the endpoint's network interfaces, whose security groups drop what they do not admit: "
    "from a refused subnet the service is unreachable, and calls time out rather than fail fast.",
    severity=Severity.CRITICAL,
    severity_rule="Critical when no workload subnet of the VPC (or of the spoke) is admitted (the service is "
    "unreachable for every client there); high when only some are, or when the VPC holds no workload yet.",
    remediation="Allow inbound TCP 443 on the endpoint's security group from every listed subnet CIDR (or from all of "
    "the VPC's CIDR blocks, secondary ones included).",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html",
        "https://docs.aws.amazon.com/vpc/latest/privatelink/interface-endpoints.html",
    ),
    category=Category.SECURITY_GROUP,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=(*ADMISSION, *NETWORK_PATH),
)
def sg_endpoint_ingress(inv: Inventory) -> Iterator[Finding]:
    held = client_groups(inv)
    for ep, groups in judged_endpoints(inv, lattice=True):
        yield from _spoke_findings(inv, ep)
        results = admissions(inv, ep, groups, held)
        if not _ingress_fires(inv, ep, results):
            continue
        port = "TCP 443" if ep.type is EndpointType.INTERFACE else "TCP on any port"
        target = ep.service_name or ep.resource_configuration_arn or ep.service_network_arn or ep.type_raw
        denied = _denied(results)
        admitted = [r for r in results if r.verdict == Admission.ADMITTED]
        defaults = [g.id for g in groups if is_untouched_default(g, ep)]
        cause = (
            f"; {defaults[0]} is the VPC's default security group, which admits only its own members"
            if defaults
            else ""
        )
        if admitted or len(denied) < len(results):
            message = (
                f"security group(s) {', '.join(ep.group_ids)} do not admit {port} from {len(denied)} of "
                f"{len(results)} workload subnet(s): {', '.join(_label(inv, r.subnet) for r in denied)} "
                f"cannot reach {target}{cause}"
            )
            severity = Severity.HIGH
        elif ep.vpc_id in inv.workload_assumed:
            message = (
                f"security group(s) {', '.join(ep.group_ids)} admit {port} from none of the VPC's "
                f"{len(results)} subnet(s), which hold no workload yet: its first client cannot reach "
                f"{target}{cause}"
            )
            severity = Severity.HIGH
        else:
            message = (
                f"security group(s) {', '.join(ep.group_ids)} admit {port} from none of the {len(results)} "
                f"workload subnet(s): {target} is unreachable for every client in the VPC{cause}"
            )
            severity = Severity.CRITICAL
        evidence = _evidence(inv, ep, groups, results)
        if defaults:
            evidence["untouched_default_group"] = defaults[0]
        if ep.type is not EndpointType.INTERFACE:
            evidence["endpoint_type"] = ep.type_raw
        yield about(
            ep,
            message,
            severity=severity,
            related_ids=(*ep.group_ids, *(r.subnet.id for r in denied)),
            evidence=evidence,
        )


@check(
    "sg-endpoint-default-sg",
    title="Endpoint relies on the VPC's default security group",
    summary="Fires for an available interface endpoint to an AWS service that holds its VPC's default security group "
    "with the group's 443 admission untouched (its own members, or nobody) when, without that group, some workload "
    "subnet would be refused. A default group changed to admit 443 from a CIDR, or made redundant by another group "
    "that admits every workload subnet, is no finding; when clients are refused already, sg-endpoint-ingress reports "
    "it (and names the default group as the cause) and this check stays quiet.",
    risk="AWS attaches the VPC's default group when none is named, and that group admits only its own members: "
    "clients reach the endpoint only while they carry the default group, so the first workload given a group of its "
    "own loses the service.",
    severity=Severity.HIGH,
    severity_rule="Always high: it works today, and one ordinary change breaks it.",
    remediation="Give the endpoint its own security group allowing TCP 443 from the workload subnets' CIDRs and "
    "remove the default group from it.",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html",
        "https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html",
    ),
    category=Category.SECURITY_GROUP,
    resource_types=(ResourceType.VPC_ENDPOINT,),
    inputs=ADMISSION,
)
def sg_endpoint_default_sg(inv: Inventory) -> Iterator[Finding]:
    held = client_groups(inv)
    for ep, groups in judged_endpoints(inv):
        defaults = tuple(g for g in groups if is_untouched_default(g, ep))
        if not defaults:
            continue
        results = admissions(inv, ep, groups, held)
        if _ingress_fires(inv, ep, results):
            continue
        others = tuple(g for g in groups if g not in defaults)
        relying = _denied(admissions(inv, ep, others, held))
        if not relying:
            continue
        default = defaults[0]
        rule = (
            "admits TCP 443 only from its own members"
            if any(admits_https(r) for r in default.ingress)
            else "admits nobody on TCP 443"
        )
        if ep.vpc_id in inv.workload_assumed:
            effect = "the VPC has no workload ENI yet, so every future client depends on that group"
        else:
            labels = ", ".join(_label(inv, r.subnet) for r in relying)
            effect = f"{len(relying)} workload subnet(s) get in only because their workloads carry that group: {labels}"
        yield about(
            ep,
            f"{ep.service_name} uses {default.id}, the VPC's default security group, which {rule}; {effect}",
            related_ids=(default.id, *(r.subnet.id for r in relying)),
            evidence=_evidence(inv, ep, groups, results)
            | {
                "default_group_id": default.id,
                "relying_on_default": [r.subnet.id for r in relying],
            },
        )
