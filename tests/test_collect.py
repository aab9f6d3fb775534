"""Collection against in-process moto: the call plan, read-only calls, paging, and failures that stay partial."""

from __future__ import annotations

import io
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs

import boto3
import botocore.endpoint
import pytest
from botocore.awsrequest import AWSResponse
from moto.core.responses import ActionResult
from moto.ec2.responses.vpcs import VPCs

from bench.plan import minimal_plan, region_facts
from moto_fixtures import ACCOUNT_ID, Builder, World, realism
from moto_fixtures.builder import AZ1, AZ2, AZ3
from moto_fixtures.worlds import isolated_vpc
from tests.conftest import REGION, collect
from vpce_audit.aws.clients import READ_ONLY_OPERATIONS
from vpce_audit.model.findings import Severity
from vpce_audit.report.model import Report, build_report
from vpce_audit.snapshot import Snapshot

# Services moto 5.2.5 knows, for endpoints that differ only in what they reach.
SERVICES = (
    "ssm",
    "ssmmessages",
    "ec2messages",
    "ec2",
    "kms",
    "sts",
    "logs",
    "ecr.api",
    "ecr.dkr",
    "secretsmanager",
    "sqs",
    "sns",
    "monitoring",
    "lambda",
    "elasticloadbalancing",
)
AZ_CHECKS = {"az-single", "az-gap", "az-service-limited", "az-idle"}
DENIED_MESSAGE = "You are not authorized to perform this operation."


def scan(session: boto3.Session, vpc_ids: tuple[str, ...] = ()) -> tuple[Report, Snapshot, dict[str, int]]:
    snapshot, factory = collect(session, vpc_ids=vpc_ids)
    return build_report(snapshot), snapshot, factory.counter.counts()


def document(report: Report) -> dict[str, Any]:
    doc = report.to_document()
    doc.pop("generated_at")
    return doc


def fired(report: Report) -> set[str]:
    return {f.check_id for f in report.findings}


def finding_keys(report: Report) -> set[tuple[str, str, str]]:
    return {(f.check_id, f.resource_id, f.message) for f in report.findings}


def verdicts(report: Report) -> dict[str, dict[str, Any]]:
    return {v.endpoint.id: v.to_dict() for v in report.endpoints}


def facts_plan(session: boto3.Session) -> dict[str, int]:
    """The minimal plan for the session's region, counted with clients the scan never sees."""
    ec2 = session.client("ec2", region_name=REGION)
    resolver = session.client("route53resolver", region_name=REGION)
    return minimal_plan([region_facts(ec2, resolver)])


# --- botocore hooks standing in for AWS errors ---------------------------------------------------------


class _Body(io.BytesIO):
    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.read()


def ec2_error(url: str, status: int, code: str, message: str) -> AWSResponse:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
        "<RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>"
    )
    return AWSResponse(url, status, {}, _Body(body.encode()))


def deny(
    session: boto3.Session,
    operation: str,
    code: str = "UnauthorizedOperation",
    when: Callable[[dict[str, list[str]]], bool] = lambda _params: True,
) -> list[str]:
    """Answer the EC2 operation with a 403 before moto sees it (register_first: moto's stubber is also a
    before-send handler and the first answer wins). `when` picks calls by their query parameters."""
    denied: list[str] = []

    def handler(request: Any, **_: Any) -> AWSResponse | None:
        params = parse_qs(request.body.decode() if isinstance(request.body, bytes) else str(request.body or ""))
        if not when(params):
            return None
        denied.append(operation)
        return ec2_error(request.url, 403, code, DENIED_MESSAGE)

    session.events.register_first(f"before-send.ec2.{operation}", handler)
    return denied


# --- worlds made for these tests -----------------------------------------------------------------------


def gateway_vpcs(b: Builder, count: int) -> list[dict[str, str]]:
    """`count` isolated three-AZ VPCs, each with an S3 gateway endpoint on its route table; the first also
    has DynamoDB, so both managed prefix lists are read."""
    vpcs = []
    for i in range(count):
        ids = isolated_vpc(b, f"vpc{i}", cidr=f"10.{i}.0.0/16")
        b.gateway_endpoint(ids["vpc"], "s3", [ids["rt"]])
        if i == 0:
            b.gateway_endpoint(ids["vpc"], "dynamodb", [ids["rt"]])
        vpcs.append(ids)
    return vpcs


def add_interface_endpoints(b: Builder, vpcs: list[dict[str, str]], count: int, start: int = 0) -> list[str]:
    created = []
    for n in range(start, start + count):
        ids = vpcs[n % len(vpcs)]
        subnets = [ids[f"subnet.{az}"] for az in (AZ1, AZ2, AZ3)]
        service = SERVICES[n % len(SERVICES)]
        created.append(b.interface_endpoint(ids["vpc"], service, subnets, [ids["sg"]], private_dns=False))
    return created


# --- (a) the call plan ----------------------------------------------------------------------------------


def test_call_count_is_the_minimal_plan_and_does_not_grow_with_endpoints(aws):
    b = Builder(aws, REGION)
    try:
        vpcs = gateway_vpcs(b, 3)
        add_interface_endpoints(b, vpcs, 10)
        report_10, _, calls_10 = scan(aws)
        plan_10 = facts_plan(aws)
        add_interface_endpoints(b, vpcs, 190, start=10)
        report_200, _, calls_200 = scan(aws)
        plan_200 = facts_plan(aws)
    finally:
        b.close()

    assert len(report_10.endpoints) == 10 + 4 and len(report_200.endpoints) == 200 + 4  # the scans saw them
    assert calls_10 == calls_200
    assert plan_10 == plan_200 == calls_200
    # The plan spelled out for this world: 4 VPCs (3 + moto's default), 2 prefix lists, one region.
    assert calls_200["ec2:DescribeVpcAttribute"] == 8
    assert calls_200["ec2:GetManagedPrefixListEntries"] == 2
    assert calls_200["sts:GetCallerIdentity"] == 1
    # 9 listings (owned endpoint services and VPC Block Public Access options and exclusions included), services +
    # security groups + prefix lists, 8 attributes, 2 prefix list entries, and the packet path's 4 region-wide
    # listings (no transit gateway here: no per-table call).
    assert sum(n for op, n in calls_200.items() if op.startswith("ec2:")) == 9 + 3 + 8 + 2 + 4


def test_endpoints_in_a_vpc_out_of_scope_cost_nothing(aws):
    b = Builder(aws, REGION)
    try:
        vpcs = gateway_vpcs(b, 2)
        add_interface_endpoints(b, vpcs[1:], 5)
        _, _, few = scan(aws, vpc_ids=(vpcs[0]["vpc"],))
        add_interface_endpoints(b, vpcs[1:], 40, start=5)
        report, _, many = scan(aws, vpc_ids=(vpcs[0]["vpc"],))
    finally:
        b.close()
    assert few == many
    assert many["ec2:DescribeVpcAttribute"] == 2  # the one VPC in scope
    assert {v.endpoint.vpc_id for v in report.endpoints} == {vpcs[0]["vpc"]}


# --- (b) read-only --------------------------------------------------------------------------------------


def test_every_call_of_a_whole_scan_is_describe_list_or_get(make_world, aws):
    make_world("demo")
    seen: Counter[str] = Counter()
    aws.events.register(
        "before-call", lambda model, **_: seen.update([f"{model.service_model.service_name}:{model.name}"])
    )
    _, _, counted = scan(aws)
    assert seen, "the hook saw no call"
    assert dict(seen) == counted  # the factory's counter saw every call the session made
    refused = [
        op
        for op in seen
        if not op.split(":")[1].startswith(("Describe", "List", "Get")) and op not in READ_ONLY_OPERATIONS
    ]
    assert refused == []


# --- (c) paging -----------------------------------------------------------------------------------------

PAGE = 5


def paged_describe_vpc_endpoints(self: Any) -> ActionResult:
    """moto answers in one page; AWS pages. This handler pages like AWS, PAGE items unless asked otherwise."""
    endpoints = self.ec2_backend.describe_vpc_endpoints(
        vpc_end_point_ids=self._get_param("VpcEndpointIds", []), filters=self._filters_from_querystring()
    )
    endpoints = sorted(endpoints, key=lambda e: e.id)
    size = self._get_int_param("MaxResults") or PAGE
    start = int(self._get_param("NextToken") or 0)
    token = str(start + size) if start + size < len(endpoints) else None
    return ActionResult({"VpcEndpoints": endpoints[start : start + size], "NextToken": token})


def test_paginators_follow_next_token_to_the_last_page(aws, monkeypatch):
    monkeypatch.setattr(VPCs, "describe_vpc_endpoints", paged_describe_vpc_endpoints, raising=True)
    tokens: list[str | None] = []
    aws.events.register(
        "before-parameter-build.ec2.DescribeVpcEndpoints", lambda params, **_: tokens.append(params.get("NextToken"))
    )
    b = Builder(aws, REGION)
    try:
        (vpc,) = gateway_vpcs(b, 1)
        created = add_interface_endpoints(b, [vpc], 22)
        everything = {e["VpcEndpointId"] for e in b.ec2.describe_vpc_endpoints(MaxResults=1000)["VpcEndpoints"]}
        tokens.clear()  # only the scan's calls
        report, snapshot, calls = scan(aws)
    finally:
        b.close()

    assert len(everything) == 24 and set(created) < everything  # 22 interface + S3 + DynamoDB
    (part,) = [p for p in snapshot.parts if p.region == REGION]
    assert {e["VpcEndpointId"] for e in part.items("ec2:DescribeVpcEndpoints")} == everything
    assert {v.endpoint.id for v in report.endpoints} == everything
    assert calls["ec2:DescribeVpcEndpoints"] == 5
    assert tokens == [None, "5", "10", "15", "20"]


# --- (d) denied calls: one error entry, unknown verdicts, no finding from missing data -------------------


def baseline(make_world: Callable[[str], World], aws: boto3.Session, name: str) -> tuple[World, Report]:
    world = make_world(name)
    report, _, _ = scan(aws)
    assert report.errors == ()
    return world, report


def assert_one_error(report: Report, operation: str, code: str = "UnauthorizedOperation") -> None:
    (error,) = report.errors
    assert error.to_dict() == {
        "account_id": ACCOUNT_ID,
        "region": REGION,
        "service": "ec2",
        "operation": operation,
        "code": code,
        "message": DENIED_MESSAGE,
    }


@pytest.mark.parametrize("code", ["UnauthorizedOperation", "AccessDenied"])
def test_denied_network_interfaces_silence_the_checks_that_need_them(make_world, aws, code):
    world, full = baseline(make_world, aws, "demo")
    assert AZ_CHECKS & fired(full) and "gw-rt-gap" in fired(full)  # what the denial must hide
    denied = deny(aws, "DescribeNetworkInterfaces", code)
    report, _, _ = scan(aws)

    assert denied == ["DescribeNetworkInterfaces"]  # a 403 is not retried
    assert_one_error(report, "DescribeNetworkInterfaces", code)
    assert not fired(report) & (AZ_CHECKS | {"gw-rt-gap", "ep-eni-missing"})
    assert finding_keys(report) <= finding_keys(full)  # missing data never adds a finding
    assert "ep-state" in fired(report)  # what does not need ENIs is still judged
    by_id = verdicts(report)
    kms = by_id[world.ids["ep.kms"]]["az_coverage"]
    assert kms["status"] == "unknown" and "DescribeNetworkInterfaces" in kms["reason"]
    s3 = by_id[world.ids["ep.s3"]]["route_coverage"]
    assert s3["status"] == "unknown" and "DescribeNetworkInterfaces" in s3["reason"]


def test_denied_endpoint_services_leave_az_coverage_unknown(make_world, aws):
    world, full = baseline(make_world, aws, "demo")
    deny(aws, "DescribeVpcEndpointServices")
    report, _, _ = scan(aws)

    assert_one_error(report, "DescribeVpcEndpointServices")
    assert not fired(report) & AZ_CHECKS
    assert finding_keys(report) <= finding_keys(full)
    assert "gw-rt-gap" in fired(report)  # route coverage does not need the service catalogue
    for endpoint_id, verdict in verdicts(report).items():
        if "az_coverage" in verdict:
            assert verdict["az_coverage"]["status"] == "unknown", endpoint_id
            assert "DescribeVpcEndpointServices" in verdict["az_coverage"]["reason"]
    assert verdicts(report)[world.ids["ep.s3"]]["route_coverage"]["status"] == "known"


def test_one_denied_vpc_attribute_keeps_the_others(make_world, aws):
    world, full = baseline(make_world, aws, "demo")
    vpc_id = world.ids["vpc"]
    deny(
        aws,
        "DescribeVpcAttribute",
        when=lambda p: p.get("VpcId") == [vpc_id] and p.get("Attribute") == ["enableDnsHostnames"],
    )
    report, snapshot, calls = scan(aws)

    assert_one_error(report, "DescribeVpcAttribute")
    (part,) = [p for p in snapshot.parts if p.region == REGION]
    collected = {(a["VpcId"], next(k for k in a if k != "VpcId")) for a in part.items("ec2:DescribeVpcAttribute")}
    vpcs = {v["VpcId"] for v in part.items("ec2:DescribeVpcs")}
    assert calls["ec2:DescribeVpcAttribute"] == 2 * len(vpcs)
    assert collected == {(v, a) for v in vpcs for a in ("EnableDnsSupport", "EnableDnsHostnames")} - {
        (vpc_id, "EnableDnsHostnames")
    }
    assert finding_keys(report) <= finding_keys(full)


def test_partial_scan_with_nothing_at_fail_on_exits_3(make_world, aws):
    make_world("healthy-3az")
    deny(aws, "DescribeNetworkInterfaces")
    report, _, _ = scan(aws)
    assert report.findings == ()
    assert report.exit_code(Severity.HIGH) == 3
    assert report.exit_code(None) == 3  # --fail-on none: still partial


def test_partial_scan_with_a_finding_at_fail_on_exits_1(make_world, aws):
    make_world("demo")  # ep-state (critical) needs no ENIs
    deny(aws, "DescribeNetworkInterfaces")
    report, _, _ = scan(aws)
    assert report.exit_code(Severity.HIGH) == 1
    assert report.exit_code(None) == 3


# --- (e) throttling -------------------------------------------------------------------------------------


class NoWait:
    """Stands in for the `time` module inside botocore.endpoint only: sleeps are recorded, not slept."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def test_throttled_calls_are_retried_and_change_nothing(make_world, aws, monkeypatch):
    make_world("demo")
    calm, _, calm_calls = scan(aws)

    clock = NoWait()
    # botocore's endpoint sleeps between attempts; record the backoff instead of waiting it out.
    monkeypatch.setattr(botocore.endpoint, "time", clock)
    attempts: Counter[str] = Counter()

    def throttle(request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        name = event_name.rsplit(".", 1)[-1]  # before-send.ec2.<Operation>
        attempts[name] += 1
        if attempts[name] <= 2:
            return ec2_error(request.url, 503, "RequestLimitExceeded", "Request limit exceeded.")
        return None

    aws.events.register_first("before-send.ec2", throttle)
    throttled, _, throttled_calls = scan(aws)

    ec2_ops = {op.split(":")[1] for op in calm_calls if op.startswith("ec2:")}
    assert set(attempts) == ec2_ops  # every EC2 operation was throttled twice ...
    assert len(clock.sleeps) == 2 * len(ec2_ops) and all(s > 0 for s in clock.sleeps)  # ... and retried after a backoff
    assert throttled.errors == ()
    assert throttled_calls == calm_calls  # retries are attempts, not calls
    assert document(throttled) == document(calm)


# --- (f) an unknown service in the batch ---------------------------------------------------------------


def test_an_unknown_service_name_does_not_lose_the_other_services(aws):
    b = Builder(aws, REGION)
    try:
        ids = isolated_vpc(b, "app")
        subnets = [ids[f"subnet.{az}"] for az in (AZ1, AZ2, AZ3)]
        known = [b.interface_endpoint(ids["vpc"], s, subnets, [ids["sg"]]) for s in ("ssm", "logs", "sts")]
        single = b.interface_endpoint(ids["vpc"], "kms", subnets[:1], [ids["sg"]])
        # A provider service deleted since the endpoint was made: AWS rejects the whole batch naming it.
        ghost = b.ec2.create_vpc_endpoint(
            VpcId=ids["vpc"],
            ServiceName="com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
            VpcEndpointType="Interface",
            SubnetIds=subnets,
            SecurityGroupIds=[ids["sg"]],
            PrivateDnsEnabled=False,
        )["VpcEndpoint"]["VpcEndpointId"]
        realism.make_realistic(b.account_id, REGION, ghost)
        with pytest.raises(b.ec2.exceptions.ClientError, match="InvalidServiceName"):
            b.ec2.describe_vpc_endpoint_services(
                ServiceNames=["com.amazonaws.us-east-1.ssm", "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"]
            )
        report, _, calls = scan(aws)
    finally:
        b.close()

    assert calls["ec2:DescribeVpcEndpointServices"] > 1  # the batch was split around the unknown name
    by_id = verdicts(report)
    for endpoint_id in known:
        coverage = by_id[endpoint_id]["az_coverage"]
        assert coverage["status"] == "known"
        assert coverage["covered"] == coverage["workload"] == sorted((AZ1, AZ2, AZ3))
    assert by_id[single]["az_coverage"]["covered"] == [AZ1]
    assert by_id[ghost]["az_coverage"]["status"] == "unknown"
    assert [(f.check_id, f.resource_id) for f in report.findings] == [("az-single", single)]
