"""How a client in a VPC resolves one name, following Route 53 Resolver's rules of precedence.

The rules (Route 53 developer guide, "Considerations when working
with a private hosted zone" and "Resolving DNS queries between VPCs and your network"):
- clients ask the servers their DHCP option set names (dns/resolver.py says whose resolver that is);
- the most specific match wins among forwarding rules, private hosted zones (each has an autodefined rule) and
  the managed zones of endpoints with private DNS (dns/candidates.py); at the same name a FORWARD rule beats
  a zone;
- a SYSTEM rule sends the name back to the zones and public DNS, overriding less specific forwarding rules;
- a matching zone without the record answers NXDOMAIN: it never falls through to public DNS (dns/zone.py).

Nothing here guesses: when a piece of data was not collected, the answer is `unknown` and names the API.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from vpce_audit.dns.candidates import Candidate, Candidates, candidates
from vpce_audit.dns.firewall import Decision, associations_of, decide, firewall_problem
from vpce_audit.dns.forwarding import followed_vpc
from vpce_audit.dns.index import DnsIndex
from vpce_audit.dns.kinds import CandidateKind, Outcome
from vpce_audit.dns.names import base, is_vpce_name, labels, proper_parent, under
from vpce_audit.dns.resolver import resolver_context
from vpce_audit.dns.zone import lookup, record_evidence
from vpce_audit.model.dns import HostedZone, RecordSet, ResolverRule
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Endpoint

_MAX_CHAIN = 5
# Outcomes that came from a query DNS Firewall sees (the others end before a name is asked, or in no answer).
FILTERED = frozenset({Outcome.RECORDS, Outcome.PRIVATE_DNS, Outcome.PUBLIC, Outcome.FORWARDED})


@dataclass(frozen=True, slots=True)
class Answer:
    name: str  # the name asked; "*.x" for any name below x
    outcome: Outcome
    reason: str
    vpc_id: str = ""
    resolver_vpc_id: str = ""
    zone: HostedZone | None = None
    records: tuple[RecordSet, ...] = ()
    rule: ResolverRule | None = None
    endpoint: Endpoint | None = None  # private-dns: whose managed zone answered
    chain: tuple[str, ...] = ()  # names followed through CNAMEs and aliases, first to last
    overridden: tuple[str, ...] = field(default=())  # zones or managed zones a winning rule shadows
    firewall: Decision | None = None  # DNS Firewall's verdict when it blocks or makes the answer unknown
    forwarded_vpc_id: str = ""  # a forwarding rule sent the query to this VPC's inbound endpoint, which answered
    forwarding_rule: ResolverRule | None = None
    profiles: tuple[str, ...] = ()  # Route 53 Profiles that delivered the deciding zone or rule (issue 14)

    def evidence(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"name": self.name, "outcome": self.outcome.value}
        if self.zone is not None:
            doc |= {"zone_id": self.zone.id, "zone_name": self.zone.name}
        if self.records:
            doc["records"] = [record_evidence(r) for r in self.records]
        if self.rule is not None:
            doc |= {
                "rule_id": self.rule.id,
                "rule_domain": self.rule.domain or ".",
                "rule_type": self.rule.rule_type,
                "target_ips": list(self.rule.target_ips),
            }
        if self.endpoint is not None:
            doc["private_dns_endpoint_id"] = self.endpoint.id
        if len(self.chain) > 1:
            doc["chain"] = list(self.chain)
        if self.overridden:
            doc["overrides"] = list(self.overridden)
        if self.firewall is not None:
            doc["firewall"] = self.firewall.evidence()
        if self.profiles:
            doc["route53_profile_ids"] = list(self.profiles)
        if self.forwarding_rule is not None:
            doc |= {"forwarding_rule_id": self.forwarding_rule.id, "forwarded_to_vpc_id": self.forwarded_vpc_id}
        return doc


def resolve(inv: Inventory, vpc_id: str, name: str) -> Answer:
    """What a client in `vpc_id` gets when it asks for `name` ("*.x": any name below x)."""
    answers = DnsIndex.of(inv).answers
    found = answers.get((vpc_id, name))
    if found is None:
        found = answers[vpc_id, name] = _resolve(inv, vpc_id, name)
    return found


def _resolve(inv: Inventory, vpc_id: str, name: str) -> Answer:
    answer = _resolve_names(inv, vpc_id, name)
    if answer.outcome not in FILTERED:
        return answer
    return _filtered(inv, answer)


def _filtered(inv: Inventory, answer: Answer) -> Answer:
    """The answer as DNS Firewall lets it through (dns/firewall.py): blocked, unknown, or unchanged."""
    rvpc = answer.resolver_vpc_id
    if rvpc != answer.vpc_id:
        # Queries reach another VPC's resolver through its inbound endpoint: whether that VPC's firewall
        # applies to them is not documented, so only a VPC without one is certain.
        if firewall_problem(inv, rvpc) or associations_of(inv, rvpc):
            why = firewall_problem(inv, rvpc) or (
                f"whether the DNS Firewall rule groups of {rvpc} apply to queries arriving through its inbound "
                "Resolver endpoint is not documented"
            )
            return replace(answer, outcome=Outcome.UNKNOWN, reason=why)
        return answer
    problem = firewall_problem(inv, rvpc)
    if problem:
        return replace(answer, outcome=Outcome.UNKNOWN, reason=problem)
    hub = answer.forwarded_vpc_id
    if hub and (firewall_problem(inv, hub) or associations_of(inv, hub)):
        why = firewall_problem(inv, hub) or (
            f"whether the DNS Firewall rule groups of {hub} apply to queries arriving through its inbound "
            "Resolver endpoint is not documented"
        )
        return replace(answer, outcome=Outcome.UNKNOWN, reason=why)
    if not associations_of(inv, rvpc):
        return answer
    names = tuple(answer.chain or (answer.name,)) + tuple(
        sorted({r.target_name for r in answer.records if r.type == "CNAME" and not r.is_alias} - set(answer.chain))
    )
    decision = decide(inv, rvpc, names)
    if decision.unknown:
        return replace(answer, outcome=Outcome.UNKNOWN, reason=decision.unknown, firewall=decision)
    if decision.blocked:
        return replace(answer, outcome=Outcome.BLOCKED, reason=decision.describe(), firewall=decision)
    return answer


def _resolve_names(inv: Inventory, vpc_id: str, name: str) -> Answer:
    ctx = resolver_context(inv, vpc_id)
    if ctx.problem:
        return Answer(name, Outcome.UNKNOWN, ctx.problem, vpc_id)
    resolver_vpc = ctx.resolver_vpc_id
    if ctx.dns_off:
        return Answer(name, Outcome.DNS_OFF, f"enableDnsSupport is false in {resolver_vpc}", vpc_id, resolver_vpc)
    return _in_resolver(inv, vpc_id, resolver_vpc, name, frozenset({resolver_vpc}))


def _in_resolver(inv: Inventory, vpc_id: str, resolver_vpc: str, name: str, seen: frozenset[str]) -> Answer:
    """The answer of `resolver_vpc`'s Resolver to a client of `vpc_id`."""
    found = candidates(inv, resolver_vpc)
    if found.problem:
        return Answer(name, Outcome.UNKNOWN, found.problem, vpc_id, resolver_vpc)
    chain: list[str] = [name]
    answer = _answer(found, name, vpc_id, resolver_vpc)
    if answer.outcome is Outcome.FORWARDED and answer.rule is not None:
        # A rule whose targets are inbound endpoint addresses of one scanned VPC: that VPC's Resolver answers,
        # following the chain itself (issue 14: spokes through forwarding).
        hub = followed_vpc(inv, answer.rule, resolver_vpc)
        if hub and hub not in seen:
            return _forwarded_to(inv, answer, hub, seen)
    while answer.outcome is Outcome.RECORDS and (next_name := _follow(answer)):
        if next_name in chain or len(chain) > _MAX_CHAIN:
            reason = f"CNAME/alias chain {' -> '.join(chain)} loops or is too long"
            return Answer(name, Outcome.UNKNOWN, reason, vpc_id)
        chain.append(next_name)
        answer = _answer(found, next_name, vpc_id, resolver_vpc)
    if len(chain) == 1:
        return answer
    followed = f" (after following {' -> '.join(chain)})"
    return replace(answer, name=name, reason=answer.reason + followed, chain=tuple(chain))


def _forwarded_to(inv: Inventory, forwarded: Answer, hub: str, seen: frozenset[str]) -> Answer:
    rule = forwarded.rule
    assert rule is not None
    via = f"Resolver rule {rule.id} ({rule.domain or '.'}) forwards it to the inbound Resolver endpoint of {hub}"
    hub_vpc = inv.vpcs[hub]
    if hub_vpc.dns_support is None:
        why = f"{via}; enableDnsSupport of {hub} not collected (ec2:DescribeVpcAttribute)"
        return replace(forwarded, outcome=Outcome.UNKNOWN, reason=why)
    if not hub_vpc.dns_support:
        return replace(forwarded, outcome=Outcome.DNS_OFF, reason=f"{via}, where enableDnsSupport is false")
    answer = _in_resolver(inv, forwarded.vpc_id, hub, forwarded.name, seen | {hub})
    return replace(
        answer,
        reason=f"{via}: {answer.reason}",
        resolver_vpc_id=forwarded.resolver_vpc_id,
        rule=answer.rule or rule,
        forwarded_vpc_id=hub,
        forwarding_rule=rule,
    )


def _follow(answer: Answer) -> str:
    """The next name to resolve when every record sends clients to one other name that is not an endpoint
    name: a CNAME anywhere, or an alias to another record of the same zone. "" to stop."""
    targets = {r.target_name for r in answer.records}
    if len(targets) != 1 or "" in targets:
        return ""
    (target,) = targets
    if is_vpce_name(target):
        return ""
    if all(r.type == "CNAME" and not r.is_alias for r in answer.records):
        return target
    zone = answer.zone
    return target if zone is not None and under(target, zone.name) else ""


def _answer(found: Candidates, name: str, vpc_id: str, rvpc: str) -> Answer:
    matching = found.matching(name)
    if not matching:
        reason = "no private zone or Resolver rule matches: public DNS answers"
        return Answer(name, Outcome.PUBLIC, reason, vpc_id, rvpc)
    top = max(labels(c.domain) for c in matching)
    best = [c for c in matching if labels(c.domain) == top]
    rules = sorted((c for c in best if c.kind is CandidateKind.RULE), key=lambda c: c.rule.id if c.rule else "")
    if len({c.rule.id for c in rules if c.rule}) > 1:
        # Only Profiles let two rules for one domain reach a VPC (issue 14); which wins is not documented.
        shown = ", ".join(_describe_rule(c) for c in rules)
        reason = f"Resolver rules {shown} all match {name}: which applies is not documented"
        return Answer(name, Outcome.UNKNOWN, reason, vpc_id, rvpc, profiles=_profiles_of(rules))
    systems = [c for c in best if c.kind is CandidateKind.SYSTEM]
    if rules and systems and any(c.profiles for c in rules + systems):
        # A FORWARD and a SYSTEM rule for one domain, one of them from a Profile: which wins is not documented.
        shown = ", ".join(_describe_rule(c) for c in rules + systems)
        reason = f"Resolver rules {shown} all match {name}: which applies is not documented"
        return Answer(name, Outcome.UNKNOWN, reason, vpc_id, rvpc, profiles=_profiles_of(rules + systems))
    if rules:
        return _forwarded(rules[0], matching, name, vpc_id, rvpc)
    zones = [c for c in best if c.is_zone]
    if not zones:
        # Only SYSTEM rules at the top: Resolver answers from its zones (any specificity) or public DNS.
        system = next(c for c in best if c.kind is CandidateKind.SYSTEM)
        if system.uncertain:
            return Answer(name, Outcome.UNKNOWN, f"{system.uncertain}: whether it applies is unclear", vpc_id, rvpc)
        zones_only = [c for c in matching if c.is_zone]
        if not zones_only:
            return Answer(name, Outcome.PUBLIC, "no private zone matches: public DNS answers", vpc_id, rvpc)
        top = max(labels(c.domain) for c in zones_only)
        zones = [c for c in zones_only if labels(c.domain) == top]
    if len(zones) > 1:
        conflict = "conflicting zones of the same name: " + ", ".join(_describe(c) for c in zones)
        if any(c.profiles for c in zones):
            conflict += " (which of a VPC's own zone and a Route 53 Profile's wins is not documented)"
        return Answer(name, Outcome.UNKNOWN, conflict, vpc_id, rvpc, profiles=_profiles_of(zones))
    if zones[0].uncertain:
        reason = f"{zones[0].uncertain}: whether it answers is unknown"
        return Answer(name, Outcome.UNKNOWN, reason, vpc_id, rvpc, profiles=zones[0].profiles)
    answer = _from_zone(zones[0], name, vpc_id, rvpc)
    if not zones[0].profiles:
        return answer
    return replace(answer, reason=answer.reason + _via(zones[0]), profiles=zones[0].profiles)


def _profiles_of(found: list[Candidate]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for c in found for p in c.profiles))


def _via(c: Candidate) -> str:
    return f" from Route 53 Profile {', '.join(c.profiles)}" if c.profiles else ""


def _describe_rule(c: Candidate) -> str:
    assert c.rule is not None
    return f"{c.rule.id} ({c.rule.domain or '.'}){_via(c)}"


def _describe(c: Candidate) -> str:
    if c.zone is not None:
        return f"zone {c.zone.name} ({c.zone.id}){_via(c)}"
    if c.endpoint is not None:
        return f"private DNS of {c.endpoint.id}"
    return c.domain


def _forwarded(winner: Candidate, matching: list[Candidate], name: str, vpc_id: str, rvpc: str) -> Answer:
    rule = winner.rule
    assert rule is not None
    if winner.uncertain:
        reason = f"{winner.uncertain}: whether it applies is unclear"
        return Answer(name, Outcome.UNKNOWN, reason, vpc_id, rvpc, rule=rule, profiles=winner.profiles)
    shadowed = tuple(_describe(c) for c in matching if c.is_zone)
    targets = ", ".join(rule.target_ips) or "its targets"
    return Answer(
        name,
        Outcome.FORWARDED,
        f"Resolver rule {rule.id} ({rule.domain or '.'}){_via(winner)} forwards it to {targets}",
        vpc_id,
        rvpc,
        rule=rule,
        overridden=shadowed,
        profiles=winner.profiles,
    )


def _from_zone(c: Candidate, name: str, vpc_id: str, rvpc: str) -> Answer:
    if c.kind is CandidateKind.PRIVATE_DNS:
        return _from_private_dns(c, name, vpc_id, rvpc)
    zone = c.zone
    assert zone is not None
    if zone.records is None:
        why = zone.skipped_reason or "records not collected (route53:ListResourceRecordSets)"
        return Answer(name, Outcome.UNKNOWN, f"zone {zone.name} ({zone.id}): {why}", vpc_id, rvpc, zone=zone)
    outcome, records = lookup(zone, name)
    return Answer(name, outcome, _zone_reason(zone, outcome), vpc_id, rvpc, zone=zone, records=records)


def _from_private_dns(c: Candidate, name: str, vpc_id: str, rvpc: str) -> Answer:
    ep = c.endpoint
    assert ep is not None
    if any(n == name or (n.startswith("*.") and proper_parent(base(n), name)) for n in c.names):
        return Answer(name, Outcome.PRIVATE_DNS, f"private DNS of {ep.id} answers", vpc_id, rvpc, endpoint=ep)
    reason = f"the private DNS zone of {ep.id} has no such name"
    return Answer(name, Outcome.NXDOMAIN, reason, vpc_id, rvpc, endpoint=ep)


def _zone_reason(zone: HostedZone, outcome: Outcome) -> str:
    where = f"zone {zone.name} ({zone.id})"
    if outcome is Outcome.RECORDS:
        return f"{where} answers"
    if outcome is Outcome.NXDOMAIN:
        return f"{where} matches but has no record for it: NXDOMAIN"
    return f"{where} has the name but no A, AAAA or CNAME record"
