"""Route 53 and Resolver collection: what lands in the snapshot, how many calls it costs, how failures are
recorded, and that the per-account pacing holds."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto.core.responses import ActionResult
from moto.route53.responses import Route53 as Route53Responses

from tests.conftest import REGION
from vpce_audit.aws.clients import ClientFactory
from vpce_audit.aws.ratelimit import RateLimiter, attach, limiter_of, pace
from vpce_audit.collect.resolver import resolver_client
from vpce_audit.collect.route53 import route53_client, route53_region
from vpce_audit.collect.scan import scan_account
from vpce_audit.collect.units import caller_account
from vpce_audit.snapshot import GLOBAL_REGION, Part, Snapshot, dump_snapshot, load_snapshot

SSM_ZONE = "ssm.us-east-1.amazonaws.com"
CORP_ZONE = "corp.example.com"
OTHER_ZONE = "other.example.com"
CORP_RECORDS = 350  # more than one page of 300
ROUTE53_KEYS = {
    "route53:ListHostedZones",  # account-wide (issue 14): asked in a scan limited to chosen VPCs too
    "route53:ListHostedZonesByVPC",
    "route53:GetHostedZone",
    "route53:ListResourceRecordSets",
    "route53:SkippedZones",
}
RESOLVER_KEYS = {
    "route53resolver:ListResolverRules",
    "route53resolver:ListResolverRuleAssociations",
    "route53resolver:ListResolverEndpoints",
    "route53resolver:ListResolverEndpointIpAddresses",
}


@dataclass
class DnsWorld:
    vpc_a: str
    vpc_b: str
    vpc_c: str
    zones: dict[str, str] = field(default_factory=dict)  # name -> bare zone id
    resolver_endpoint: str = ""
    rule: str = ""
    endpoints: list[str] = field(default_factory=list)

    @property
    def scope(self) -> tuple[str, ...]:
        return (self.vpc_a, self.vpc_b)


def build_dns_world(session: boto3.Session, interface_endpoints: int = 1, region: str = REGION) -> DnsWorld:
    """Three VPCs. The ssm zone is shared by A and B (a hub zone reaching a spoke), corp.example.com is B's
    alone with two pages of records, other.example.com only C's (out of scope when scanning A and B). A
    Resolver outbound endpoint in A, and a forwarding rule for the ssm name associated with B."""
    ec2 = session.client("ec2", region)
    vpcs = [ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")["Vpc"]["VpcId"] for i in (1, 2, 3)]
    w = DnsWorld(*vpcs)
    subnets = [
        ec2.create_subnet(VpcId=w.vpc_a, CidrBlock=f"10.1.{i}.0/24", AvailabilityZone=f"{region}{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate("ab")
    ]
    for _ in range(interface_endpoints):
        ep = ec2.create_vpc_endpoint(
            VpcId=w.vpc_a,
            ServiceName=f"com.amazonaws.{region}.ssm",
            VpcEndpointType="Interface",
            SubnetIds=subnets,
            PrivateDnsEnabled=False,
        )["VpcEndpoint"]
        w.endpoints.append(ep["VpcEndpointId"])

    r53 = session.client("route53", region_name=region)
    w.zones[SSM_ZONE] = _zone(r53, SSM_ZONE, w.vpc_a, region)
    r53.associate_vpc_with_hosted_zone(HostedZoneId=w.zones[SSM_ZONE], VPC={"VPCRegion": region, "VPCId": w.vpc_b})
    _records(
        r53,
        w.zones[SSM_ZONE],
        [
            {
                "Name": SSM_ZONE,
                "Type": "A",
                "AliasTarget": {
                    "HostedZoneId": "Z7HUB22UULQXV",
                    "DNSName": f"{w.endpoints[0]}-abcd1234.ssm.{region}.vpce.amazonaws.com",
                    "EvaluateTargetHealth": False,
                },
            }
        ],
    )
    w.zones[CORP_ZONE] = _zone(r53, CORP_ZONE, w.vpc_b, region)
    _records(
        r53,
        w.zones[CORP_ZONE],
        [
            {"Name": f"h{i:03}.{CORP_ZONE}", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "10.2.0.10"}]}
            for i in range(CORP_RECORDS)
        ],
    )
    w.zones[OTHER_ZONE] = _zone(r53, OTHER_ZONE, w.vpc_c, region)

    resolver = session.client("route53resolver", region_name=region)
    sg = ec2.create_security_group(GroupName="resolver", Description="resolver", VpcId=w.vpc_a)["GroupId"]
    w.resolver_endpoint = resolver.create_resolver_endpoint(
        CreatorRequestId="out-a",
        Name="out-a",
        SecurityGroupIds=[sg],
        Direction="OUTBOUND",
        IpAddresses=[{"SubnetId": s} for s in subnets],
    )["ResolverEndpoint"]["Id"]
    # moto: rules and associations need Name= and target IPs need Port (moto notes section 6).
    w.rule = resolver.create_resolver_rule(
        CreatorRequestId="fwd-ssm",
        Name="fwd-ssm",
        RuleType="FORWARD",
        DomainName=SSM_ZONE,
        TargetIps=[{"Ip": "192.168.0.2", "Port": 53}],
        ResolverEndpointId=w.resolver_endpoint,
    )["ResolverRule"]["Id"]
    resolver.associate_resolver_rule(ResolverRuleId=w.rule, VPCId=w.vpc_b, Name="fwd-ssm-b")
    return w


def _zone(r53: Any, name: str, vpc_id: str, region: str) -> str:
    zone = r53.create_hosted_zone(
        Name=name,
        CallerReference=f"ref-{name}",
        VPC={"VPCRegion": region, "VPCId": vpc_id},
        HostedZoneConfig={"PrivateZone": True, "Comment": name},
    )["HostedZone"]
    return str(zone["Id"]).removeprefix("/hostedzone/")


def _records(r53: Any, zone_id: str, records: list[dict[str, Any]]) -> None:
    changes = [{"Action": "CREATE", "ResourceRecordSet": r} for r in records]
    r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})


def scan(factory: ClientFactory, regions: tuple[str, ...] = (REGION,), vpc_ids: tuple[str, ...] = ()) -> Snapshot:
    return scan_account(factory, caller_account(factory), regions, vpc_ids)


def unhurried(factory: ClientFactory, regions: tuple[str, ...] = (REGION,)) -> ClientFactory:
    """Pre-attach fast limiters (the first attached wins) so tests about data, not pacing, do not wait."""
    pace(factory.client("route53", "us-east-1"), 1000.0)
    for region in regions:
        pace(factory.client("route53resolver", region), 1000.0)
    return factory


def global_part(snapshot: Snapshot) -> Part:
    (part,) = [p for p in snapshot.parts if p.region == GLOBAL_REGION]
    return part


def regional_part(snapshot: Snapshot, region: str = REGION) -> Part:
    (part,) = [p for p in snapshot.parts if p.region == region]
    return part


def route53_counts(factory: ClientFactory) -> dict[str, int]:
    return {k: v for k, v in factory.counter.counts().items() if k.startswith("route53:")}


def by_vpc(part: Part) -> dict[str, list[str]]:
    return {
        e["VPCId"]: sorted(z["Name"] for z in e["HostedZoneSummaries"])
        for e in part.items("route53:ListHostedZonesByVPC")
    }


def read_zone_ids(part: Part) -> set[str]:
    return {e["HostedZoneId"] for e in part.items("route53:ListResourceRecordSets")}


def fetched_zone_ids(part: Part) -> set[str]:
    return {str(e["HostedZone"]["Id"]).removeprefix("/hostedzone/") for e in part.items("route53:GetHostedZone")}


@pytest.fixture
def world(aws: boto3.Session) -> DnsWorld:
    return build_dns_world(aws)


# --- what lands in the snapshot -------------------------------------------------------------------------------


def test_snapshot_holds_the_contract_keys(aws, world):
    factory = unhurried(ClientFactory(aws))
    snapshot = scan(factory, vpc_ids=world.scope)
    assert snapshot.errors == ()
    part = global_part(snapshot)
    assert part.account_id == caller_account(factory)
    assert set(part.apis) == ROUTE53_KEYS
    entries = part.items("route53:ListHostedZonesByVPC")
    assert {(e["VPCId"], e["VPCRegion"]) for e in entries} == {(world.vpc_a, REGION), (world.vpc_b, REGION)}
    assert by_vpc(part) == {world.vpc_a: [f"{SSM_ZONE}."], world.vpc_b: [f"{CORP_ZONE}.", f"{SSM_ZONE}."]}

    # The hub zone's associations show every VPC it reaches.
    zones = {str(e["HostedZone"]["Name"]): e for e in part.items("route53:GetHostedZone")}
    assert set(zones) == {f"{SSM_ZONE}.", f"{CORP_ZONE}."}
    assert zones[f"{SSM_ZONE}."]["HostedZone"]["Config"]["PrivateZone"] is True
    assert {v["VPCId"] for v in zones[f"{SSM_ZONE}."]["VPCs"]} == {world.vpc_a, world.vpc_b}

    records = {e["HostedZoneId"]: e["ResourceRecordSets"] for e in part.items("route53:ListResourceRecordSets")}
    assert set(records) == {world.zones[SSM_ZONE], world.zones[CORP_ZONE]}  # bare ids, as the contract says
    alias = [r for r in records[world.zones[SSM_ZONE]] if r["Type"] == "A"]
    assert alias[0]["AliasTarget"]["DNSName"].startswith(world.endpoints[0])
    assert len([r for r in records[world.zones[CORP_ZONE]] if r["Type"] == "A"]) == CORP_RECORDS  # all pages
    # other.example.com (C's alone) is out of this scan's scope: found by the account-wide listing, not read.
    assert [e["HostedZoneId"] for e in part.items("route53:SkippedZones")] == [world.zones[OTHER_ZONE]]


def test_resolver_data_goes_into_the_regional_part(aws, world):
    snapshot = scan(unhurried(ClientFactory(aws)), vpc_ids=world.scope)
    part = regional_part(snapshot)
    assert set(part.apis) >= RESOLVER_KEYS
    (rule,) = part.items("route53resolver:ListResolverRules")
    assert (rule["Id"], rule["DomainName"], rule["RuleType"]) == (world.rule, f"{SSM_ZONE}.", "FORWARD")
    (assoc,) = part.items("route53resolver:ListResolverRuleAssociations")
    assert (assoc["ResolverRuleId"], assoc["VPCId"]) == (world.rule, world.vpc_b)
    (endpoint,) = part.items("route53resolver:ListResolverEndpoints")
    assert (endpoint["Id"], endpoint["HostVPCId"]) == (world.resolver_endpoint, world.vpc_a)
    (ips,) = part.items("route53resolver:ListResolverEndpointIpAddresses")
    assert ips["ResolverEndpointId"] == world.resolver_endpoint
    assert len(ips["IpAddresses"]) == 2
    assert all(ip["Ip"].startswith("10.1.") for ip in ips["IpAddresses"])


def test_snapshot_round_trips_the_dns_parts(aws, world, tmp_path):
    snapshot = scan(unhurried(ClientFactory(aws)), vpc_ids=world.scope)
    path = tmp_path / "snap.json"
    path.write_text(dump_snapshot(snapshot))
    loaded = load_snapshot(path)
    assert global_part(loaded).apis == global_part(snapshot).apis
    assert regional_part(loaded).apis == regional_part(snapshot).apis


# --- which zones are read, and what it costs ----------------------------------------------------------------


def test_zones_are_found_only_through_vpcs_in_scope(aws, world):
    factory = unhurried(ClientFactory(aws))
    part = global_part(scan(factory, vpc_ids=world.scope))
    # other.example.com is associated with C only: never fetched nor read when scanning A and B.
    assert world.zones[OTHER_ZONE] not in fetched_zone_ids(part) | read_zone_ids(part)
    # corp.example.com is not an AWS name but B, in scope, uses it: it may alias vpce names, so it is read.
    assert world.zones[CORP_ZONE] in read_zone_ids(part)

    factory = unhurried(ClientFactory(aws))
    part = global_part(scan(factory))  # whole region: C is in scope now
    assert world.zones[OTHER_ZONE] in read_zone_ids(part)


@pytest.mark.parametrize("interface_endpoints", [1, 12])
def test_route53_calls_follow_vpcs_and_zones_not_endpoints(aws, interface_endpoints):
    world = build_dns_world(aws, interface_endpoints)
    factory = unhurried(ClientFactory(aws))
    snapshot = scan(factory, vpc_ids=world.scope)
    assert snapshot.errors == ()
    assert len(regional_part(snapshot).items("ec2:DescribeVpcEndpoints")) == interface_endpoints
    # 1 ListHostedZonesByVPC per VPC, 1 GetHostedZone per owned zone (ssm is seen twice, fetched once),
    # record pages: ssm 1, corp 2 (350 records at 300 a page); other.example.com not at all.
    assert route53_counts(factory) == {
        "route53:ListHostedZones": 1,
        "route53:ListHostedZonesByVPC": 2,
        "route53:GetHostedZone": 2,
        "route53:ListResourceRecordSets": 3,
    }


def test_route53_is_collected_once_per_account_across_regions(aws, world):
    ec2 = aws.client("ec2", "eu-west-1")
    vpc_eu = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    factory = unhurried(ClientFactory(aws), (REGION, "eu-west-1"))
    snapshot = scan(factory, regions=(REGION, "eu-west-1"))
    assert snapshot.errors == ()
    assert [p.region for p in snapshot.parts].count(GLOBAL_REGION) == 1
    vpcs = {p.region: {v["VpcId"] for v in p.items("ec2:DescribeVpcs")} for p in snapshot.parts}
    in_scope = vpcs[REGION] | vpcs["eu-west-1"]
    entries = global_part(snapshot).items("route53:ListHostedZonesByVPC")
    assert {e["VPCId"]: e["VPCRegion"] for e in entries}[vpc_eu] == "eu-west-1"
    counts = factory.counter.counts()
    assert counts["route53:ListHostedZonesByVPC"] == len(in_scope) == len(entries)
    assert counts["route53:GetHostedZone"] == 3  # each zone once, whatever the regions
    # Resolver is regional: once per region.
    assert counts["route53resolver:ListResolverRules"] == 2
    assert counts["route53resolver:ListResolverEndpoints"] == 2
    assert set(regional_part(snapshot, "eu-west-1").apis) >= RESOLVER_KEYS
    assert regional_part(snapshot, "eu-west-1").items("route53resolver:ListResolverRules") == []


def test_route53_region_follows_the_partition():
    assert route53_region(["eu-west-1", "us-east-1"]) == "us-east-1"
    assert route53_region([]) == "us-east-1"
    assert route53_region(["cn-north-1"]) == "cn-northwest-1"
    assert route53_region(["us-gov-east-1"]) == "us-gov-west-1"


def test_zones_of_other_owners_are_skipped_not_read(aws, world):
    factory = unhurried(ClientFactory(aws))
    foreign = {"HostedZoneId": "ZFOREIGN0001", "Name": f"{SSM_ZONE}.", "Owner": {"OwningAccount": "210987654321"}}
    managed = {"HostedZoneId": "ZSERVICE0001", "Name": "svc.local.", "Owner": {"OwningService": "servicediscovery"}}

    def share(parsed: dict[str, Any], **_: Any) -> None:
        # moto lists only the caller's own zones; real AWS also returns zones other owners associated.
        parsed["HostedZoneSummaries"] += [foreign, managed]

    factory.client("route53", "us-east-1").meta.events.register("after-call.route-53.ListHostedZonesByVPC", share)
    part = global_part(scan(factory, vpc_ids=world.scope))
    skipped = {z["HostedZoneId"]: z for z in part.items("route53:SkippedZones")}
    assert set(skipped) == {"ZFOREIGN0001", "ZSERVICE0001", world.zones[OTHER_ZONE]}  # C's: out of scope
    assert skipped["ZFOREIGN0001"]["OwningAccount"] == "210987654321"
    assert "audit account 210987654321" in skipped["ZFOREIGN0001"]["reason"]
    assert skipped["ZSERVICE0001"]["OwningService"] == "servicediscovery"
    assert {"ZFOREIGN0001", "ZSERVICE0001"}.isdisjoint(fetched_zone_ids(part) | read_zone_ids(part))
    assert route53_counts(factory)["route53:GetHostedZone"] == 2  # own zones only


def test_list_hosted_zones_by_vpc_follows_next_token(aws, world, monkeypatch):
    """moto never paginates this API: serve one zone per page and check every page is read."""

    def one_per_page(self: Route53Responses) -> ActionResult:
        zones = sorted(self.backend.list_hosted_zones_by_vpc(self._get_param("VPCId")), key=lambda z: z["Name"])
        start = int(self._get_param("NextToken") or 0)
        result: dict[str, Any] = {"HostedZoneSummaries": zones[start : start + 1]}
        if start + 1 < len(zones):
            result["NextToken"] = str(start + 1)
        return ActionResult(result)

    monkeypatch.setattr(Route53Responses, "list_hosted_zones_by_vpc", one_per_page)
    factory = unhurried(ClientFactory(aws))
    tokens: list[str | None] = []
    factory.client("route53", "us-east-1").meta.events.register(
        "before-parameter-build.route53.ListHostedZonesByVPC",
        lambda params, **_: tokens.append(params.get("NextToken")),
    )
    part = global_part(scan(factory, vpc_ids=world.scope))
    assert by_vpc(part)[world.vpc_b] == [f"{CORP_ZONE}.", f"{SSM_ZONE}."]  # both pages
    assert sorted(tokens, key=str) == sorted([None, None, "1"], key=str)  # A: 1 page, B: 2 pages


def test_a_repeated_next_token_ends_the_loop(aws, world, monkeypatch):

    def stuck(self: Route53Responses) -> ActionResult:
        zones = self.backend.list_hosted_zones_by_vpc(self._get_param("VPCId"))
        return ActionResult({"HostedZoneSummaries": zones, "NextToken": "again"})

    monkeypatch.setattr(Route53Responses, "list_hosted_zones_by_vpc", stuck)
    factory = unhurried(ClientFactory(aws))
    part = global_part(scan(factory, vpc_ids=world.scope))
    assert route53_counts(factory)["route53:ListHostedZonesByVPC"] == 4  # 2 per VPC, then stop
    assert by_vpc(part)[world.vpc_a] == [f"{SSM_ZONE}.", f"{SSM_ZONE}."]


# --- failures ------------------------------------------------------------------------------------------------


def _denied(request: Any) -> AWSResponse:
    body = (
        b'<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type>'
        b"<Code>AccessDenied</Code><Message>not authorized</Message></Error><RequestId>r</RequestId></ErrorResponse>"
    )
    return AWSResponse(request.url, 403, {}, _Raw(body))


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.body


def deny(factory: ClientFactory, operation: str, needle: str) -> None:
    """Answer 403 AccessDenied to `operation` requests whose URL contains `needle`; moto serves the rest."""

    def handler(request: Any, **_: Any) -> AWSResponse | None:
        return _denied(request) if needle in request.url else None

    client = factory.client("route53", "us-east-1")
    client.meta.events.register_first(f"before-send.route-53.{operation}", handler)


def test_access_denied_for_one_vpc_keeps_the_others(aws, world):
    factory = unhurried(ClientFactory(aws))
    deny(factory, "ListHostedZonesByVPC", world.vpc_b)
    snapshot = scan(factory, vpc_ids=world.scope)
    part = global_part(snapshot)
    assert set(by_vpc(part)) == {world.vpc_a}  # B's zones are unknown, not empty
    ((account, region, service, operation, code, _),) = [tuple(e.to_dict().values()) for e in snapshot.errors]
    assert (region, service, operation, code) == (GLOBAL_REGION, "route53", "ListHostedZonesByVPC", "AccessDenied")
    assert account == caller_account(factory)
    # Zones seen through A are still fetched and read; corp.example.com (seen only through B) is not.
    assert read_zone_ids(part) == {world.zones[SSM_ZONE]}


def test_access_denied_for_every_vpc_leaves_route53_absent(aws, world):
    factory = unhurried(ClientFactory(aws))
    deny(factory, "ListHostedZonesByVPC", "vpc-")
    snapshot = scan(factory, vpc_ids=world.scope)
    # The account-wide listing answered, but in a scan limited to chosen VPCs it reads no zone of its own.
    assert set(global_part(snapshot).apis) == {"route53:ListHostedZones"}
    # Both VPCs were refused with the same error: identical entries are listed once.
    assert [(e.operation, e.code) for e in snapshot.errors] == [("ListHostedZonesByVPC", "AccessDenied")]


def test_a_zone_whose_records_cannot_be_read_is_absent_alone(aws, world):
    factory = unhurried(ClientFactory(aws))
    deny(factory, "ListResourceRecordSets", world.zones[CORP_ZONE])
    snapshot = scan(factory, vpc_ids=world.scope)
    part = global_part(snapshot)
    assert read_zone_ids(part) == {world.zones[SSM_ZONE]}
    assert fetched_zone_ids(part) == {world.zones[SSM_ZONE], world.zones[CORP_ZONE]}
    assert [(e.operation, e.code) for e in snapshot.errors] == [("ListResourceRecordSets", "AccessDenied")]


def test_a_denied_resolver_endpoint_listing_keeps_rules(aws, world):
    factory = unhurried(ClientFactory(aws))

    def handler(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, 400, {}, _Raw(b'{"__type": "AccessDeniedException", "Message": "no"}'))

    factory.client("route53resolver", REGION).meta.events.register_first(
        "before-send.route53resolver.ListResolverEndpoints", handler
    )
    snapshot = scan(factory, vpc_ids=world.scope)
    part = regional_part(snapshot)
    assert "route53resolver:ListResolverEndpoints" not in part.apis
    assert "route53resolver:ListResolverEndpointIpAddresses" not in part.apis  # unknown, not "no endpoints"
    assert len(part.items("route53resolver:ListResolverRules")) == 1
    assert [(e.service, e.operation, e.code) for e in snapshot.errors] == [
        ("route53resolver", "ListResolverEndpoints", "AccessDeniedException")
    ]


def test_dns_collection_is_read_only_and_counted(aws, world):
    factory = ClientFactory(aws)
    paced = route53_client(factory, ("us-east-1",))  # the client the scan will use (and close when done)
    scan(factory)  # the guard raises ReadOnlyViolation on any other operation, failing the scan
    counts = factory.counter.counts()
    dns = {k for k in counts if k.startswith(("route53:", "route53resolver:"))}
    assert dns == {
        "route53:ListHostedZones",  # account-wide (issue 14): the scan is not limited to chosen VPCs
        "route53:ListHostedZonesByVPC",
        "route53:GetHostedZone",
        "route53:ListResourceRecordSets",
        "route53resolver:ListResolverRules",
        "route53resolver:ListResolverRuleAssociations",
        "route53resolver:ListResolverEndpoints",
        "route53resolver:ListResolverEndpointIpAddresses",
        "route53resolver:ListFirewallRuleGroupAssociations",  # DNS sources (issue 14)
    }
    assert all(k.split(":")[1].startswith(("List", "Get")) for k in dns)
    # Every Route 53 request went through the account's limiter.
    limiter = limiter_of(paced)
    assert limiter is not None
    assert limiter.requests == sum(v for k, v in counts.items() if k.startswith("route53:"))


# --- pacing --------------------------------------------------------------------------------------------------


class FakeClock:
    """A clock that only moves when someone sleeps: waits cost no real time and are exact."""

    def __init__(self) -> None:
        self.now = 100.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


def starts_of(limiter: RateLimiter, clock: FakeClock, n: int) -> list[float]:
    starts = []
    for _ in range(n):
        limiter.acquire()
        starts.append(clock())
    return starts


def max_in_window(starts: list[float], window: float = 1.0) -> int:
    """The most starts in any half-open window [t, t + window)."""
    ordered = sorted(starts)
    return max(sum(1 for s in ordered if t <= s < t + window) for t in ordered)


def test_paced_calls_take_at_least_n_minus_one_intervals():
    clock = FakeClock()
    limiter = RateLimiter(4.0, burst=1, clock=clock, sleep=clock.sleep)
    starts = starts_of(limiter, clock, 9)
    assert starts[-1] - starts[0] >= (9 - 1) / 4.0
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.25 - 1e-9
    assert limiter.waited == pytest.approx(2.0)


def test_burst_never_puts_more_than_rate_in_a_rolling_second():
    clock = FakeClock()
    limiter = RateLimiter(4.0, burst=4, clock=clock, sleep=clock.sleep)
    starts = starts_of(limiter, clock, 13)
    assert starts[:4] == [100.0] * 4  # a small account's first calls do not wait
    assert max_in_window(starts) == 4
    assert starts[-1] - starts[0] >= 3.0  # 13 calls at 4/s span at least three seconds


def test_a_limiter_that_is_idle_again_does_not_wait():
    clock = FakeClock()
    limiter = RateLimiter(4.0, burst=4, clock=clock, sleep=clock.sleep)
    starts_of(limiter, clock, 4)
    clock.sleep(5.0)
    assert limiter.acquire() == 0.0


@pytest.mark.parametrize("burst", [1, 50])
def test_pacing_holds_across_real_threads(burst):
    """Six threads share one limiter at 50/s; about 1.2 s of real time at most."""
    limiter = RateLimiter(50.0, burst=burst)
    starts: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            limiter.acquire()
            with lock:
                starts.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=5)
    assert len(starts) == 60 and limiter.requests == 60
    assert max_in_window(starts) <= 50 + 1
    # The last start's slot is floor(59 / burst) windows of burst/50 s after the first.
    assert max(starts) - min(starts) >= (59 // burst) * (burst / 50.0) - 0.05


def test_every_page_and_retry_goes_through_the_limiter(aws, world):
    clock = FakeClock()
    client = ClientFactory(aws).client("route53", "us-east-1")
    limiter = attach(client, lambda: RateLimiter(4.0, burst=1, clock=clock, sleep=clock.sleep))
    throttled: list[str] = []

    def throttle_once(request: Any, **_: Any) -> AWSResponse | None:
        if throttled:
            return None
        throttled.append(request.url)
        body = b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>slow</Message></Error>"
        body += b"</ErrorResponse>"
        return AWSResponse(request.url, 400, {}, _Raw(body))

    client.meta.events.register_first("before-send.route-53.ListResourceRecordSets", throttle_once)
    pages = client.get_paginator("list_resource_record_sets").paginate(
        HostedZoneId=world.zones[CORP_ZONE], PaginationConfig={"PageSize": 100}
    )
    assert sum(len(p["ResourceRecordSets"]) for p in pages) == CORP_RECORDS + 2  # + SOA and NS
    # 4 pages of 100 and one throttled attempt: five requests, paced 0.25 s apart on the fake clock.
    assert limiter.requests == 5
    assert limiter.waited == pytest.approx(1.0)


def test_one_limiter_per_account_for_route53_and_per_region_for_resolver(aws):
    factory = ClientFactory(aws)
    r53 = limiter_of(route53_client(factory, ["us-east-1"]))
    assert r53 is not None
    assert limiter_of(route53_client(factory, ["eu-west-1"])) is r53  # any region: the same account limiter
    assert pace(factory.client("route53", "us-east-1"), 99.0) is r53  # attached once; later rates ignored
    assert r53.rate == 5.0 and r53.burst == 5
    other_account = ClientFactory(aws)
    assert limiter_of(route53_client(other_account, ["us-east-1"])) is not r53
    east = limiter_of(resolver_client(factory, "us-east-1"))
    west = limiter_of(resolver_client(factory, "eu-west-1"))
    assert east is not None and west is not None and east is not west
    assert limiter_of(resolver_client(factory, "us-east-1")) is east


def test_a_rate_must_be_positive():
    with pytest.raises(ValueError):
        RateLimiter(0)
    with pytest.raises(ValueError):
        RateLimiter(4.0, burst=0)
