"""Per-endpoint DNS path verdict: for each VPC whose clients use an interface endpoint, the way they reach it.

The VPCs judged are the endpoint's own and every VPC associated with a private hosted zone whose records alias,
CNAME or point (literal IPs) to it, whichever scanned account owns the zone, the endpoint or the VPC: all three
are joined by id. For each, the service's private DNS names are resolved in that VPC (dns/resolve.py) and the
answers become one mode:

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

from vpce_audit.dns.resolve import (
    DNS_OFF,
    FORWARDED,
    NO_ANSWER,
    PRIVATE_DNS,
    PUBLIC,
    RECORDS,
    UNKNOWN,
    Answer,
    endpoint_private_names,
    is_vpce_name,
    resolve,
    resolver_context,
    vpce_id_of,
    vpce_region,
    zonal_az_name,
)
from vpce_audit.model.dns import HostedZone, RecordSet
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Endpoint, EndpointType

MODE_PRIVATE_DNS = "private-dns"
MODE_ALIAS_REGIONAL = "phz-alias-regional"
MODE_ALIAS_ZONAL = "phz-alias-zonal"
MODE_STATIC_IPS = "phz-static-ips"
MODE_NAMES_ONLY = "endpoint-names-only"
MODE_FORWARDED = "forwarded"
MODE_BROKEN = "broken"
MODE_UNKNOWN = "unknown"
# When a VPC's names disagree, the verdict is the worst of them: a false "healthy" is the costliest mistake.
WORST_FIRST = (
    MODE_BROKEN,
    MODE_UNKNOWN,
    MODE_FORWARDED,
    MODE_NAMES_ONLY,
    MODE_STATIC_IPS,
    MODE_ALIAS_ZONAL,
    MODE_ALIAS_REGIONAL,
    MODE_PRIVATE_DNS,
)
# Modes in which a zone-reached VPC's clients really use this endpoint.
REACHING_MODES = frozenset({MODE_ALIAS_REGIONAL, MODE_ALIAS_ZONAL, MODE_STATIC_IPS})
VIA_ENDPOINT_VPC = "endpoint-vpc"
DESCRIBE_ENDPOINTS = "ec2:DescribeVpcEndpoints"
VIA_ZONE = "zone"


# --- where a record sends clients --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    # "endpoint" | "dangling" | "ips" | "other" | "unaudited" (its account or region is outside the scan) |
    # "uncollected" (inside the scan, but the endpoint list that would decide it failed: no finding)
    kind: str
    name: str = ""  # the alias or CNAME target
    endpoint: Endpoint | None = None  # endpoint: the one named; ips: the one the IPs are meant for
    zonal_az: str = ""  # AZ name of a zonal endpoint name
    ips: tuple[str, ...] = ()
    stale: tuple[str, ...] = ()  # ips: addresses no current ENI of the service's endpoints holds
    ips_known: bool = True  # ips: False when the target's ENIs were not collected
    detail: str = ""


def live_endpoints_by_name(inv: Inventory) -> dict[str, Endpoint]:
    key = "dns.endpoints_by_name"
    if key not in inv.memo:
        inv.memo[key] = {
            entry.name: ep for ep in inv.endpoints_of(EndpointType.INTERFACE) for entry in ep.dns_entries if entry.name
        }
    result: dict[str, Endpoint] = inv.memo[key]
    return result


def endpoint_ips(inv: Inventory, ep: Endpoint) -> frozenset[str]:
    return frozenset(ip for e in ep.eni_ids if e in inv.enis for ip in inv.enis[e].private_ips)


def _endpoints_by_ip(inv: Inventory) -> dict[str, tuple[Endpoint, ...]]:
    key = "dns.endpoints_by_ip"
    if key not in inv.memo:
        out: dict[str, list[Endpoint]] = {}
        for ep in inv.endpoints_of(EndpointType.INTERFACE):
            for ip in sorted(endpoint_ips(inv, ep)):
                out.setdefault(ip, []).append(ep)
        inv.memo[key] = {ip: tuple(eps) for ip, eps in out.items()}
    result: dict[str, tuple[Endpoint, ...]] = inv.memo[key]
    return result


def services_for_name(inv: Inventory, name: str) -> frozenset[str]:
    """Service names whose private DNS names include `name`, literally or through their wildcard."""
    exact, wildcard = _service_names(inv)
    found = set(exact.get(name, ()))
    if wildcard and name:
        # A wildcard `*.d` covers the names strictly below d: d is what follows one of the name's dots ("" = root).
        found.update(wildcard.get("", ()))
        dot = name.find(".")
        while dot != -1:
            found.update(wildcard.get(name[dot + 1 :], ()))
            dot = name.find(".", dot + 1)
    return frozenset(found)


def _service_names(inv: Inventory) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(private DNS name -> services, wildcard base -> services), built once: every record asks."""
    key = "dns.service_names"
    if key not in inv.memo:
        exact: dict[str, set[str]] = {}
        wildcard: dict[str, set[str]] = {}
        for service in inv.services.values():
            for n in service.private_dns_names:
                exact.setdefault(n, set()).add(service.name)
                if n.startswith("*."):
                    wildcard.setdefault(n[2:], set()).add(service.name)
        inv.memo[key] = (exact, wildcard)
    result: tuple[dict[str, set[str]], dict[str, set[str]]] = inv.memo[key]
    return result


def interface_endpoints_by_service(inv: Inventory) -> dict[str, tuple[Endpoint, ...]]:
    key = "dns.interface_endpoints_by_service"
    if key not in inv.memo:  # every A record named for a service asks: a scan of all endpoints each is quadratic
        index: dict[str, list[Endpoint]] = {}
        for ep in inv.endpoints_of(EndpointType.INTERFACE):
            index.setdefault(ep.service_name, []).append(ep)
        inv.memo[key] = {s: tuple(eps) for s, eps in index.items()}
    result: dict[str, tuple[Endpoint, ...]] = inv.memo[key]
    return result


def record_target(inv: Inventory, zone: HostedZone, record: RecordSet) -> Target:
    # Every record is asked about by several checks and by the spokes of each endpoint: decided once.
    targets: dict[tuple[str, str, str, str], Target] = inv.memo.setdefault("dns.record_targets", {})
    key = (zone.id, record.name, record.type, record.set_identifier)
    found = targets.get(key)
    if found is None:
        found = targets[key] = _record_target(inv, zone, record)
    return found


def _record_target(inv: Inventory, zone: HostedZone, record: RecordSet) -> Target:
    name = record.target_name
    if name:
        return _name_target(inv, zone, name) if is_vpce_name(name) else Target("other", name)
    if record.type in ("A", "AAAA"):
        return _ips_target(inv, zone, record)
    return Target("other", detail=f"{record.type} record")


def _name_target(inv: Inventory, zone: HostedZone, name: str) -> Target:
    ep = live_endpoints_by_name(inv).get(name)
    if ep is not None:
        az_name = zonal_az_name(name)
        az_id = next(
            (inv.subnets[s].az_id for s in ep.subnet_ids if s in inv.subnets and inv.subnets[s].az_name == az_name),
            "",
        )
        return Target("endpoint", name, ep, az_name, detail=f"{az_name} ({az_id})" if az_name and az_id else az_name)
    vpce_id = vpce_id_of(name)
    known = inv.endpoints.get(vpce_id)
    if known is not None:
        state = known.state if not known.live else f"{known.state} without that name"
        return Target("dangling", name, detail=f"{vpce_id} is {state}")
    region = vpce_region(name)
    account = zone.owner_account
    if account and region and (account, region) in inv.scanned:
        # Scanned is not collected: an endpoint list that failed here, or in any other scanned account of the
        # region (a CNAME may name another account's endpoint), leaves the name unverifiable, not dangling.
        gaps = inv.not_collected(DESCRIBE_ENDPOINTS, region)
        if gaps:
            detail = f"{vpce_id or name}: {not_collected_text(DESCRIBE_ENDPOINTS, gaps)}"
            return Target("uncollected", name, detail=detail)
        return Target("dangling", name, detail=f"no endpoint of audited account {account} in {region} has it")
    where = f"account {account or zone.owner or '?'} in {region or '?'}"
    return Target("unaudited", name, detail=f"{vpce_id or name}: its endpoints ({where}) were not audited")


def not_collected_text(api: str, parts: Iterable[tuple[str, str]]) -> str:
    """ "ec2:X was not collected for account A in R, account B in R"."""
    return f"{api} was not collected for " + ", ".join(f"account {a} in {r}" for a, r in parts)


def _ips_target(inv: Inventory, zone: HostedZone, record: RecordSet) -> Target:
    ips = record.values
    services = services_for_name(inv, record.name)
    holders = _endpoints_by_ip(inv)
    if services:
        by_service = interface_endpoints_by_service(inv)
        candidates = sorted((ep for s in services for ep in by_service.get(s, ())), key=lambda e: e.id)
    else:
        candidates = sorted({ep.id: ep for ip in ips for ep in holders.get(ip, ())}.values(), key=lambda e: e.id)
    if not candidates:
        return Target("ips", ips=ips, detail="no audited endpoint holds these IPs or serves this name")

    def rank(ep: Endpoint) -> tuple[int, bool, bool]:
        held = endpoint_ips(inv, ep)
        return (sum(ip in held for ip in ips), ep.vpc_id in zone.vpc_ids, ep.account_id == zone.owner_account)

    ranked = sorted(candidates, key=lambda e: (rank(e), e.id), reverse=True)
    if len(ranked) > 1 and rank(ranked[0]) == rank(ranked[1]):
        ids = ", ".join(sorted(e.id for e in ranked if rank(e) == rank(ranked[0])))
        return Target("ips", ips=ips, detail=f"cannot tell which endpoint these IPs are meant for ({ids})")
    best = ranked[0]
    # Which IPs are stale is only known when every scanned account of the region listed its endpoints and
    # their ENIs: an address may belong to an endpoint whose account's list failed.
    for api in (DESCRIBE_ENDPOINTS, "ec2:DescribeNetworkInterfaces"):
        gaps = inv.not_collected(api, best.region)
        if gaps:
            return Target("ips", ips=ips, endpoint=best, ips_known=False, detail=not_collected_text(api, gaps))
    held = set().union(*(endpoint_ips(inv, ep) for ep in candidates)) if services else set(endpoint_ips(inv, best))
    return Target("ips", ips=ips, endpoint=best, stale=tuple(ip for ip in ips if ip not in held))


def target_mode(t: Target, ep: Endpoint) -> tuple[str, str]:
    """(mode, reason) for clients of `ep` whose name resolves to this target."""
    if t.kind == "endpoint":
        assert t.endpoint is not None
        if t.endpoint.id != ep.id:
            return MODE_NAMES_ONLY, f"the name leads to {t.endpoint.id}, not this endpoint"
        if t.zonal_az:
            return MODE_ALIAS_ZONAL, f"aliased to the zonal name {t.name}: every client goes to {t.detail}"
        return MODE_ALIAS_REGIONAL, f"aliased to the regional name {t.name}"
    if t.kind == "dangling":
        return MODE_BROKEN, f"aliased to {t.name}, which no endpoint has ({t.detail})"
    if t.kind in ("unaudited", "uncollected"):
        return MODE_UNKNOWN, f"aliased to {t.name}: unverifiable, {t.detail}"
    if t.kind == "ips":
        listed = ", ".join(t.ips)
        if t.endpoint is None or not t.ips_known:
            return MODE_UNKNOWN, f"literal IPs {listed}: {t.detail}"
        if t.endpoint.id != ep.id:
            return MODE_NAMES_ONLY, f"literal IPs {listed} belong to {t.endpoint.id}, not this endpoint"
        if set(t.stale) == set(t.ips):
            return MODE_BROKEN, f"literal IPs {listed}: no current endpoint ENI holds any of them"
        stale = f" ({', '.join(t.stale)} held by no current ENI)" if t.stale else ""
        return MODE_STATIC_IPS, f"literal IPs {listed}{stale}"
    return MODE_UNKNOWN, f"resolves to {t.name or t.detail}, which is not a VPC endpoint name"


# --- the verdict -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NamePath:
    name: str
    mode: str
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "mode": self.mode, "reason": self.reason, "evidence": self.evidence}


@dataclass(frozen=True, slots=True)
class VpcPath:
    vpc_id: str
    account_id: str  # "" when the VPC was not audited
    region: str
    via: str  # endpoint-vpc | zone
    mode: str
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)
    names: tuple[NamePath, ...] = ()
    warnings: tuple[str, ...] = ()
    zone_ids: tuple[str, ...] = ()  # zones whose records lead this VPC's clients to the endpoint
    custom_mode: str = ""  # how clients configured with custom record names reach it, when default ones do not

    @property
    def reach_mode(self) -> str:
        """The mode in which some clients of this VPC do reach the endpoint, "" if none."""
        if self.mode in REACHING_MODES or self.mode == MODE_PRIVATE_DNS:
            return self.mode
        return self.custom_mode

    def to_dict(self) -> dict[str, Any]:
        return {
            "vpc_id": self.vpc_id,
            "account_id": self.account_id,
            "region": self.region,
            "via": self.via,
            "mode": self.mode,
            "reason": self.reason,
            "evidence": self.evidence,
            "names": [n.to_dict() for n in self.names],
            "warnings": list(self.warnings),
            "zone_ids": list(self.zone_ids),
        } | ({"custom_mode": self.custom_mode} if self.custom_mode else {})


@dataclass(frozen=True, slots=True)
class DnsPath:
    endpoint_id: str
    vpcs: tuple[VpcPath, ...] = ()

    def to_dict(self) -> list[dict[str, Any]]:
        return [v.to_dict() for v in self.vpcs]

    def summary(self) -> str:
        return "; ".join(f"{v.vpc_id} {v.mode}" for v in self.vpcs)


def worst(modes: Iterable[str]) -> str:
    ranked = sorted(modes, key=WORST_FIRST.index)
    return ranked[0] if ranked else MODE_UNKNOWN


Link = tuple[HostedZone, RecordSet]


def zone_links(inv: Inventory) -> dict[str, dict[str, tuple[Link, ...]]]:
    """endpoint id -> VPC id -> the (zone, record) pairs that lead that VPC's clients to the endpoint."""
    key = "dns.zone_links"
    if key not in inv.memo:
        out: dict[str, dict[str, list[Link]]] = {}
        for zone_id in sorted(inv.dns.zones):
            zone = inv.dns.zones[zone_id]
            for record in zone.records or ():
                target = record_target(inv, zone, record)
                if target.endpoint is None or target.kind not in ("endpoint", "ips"):
                    continue
                for vpc_id in zone.vpc_ids:
                    out.setdefault(target.endpoint.id, {}).setdefault(vpc_id, []).append((zone, record))
        inv.memo[key] = {ep: {v: tuple(links) for v, links in by_vpc.items()} for ep, by_vpc in out.items()}
    result: dict[str, dict[str, tuple[Link, ...]]] = inv.memo[key]
    return result


def dns_path(inv: Inventory, ep: Endpoint) -> DnsPath:
    key = f"dns.path.{ep.id}"
    if key not in inv.memo:
        links = zone_links(inv).get(ep.id, {})
        vpcs = [ep.vpc_id, *sorted(v for v in links if v != ep.vpc_id)]
        inv.memo[key] = DnsPath(ep.id, tuple(_vpc_path(inv, ep, v, links.get(v, ())) for v in vpcs))
    result: DnsPath = inv.memo[key]
    return result


def reached_vpcs(inv: Inventory, ep: Endpoint) -> tuple[VpcPath, ...]:
    """Audited VPCs other than the endpoint's own whose clients reach it through a private hosted zone."""
    return tuple(
        v for v in dns_path(inv, ep).vpcs if v.via == VIA_ZONE and v.reach_mode in REACHING_MODES and v.account_id
    )


def _vpc_path(inv: Inventory, ep: Endpoint, vpc_id: str, links: tuple[Link, ...]) -> VpcPath:
    via = VIA_ENDPOINT_VPC if vpc_id == ep.vpc_id else VIA_ZONE
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
            MODE_UNKNOWN,
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
        mode, reason = MODE_NAMES_ONLY, "the service publishes no private DNS name: clients must use vpce names"
    # Records under other names (ssm.corp.internal) lead here only for clients configured with them: they do
    # not change what default SDK clients get, so the mode stays, and the custom path is told apart.
    reaching = [p for p in custom if p.mode in REACHING_MODES]
    custom_mode = ""
    if mode == MODE_NAMES_ONLY and reaching:
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


def _combined(paths: Iterable[NamePath]) -> tuple[str, str]:
    paths = tuple(paths)
    mode = worst(p.mode for p in paths)
    deciding = next(p for p in paths if p.mode == mode)
    return mode, f"{deciding.name}: {deciding.reason}"


def _unaudited(
    inv: Inventory, ep: Endpoint, vpc_id: str, via: str, links: tuple[Link, ...], zone_ids: tuple[str, ...]
) -> VpcPath:
    zone_mode = worst(target_mode(record_target(inv, z, r), ep)[0] for z, r in links) if links else MODE_UNKNOWN
    own = via == VIA_ENDPOINT_VPC  # the endpoint's account and region hold it, so they say what was missing
    return VpcPath(
        vpc_id,
        ep.account_id if own else "",
        ep.region if own else "",
        via,
        MODE_UNKNOWN,
        _undescribed_reason(inv, ep, vpc_id, own, zone_ids),
        {"vpc_id": vpc_id, "zone_mode": zone_mode},
        zone_ids=zone_ids,
    )


UNKNOWN_VPC_DNS = "DNS attributes, DHCP options, private zones and Resolver rules"


def _undescribed_reason(inv: Inventory, ep: Endpoint, vpc_id: str, own: bool, zone_ids: tuple[str, ...]) -> str:
    """Why a VPC the verdict needs is not in the inventory. Advice to audit an account is given only when
    no scanned account failed to describe its VPCs: otherwise the VPC may be one of theirs."""
    zones = f" (associated with zone(s) {', '.join(zone_ids)})" if zone_ids else ""
    if own:
        if not inv.has(ep.account_id, ep.region, "ec2:DescribeVpcs"):
            gap = not_collected_text("ec2:DescribeVpcs", [(ep.account_id, ep.region)])
            return f"{gap}: the {UNKNOWN_VPC_DNS} of {vpc_id}{zones} are unknown"
        return (
            f"{vpc_id} was not among the VPCs ec2:DescribeVpcs returned for account {ep.account_id} in "
            f"{ep.region}: its {UNKNOWN_VPC_DNS} are unknown"
        )
    gaps = inv.not_collected("ec2:DescribeVpcs")
    if gaps:
        return (
            f"{vpc_id}{zones} was described by no scanned account, and {not_collected_text('ec2:DescribeVpcs', gaps)}"
            f" (it may be theirs): its {UNKNOWN_VPC_DNS} are unknown"
        )
    return f"{vpc_id}{zones} was not audited: its {UNKNOWN_VPC_DNS} are unknown; audit its account"


def _name_path(inv: Inventory, ep: Endpoint, answer: Answer) -> NamePath:
    mode, reason = _answer_mode(inv, ep, answer)
    return NamePath(answer.name, mode, reason, answer.evidence())


def _answer_mode(inv: Inventory, ep: Endpoint, answer: Answer) -> tuple[str, str]:
    outcome = answer.outcome
    if outcome == UNKNOWN:
        return MODE_UNKNOWN, answer.reason
    if outcome == DNS_OFF or outcome in NO_ANSWER:
        return MODE_BROKEN, answer.reason
    if outcome == FORWARDED:
        return MODE_FORWARDED, answer.reason
    if outcome == PUBLIC:
        return MODE_NAMES_ONLY, answer.reason + " (public IPs: clients bypass the endpoint)"
    if outcome == PRIVATE_DNS:
        assert answer.endpoint is not None
        if answer.endpoint.id == ep.id:
            return MODE_PRIVATE_DNS, answer.reason
        return MODE_NAMES_ONLY, f"{answer.reason}, not this endpoint"
    assert outcome == RECORDS and answer.zone is not None
    judged = [target_mode(record_target(inv, answer.zone, r), ep) for r in answer.records]
    mode = worst(m for m, _ in judged)
    why = next(r for m, r in judged if m == mode)
    return mode, f"{answer.reason}: {why}"


def _warnings(inv: Inventory, ep: Endpoint, vpc_id: str, mode: str) -> tuple[str, ...]:
    out = []
    vpc = inv.vpcs[vpc_id]
    if mode in (MODE_PRIVATE_DNS, *REACHING_MODES):
        if vpc.dns_hostnames is False:
            out.append(f"enableDnsHostnames is false in {vpc_id}: AWS requires it for private DNS and private zones")
        elif vpc.dns_hostnames is None:
            out.append(f"enableDnsHostnames of {vpc_id} not collected (ec2:DescribeVpcAttribute)")
    if not ep.available:
        out.append(f"the endpoint is {ep.state}: it carries no traffic")
    return tuple(out)
