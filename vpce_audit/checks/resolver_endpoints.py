"""Route 53 Resolver endpoints are zonal and stateful too: their own AZ spread, their status, and whether the
forwarding rules that carry endpoint names really point at them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from vpce_audit.apis import Api
from vpce_audit.checks.inputs import DNS_PATH, RESOLVER_ENDPOINTS, RESOLVER_RULES, WORKLOADS
from vpce_audit.checks.registry import Category, ResourceType, check
from vpce_audit.dns.forwarding import endpoint_names_by_region, forward_targets, rule_clients
from vpce_audit.dns.kinds import Outcome
from vpce_audit.dns.resolve import resolve
from vpce_audit.model.dns import ResolverEndpoint
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory

# Whose answers say which VPCs use an endpoint: DHCP option sets, beside the Resolver rules and associations.
CLIENT_APIS = (Api.DESCRIBE_VPCS, Api.DESCRIBE_DHCP_OPTIONS)
# Statuses in which the endpoint still answers, while AWS repairs or changes it.
RECOVERING = frozenset({"AUTO_RECOVERING", "UPDATING"})


@dataclass(frozen=True, slots=True)
class EndpointPlacement:
    """The AZ IDs of a Resolver endpoint's serving addresses, or why they cannot be told."""

    az_ids: frozenset[str]
    unknown: str = ""


def placement(inv: Inventory, rep: ResolverEndpoint) -> EndpointPlacement:
    if rep.addresses is None:
        return EndpointPlacement(frozenset(), "its IP addresses were not collected")
    azs = set()
    for a in rep.addresses:
        if not a.attached:
            continue
        subnet = inv.subnets.get(a.subnet_id)
        if subnet is None or not subnet.az_id:
            return EndpointPlacement(frozenset(), f"the subnet of {a.ip} ({a.subnet_id or 'not reported'}) is unknown")
        azs.add(subnet.az_id)
    return EndpointPlacement(frozenset(azs))


def client_vpcs(inv: Inventory, rep: ResolverEndpoint) -> tuple[str, ...]:
    """Scanned VPCs whose queries pass through the endpoint: for an inbound one, VPCs whose DHCP servers or
    associated forwarding rules name its addresses; for an outbound one, VPCs associated with a forwarding rule
    that leaves through it."""
    out: set[str] = set()
    if rep.direction == "INBOUND":
        ips = set(rep.ips or ())
        for vpc_id, vpc in inv.vpcs.items():
            options = inv.dhcp_options.get(vpc.dhcp_options_id)
            if options is not None and ips & set(options.dns_servers) and vpc_id != rep.vpc_id:
                out.add(vpc_id)
        for rule_id, vpcs in rule_clients(inv).items():
            rule = inv.dns.rules[rule_id]
            if ips & set(rule.target_ips):
                out.update(vpcs)
    elif rep.direction == "OUTBOUND":
        for rule_id, vpcs in rule_clients(inv).items():
            if inv.dns.rules[rule_id].resolver_endpoint_id == rep.id:
                out.update(vpcs)
    return tuple(sorted(v for v in out if v in inv.vpcs and inv.vpcs[v].region == rep.region))


@check(
    "rslv-endpoint-single-az",
    title="Resolver endpoint has its serving addresses in one Availability Zone",
    summary="Fires for an inbound or outbound Route 53 Resolver endpoint whose attached IP addresses all sit in one "
    "AZ (by AZ ID) while the scanned VPCs that use it have workloads in more AZs. An inbound endpoint's clients are "
    "the VPCs whose DHCP options or associated forwarding rules name its addresses; an outbound endpoint's are the "
    "VPCs associated with a forwarding rule that leaves through it. On-premises clients are not visible: an endpoint "
    "only they use is not judged.",
    risk="Name resolution through the endpoint stops when its one AZ fails, for clients in every AZ: each endpoint "
    "name they forward or ask for goes unanswered, so workloads lose the endpoints although those still run.",
    severity=Severity.HIGH,
    severity_rule="Always high: the loss of one AZ takes name resolution through the endpoint from every client.",
    remediation="Give the Resolver endpoint an IP address in a subnet of a second AZ (AWS recommends two AZs).",
    references=(
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-forwarding-inbound-queries.html",
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-getting-started.html",
    ),
    category=Category.AVAILABILITY,
    resource_types=(ResourceType.RESOLVER_ENDPOINT,),
    inputs=(*RESOLVER_ENDPOINTS, *RESOLVER_RULES, Api.DESCRIBE_VPCS, Api.DESCRIBE_DHCP_OPTIONS, *WORKLOADS),
)
def rslv_endpoint_single_az(inv: Inventory) -> Iterator[Finding]:
    for rep_id in sorted(inv.dns.resolver_endpoints):
        rep = inv.dns.resolver_endpoints[rep_id]
        if rep.direction not in ("INBOUND", "OUTBOUND"):
            continue
        where = placement(inv, rep)
        if where.unknown or len(where.az_ids) != 1:
            continue
        if not (inv.resolver_known(rep.account_id, rep.region) and inv.has(rep.account_id, rep.region, *CLIENT_APIS)):
            continue  # its clients cannot all be known
        clients = client_vpcs(inv, rep)
        client_azs = frozenset(az for v in clients for az in inv.workload_az_ids(v))
        if not client_azs - where.az_ids:
            continue
        (az,) = where.az_ids
        yield Finding(
            account_id=rep.account_id,
            region=rep.region,
            vpc_id=rep.vpc_id,
            resource_id=rep.id,
            # The message names only the endpoint's own facts: the clients found may grow with what was collected.
            message=f"{rep.direction.lower()} Resolver endpoint {rep.id} serves only from {az}, while VPCs that "
            "use it have workloads in other AZs",
            related_ids=clients,
            evidence={
                "direction": rep.direction,
                "endpoint_az_ids": sorted(where.az_ids),
                "client_vpc_ids": list(clients),
                "client_workload_az_ids": sorted(client_azs),
                "addresses": [{"ip": a.ip, "subnet_id": a.subnet_id, "status": a.status} for a in rep.addresses or ()],
            },
        )


@check(
    "rslv-endpoint-unhealthy",
    title="Resolver endpoint is not operational",
    summary="Fires for each Route 53 Resolver endpoint (inbound or outbound) in a scanned VPC whose status is not "
    "OPERATIONAL: still being created, updating, auto-recovering, needing action, or being deleted.",
    risk="Queries forwarded through an outbound endpoint, or sent to an inbound one, may go unanswered: clients "
    "relying on it for endpoint names lose them.",
    severity=Severity.HIGH,
    severity_rule="Medium while AWS is updating or auto-recovering it (it may still answer from some addresses); "
    "high for any other status (action needed, creating, deleting, or one this version does not know).",
    remediation="Look at the endpoint's status message in the Resolver console; fix its subnets or security groups, "
    "or recreate it.",
    references=("https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53resolver_ResolverEndpoint.html",),
    category=Category.HEALTH,
    resource_types=(ResourceType.RESOLVER_ENDPOINT,),
    inputs=RESOLVER_ENDPOINTS,
)
def rslv_endpoint_unhealthy(inv: Inventory) -> Iterator[Finding]:
    for rep_id in sorted(inv.dns.resolver_endpoints):
        rep = inv.dns.resolver_endpoints[rep_id]
        if rep.status == "OPERATIONAL":
            continue
        yield Finding(
            account_id=rep.account_id,
            region=rep.region,
            vpc_id=rep.vpc_id,
            resource_id=rep.id,
            message=f"{rep.direction.lower()} Resolver endpoint {rep.id} is {rep.status or 'of unknown status'}"
            + (f": {rep.status_message}" if rep.status_message else ""),
            severity=Severity.MEDIUM if rep.status in RECOVERING else Severity.HIGH,
            evidence={"direction": rep.direction, "status": rep.status, "status_message": rep.status_message},
        )


@check(
    "rslv-rule-target",
    title="Forwarding rule for endpoint names does not point at an operational inbound endpoint",
    summary="Fires for an active Resolver forwarding rule that a scanned VPC uses for an interface endpoint's private "
    "DNS name (the rule is what Resolver picks for the name there) when a target address lies in a scanned VPC "
    "whose Resolver endpoints were collected, and is not an attached address of an OPERATIONAL inbound Resolver "
    "endpoint. Targets outside every scanned VPC (on-premises servers) are not judged: the scan cannot see that side.",
    risk="A query forwarded to an address where no inbound endpoint listens gets no answer (the resolver times out "
    "and may try another target), so the hub's zones and endpoints' private DNS never answer the spoke's clients.",
    severity=Severity.HIGH,
    severity_rule="Critical when no target of the rule is a serving inbound endpoint address (the names fail now); "
    "high when some targets are (every query sent to the others waits for a timeout).",
    remediation="Point the rule's targets at the IP addresses of the hub VPC's operational inbound Resolver endpoint.",
    references=(
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-forwarding-outbound-queries.html",
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-forwarding-inbound-queries.html",
    ),
    category=Category.DNS,
    resource_types=(ResourceType.RESOLVER_RULE,),
    inputs=(*DNS_PATH, *RESOLVER_ENDPOINTS),
)
def rslv_rule_target(inv: Inventory) -> Iterator[Finding]:
    names_by_region = endpoint_names_by_region(inv)
    for vpc_id in sorted(inv.vpcs):
        vpc = inv.vpcs[vpc_id]
        names = names_by_region.get(vpc.region, ())
        if not names or not any(vpc_id in vpcs for vpcs in rule_clients(inv).values()):
            continue
        used: dict[str, list[str]] = {}
        for name in names:
            answer = resolve(inv, vpc_id, name)
            rule = answer.forwarding_rule or (answer.rule if answer.outcome is Outcome.FORWARDED else None)
            if rule is not None:
                used.setdefault(rule.id, []).append(name)
        for rule_id in sorted(used):
            rule = inv.dns.rules[rule_id]
            targets = forward_targets(inv, rule)
            judged = [t for t in targets if t.known]
            bad = [t for t in judged if not t.serving]
            if not bad:
                continue
            critical = len(bad) == len(targets)
            yield Finding(
                account_id=vpc.account_id,
                region=vpc.region,
                vpc_id=vpc_id,
                resource_id=rule.id,
                message=f"Resolver rule {rule.id} ({rule.domain or '.'}) forwards {', '.join(used[rule_id])} from "
                f"{vpc_id} to {', '.join(t.ip for t in bad)}: " + "; ".join(t.problem for t in bad),
                severity=Severity.CRITICAL if critical else Severity.HIGH,
                key=vpc_id,
                related_ids=tuple(sorted({t.vpc_id for t in bad if t.vpc_id})),
                evidence={
                    "rule_id": rule.id,
                    "rule_domain": rule.domain or ".",
                    "names": used[rule_id],
                    "targets": [t.to_dict() for t in targets],
                },
            )
