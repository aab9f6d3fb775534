"""How a client in a VPC resolves one name, following Route 53 Resolver's rules of precedence.

The rules (Route 53 developer guide, "Considerations when working
with a private hosted zone" and "Resolving DNS queries between VPCs and your network"):
- clients ask the servers their DHCP option set names; only AmazonProvidedDNS, 169.254.169.253 and the primary
  CIDR's base+2 address are the VPC's own resolver; a Resolver inbound endpoint IP is the resolver of the VPC
  that hosts it; any other server answers from data no AWS API shows;
- the most specific match wins among forwarding rules, private hosted zones (each has an autodefined rule) and
  the managed zones of endpoints with private DNS; at the same name a FORWARD rule beats a zone;
- a SYSTEM rule sends the name back to the zones and public DNS, overriding less specific forwarding rules;
- a matching zone without the record answers NXDOMAIN: it never falls through to public DNS.

Nothing here guesses: when a piece of data was not collected, the answer is `unknown` and names the API.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from vpce_audit.model.cidr import holds_ip, offset_address
from vpce_audit.model.dns import HostedZone, RecordSet, ResolverRule
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Endpoint, EndpointType, Vpc

# Outcomes of a resolution.
RECORDS = "records"  # a customer zone answered with these records
PRIVATE_DNS = "private-dns"  # an endpoint's managed private DNS zone answered
FORWARDED = "forwarded"  # a Resolver rule sends the name to other servers
PUBLIC = "public"  # no zone or rule matches: public DNS answers
NXDOMAIN = "nxdomain"  # a matching zone has no such name
NODATA = "nodata"  # the name exists in the zone but has no address record
DNS_OFF = "dns-off"  # enableDnsSupport is false: the VPC resolver does not answer
UNKNOWN = "unknown"
NO_ANSWER = frozenset({NXDOMAIN, NODATA})

AMAZON_DNS_SERVERS = frozenset({"amazonprovideddns", "169.254.169.253", "fd00:ec2::253"})
ADDRESS_TYPES = frozenset({"A", "AAAA", "CNAME"})
VPCE_SUFFIXES = (".vpce.amazonaws.com", ".vpce.amazonaws.com.cn")
_ZONAL = re.compile(r"^vpce-[0-9a-z]+-[0-9a-z]+-([a-z]{2}(?:-gov)?-[a-z]+-\d[a-z])\.")
_VPCE_ID = re.compile(r"(?:^|\.)(vpce-[0-9a-z]+)(?:-|\.)")
_MAX_CHAIN = 5


# --- names -----------------------------------------------------------------------------------------------


def under(name: str, domain: str) -> bool:
    """True when `name` is `domain` or below it; "" is the root and covers everything. A query "*.x" stands
    for any name below x and is compared like one."""
    return domain == "" or name == domain or name.endswith("." + domain)


def proper_parent(domain: str, name: str) -> bool:
    return domain != name and under(name, domain)


def labels(domain: str) -> int:
    return 0 if not domain else domain.count(".") + 1


def base(name: str) -> str:
    """The domain a private name lives in: *.dkr.ecr.x -> dkr.ecr.x."""
    return name.removeprefix("*.")


def is_vpce_name(name: str) -> bool:
    return name.endswith(VPCE_SUFFIXES)


def zonal_az_name(name: str) -> str:
    """The AZ name a zonal endpoint name is pinned to (vpce-<id>-<rand>-us-east-1a.<svc>...), else ""."""
    m = _ZONAL.match(name.removeprefix("*."))
    return m.group(1) if m else ""


def vpce_id_of(name: str) -> str:
    m = _VPCE_ID.search(name)
    return m.group(1) if m else ""


def vpce_region(name: str) -> str:
    """The region in a vpce name: ...<svc>.<region>.vpce.amazonaws.com."""
    for suffix in VPCE_SUFFIXES:
        if name.endswith(suffix):
            return name.removesuffix(suffix).rsplit(".", 1)[-1]
    return ""


# --- records inside one zone -----------------------------------------------------------------------------


def _ancestors(name: str, apex: str) -> Iterable[str]:
    """name's proper ancestors down to the zone apex, nearest first."""
    while name != apex and "." in name:
        name = name.split(".", 1)[1]
        if not under(name, apex):
            return
        yield name


def lookup(zone: HostedZone, name: str) -> tuple[str, tuple[RecordSet, ...]]:
    """What the zone answers for `name`: (RECORDS, address records) or (NXDOMAIN | NODATA, ()).

    Wildcards follow RFC 4592 as Route 53 applies them: `*.p` answers names below the closest existing
    ancestor p. A query "*.x" (any name below x) is answered like a label that does not exist."""
    records = zone.records or ()
    present = {r.name for r in records}
    existing = {zone.name} | present | {a for n in present for a in _ancestors(n, zone.name)}
    if not name.startswith("*.") and name in existing:
        found = tuple(r for r in records if r.name == name and r.type in ADDRESS_TYPES)
        return (RECORDS, found) if found else (NODATA, ())
    start = base(name) if name.startswith("*.") else name.split(".", 1)[1] if "." in name else zone.name
    encloser = next((n for n in (start, *_ancestors(start, zone.name)) if n in existing), zone.name)
    wildcard = tuple(r for r in records if r.name == f"*.{encloser}")
    if not wildcard:
        return NXDOMAIN, ()
    found = tuple(r for r in wildcard if r.type in ADDRESS_TYPES)
    return (RECORDS, found) if found else (NODATA, ())


# --- who answers a VPC's queries ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResolverContext:
    """Whose resolver answers a VPC's clients, or why that cannot be told."""

    vpc_id: str
    resolver_vpc_id: str = ""  # the VPC whose Route 53 Resolver answers; differs via an inbound endpoint
    servers: tuple[str, ...] = ()
    dhcp_options_id: str = ""
    problem: str = ""  # non-empty: the answer is unknown, for this reason
    dns_off: bool = False
    custom_servers: tuple[str, ...] = ()  # servers that are not a VPC resolver

    def evidence(self, inv: Inventory) -> dict[str, Any]:
        vpc = inv.vpcs.get(self.vpc_id)
        doc: dict[str, Any] = {"vpc_id": self.vpc_id}
        if vpc is not None:
            doc |= {
                "dns_support": vpc.dns_support,
                "dns_hostnames": vpc.dns_hostnames,
                "dhcp_options_id": vpc.dhcp_options_id,
                "dns_servers": list(self.servers),
            }
        if self.resolver_vpc_id and self.resolver_vpc_id != self.vpc_id:
            doc["resolver_vpc_id"] = self.resolver_vpc_id
        return doc


def vpc_resolver_address(inv: Inventory, vpc: Vpc) -> str:
    """The VPC resolver's address inside the VPC: base of the primary CIDR plus two."""
    return offset_address(inv.dns.primary_cidr.get(vpc.id, ""), 2)


def server_kind(inv: Inventory, vpc: Vpc, server: str) -> str:
    """ "vpc" for the VPC's own resolver (including its own inbound endpoints), "inbound:<vpc>" for another
    VPC's Resolver inbound endpoint, "custom" for anything else."""
    if server.lower() in AMAZON_DNS_SERVERS or server == vpc_resolver_address(inv, vpc):
        return "vpc"
    hosts = inv.inbound_endpoints_by_ip().get(server, ())
    if holds_ip(server, vpc.cidrs):
        # An address inside the VPC is reached locally, whatever other VPC reuses it.
        return "vpc" if any(h.vpc_id == vpc.id for h in hosts) else "custom"
    other = {h.vpc_id for h in hosts}
    return f"inbound:{next(iter(other))}" if len(other) == 1 else "custom"


def resolver_context(inv: Inventory, vpc_id: str) -> ResolverContext:
    key = f"dns.context.{vpc_id}"
    if key not in inv.memo:
        inv.memo[key] = _resolver_context(inv, vpc_id)
    result: ResolverContext = inv.memo[key]
    return result


def _resolver_context(inv: Inventory, vpc_id: str) -> ResolverContext:
    vpc = inv.vpcs.get(vpc_id)
    if vpc is None:
        return ResolverContext(vpc_id, problem=f"{vpc_id} was not audited (its account or region is not in the scan)")
    options = inv.dhcp_options.get(vpc.dhcp_options_id)
    if options is None:
        return ResolverContext(
            vpc_id,
            dhcp_options_id=vpc.dhcp_options_id,
            problem=f"DHCP option set {vpc.dhcp_options_id} not collected (ec2:DescribeDhcpOptions)",
        )
    servers = options.dns_servers
    if not servers:
        return ResolverContext(
            vpc_id,
            dhcp_options_id=options.id,
            problem=f"DHCP option set {options.id} names no DNS servers",
        )
    kinds = {s: server_kind(inv, vpc, s) for s in servers}
    custom = tuple(s for s, k in kinds.items() if k != "vpc")
    resolvers = {vpc_id if k == "vpc" else k.removeprefix("inbound:") for k in kinds.values() if k != "custom"}
    common = ResolverContext(vpc_id, servers=servers, dhcp_options_id=options.id, custom_servers=custom)
    if "custom" in kinds.values() or len(resolvers) != 1:
        return _with(
            common,
            problem=f"clients ask DNS servers {', '.join(custom)} (DHCP option set {options.id}); what they "
            "answer is not visible to AWS APIs",
        )
    (resolver_vpc_id,) = resolvers
    resolver_vpc = inv.vpcs.get(resolver_vpc_id)
    if resolver_vpc is None:
        return _with(common, problem=f"clients use the Resolver inbound endpoint of {resolver_vpc_id}, not audited")
    common = _with(common, resolver_vpc_id=resolver_vpc_id)
    if resolver_vpc.dns_support is None:
        return _with(
            common,
            problem=f"enableDnsSupport of {resolver_vpc_id} not collected (ec2:DescribeVpcAttribute)",
        )
    return _with(common, dns_off=not resolver_vpc.dns_support)


def _with(ctx: ResolverContext, **changes: Any) -> ResolverContext:
    fields = {name: getattr(ctx, name) for name in ResolverContext.__dataclass_fields__} | changes
    return ResolverContext(**fields)


# --- candidates: rules, zones and managed private DNS zones ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    domain: str
    kind: str  # "rule" (FORWARD/DELEGATE), "system" (SYSTEM/RECURSIVE), "zone", "private-dns"
    rule: ResolverRule | None = None
    uncertain: str = ""  # a rule or association not COMPLETE, an endpoint not available: it may not apply
    zone: HostedZone | None = None
    endpoint: Endpoint | None = None
    names: tuple[str, ...] = ()  # private-dns: the names the managed zone answers


def endpoint_private_names(inv: Inventory, ep: Endpoint) -> tuple[str, ...] | None:
    """The private DNS names of the endpoint's service; None when neither the service description nor the
    endpoint's DnsEntries say (ec2:DescribeVpcEndpointServices missing)."""
    service = inv.service_of(ep)
    if service is not None:
        return service.private_dns_names
    named = tuple(sorted({d.name for d in ep.dns_entries if d.name and not is_vpce_name(d.name)}))
    return named if ep.private_dns_enabled and named else None


def interface_endpoints_in(inv: Inventory, vpc_id: str) -> tuple[Endpoint, ...]:
    """Live interface endpoints of one VPC, in id order."""
    return inv.endpoints_in(vpc_id, EndpointType.INTERFACE)


def _candidates(inv: Inventory, vpc_id: str) -> tuple[tuple[Candidate, ...], str]:
    key = f"dns.candidates.{vpc_id}"
    if key not in inv.memo:
        inv.memo[key] = _collect_candidates(inv, vpc_id)
    result: tuple[tuple[Candidate, ...], str] = inv.memo[key]
    return result


RULE_TYPES = frozenset({"FORWARD", "DELEGATE", "SYSTEM", "RECURSIVE"})


def _collect_candidates(inv: Inventory, vpc_id: str) -> tuple[tuple[Candidate, ...], str]:
    vpc = inv.vpcs[vpc_id]
    if not inv.resolver_known(vpc.account_id, vpc.region):
        return (), (
            f"Resolver rules of account {vpc.account_id} in {vpc.region} not collected "
            "(route53resolver:ListResolverRules, route53resolver:ListResolverRuleAssociations)"
        )
    if not inv.zones_listed(vpc_id):
        return (), f"private hosted zones of {vpc_id} not collected (route53:ListHostedZonesByVPC)"
    if not inv.has(vpc.account_id, vpc.region, "ec2:DescribeVpcEndpoints"):
        # An endpoint with private DNS is a managed zone among the candidates: without the list, a name its
        # zone answers would look like NXDOMAIN under a parent zone, or public.
        return (), (
            f"interface endpoints of account {vpc.account_id} in {vpc.region} not collected "
            f"(ec2:DescribeVpcEndpoints): whether one's private DNS answers in {vpc_id} is unknown"
        )
    out: list[Candidate] = []
    for assoc in inv.rule_associations_of(vpc_id):
        rule = inv.dns.rules.get(assoc.rule_id)
        if rule is None:
            return (), f"Resolver rule {assoc.rule_id} (association {assoc.id}) not found in ListResolverRules"
        doubt = []
        if assoc.status != "COMPLETE":
            doubt.append(f"association {assoc.id} is {assoc.status}")
        if rule.status != "COMPLETE":
            doubt.append(f"rule {rule.id} is {rule.status}")
        if rule.rule_type not in RULE_TYPES:
            # A type AWS added after this version: whether it forwards is unknown, so it must not pass as SYSTEM.
            doubt.append(f"rule {rule.id} has type {rule.rule_type or 'none'}, which vpce-audit does not know")
        kind = "rule" if rule.rule_type in ("FORWARD", "DELEGATE") else "system"
        out.append(Candidate(rule.domain, kind, rule=rule, uncertain="; ".join(doubt)))
    out += [Candidate(z.name, "zone", zone=z) for z in inv.zones_of(vpc_id)]
    for ep in interface_endpoints_in(inv, vpc_id):
        if not ep.private_dns_enabled:
            continue
        names = endpoint_private_names(inv, ep)
        if names is None:
            return (), f"private DNS names of {ep.service_name} ({ep.id}) not collected (DescribeVpcEndpointServices)"
        # Whether a pending or failed endpoint's private DNS zone answers is not something AWS reports.
        unsure = "" if ep.available else f"{ep.id} is {ep.state}"
        for domain in sorted({base(n) for n in names}):
            out.append(Candidate(domain, "private-dns", endpoint=ep, names=names, uncertain=unsure))
    return tuple(out), ""


# --- the answer ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    name: str  # the name asked; "*.x" for any name below x
    outcome: str
    reason: str
    vpc_id: str = ""
    resolver_vpc_id: str = ""
    zone: HostedZone | None = None
    records: tuple[RecordSet, ...] = ()
    rule: ResolverRule | None = None
    endpoint: Endpoint | None = None  # private-dns: whose managed zone answered
    chain: tuple[str, ...] = ()  # names followed through CNAMEs and aliases, first to last
    overridden: tuple[str, ...] = field(default=())  # zones or managed zones a winning rule shadows

    def evidence(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"name": self.name, "outcome": self.outcome}
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
        return doc


def record_evidence(r: RecordSet) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": r.name, "type": r.type}
    if r.alias_target:
        doc["alias_target"] = r.alias_target
    else:
        doc["values"] = list(r.values)
    if r.set_identifier:
        doc["set_identifier"] = r.set_identifier
    return doc


def resolve(inv: Inventory, vpc_id: str, name: str) -> Answer:
    """What a client in `vpc_id` gets when it asks for `name` ("*.x": any name below x)."""
    key = f"dns.resolve.{vpc_id}.{name}"
    if key not in inv.memo:
        inv.memo[key] = _resolve(inv, vpc_id, name)
    answer: Answer = inv.memo[key]
    return answer


def _resolve(inv: Inventory, vpc_id: str, name: str) -> Answer:
    ctx = resolver_context(inv, vpc_id)
    if ctx.problem:
        return Answer(name, UNKNOWN, ctx.problem, vpc_id)
    resolver_vpc = ctx.resolver_vpc_id
    if ctx.dns_off:
        return Answer(name, DNS_OFF, f"enableDnsSupport is false in {resolver_vpc}", vpc_id, resolver_vpc)
    candidates, problem = _candidates(inv, resolver_vpc)
    if problem:
        return Answer(name, UNKNOWN, problem, vpc_id, resolver_vpc)
    chain: list[str] = [name]
    answer = _answer(inv, candidates, name, vpc_id, resolver_vpc)
    while answer.outcome == RECORDS and (next_name := _follow(answer)):
        if next_name in chain or len(chain) > _MAX_CHAIN:
            return Answer(name, UNKNOWN, f"CNAME/alias chain {' -> '.join(chain)} loops or is too long", vpc_id)
        chain.append(next_name)
        answer = _answer(inv, candidates, next_name, vpc_id, resolver_vpc)
    return _replace_chain(answer, name, tuple(chain))


def _replace_chain(answer: Answer, name: str, chain: tuple[str, ...]) -> Answer:
    if len(chain) == 1:
        return answer
    return Answer(
        name,
        answer.outcome,
        answer.reason + f" (after following {' -> '.join(chain)})",
        answer.vpc_id,
        answer.resolver_vpc_id,
        answer.zone,
        answer.records,
        answer.rule,
        answer.endpoint,
        chain,
        answer.overridden,
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


def _answer(inv: Inventory, candidates: tuple[Candidate, ...], name: str, vpc_id: str, rvpc: str) -> Answer:
    matching = [c for c in candidates if under(name, c.domain)]
    if not matching:
        return Answer(name, PUBLIC, "no private zone or Resolver rule matches: public DNS answers", vpc_id, rvpc)
    top = max(labels(c.domain) for c in matching)
    best = [c for c in matching if labels(c.domain) == top]
    rules = sorted((c for c in best if c.kind == "rule"), key=lambda c: c.rule.id if c.rule else "")
    if rules:
        return _forwarded(rules[0], matching, name, vpc_id, rvpc)
    zones = [c for c in best if c.kind in ("zone", "private-dns")]
    if not zones:
        # Only SYSTEM rules at the top: Resolver answers from its zones (any specificity) or public DNS.
        system = next(c for c in best if c.kind == "system")
        if system.uncertain:
            return Answer(name, UNKNOWN, f"{system.uncertain}: whether it applies is unclear", vpc_id, rvpc)
        zones_only = [c for c in matching if c.kind in ("zone", "private-dns")]
        if not zones_only:
            return Answer(name, PUBLIC, "no private zone matches: public DNS answers", vpc_id, rvpc)
        top = max(labels(c.domain) for c in zones_only)
        zones = [c for c in zones_only if labels(c.domain) == top]
    if len(zones) > 1:
        return Answer(
            name,
            UNKNOWN,
            "conflicting zones of the same name: " + ", ".join(_describe(c) for c in zones),
            vpc_id,
            rvpc,
        )
    if zones[0].uncertain:
        return Answer(name, UNKNOWN, f"{zones[0].uncertain}: whether its private DNS answers is unknown", vpc_id, rvpc)
    return _from_zone(zones[0], name, vpc_id, rvpc)


def _describe(c: Candidate) -> str:
    if c.zone is not None:
        return f"zone {c.zone.name} ({c.zone.id})"
    if c.endpoint is not None:
        return f"private DNS of {c.endpoint.id}"
    return c.domain


def _forwarded(winner: Candidate, matching: list[Candidate], name: str, vpc_id: str, rvpc: str) -> Answer:
    rule = winner.rule
    assert rule is not None
    if winner.uncertain:
        return Answer(name, UNKNOWN, f"{winner.uncertain}: whether it applies is unclear", vpc_id, rvpc, rule=rule)
    shadowed = tuple(_describe(c) for c in matching if c.kind in ("zone", "private-dns"))
    targets = ", ".join(rule.target_ips) or "its targets"
    return Answer(
        name,
        FORWARDED,
        f"Resolver rule {rule.id} ({rule.domain or '.'}) forwards it to {targets}",
        vpc_id,
        rvpc,
        rule=rule,
        overridden=shadowed,
    )


def _from_zone(c: Candidate, name: str, vpc_id: str, rvpc: str) -> Answer:
    if c.kind == "private-dns":
        ep = c.endpoint
        assert ep is not None
        if any(n == name or (n.startswith("*.") and proper_parent(base(n), name)) for n in c.names):
            return Answer(name, PRIVATE_DNS, f"private DNS of {ep.id} answers", vpc_id, rvpc, endpoint=ep)
        return Answer(name, NXDOMAIN, f"the private DNS zone of {ep.id} has no such name", vpc_id, rvpc, endpoint=ep)
    zone = c.zone
    assert zone is not None
    if zone.records is None:
        why = zone.skipped_reason or "records not collected (route53:ListResourceRecordSets)"
        return Answer(name, UNKNOWN, f"zone {zone.name} ({zone.id}): {why}", vpc_id, rvpc, zone=zone)
    outcome, records = lookup(zone, name)
    reasons = {
        RECORDS: f"zone {zone.name} ({zone.id}) answers",
        NXDOMAIN: f"zone {zone.name} ({zone.id}) matches but has no record for it: NXDOMAIN",
        NODATA: f"zone {zone.name} ({zone.id}) has the name but no A, AAAA or CNAME record",
    }
    return Answer(name, outcome, reasons[outcome], vpc_id, rvpc, zone=zone, records=records)
