"""Where a Resolver forwarding rule sends queries: which scanned VPCs use each rule, and what each target
address is (an attached address of an operational inbound Resolver endpoint of a scanned VPC, something else
in a scanned VPC, or outside every scanned VPC, where the scan cannot see).

Computed once per Inventory (Inventory.derived): every client VPC asks about the same few rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.dns.names import under
from vpce_audit.model.cidr import holds_ip
from vpce_audit.model.dns import ResolverRule
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import EndpointType

FORWARDING = frozenset({"FORWARD", "DELEGATE"})


@dataclass(frozen=True, slots=True)
class ForwardTarget:
    ip: str
    vpc_id: str = ""  # the scanned VPC whose CIDR holds the address; "" outside every scanned VPC
    known: bool = False  # the scan sees this side: the VPC and its Resolver endpoints were collected
    serving: bool = False  # an attached address of an OPERATIONAL inbound Resolver endpoint
    endpoint_id: str = ""  # the inbound endpoint holding the address, if any
    problem: str = ""  # known and not serving: why; not known: what the scan cannot see

    def to_dict(self) -> dict[str, Any]:
        return {
            "ip": self.ip,
            "vpc_id": self.vpc_id,
            "inbound_endpoint_id": self.endpoint_id,
            "serving": self.serving if self.known else None,
            "problem": self.problem,
        }


class ForwardingIndex:
    __slots__ = ("clients", "names", "targets")

    def __init__(self, inv: Inventory) -> None:
        clients: dict[str, set[str]] = {}
        for assoc in inv.dns.associations.values():
            rule = inv.dns.rules.get(assoc.rule_id)
            if rule and rule.rule_type in FORWARDING and rule.status == "COMPLETE" and assoc.status == "COMPLETE":
                clients.setdefault(rule.id, set()).add(assoc.vpc_id)
        self.clients: Mapping[str, tuple[str, ...]] = {r: tuple(sorted(v)) for r, v in sorted(clients.items())}
        self.targets: dict[str, tuple[ForwardTarget, ...]] = {}
        self.names: Mapping[str, tuple[str, ...]] | None = None  # built on first use: it reads the endpoints

    @classmethod
    def of(cls, inv: Inventory) -> ForwardingIndex:
        return inv.derived.of(cls, lambda: cls(inv))


def rule_clients(inv: Inventory) -> Mapping[str, tuple[str, ...]]:
    """Active forwarding rule id -> the VPCs it is associated with (association and rule COMPLETE)."""
    return ForwardingIndex.of(inv).clients


def endpoint_names_by_region(inv: Inventory) -> Mapping[str, tuple[str, ...]]:
    """Region -> the private DNS names of the services of every live interface endpoint scanned there."""
    index = ForwardingIndex.of(inv)
    if index.names is None:
        names: dict[str, set[str]] = {}
        for ep in inv.endpoints_of(EndpointType.INTERFACE):
            service = inv.service_of(ep)
            names.setdefault(ep.region, set()).update(service.private_dns_names if service else ())
        index.names = {r: tuple(sorted(n)) for r, n in names.items()}
    return index.names


def forward_targets(inv: Inventory, rule: ResolverRule) -> tuple[ForwardTarget, ...]:
    index = ForwardingIndex.of(inv)
    found = index.targets.get(rule.id)
    if found is None:
        found = index.targets[rule.id] = tuple(_target(inv, ip) for ip in rule.target_ips if ip)
    return found


def _target(inv: Inventory, ip: str) -> ForwardTarget:
    holders = sorted(v for v, vpc in inv.vpcs.items() if holds_ip(ip, vpc.cidrs))
    inbound = [rep for rep in inv.inbound_endpoints_by_ip.get(ip, ()) if rep.vpc_id in holders]
    if inbound:
        holders = sorted({rep.vpc_id for rep in inbound})
    if not holders:
        return ForwardTarget(ip, problem=f"{ip} is in no scanned VPC: its side is not visible")
    if len(holders) > 1:
        return ForwardTarget(ip, problem=f"{ip} is in several scanned VPCs ({', '.join(holders)}): which is unclear")
    (vpc_id,) = holders
    vpc = inv.vpcs[vpc_id]
    if not inv.has(vpc.account_id, vpc.region, Api.LIST_RESOLVER_ENDPOINTS, Api.LIST_RESOLVER_ENDPOINT_IP_ADDRESSES):
        return ForwardTarget(
            ip,
            vpc_id,
            problem=f"Resolver endpoints of account {vpc.account_id} in {vpc.region} not collected "
            "(route53resolver:ListResolverEndpoints, route53resolver:ListResolverEndpointIpAddresses)",
        )
    if not inbound:
        return ForwardTarget(ip, vpc_id, known=True, problem=f"no inbound Resolver endpoint of {vpc_id} holds {ip}")
    rep = inbound[0]
    address = next((a for a in rep.addresses or () if a.ip == ip), None)
    if rep.status != "OPERATIONAL":
        problem = f"inbound endpoint {rep.id} holding {ip} is {rep.status}"
        return ForwardTarget(ip, vpc_id, known=True, endpoint_id=rep.id, problem=problem)
    if address is not None and not address.attached:
        problem = f"address {ip} of inbound endpoint {rep.id} is {address.status}"
        return ForwardTarget(ip, vpc_id, known=True, endpoint_id=rep.id, problem=problem)
    return ForwardTarget(ip, vpc_id, known=True, serving=True, endpoint_id=rep.id)


def followed_vpc(inv: Inventory, rule: ResolverRule, resolver_vpc: str) -> str:
    """The scanned VPC whose Resolver answers what `rule` forwards: every target is known, the serving ones are
    inbound endpoint addresses of that one VPC (the others are rslv-rule-target's). "" when the answer comes from
    servers the scan cannot see, or several VPCs."""
    targets = forward_targets(inv, rule)
    serving = {t.vpc_id for t in targets if t.serving}
    if len(serving) != 1 or not all(t.known for t in targets):
        return ""
    (hub,) = serving
    return "" if hub == resolver_vpc else hub


def forwarding_spokes(
    inv: Inventory, endpoint_vpc: str, hubs: frozenset[str], names: tuple[str, ...]
) -> tuple[str, ...]:
    """VPCs associated with an active forwarding rule for one of `names` whose answers come from the Resolver
    of `endpoint_vpc` or of another of `hubs` (VPCs whose zones lead to the endpoint)."""
    out: set[str] = set()
    for rule_id, vpcs in rule_clients(inv).items():
        rule = inv.dns.rules[rule_id]
        if not any(covers(rule.domain, n) for n in names):
            continue
        hub = followed_vpc(inv, rule, "")
        if hub and (hub == endpoint_vpc or hub in hubs):
            out.update(v for v in vpcs if v != hub)
    return tuple(sorted(out - {endpoint_vpc}))


def covers(domain: str, name: str) -> bool:
    """The rule takes the name, or (a wildcard name) some names below it."""
    base = name.removeprefix("*.")
    return under(base, domain) or (name.startswith("*.") and under(domain, base))
