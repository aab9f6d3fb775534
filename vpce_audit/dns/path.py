"""Per-endpoint DNS path verdict: for each VPC whose clients use an interface endpoint, the way they reach it.

The VPCs judged are the endpoint's own and every VPC a private hosted zone leads to it (dns/links.py). For
each, the service's private DNS names are resolved in that VPC (dns/resolve.py) and the answers become one
mode (dns/kinds.py, Mode):

  private-dns          the endpoint's own private DNS answers
  phz-alias-regional   a customer zone aliases (or CNAMEs) the endpoint's regional name
  phz-alias-zonal      ... one of its zonal names: every client goes to one AZ
  phz-static-ips       a customer zone holds literal ENI IPs
  endpoint-names-only  the service's names resolve elsewhere (public IPs, another endpoint): only clients
                       configured with this endpoint's vpce names use it
  forwarded            a Resolver rule sends the names to other servers
  broken               NXDOMAIN, a dangling alias, IPs no ENI holds, DNS resolution off
  unknown              the data to decide was not collected or cannot be read; the reason says which
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.dns.candidates import endpoint_private_names
from vpce_audit.dns.forwarding import forwarding_spokes
from vpce_audit.dns.index import DnsIndex
from vpce_audit.dns.kinds import NO_ANSWER, REACHING_MODES, WORST_FIRST, Mode, Outcome, TargetKind, Via
from vpce_audit.dns.links import Link, zone_links
from vpce_audit.dns.resolve import Answer, resolve
from vpce_audit.dns.resolver import dhcp_spokes, resolver_context
from vpce_audit.dns.targets import Target, not_collected_text, record_target
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Endpoint

UNKNOWN_VPC_DNS = "DNS attributes, DHCP options, private zones and Resolver rules"


@dataclass(frozen=True, slots=True)
class NamePath:
    name: str
    mode: Mode
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "mode": self.mode.value, "reason": self.reason, "evidence": self.evidence}


@dataclass(frozen=True, slots=True)
class VpcPath:
    vpc_id: str
    account_id: str  # "" when the VPC was not audited
    region: str
    via: Via
    mode: Mode
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)
    names: tuple[NamePath, ...] = ()
    warnings: tuple[str, ...] = ()
    zone_ids: tuple[str, ...] = ()  # zones whose records lead this VPC's clients to the endpoint
    # How clients configured with custom record names reach it, when default ones do not.
    custom_mode: Mode | None = None

    @property
    def reach_mode(self) -> Mode | None:
        """The mode in which some clients of this VPC do reach the endpoint, None if none."""
        if self.mode in REACHING_MODES or self.mode is Mode.PRIVATE_DNS:
            return self.mode
        return self.custom_mode

    def to_dict(self) -> dict[str, Any]:
        return {
            "vpc_id": self.vpc_id,
            "account_id": self.account_id,
            "region": self.region,
            "via": self.via.value,
            "mode": self.mode.value,
            "reason": self.reason,
            "evidence": self.evidence,
            "names": [n.to_dict() for n in self.names],
            "warnings": list(self.warnings),
            "zone_ids": list(self.zone_ids),
        } | ({"custom_mode": self.custom_mode.value} if self.custom_mode else {})


@dataclass(frozen=True, slots=True)
class DnsPath:
    endpoint_id: str
    vpcs: tuple[VpcPath, ...] = ()

    def to_dict(self) -> list[dict[str, Any]]:
        return [v.to_dict() for v in self.vpcs]

    def summary(self) -> str:
        return "; ".join(f"{v.vpc_id} {v.mode}" for v in self.vpcs)


def worst(modes: Iterable[Mode]) -> Mode:
    ranked = sorted(modes, key=WORST_FIRST.index)
    return ranked[0] if ranked else Mode.UNKNOWN


def dns_path(inv: Inventory, ep: Endpoint) -> DnsPath:
    paths = DnsIndex.of(inv).paths
    found = paths.get(ep.id)
    if found is None:
        links = zone_links(inv).get(ep.id, {})
        vpcs = [ep.vpc_id, *sorted(v for v in links if v != ep.vpc_id)]
        # Spokes whose forwarding rules send the names to the endpoint's side (issue 14).
        names = endpoint_private_names(inv, ep) or ()
        forwarding = [v for v in forwarding_spokes(inv, ep.vpc_id, frozenset(links), names) if v not in links]
        # Spokes whose DHCP options name the endpoint VPC's inbound Resolver endpoint: every query is the hub's.
        forwarding += [v for v in dhcp_spokes(inv, ep.vpc_id) if v not in links and v not in forwarding]
        found = paths[ep.id] = DnsPath(
            ep.id,
            tuple(_vpc_path(inv, ep, v, links.get(v, ())) for v in vpcs)
            + tuple(_vpc_path(inv, ep, v, (), Via.FORWARDING) for v in forwarding),
        )
    return found


def reached_vpcs(inv: Inventory, ep: Endpoint) -> tuple[VpcPath, ...]:
    """Audited VPCs other than the endpoint's own whose clients reach it through a private hosted zone or a
    forwarding rule."""
    return tuple(v for v in dns_path(inv, ep).vpcs if reaches(v) and v.account_id)


def reaches(path: VpcPath) -> bool:
    """A VPC other than the endpoint's own whose default clients use the endpoint: through a zone's records,
    or through a forwarding rule to the endpoint's side, where its private DNS or a zone answers."""
    if path.via is Via.ENDPOINT_VPC:
        return False
    # The endpoint's own private DNS answering another VPC's clients: its query went to the endpoint's side
    # (a forwarding rule, which may shadow a zone linking the VPC too).
    return path.reach_mode in REACHING_MODES or path.reach_mode is Mode.PRIVATE_DNS


def target_mode(t: Target, ep: Endpoint) -> tuple[Mode, str]:
    """(mode, reason) for clients of `ep` whose name resolves to this target."""
    if t.kind is TargetKind.ENDPOINT:
        assert t.endpoint is not None
        if t.endpoint.id != ep.id:
            return Mode.NAMES_ONLY, f"the name leads to {t.endpoint.id}, not this endpoint"
        if t.zonal_az:
            return Mode.ALIAS_ZONAL, f"aliased to the zonal name {t.name}: every client goes to {t.detail}"
        return Mode.ALIAS_REGIONAL, f"aliased to the regional name {t.name}"
    if t.kind is TargetKind.DANGLING:
        return Mode.BROKEN, f"aliased to {t.name}, which no endpoint has ({t.detail})"
    if t.kind in (TargetKind.UNAUDITED, TargetKind.UNCOLLECTED):
        return Mode.UNKNOWN, f"aliased to {t.name}: unverifiable, {t.detail}"
    if t.kind is TargetKind.IPS:
        return _ips_mode(t, ep)
    return Mode.UNKNOWN, f"resolves to {t.name or t.detail}, which is not a VPC endpoint name"


def _ips_mode(t: Target, ep: Endpoint) -> tuple[Mode, str]:
    listed = ", ".join(t.ips)
    if t.endpoint is None or not t.ips_known:
        return Mode.UNKNOWN, f"literal IPs {listed}: {t.detail}"
    if t.endpoint.id != ep.id:
        return Mode.NAMES_ONLY, f"literal IPs {listed} belong to {t.endpoint.id}, not this endpoint"
    if set(t.stale) == set(t.ips):
        return Mode.BROKEN, f"literal IPs {listed}: no current endpoint ENI holds any of them"
    stale = f" ({', '.join(t.stale)} held by no current ENI)" if t.stale else ""
    return Mode.STATIC_IPS, f"literal IPs {listed}{stale}"


def _vpc_path(inv: Inventory, ep: Endpoint, vpc_id: str, links: tuple[Link, ...], via: Via | None = None) -> VpcPath:
    via = via or (Via.ENDPOINT_VPC if vpc_id == ep.vpc_id else Via.ZONE)
    zone_ids = tuple(sorted({z.id for z, _ in links}))
    vpc = inv.vpcs.get(vpc_id)
    if vpc is None:
        return _unaudited(inv, ep, vpc_id, via, links, zone_ids)
    evidence = resolver_context(inv, vpc_id).evidence(inv)
    names = endpoint_private_names(inv, ep)
    if names is None:
        return VpcPath(
            vpc_id,
            vpc.account_id,
            vpc.region,
            via,
            Mode.UNKNOWN,
            f"private DNS names of {ep.service_name} not collected (ec2:DescribeVpcEndpointServices)",
            evidence,
            zone_ids=zone_ids,
        )
    default = tuple(_name_path(inv, ep, resolve(inv, vpc_id, n)) for n in names)
    custom_names = sorted({r.name for _, r in links} - set(names))
    custom = tuple(_name_path(inv, ep, resolve(inv, vpc_id, n)) for n in custom_names)
    if default:
        mode, reason = _combined(default)
    else:
        mode, reason = Mode.NAMES_ONLY, "the service publishes no private DNS name: clients must use vpce names"
    # Records under other names (ssm.corp.internal) lead here only for clients configured with them: they do
    # not change what default SDK clients get, so the mode stays, and the custom path is told apart.
    reaching = [p for p in custom if p.mode in REACHING_MODES]
    custom_mode: Mode | None = None
    if mode is Mode.NAMES_ONLY and reaching:
        custom_mode, custom_reason = _combined(reaching)
        reason += f"; clients configured with {', '.join(p.name for p in reaching)} reach it ({custom_reason})"
    return VpcPath(
        vpc_id,
        vpc.account_id,
        vpc.region,
        via,
        mode,
        reason,
        evidence,
        names=default + custom,
        warnings=_warnings(inv, ep, vpc_id, custom_mode or mode),
        zone_ids=zone_ids,
        custom_mode=custom_mode,
    )


def _combined(paths: Iterable[NamePath]) -> tuple[Mode, str]:
    paths = tuple(paths)
    mode = worst(p.mode for p in paths)
    deciding = next(p for p in paths if p.mode is mode)
    return mode, f"{deciding.name}: {deciding.reason}"


def _unaudited(
    inv: Inventory, ep: Endpoint, vpc_id: str, via: Via, links: tuple[Link, ...], zone_ids: tuple[str, ...]
) -> VpcPath:
    zone_mode = worst(target_mode(record_target(inv, z, r), ep)[0] for z, r in links) if links else Mode.UNKNOWN
    own = via is Via.ENDPOINT_VPC  # the endpoint's account and region hold it, so they say what was missing
    return VpcPath(
        vpc_id,
        ep.account_id if own else "",
        ep.region if own else "",
        via,
        Mode.UNKNOWN,
        _undescribed_reason(inv, ep, vpc_id, own, zone_ids),
        {"vpc_id": vpc_id, "zone_mode": zone_mode.value},
        zone_ids=zone_ids,
    )


def _undescribed_reason(inv: Inventory, ep: Endpoint, vpc_id: str, own: bool, zone_ids: tuple[str, ...]) -> str:
    """Why a VPC the verdict needs is not in the inventory. Advice to audit an account is given only when
    no scanned account failed to describe its VPCs: otherwise the VPC may be one of theirs."""
    zones = f" (associated with zone(s) {', '.join(zone_ids)})" if zone_ids else ""
    if own:
        if not inv.has(ep.account_id, ep.region, Api.DESCRIBE_VPCS):
            gap = not_collected_text(Api.DESCRIBE_VPCS, [(ep.account_id, ep.region)])
            return f"{gap}: the {UNKNOWN_VPC_DNS} of {vpc_id}{zones} are unknown"
        return (
            f"{vpc_id} was not among the VPCs ec2:DescribeVpcs returned for account {ep.account_id} in "
            f"{ep.region}: its {UNKNOWN_VPC_DNS} are unknown"
        )
    gaps = inv.not_collected(Api.DESCRIBE_VPCS)
    if gaps:
        return (
            f"{vpc_id}{zones} was described by no scanned account, and {not_collected_text('ec2:DescribeVpcs', gaps)}"
            f" (it may be theirs): its {UNKNOWN_VPC_DNS} are unknown"
        )
    return f"{vpc_id}{zones} was not audited: its {UNKNOWN_VPC_DNS} are unknown; audit its account"


def _name_path(inv: Inventory, ep: Endpoint, answer: Answer) -> NamePath:
    mode, reason = _answer_mode(inv, ep, answer)
    return NamePath(answer.name, mode, reason, answer.evidence())


def _answer_mode(inv: Inventory, ep: Endpoint, answer: Answer) -> tuple[Mode, str]:
    outcome = answer.outcome
    if outcome is Outcome.UNKNOWN:
        return Mode.UNKNOWN, answer.reason
    if outcome is Outcome.DNS_OFF or outcome in NO_ANSWER or outcome is Outcome.BLOCKED:
        return Mode.BROKEN, answer.reason
    if outcome is Outcome.FORWARDED:
        return Mode.FORWARDED, answer.reason
    if outcome is Outcome.PUBLIC:
        return Mode.NAMES_ONLY, answer.reason + " (public IPs: clients bypass the endpoint)"
    if outcome is Outcome.PRIVATE_DNS:
        assert answer.endpoint is not None
        if answer.endpoint.id == ep.id:
            return Mode.PRIVATE_DNS, answer.reason
        return Mode.NAMES_ONLY, f"{answer.reason}, not this endpoint"
    assert outcome is Outcome.RECORDS and answer.zone is not None
    judged = [target_mode(record_target(inv, answer.zone, r), ep) for r in answer.records]
    mode = worst(m for m, _ in judged)
    why = next(r for m, r in judged if m is mode)
    return mode, f"{answer.reason}: {why}"


def _warnings(inv: Inventory, ep: Endpoint, vpc_id: str, mode: Mode) -> tuple[str, ...]:
    out = []
    vpc = inv.vpcs[vpc_id]
    if mode is Mode.PRIVATE_DNS or mode in REACHING_MODES:
        if vpc.dns_hostnames is False:
            out.append(f"enableDnsHostnames is false in {vpc_id}: AWS requires it for private DNS and private zones")
        elif vpc.dns_hostnames is None:
            out.append(f"enableDnsHostnames of {vpc_id} not collected (ec2:DescribeVpcAttribute)")
    if not ep.available:
        out.append(f"the endpoint is {ep.state}: it carries no traffic")
    return tuple(out)
