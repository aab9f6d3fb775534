"""Which clients an interface endpoint's security groups admit on TCP 443, subnet by subnet.

An interface endpoint's ENIs take only what their security groups admit, so a group that forgets a subnet
(a secondary CIDR, a client group) makes the service unreachable from there while DNS still points at it.
Gateway endpoints have no ENI and security groups do not apply to Gateway Load Balancer endpoints, so only
interface endpoints are judged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.model.cidr import within
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Endpoint, EndpointType, SecurityGroup, SecurityGroupRule, Subnet
from vpce_audit.normalize.derive import NON_WORKLOAD_ENI_TYPES
from vpce_audit.verdicts.path_family import IPV6_TYPES, path_family

HTTPS = 443
_TCP_OR_ALL = frozenset({"tcp", "6", "-1", "all"})
_NEEDED_APIS = (Api.DESCRIBE_SECURITY_GROUPS, Api.DESCRIBE_NETWORK_INTERFACES, Api.DESCRIBE_SUBNETS)
DEFAULT_GROUP_NAME = "default"  # AWS reserves the name: one per VPC, created with it


class Admission(StrEnum):
    ADMITTED = "admitted"
    UNVERIFIABLE = "unverifiable"  # a prefix list or group membership we cannot see decides it
    DENIED = "denied"


@dataclass(frozen=True, slots=True)
class SubnetAdmission:
    subnet: Subnet
    verdict: Admission
    sources: tuple[str, ...] = ()  # "sg-1 10.0.0.0/16": the rule sources that decided it

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"subnet_id": self.subnet.id, "cidr": self.subnet.cidr}
        if self.subnet.ipv6_cidrs:
            out["ipv6_cidrs"] = list(self.subnet.ipv6_cidrs)
        if self.sources:
            out["by"] = list(self.sources)
        return out


def is_aws_service(inv: Inventory, ep: Endpoint) -> bool:
    """Port 443 is only known for AWS services; a provider's endpoint service may listen on any port and
    the consumer cannot see its listeners."""
    service = inv.service_of(ep)
    if service is not None and service.owner:
        return service.owner.lower() == "amazon"
    name = ep.service_name
    return name.startswith(("com.amazonaws.", "cn.com.amazonaws.", "aws.")) and ".vpce." not in f".{name}"


LATTICE = (EndpointType.RESOURCE, EndpointType.SERVICE_NETWORK)


def judged_endpoints(inv: Inventory, *, lattice: bool = False) -> Iterator[tuple[Endpoint, tuple[SecurityGroup, ...]]]:
    """Available interface endpoints of AWS services whose every group and the VPC's subnets and ENIs were
    read (with `lattice`, resource and service-network endpoints too, judged on any TCP port: see
    admissions). A group the endpoint names but AWS did not return (deleted, unreadable) leaves it unknown:
    its rules might admit anything."""
    types = (EndpointType.INTERFACE, *LATTICE) if lattice else (EndpointType.INTERFACE,)
    for ep in inv.endpoints_of(*types):
        if not ep.available or not ep.group_ids or (ep.type is EndpointType.INTERFACE and not is_aws_service(inv, ep)):
            continue
        if not inv.has(ep.account_id, ep.region, *_NEEDED_APIS):
            continue
        if all(g in inv.security_groups for g in ep.group_ids):
            yield ep, tuple(inv.security_groups[g] for g in ep.group_ids)


def admits_https(rule: SecurityGroupRule) -> bool:
    if rule.protocol not in _TCP_OR_ALL:
        return False
    if rule.protocol in ("-1", "all") or rule.from_port is None or rule.to_port is None:
        return True  # all traffic: AWS reports no ports for it
    return rule.from_port <= HTTPS <= rule.to_port


def admits_tcp(rule: SecurityGroupRule) -> bool:
    """Any TCP port: the ports of a resource or a Lattice service are the provider's, not visible here."""
    return rule.protocol in _TCP_OR_ALL


def client_groups(inv: Inventory) -> Mapping[str, frozenset[str]]:
    """Subnet -> groups held by its workload ENIs: the members a group-referencing rule admits. Built once
    per check run: it reads every ENI."""
    held: dict[str, set[str]] = defaultdict(set)
    for eni in inv.enis.values():
        if eni.id not in inv.endpoint_enis and eni.interface_type not in NON_WORKLOAD_ENI_TYPES:
            held[eni.subnet_id].update(eni.group_ids)
    return {subnet: frozenset(groups) for subnet, groups in held.items()}


def _covers(source: str, cidrs: tuple[str, ...]) -> bool:
    return any(within(c, source) for c in cidrs)


def _subnet_cidrs(subnet: Subnet, family: str = "") -> tuple[str, ...]:
    """The subnet's blocks a rule may admit: those of the family its clients use toward the endpoint
    ("ipv4", "ipv6"), or both when that is not known (verdicts/path_family.py)."""
    if family == "ipv4":
        return (subnet.cidr,) if subnet.cidr else ()
    if family == "ipv6":
        return tuple(subnet.ipv6_cidrs)
    return tuple(c for c in (subnet.cidr, *subnet.ipv6_cidrs) if c)


@dataclass(frozen=True, slots=True)
class _Judge:
    """Decides one subnet against a set of groups; built once per endpoint."""

    inv: Inventory
    held: Mapping[str, frozenset[str]]
    membership_unseen: bool  # no workload ENI in the VPC: who will carry a group is unknown
    any_port: bool = False  # resource and service-network endpoints: any TCP port admits

    def subnet(self, subnet: Subnet, groups: tuple[SecurityGroup, ...], family: str = "") -> SubnetAdmission:
        cidrs = _subnet_cidrs(subnet, family)
        admitted: set[str] = set()
        unverifiable: set[str] = set()
        for group in groups:
            for rule in group.ingress:
                if admits_tcp(rule) if self.any_port else admits_https(rule):
                    yes, maybe = self._sources(group, rule, subnet, cidrs)
                    admitted.update(yes)
                    unverifiable.update(maybe)
        if admitted:
            return SubnetAdmission(subnet, Admission.ADMITTED, tuple(sorted(admitted)))
        if unverifiable or not cidrs:
            return SubnetAdmission(subnet, Admission.UNVERIFIABLE, tuple(sorted(unverifiable)))
        return SubnetAdmission(subnet, Admission.DENIED)

    def _sources(
        self, group: SecurityGroup, rule: SecurityGroupRule, subnet: Subnet, cidrs: tuple[str, ...]
    ) -> tuple[list[str], list[str]]:
        """The rule's sources that admit the subnet, and those that might but cannot be seen."""
        admitted: list[str] = []
        unverifiable: list[str] = []
        # `cidrs` holds the family the subnet's clients use when the endpoint is dual-stack or IPv6 (admissions);
        # otherwise either family admitting the subnet counts, as before IpAddressType was read.
        admitted += [f"{group.id} {src}" for src in (*rule.cidrs, *rule.ipv6_cidrs) if _covers(src, cidrs)]
        for ref in rule.group_ids:
            if ref in self.held.get(subnet.id, frozenset()):
                admitted.append(f"{group.id} {ref}")
            elif self.membership_unseen:
                unverifiable.append(f"{group.id} {ref} (no workload ENI shows who holds it)")
        for pl_id in rule.prefix_list_ids:
            pl = self.inv.prefix_lists.get(pl_id)
            if pl is None or pl.cidrs is None:
                unverifiable.append(f"{group.id} {pl_id} (prefix-list entries not visible)")
            elif any(_covers(entry, cidrs) for entry in pl.cidrs):
                admitted.append(f"{group.id} {pl_id}")
        return admitted, unverifiable


def admissions(
    inv: Inventory,
    ep: Endpoint,
    groups: tuple[SecurityGroup, ...],
    held: Mapping[str, frozenset[str]] | None = None,
) -> tuple[SubnetAdmission, ...]:
    """How each workload subnet of the endpoint's VPC fares against the union of these groups' rules;
    `held` is client_groups(inv), passed in when judging many endpoints."""
    judge = _Judge(
        inv, client_groups(inv) if held is None else held, ep.vpc_id in inv.workload_assumed, ep.type in LATTICE
    )
    return tuple(
        judge.subnet(inv.subnets[s], groups, _family(ep, inv.subnets[s]))
        for s in inv.workload_subnets.get(ep.vpc_id, ())
        if s in inv.subnets
    )


def _family(ep: Endpoint, subnet: Subnet) -> str:
    """For a dual-stack or IPv6 endpoint, the family the subnet's calls use (path_family), so only the rules'
    ranges of that family admit it; "" (either counts) for an IPv4 endpoint, as before, and where the family
    is not decided (no usable DNS answer, record type unknown)."""
    if ep.ip_address_type not in IPV6_TYPES:
        return ""
    found = path_family(ep, subnet)
    return found if found in ("ipv4", "ipv6") else ""


def is_untouched_default(group: SecurityGroup, ep: Endpoint) -> bool:
    """The VPC's default group, still admitting 443 only from its own members (AWS's rule) or from nobody.
    Egress is not looked at: replies to an endpoint are stateful, so egress never decides who gets in."""
    if group.name != DEFAULT_GROUP_NAME or group.vpc_id != ep.vpc_id:
        return False
    return all(
        not r.cidrs and not r.ipv6_cidrs and not r.prefix_list_ids and set(r.group_ids) <= {group.id}
        for r in group.ingress
        if admits_https(r)
    )
