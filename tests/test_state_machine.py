"""The organisation state machine of deploy/template.yaml, executed by moto's Step Functions with the real handler.

moto 5.2.5 runs an execution's ASL when configured to (its vendored interpreter: JSONPath, intrinsics, Retry,
Catch, Choice, a Distributed Map with an S3 ItemReader). Its Lambda (`use_docker: False`) would only echo the
payload, so every invocation is routed here to `vpce_audit.lambda_handler.handler`, in-process, against the
same moto world: the definition is the template's own (substitutions applied as CloudFormation does), the code
of each step is the shipped handler, and neither is mocked. Two gaps of moto are filled where they are, and
said so: Lambda's throttling is raised by the routing (as Lambda's service would), and the Distributed Map's
tolerated failure percentage, which moto evaluates and counts but never enforces, is enforced as AWS documents.

What it proves: the steps agree with each other and with the template; an account whose role cannot be assumed
makes the report partial and named, while the judge still runs; the merged organisation judged by the state
machine gives the live `--organization` scan's report; and every call each step's handler makes is allowed by
that step's role in the template (and the roles grant nothing the steps do not use).
"""

from __future__ import annotations

import fnmatch
import io
import json
import threading
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

import boto3
import cfnlint.decode
import pytest
from moto.awslambda.exceptions import LambdaClientError
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.stepfunctions.parser.api import HistoryEventType, MapRunFailedEventDetails
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
    FailureEvent,
    FailureEventException,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import StatesErrorNameType
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.distributed_iteration_component import (
    DistributedIterationComponent,
)
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
from moto.sts.exceptions import STSClientError
from moto.sts.models import STSBackend

from tests.inprocess import cli, without_generated_at
from tests.test_estate import HOME, ROLE, HubSpokeOrg, hub_spoke_org
from vpce_audit import fanout, lambda_handler
from vpce_audit.collect.accounts import role_arn
from vpce_audit.errors import InputError
from vpce_audit.report.json import dumps

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "template.yaml"
BUCKET, PREFIX, STACK = "org-reports", "vpce-audit", "vpce-audit"
MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
FUNCTIONS = {"ListFunction": "list", "CollectFunction": "collect", "AuditFunction": "audit"}
# The template's conditions for this deployment: an organisation, alerts on; no suppressions, Security Hub or bus.
CONDITIONS = {
    "UseOrganization": True,
    "SingleAccount": False,
    "HasAlerts": True,
    "DefaultRegions": True,
    "HasSuppressions": False,
    "ExportToSecurityHub": False,
    "HasEventBus": False,
}


# --- the template, read as CloudFormation would -----------------------------------------------------------


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    decoded, problems = cfnlint.decode.decode_str(TEMPLATE.read_text(encoding="utf-8"))
    assert not problems
    return decoded


def conditional(value: Any) -> Any:
    """Fn::If resolved under CONDITIONS, recursively; AWS::NoValue entries dropped."""
    if isinstance(value, dict):
        if "Fn::If" in value:
            name, yes, no = value["Fn::If"]
            return conditional(yes if CONDITIONS[name] else no)
        return {k: conditional(v) for k, v in value.items() if conditional(v) != {"Ref": "AWS::NoValue"}}
    if isinstance(value, list):
        return [conditional(v) for v in value if conditional(v) != {"Ref": "AWS::NoValue"}]
    return value


@dataclass
class Stack:
    """Names the template's references resolve to in this moto deployment."""

    account: str
    topic_arn: str
    function_arns: dict[str, str] = field(default_factory=dict)  # resource name -> moto function ARN

    def values(self) -> dict[str, str]:
        found = {
            "AWS::Partition": "aws",
            "AWS::Region": HOME,
            "AWS::AccountId": self.account,
            "AWS::StackName": STACK,
            "ReportBucket": BUCKET,
            "ReportBucket.Arn": f"arn:aws:s3:::{BUCKET}",
            "ReportPrefix": PREFIX,
            "ScanRoleName": ROLE,
            "AlertTopic": self.topic_arn,
            "FailOn": "high",
        }
        for name in ("ListLogGroup", "CollectLogGroup", "FunctionLogGroup"):
            found[f"{name}.Arn"] = f"arn:aws:logs:{HOME}:{self.account}:log-group:/aws/lambda/{name}"
        for name, arn in self.function_arns.items():
            found[f"{name}.Arn"] = arn
        return found

    def resolve(self, value: Any) -> Any:
        values = self.values()
        if isinstance(value, dict) and "Ref" in value:
            return values[value["Ref"]]
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            return values[".".join(value["Fn::GetAtt"])]
        if isinstance(value, dict) and "Fn::Sub" in value:
            text = value["Fn::Sub"]
            for key, resolved in values.items():
                text = text.replace("${" + key + "}", resolved)
            assert "${" not in text, text
            return text
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value


def role_statements(template: dict[str, Any], function: str) -> list[dict[str, Any]]:
    role = template["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]
    policies = conditional(template["Resources"][role]["Properties"]["Policies"])
    return [s for p in policies for s in p["PolicyDocument"]["Statement"]]


def listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def allowed(statements: list[dict[str, Any]], stack: Stack, action: str, arn: str, prefix: str | None) -> bool:
    for statement in statements:
        if statement["Effect"] != "Allow" or action not in listed(statement["Action"]):
            continue
        if not any(fnmatch.fnmatchcase(arn, r) for r in listed(stack.resolve(statement["Resource"]))):
            continue
        like = statement.get("Condition", {}).get("StringLike", {}).get("s3:prefix")
        if like is not None and not (prefix is not None and fnmatch.fnmatchcase(prefix, stack.resolve(like))):
            continue
        return True
    return False


def definition(template: dict[str, Any], stack: Stack, **overrides: str) -> str:
    """The state machine's definition with its substitutions applied, as CloudFormation does (string values)."""
    props = template["Resources"]["AccountsStateMachine"]["Properties"]
    text = json.dumps(props["Definition"])
    parameters = {"MaxConcurrency": "3", "ToleratedFailurePercentage": "10"} | overrides
    for key, value in props["DefinitionSubstitutions"].items():
        resolved = parameters[value["Ref"]] if value.get("Ref") in parameters else stack.resolve(value)
        text = text.replace("${" + key + "}", str(resolved))
    assert "${" not in text
    return text


def function_environment(template: dict[str, Any], stack: Stack) -> dict[str, str]:
    """Every step function's environment, resolved (the values they share are equal, so one dict holds them)."""
    env: dict[str, str] = {}
    for function in FUNCTIONS:
        variables = conditional(template["Resources"][function]["Properties"]["Environment"]["Variables"])
        for key, value in variables.items():
            resolved = str(stack.resolve(value))
            assert env.setdefault(key, resolved) == resolved
    return env


# --- Lambda, routed in-process to the real handler ---------------------------------------------------------


@dataclass(frozen=True)
class Call:
    function: str  # the template's resource name of the function that made it
    service: str
    operation: str
    params: dict[str, Any]


@dataclass
class Router:
    """LambdaSimpleBackend.invoke, answered by the shipped handler; records each step's events and calls."""

    functions: dict[str, str] = field(default_factory=dict)  # moto function name -> template resource name
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    throttle: Counter[str] = field(default_factory=Counter)  # account -> collect invocations to refuse first
    crash: set[str] = field(default_factory=set)  # accounts whose collect dies before storing a part
    lock: threading.Lock = field(default_factory=threading.Lock)
    local: threading.local = field(default_factory=threading.local)

    def invoke(self, backend: Any, function_name: str, qualifier: Any, body: Any, headers: Any, out: Any) -> bytes:
        function = self.functions[function_name.rsplit(":", 1)[-1]]
        event = json.loads(body)
        with self.lock:
            self.events.append((function, event))
            account = event.get("account", "")
            if function == "CollectFunction" and self.throttle[account] > 0:
                self.throttle[account] -= 1  # what Lambda answers when the concurrency quota is reached
                raise LambdaClientError("TooManyRequestsException", "Rate Exceeded.")
        self.local.function = function
        try:
            if function == "CollectFunction" and event.get("account") in self.crash:
                raise MemoryError("Runtime exited with error: signal: killed")
            result = lambda_handler.handler(
                event, SimpleNamespace(aws_request_id="req", get_remaining_time_in_millis=lambda: 900_000)
            )
        except Exception as exc:  # what the Lambda runtime reports for an unhandled error
            out["x-amz-function-error"] = "Unhandled"
            return json.dumps({"errorType": type(exc).__name__, "errorMessage": str(exc)}).encode()
        finally:
            self.local.function = None
        return json.dumps(result).encode()

    def session(self, *args: Any, **kwargs: Any) -> boto3.Session:
        """The handler's boto3.Session(): a real one whose every call is recorded under the calling function.
        Sessions the handler derives from it (AssumeRole into a member) are the scan role's, not recorded."""
        session = boto3.Session(*args, **kwargs)
        function = getattr(self.local, "function", None)
        if function is None:  # the handler called directly by a test, not by a step: no role to check against
            return session

        def record(params: dict[str, Any], model: Any, **_: Any) -> None:
            with self.lock:
                self.calls.append(Call(function, model.service_model.service_name, model.name, dict(params)))

        session.events.register("before-parameter-build", record)
        return session


def enforce_tolerated_failures(real: Callable[..., None]) -> Callable[..., None]:
    """moto counts a Distributed Map's failed items but never compares them with ToleratedFailurePercentage(Path);
    AWS fails the map run with States.ExceedToleratedFailureThreshold when failed/total exceeds it."""

    def map_run(self: Any, env: Any, eval_input: Any) -> None:
        real(self, env, eval_input)
        record = eval_input.map_run_record
        failed, total = record.item_counter.failed.get(), record.item_counter.total.get()
        if total and failed * 100 > record.tolerated_failure_percentage * total:
            name = StatesErrorNameType.StatesExceedToleratedFailureThreshold
            cause = f"{failed} of {total} items failed, over the tolerated {record.tolerated_failure_percentage}%"
            details = MapRunFailedEventDetails(error=name.to_name(), cause=cause)
            event = FailureEvent(
                env=env,
                error_name=StatesErrorName(typ=name),
                event_type=HistoryEventType.MapRunFailed,
                event_details=EventDetails(mapRunFailedEventDetails=details),
            )
            raise FailureEventException(event)

    return map_run


# --- the world and the deployment ----------------------------------------------------------------------------


@dataclass
class Deployment:
    org: HubSpokeOrg
    refused: str  # a member whose scan role cannot be assumed
    stack: Stack
    router: Router
    session: boto3.Session
    sleeps: list[float]

    def start(self, template: dict[str, Any], name: str, **overrides: str) -> dict[str, Any]:
        sfn = self.session.client("stepfunctions")
        machine = sfn.create_state_machine(
            name=f"{STACK}-accounts-{name}",
            definition=definition(template, self.stack, **overrides),
            roleArn=f"arn:aws:iam::{self.stack.account}:role/sfn",
        )["stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=machine, name=name)["executionArn"]
        deadline = time.monotonic() + 120
        while (described := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
            assert time.monotonic() < deadline, "the execution did not finish"
            time.sleep(0.1)
        described["history"] = sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
        return dict(described)

    def stored(self, key: str) -> dict[str, Any]:
        body = self.session.client("s3").get_object(Bucket=BUCKET, Key=key)["Body"].read()
        document: dict[str, Any] = json.loads(body)
        return document


@pytest.fixture(scope="module")
def deployed(template: dict[str, Any]) -> Iterator[Deployment]:
    with hub_spoke_org(extra_members=1, **MOTO_CONFIG) as org:
        (refused,) = org.extra
        session = boto3.Session(region_name=HOME)
        session.client("s3").create_bucket(Bucket=BUCKET)
        topic = session.client("sns").create_topic(Name="vpce-audit")["TopicArn"]
        stack = Stack(org.management, topic)
        role = session.client("iam").create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as archive:
            archive.writestr("placeholder.py", "")  # never run: the router answers every invocation
        router = Router()
        awslambda = session.client("lambda")
        for function, suffix in FUNCTIONS.items():
            name = f"{STACK}-{suffix}"
            created = awslambda.create_function(
                FunctionName=name,
                Runtime="python3.11",
                Role=role,
                Handler="vpce_audit.lambda_handler.handler",
                Code={"ZipFile": code.getvalue()},
            )
            stack.function_arns[function] = created["FunctionArn"]
            router.functions[name] = function
        refused_arn = role_arn("aws", refused, ROLE)
        real_assume = STSBackend.assume_role

        def assume_role(self: STSBackend, **kwargs: Any) -> Any:
            if kwargs.get("role_arn") == refused_arn:
                raise STSClientError("AccessDenied", f"not authorized to perform sts:AssumeRole on {refused_arn}")
            return real_assume(self, **kwargs)

        sleeps: list[float] = []
        env = function_environment(template, stack)
        with (
            mock.patch.object(STSBackend, "assume_role", assume_role),
            mock.patch.object(LambdaSimpleBackend, "invoke", lambda backend, *a: router.invoke(backend, *a)),
            mock.patch.object(
                DistributedIterationComponent,
                "_map_run",
                enforce_tolerated_failures(DistributedIterationComponent._map_run),
            ),
            mock.patch.object(retrier_decl, "time", SimpleNamespace(sleep=sleeps.append)),
            mock.patch.object(lambda_handler, "boto3", SimpleNamespace(Session=router.session)),
            mock.patch.object(fanout, "boto3", SimpleNamespace(Session=router.session)),
            mock.patch.dict(lambda_handler.os.environ, env),
        ):
            yield Deployment(org, refused, stack, router, session, sleeps)


@pytest.fixture(scope="module")
def tolerant(deployed: Deployment, template: dict[str, Any]) -> dict[str, Any]:
    """One run in which one account of four is refused (25%, tolerated at 50%) and one collect is throttled."""
    deployed.router.throttle[deployed.org.spoke] = 1
    return deployed.start(template, "run-tolerant", ToleratedFailurePercentage="50")


# --- the runs ---------------------------------------------------------------------------------------------


def test_a_refused_account_makes_the_report_partial_and_named_while_the_rest_is_judged(deployed, tolerant):
    assert tolerant["status"] == "SUCCEEDED", tolerant
    output = json.loads(tolerant["output"])
    assert output["run_id"] == "run-tolerant" and output["accounts"] == 4
    judged = output["judge"]
    assert judged["status"] == "partial" and judged["accounts_without_part"] == []
    report = deployed.stored(judged["report_key"])
    assert report == deployed.stored(f"{PREFIX}/latest.json")
    assert report["summary"]["partial"] is True
    assert [(e["account_id"], e["service"], e["operation"], e["code"]) for e in report["errors"]] == [
        (deployed.refused, "sts", "AssumeRole", "AccessDenied")
    ]
    org = deployed.org
    assert report["scope"]["accounts"] == sorted([org.management, org.spoke, org.other])
    # Each account's part is where the run's prefix says; the refused one's too, holding the reason.
    keys = deployed.session.client("s3").list_objects_v2(Bucket=BUCKET, Prefix=f"{PREFIX}/runs/run-tolerant/parts/")
    parts = sorted(o["Key"].rsplit("/", 1)[-1] for o in keys["Contents"])
    assert parts == sorted(f"{a}.json.gz" for a in (org.management, org.spoke, org.other, deployed.refused))


def test_the_refused_collect_fails_its_map_item_and_lambda_throttling_is_retried(deployed, tolerant):
    failed = [e for e in tolerant["history"] if e["type"] == "MapRunFailed"]
    assert failed == []  # 1 of 4 failed: within 50%
    collects = Counter(e["account"] for f, e in deployed.router.events if f == "CollectFunction")
    org = deployed.org
    # The throttled invocation was retried by the Retry the template declares; the function's own error
    # (CollectFailed) was not retried.
    assert collects[org.spoke] == 2 and collects[deployed.refused] == 1 and collects[org.other] == 1
    assert len(deployed.sleeps) == 1 and 0 <= deployed.sleeps[0] <= 2


def test_the_state_machine_judges_the_organisation_as_one_live_organization_scan(deployed, tolerant):
    """Spread collection, whole judgement: the report equals `scan --organization` (the same refused role)."""
    live = cli("scan", "--organization", "--role-name", ROLE, "--region", HOME, "--quiet", "-o", "json")
    assert live.code == 1, live.stderr
    report = deployed.stored(json.loads(tolerant["output"])["judge"]["report_key"])
    assert without_generated_at(dumps(report)) == without_generated_at(live.stdout)
    fired = {(f["check_id"], f["account_id"]) for f in report["findings"]}
    # Cross-account hub and spoke: visible only with the hub's zone and the spoke's VPC judged together.
    assert ("az-gap", deployed.org.management) in fired or ("az-gap", deployed.org.spoke) in fired
    assert any(check == "phz-hub-coverage" for check, _ in fired)


def test_more_failures_than_tolerated_still_judge_then_fail_the_execution(deployed, template, tolerant):
    """Tolerance 0: the map run fails (the refused account, and a collect that died without a part); the
    Catch still runs the judge, whose report names both, and the execution ends in TooManyAccountsFailed."""
    deployed.router.crash.add(deployed.org.other)
    try:
        strict = deployed.start(template, "run-strict", ToleratedFailurePercentage="0")
    finally:
        deployed.router.crash.clear()
    assert strict["status"] == "FAILED" and strict["error"] == "TooManyAccountsFailed"
    assert [e for e in strict["history"] if e["type"] == "MapRunFailed"]
    report = deployed.stored(f"{PREFIX}/latest.json")
    assert report["summary"]["partial"] is True
    assert sorted((e["account_id"], e["operation"], e["code"]) for e in report["errors"]) == sorted(
        [(deployed.refused, "AssumeRole", "AccessDenied"), (deployed.org.other, "Collect", "NoPart")]
    )
    assert deployed.org.other not in report["scope"]["accounts"]
    # The baseline was the tolerant run: the other account's findings are not resolved, only not re-checked.
    judged = [e for f, e in deployed.router.events if f == "AuditFunction"]
    assert judged[-1] == {"mode": "judge", "run_id": "run-strict"}


def test_a_run_whose_every_collect_failed_still_gets_a_partial_report(deployed, tolerant):
    """No part at all (every collect died): the judge writes a report of nothing, partial, naming each account."""
    accounts = [deployed.org.spoke, deployed.org.other]
    body = json.dumps([{"account": a} for a in accounts]).encode()
    deployed.session.client("s3").put_object(Bucket=BUCKET, Key=f"{PREFIX}/runs/run-empty/accounts.json", Body=body)
    context = SimpleNamespace(aws_request_id="req", get_remaining_time_in_millis=lambda: 900_000)
    summary = lambda_handler.handler({"mode": "judge", "run_id": "run-empty"}, context)
    assert summary["status"] == "partial" and summary["parts"] == 0
    assert summary["accounts_without_part"] == sorted(accounts)
    report = deployed.stored(summary["report_key"])
    assert report["scope"]["accounts"] == [] and report["endpoints"] == [] and report["summary"]["partial"]
    assert sorted(e["account_id"] for e in report["errors"]) == sorted(accounts)


# --- least privilege, checked against what each step called --------------------------------------------------


def iam_request(call: Call, stack: Stack) -> tuple[str, str, str | None] | None:
    """(IAM action, resource ARN, s3:prefix) a call is authorised as; None when no policy decides it."""
    params = call.params
    if (call.service, call.operation) == ("sts", "GetCallerIdentity"):
        return None  # AWS answers it for any identity
    if call.service == "s3":
        if call.operation == "ListObjectsV2":
            return "s3:ListBucket", f"arn:aws:s3:::{params['Bucket']}", params.get("Prefix", "")
        return f"s3:{call.operation}", f"arn:aws:s3:::{params['Bucket']}/{params['Key']}", None
    if (call.service, call.operation) == ("sts", "AssumeRole"):
        return "sts:AssumeRole", params["RoleArn"], None
    if (call.service, call.operation) == ("sns", "Publish"):
        return "sns:Publish", params["TopicArn"], None
    return f"{call.service}:{call.operation}", "*", None


def test_every_call_of_every_step_is_allowed_by_that_steps_role(deployed, template, tolerant):
    used: dict[str, set[str]] = defaultdict(set)
    assert {c.function for c in deployed.router.calls} == set(FUNCTIONS)
    for call in deployed.router.calls:
        request = iam_request(call, deployed.stack)
        if request is None:
            continue
        action, arn, prefix = request
        used[call.function].add(action)
        assert allowed(role_statements(template, call.function), deployed.stack, action, arn, prefix), (
            f"{call.function} called {action} on {arn} (prefix {prefix}): not allowed by its role"
        )
    assert "organizations:ListAccounts" in used["ListFunction"]
    assert {"sts:AssumeRole", "s3:PutObject"} <= used["CollectFunction"]
    assert {"s3:GetObject", "s3:ListBucket", "s3:PutObject", "sns:Publish"} <= used["AuditFunction"]


def test_no_role_grants_an_action_its_step_never_calls(deployed, template, tolerant):
    """Least privilege the other way: beyond the runtime's log writes and the read-only scan policy (whose
    every action a scan may call, tests/test_iam.py), each role's grants are used by its step in these runs."""
    from vpce_audit.aws import iam

    reads = iam.actions(iam.policy())
    for function in FUNCTIONS:
        granted = {a for s in role_statements(template, function) for a in listed(s["Action"])}
        used = {r[0] for c in deployed.router.calls if c.function == function and (r := iam_request(c, deployed.stack))}
        assert granted - used - reads - {"logs:CreateLogStream", "logs:PutLogEvents"} == set(), function


def test_the_state_machine_role_allows_what_the_execution_did(deployed, template, tolerant):
    """lambda:InvokeFunction on each function the steps invoked, s3:GetObject on the ItemReader's object."""
    statements = conditional(template["Resources"]["StateMachineRole"]["Properties"]["Policies"])
    statements = [s for p in statements for s in p["PolicyDocument"]["Statement"]]
    for function in {f for f, _ in deployed.router.events}:
        arn = deployed.stack.function_arns[function]
        assert allowed(statements, deployed.stack, "lambda:InvokeFunction", arn, None), function
    output = json.loads(tolerant["output"])
    reader = f"arn:aws:s3:::{output['bucket']}/{output['accounts_key']}"
    assert allowed(statements, deployed.stack, "s3:GetObject", reader, None)
    assert not allowed(statements, deployed.stack, "s3:GetObject", f"arn:aws:s3:::{BUCKET}/{PREFIX}/latest.json", None)


# --- a step's bad input fails the step (a state machine must not carry an error summary on) -----------------


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"mode": "collect", "run_id": "r1"}, "account must be an AWS account id"),
        ({"mode": "collect", "run_id": "r1", "account": "1234"}, "account must be an AWS account id"),
        ({"mode": "collect", "run_id": "r1", "account": "111111111111", "accounts": ["1"]}, "collect takes one"),
        ({"mode": "judge", "run_id": "a b"}, "run_id must be"),
        ({"mode": "judge"}, "run_id must be"),
        ({"mode": "explode", "run_id": "r1"}, "mode must be one of scan, list, collect, judge"),
    ],
)
def test_a_step_with_bad_input_raises(event, message, monkeypatch):
    monkeypatch.setenv("VPCE_AUDIT_BUCKET", BUCKET)
    monkeypatch.setenv("VPCE_AUDIT_REGIONS", HOME)
    with pytest.raises(InputError, match=message):
        lambda_handler.handler(event, None)


def test_the_scheduled_scan_still_returns_an_error_summary_and_accepts_mode_scan():
    assert lambda_handler.handler({"mode": "scan", "bogus": 1}, None)["status"] == "error"
