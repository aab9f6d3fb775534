"""Organisation scans: an AWS Organization of several accounts in moto, each reached by assuming a role, with
one account whose role cannot be assumed, one region denied, an empty region and opt-in regions not enabled.

In-process (cli.run inside moto) for speed; test_faults.py runs one through a moto server, as a user would.
"""

from __future__ import annotations

import datetime
import gc
import threading
import weakref
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from unittest import mock

import boto3
import pytest
from moto import mock_aws
from moto.sts.models import STSBackend

from moto_fixtures import fake_aws_env
from moto_fixtures.hooks import Call, Handler, Spy, chain, denied, intercept, when
from moto_fixtures.org_worlds import ENABLED_REGIONS, NO_DEFAULT_AMIS, NOT_OPTED_IN, Org, build_org, region_list
from tests.inprocess import CliRun, cli, without_generated_at
from vpce_audit import __version__
from vpce_audit.aws.clients import CallCounter, ClientFactory
from vpce_audit.collect.accounts import ASSUME_ROLE, SESSION_NAME, assumed_session, role_arn
from vpce_audit.collect.scan import execute
from vpce_audit.collect.scope import ScopeRequest, build_plan

ROLE = "VpceAuditScan"
HOME = "us-east-1"
DENIED_REGION = "eu-west-1"
EC2_BASE_CALLS = (  # what a region's EC2 collection asks before it knows of any VPC or endpoint
    "DescribeAvailabilityZones",
    "DescribeNetworkInterfaces",
    "DescribeRouteTables",
    "DescribeSubnets",
    "DescribeVpcEndpoints",
    "DescribeVpcs",
    # packet path (issue 13); VPC attachments are asked when the attachments listing failed (unknown, not none)
    "DescribeNetworkAcls",
    "DescribeVpcPeeringConnections",
    "DescribeTransitGatewayAttachments",
    "DescribeTransitGatewayVpcAttachments",
    "DescribeTransitGatewayRouteTables",
    # issue 15: owned endpoint services and VPC Block Public Access, asked in every region
    "DescribeVpcEndpointServiceConfigurations",
    "DescribeVpcBlockPublicAccessOptions",
    "DescribeVpcBlockPublicAccessExclusions",
)


@dataclass
class OrgWorld:
    org: Org

    @property
    def management(self) -> str:
        return self.org.management

    @property
    def full(self) -> str:
        """Resources in us-east-1 (every collector path) and eu-west-1."""
        return self.org.members[0]

    @property
    def region_denied(self) -> str:
        """Resources in us-east-1 and eu-west-1; every EC2 call in eu-west-1 is refused."""
        return self.org.members[1]

    @property
    def unassumable(self) -> str:
        """Resources in us-east-1, but its role cannot be assumed."""
        return self.org.members[2]

    @property
    def plain(self) -> str:
        return self.org.members[3]

    @property
    def reachable(self) -> tuple[str, ...]:
        return tuple(sorted((self.management, self.full, self.region_denied, self.plain)))

    def kms(self, account: str, region: str) -> str:
        return self.org.ids[(account, region)]["ep.kms"]

    def expected(self, accounts: tuple[str, ...]) -> set[tuple[str, str, str, str]]:
        """(account, region, check, resource) every reachable account's resources raise."""
        fired = {
            (account, region, "az-single", ids["ep.kms"])
            for (account, region), ids in self.org.ids.items()
            if account in accounts and (account, region) != (self.region_denied, DENIED_REGION)
        }
        fired.add((self.full, HOME, "dns-dhcp-custom", self.org.ids[(self.full, HOME)]["vpc"]))
        return {f for f in fired if f[0] in accounts}

    def faults(self) -> Handler:
        """AssumeRole into `unassumable` is refused; so is every EC2 call of `region_denied` in eu-west-1."""
        arn = role_arn("aws", self.unassumable, ROLE)

        def refused_role(call: Call) -> bool:
            return call.service == "sts" and call.operation == "AssumeRole" and call.param("RoleArn") == arn

        def refused_region(call: Call) -> bool:
            return call.service == "ec2" and call.region == DENIED_REGION and call.account_id == self.region_denied

        return chain(when(refused_role, denied), when(refused_region, denied))


@pytest.fixture(scope="module")
def world() -> Iterator[OrgWorld]:
    """Built once for the module (scans only read it): the management account and four members."""
    layout = {
        0: {HOME: "full", DENIED_REGION: "small"},
        1: {HOME: "small", DENIED_REGION: "small"},
        2: {HOME: "small"},
        3: {HOME: "small"},
    }
    with fake_aws_env(**NO_DEFAULT_AMIS), mock_aws(), region_list():
        org = build_org(boto3.Session(region_name=HOME), 4, layout, management_layout={HOME: "small"})
        try:
            yield OrgWorld(org)
        finally:
            org.close()


def org_scan(world: OrgWorld, *args: str, spy: Spy | None = None) -> CliRun:
    handler = world.faults() if spy is None else chain(spy, world.faults())
    return cli(
        "scan",
        "--role-name",
        ROLE,
        "--regions",
        "all",
        "-o",
        "json",
        "--quiet",
        "--fail-on",
        "critical",
        *args,
        handler=handler,
    )


@pytest.fixture(scope="module")
def spied(world: OrgWorld) -> tuple[CliRun, Spy]:
    """One --organization scan, every request it sent remembered."""
    spy = Spy()
    return org_scan(world, "--organization", spy=spy), spy


def test_every_reachable_account_is_scanned_and_its_findings_reported(world, spied):
    result, _ = spied
    assert result.doc["scope"]["accounts"] == list(world.reachable)
    assert result.doc["scope"]["regions"] == sorted(ENABLED_REGIONS)
    assert result.fired() == world.expected(world.reachable)


def test_the_unassumable_account_is_one_assume_role_error_and_the_denied_region_one_error_per_call(world, spied):
    result, _ = spied
    assert result.errors() == {(world.unassumable, "*", "sts", "AssumeRole", "AccessDenied")} | {
        (world.region_denied, DENIED_REGION, "ec2", op, "UnauthorizedOperation") for op in EC2_BASE_CALLS
    }
    for error in result.doc["errors"]:
        assert error["message"], error
    assert not any(f["account_id"] == world.unassumable for f in result.doc["findings"])


def test_partial_scan_with_nothing_at_fail_on_exits_3(spied):
    result, _ = spied
    assert result.doc["summary"]["partial"] is True
    assert {f["severity"] for f in result.doc["findings"]} <= {"high", "info"}
    assert result.code == 3


def test_opt_in_regions_not_enabled_are_skipped_not_errors(world, spied):
    result, spy = spied
    skipped = {(s["account_id"], s["region"]) for s in result.doc["scope"]["skipped_regions"]}
    assert skipped == {(a, r) for a in world.reachable for r in NOT_OPTED_IN}
    assert not any(e["region"] in NOT_OPTED_IN for e in result.doc["errors"])
    assert not any(c.region in NOT_OPTED_IN for c in spy.calls)


def test_callers_account_uses_its_own_credentials_and_each_role_is_assumed_once_by_name(world, spied):
    _, spy = spied
    assumed = Counter(c.param("RoleArn") for c in spy.of("sts", "AssumeRole"))
    members = (world.full, world.region_denied, world.unassumable, world.plain)
    assert assumed == Counter({role_arn("aws", m, ROLE): 1 for m in members})
    assert {c.param("RoleSessionName") for c in spy.of("sts", "AssumeRole")} == {f"vpce-audit-{__version__}"}
    own = {c.access_key for c in spy.calls if c.account_id == world.management}
    assert own == {boto3.Session().get_credentials().access_key}  # the default chain's keys, as the caller's
    assert {c.access_key for c in spy.calls if c.account_id != world.management}.isdisjoint(own)


def test_route53_is_asked_once_per_account_for_the_vpcs_of_all_its_regions(world, spied):
    _, spy = spied
    by_account: dict[str, list[tuple[str | None, str | None]]] = {}
    for call in spy.of("route53", "ListHostedZonesByVPC"):
        by_account.setdefault(call.account_id, []).append((call.param("vpcid"), call.param("vpcregion")))
    assert set(by_account) == set(world.reachable)
    for account, asked in by_account.items():
        assert len(asked) == len(set(asked)), account  # no VPC asked twice: one Route 53 pass per account
    regions_of_full = {region for _, region in by_account[world.full]}
    assert regions_of_full == set(ENABLED_REGIONS)  # the empty region's default VPC too


def test_concurrency_1_and_16_give_byte_identical_reports(world):
    one = org_scan(world, "--organization", "--concurrency", "1")
    sixteen = org_scan(world, "--organization", "--concurrency", "16")
    assert one.code == sixteen.code == 3
    assert without_generated_at(one.stdout) == without_generated_at(sixteen.stdout)
    assert one.doc["generated_at"]  # the one field allowed to differ is there


def test_exclude_accounts_leaves_them_out_unasked(world):
    spy = Spy()
    result = org_scan(world, "--organization", "--exclude-accounts", f"{world.full},{world.unassumable}", spy=spy)
    kept = tuple(sorted((world.management, world.region_denied, world.plain)))
    assert result.doc["scope"]["accounts"] == list(kept)
    assert {c.param("RoleArn") for c in spy.of("sts", "AssumeRole")} == {
        role_arn("aws", world.region_denied, ROLE),
        role_arn("aws", world.plain, ROLE),
    }
    assert result.fired() == world.expected(kept)
    assert all(e[0] == world.region_denied for e in result.errors())


def test_accounts_list_with_the_callers_own_account_and_one_region(world):
    spy = Spy()
    result = cli(
        "scan", "--role-name", ROLE, "--accounts", f"{world.plain},{world.management}", "--region", HOME,
        "-o", "json", "--quiet", "--fail-on", "none",
        handler=spy,
    )  # fmt: skip
    assert result.code == 0, result.stderr
    assert result.doc["scope"]["accounts"] == sorted((world.plain, world.management))
    assert [c.param("RoleArn") for c in spy.of("sts", "AssumeRole")] == [role_arn("aws", world.plain, ROLE)]
    assert spy.of("organizations", "ListAccounts") == []
    assert result.fired() == {(a, HOME, "az-single", world.kms(a, HOME)) for a in (world.plain, world.management)}


def test_assumed_sessions_share_the_callers_model_loader(world):
    caller = ClientFactory(boto3.Session(region_name=HOME), allow_writes=ASSUME_ROLE)
    sessions = [assumed_session(caller, role_arn("aws", m, ROLE), None, HOME) for m in world.org.members[:2]]
    loader = caller.session._session.get_component("data_loader")
    assert all(s._session.get_component("data_loader") is loader for s in sessions)
    accounts = {s.client("sts").get_caller_identity()["Account"] for s in sessions}
    assert accounts == set(world.org.members[:2])
    assert f"vpce-audit-{__version__}" == SESSION_NAME


def test_assumed_credentials_renew_themselves_when_they_near_expiry(world):
    """A scan outliving the role session keeps going: credentials that expire within botocore's refresh window
    are fetched again (another AssumeRole) on the next call, and the call succeeds."""
    real = STSBackend.assume_role

    def short_lived(self: STSBackend, **kwargs: object) -> object:
        role = real(self, **kwargs)
        role.expiration = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) + datetime.timedelta(minutes=5)
        return role

    spy = Spy()
    with intercept(spy), mock.patch.object(STSBackend, "assume_role", short_lived):
        caller = ClientFactory(boto3.Session(region_name=HOME), allow_writes=ASSUME_ROLE)
        session = assumed_session(caller, role_arn("aws", world.plain, ROLE), None, HOME)
        assert len(spy.of("sts", "AssumeRole")) == 1
        vpcs = session.client("ec2").describe_vpcs()["Vpcs"]
    assert world.org.ids[(world.plain, HOME)]["vpc"] in {v["VpcId"] for v in vpcs}
    assert len(spy.of("sts", "AssumeRole")) == 2
    assert {c.account_id for c in spy.of("ec2", "DescribeVpcs")} == {world.plain}


def test_planning_assumes_roles_and_asks_regions_in_parallel(world):
    """With --concurrency 4, the four AssumeRole requests (and then the four reachable accounts' DescribeRegions)
    are in flight together: each waits at a barrier of four before moto answers. One by one, the first would
    wait alone until the barrier broke, and the scan would fail."""
    barriers = {"AssumeRole": threading.Barrier(4, timeout=60), "DescribeRegions": threading.Barrier(4, timeout=60)}

    def meet(call: Call) -> None:
        if call.operation in barriers:
            barriers[call.operation].wait()

    result = cli(
        "scan", "--role-name", ROLE, "--organization", "--regions", "all", "--concurrency", "4",
        "-o", "json", "--quiet", "--fail-on", "critical",
        handler=chain(meet, world.faults()),
    )  # fmt: skip
    assert result.code == 3, result.stderr
    assert result.doc["scope"]["accounts"] == list(world.reachable)
    assert result.fired() == world.expected(world.reachable)


def test_a_units_clients_are_closed_and_freed_when_it_is_done(world):
    """A thousand accounts' EC2 clients kept alive would hold gigabytes: once an (account, region) or an
    account's Route 53 is collected, its clients go, although the plan (and every factory) is still held."""
    created: list[tuple[str, weakref.ref[Any]]] = []
    real = ClientFactory.client

    def remembered(self: ClientFactory, service: str, region: str | None = None) -> Any:
        client = real(self, service, region)
        created.append((service, weakref.ref(client)))
        return client

    request = ScopeRequest(regions=(HOME, DENIED_REGION), role_name=ROLE, organization=True, concurrency=4)
    with mock.patch.object(ClientFactory, "client", remembered):
        plan = build_plan(request, CallCounter(), HOME)
        snapshot = execute(plan)
    gc.collect()
    used = {service for service, _ in created}
    unit_services = {"ec2", "route53resolver", "route53"}  # planning's sts and organizations clients may stay
    alive = sorted(service for service, ref in created if ref() is not None and service in unit_services)
    assert unit_services <= used
    assert len(snapshot.parts) == len(plan.targets) * 3  # two regions and Route 53 for every account
    assert plan.targets and alive == []
