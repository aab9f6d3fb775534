"""What may answer a name in a VPC: its Resolver rules, its private hosted zones (each has an autodefined
rule) and the managed private DNS zones of its interface endpoints. dns/resolve.py picks among them.

A candidate that may not apply (a rule or association not COMPLETE, an endpoint not available) is kept, with
the doubt: if it would win, the answer is unknown rather than a guess either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from vpce_audit.apis import Api
from vpce_audit.dns.index import DnsIndex
from vpce_audit.dns.kinds import CandidateKind
from vpce_audit.dns.names import base, is_vpce_name
from vpce_audit.dns.profiles import delivered_by, profiles_problem
from vpce_audit.model.dns import HostedZone, ResolverRule
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Endpoint, EndpointType

RULE_TYPES = frozenset({"FORWARD", "DELEGATE", "SYSTEM", "RECURSIVE"})
_FORWARDING = frozenset({"FORWARD", "DELEGATE"})


@dataclass(frozen=True, slots=True)
class Candidate:
    domain: str
    kind: CandidateKind
    rule: ResolverRule | None = None
    uncertain: str = ""  # a rule or association not COMPLETE, an endpoint not available: it may not apply
    zone: HostedZone | None = None
    endpoint: Endpoint | None = None
    names: tuple[str, ...] = ()  # private-dns: the names the managed zone answers
    profiles: tuple[str, ...] = ()  # Route 53 Profiles that deliver the rule or zone (issue 14); () for the VPC's own

    @property
    def is_zone(self) -> bool:
        """A zone or a managed private DNS zone: it answers from records, it does not send the name on."""
        return self.kind in (CandidateKind.ZONE, CandidateKind.PRIVATE_DNS)


@dataclass(frozen=True, slots=True)
class Candidates:
    """The candidates of one VPC, or why they cannot all be known (then none is given: a missing one could
    be the one that answers)."""

    found: tuple[Candidate, ...] = ()
    problem: str = ""
    # domain -> positions in `found`: every name asked walks its own suffixes instead of every candidate
    by_domain: Mapping[str, tuple[int, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        positions: dict[str, list[int]] = {}
        for i, c in enumerate(self.found):
            positions.setdefault(c.domain, []).append(i)
        object.__setattr__(self, "by_domain", {d: tuple(p) for d, p in positions.items()})

    def matching(self, name: str) -> list[Candidate]:
        """The candidates whose domain is `name` or above it (names.under), in their order."""
        get = self.by_domain.get
        found = {*get("", ()), *get(name, ())}
        dot = name.find(".")
        while dot != -1:
            found.update(get(name[dot + 1 :], ()))
            dot = name.find(".", dot + 1)
        return [self.found[i] for i in sorted(found)]


def endpoint_private_names(inv: Inventory, ep: Endpoint) -> tuple[str, ...] | None:
    """The private DNS names of the endpoint's service; None when neither the service description nor the
    endpoint's DnsEntries say (ec2:DescribeVpcEndpointServices missing)."""
    service = inv.service_of(ep)
    if service is not None:
        return service.private_dns_names
    named = tuple(sorted({d.name for d in ep.dns_entries if d.name and not is_vpce_name(d.name)}))
    return named if ep.private_dns_enabled and named else None


def _delivery_doubt(inv: Inventory, vpc_id: str, zone: HostedZone) -> str:
    """A zone only Profiles deliver, none of them COMPLETE: whether it answers is unknown (issue 14)."""
    if vpc_id in zone.vpc_ids:
        return ""
    found = inv.dns.profiles.deliveries(vpc_id, zone.id)
    if not found or any(d.status == "COMPLETE" for d in found):
        return ""
    return "; ".join(f"Route 53 Profile {d.profile_id} delivering zone {zone.id} is {d.status}" for d in found)


def interface_endpoints_in(inv: Inventory, vpc_id: str) -> tuple[Endpoint, ...]:
    """Live interface endpoints of one VPC, in id order."""
    return inv.endpoints_in(vpc_id, EndpointType.INTERFACE)


def candidates(inv: Inventory, vpc_id: str) -> Candidates:
    """The candidates of an audited VPC (the one whose resolver answers)."""
    by_vpc = DnsIndex.of(inv).candidates
    found = by_vpc.get(vpc_id)
    if found is None:
        found = by_vpc[vpc_id] = _collect(inv, vpc_id)
    return found


def _collect(inv: Inventory, vpc_id: str) -> Candidates:
    vpc = inv.vpcs[vpc_id]
    if not inv.resolver_known(vpc.account_id, vpc.region):
        return Candidates(
            problem=f"Resolver rules of account {vpc.account_id} in {vpc.region} not collected "
            "(route53resolver:ListResolverRules, route53resolver:ListResolverRuleAssociations)"
        )
    if not inv.zones_listed(vpc_id):
        return Candidates(problem=f"private hosted zones of {vpc_id} not collected (route53:ListHostedZonesByVPC)")
    if not inv.has(vpc.account_id, vpc.region, Api.DESCRIBE_VPC_ENDPOINTS):
        # An endpoint with private DNS is a managed zone among the candidates: without the list, a name its
        # zone answers would look like NXDOMAIN under a parent zone, or public.
        return Candidates(
            problem=f"interface endpoints of account {vpc.account_id} in {vpc.region} not collected "
            f"(ec2:DescribeVpcEndpoints): whether one's private DNS answers in {vpc_id} is unknown"
        )
    problem = profiles_problem(inv, vpc_id)
    if problem:  # a Profile may deliver the zone or rule that answers (issue 14)
        return Candidates(problem=problem)
    out: list[Candidate] = []
    for assoc in inv.rule_associations_of(vpc_id):
        rule = inv.dns.rules.get(assoc.rule_id)
        if rule is None:
            return Candidates(
                problem=f"Resolver rule {assoc.rule_id} (association {assoc.id}) not found in ListResolverRules"
            )
        doubt = []
        if assoc.status != "COMPLETE":
            via = f" (Route 53 Profile {assoc.profile_id})" if assoc.profile_id else ""
            doubt.append(f"association {assoc.id}{via} is {assoc.status}")
        if rule.status != "COMPLETE":
            doubt.append(f"rule {rule.id} is {rule.status}")
        if rule.rule_type not in RULE_TYPES:
            # A type AWS added after this version: whether it forwards is unknown, so it must not pass as SYSTEM.
            doubt.append(f"rule {rule.id} has type {rule.rule_type or 'none'}, which vpce-audit does not know")
        kind = CandidateKind.RULE if rule.rule_type in _FORWARDING else CandidateKind.SYSTEM
        given: tuple[str, ...] = (assoc.profile_id,) if assoc.profile_id else ()
        out.append(Candidate(rule.domain, kind, rule=rule, uncertain="; ".join(doubt), profiles=given))
    for z in inv.zones_of(vpc_id):
        given = () if vpc_id in z.vpc_ids else delivered_by(inv, vpc_id, z.id)
        out.append(
            Candidate(z.name, CandidateKind.ZONE, zone=z, uncertain=_delivery_doubt(inv, vpc_id, z), profiles=given)
        )
    for ep in interface_endpoints_in(inv, vpc_id):
        if not ep.private_dns_enabled or ep.inbound_resolver_only:
            # Inbound-only private DNS (S3) answers queries arriving through a Resolver inbound endpoint,
            # never the VPC's own clients: they resolve the public names and take the gateway endpoint.
            continue
        names = endpoint_private_names(inv, ep)
        if names is None:
            return Candidates(
                problem=f"private DNS names of {ep.service_name} ({ep.id}) not collected (DescribeVpcEndpointServices)"
            )
        # Whether a pending or failed endpoint's private DNS zone answers is not something AWS reports.
        unsure = "" if ep.available else f"{ep.id} is {ep.state}"
        for domain in sorted({base(n) for n in names}):
            out.append(Candidate(domain, CandidateKind.PRIVATE_DNS, endpoint=ep, names=names, uncertain=unsure))
    return Candidates(tuple(out))
