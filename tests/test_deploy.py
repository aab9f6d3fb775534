"""deploy/template.yaml: valid for cfn-lint (offline), and consistent with the code it deploys."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import cfnlint.api
import cfnlint.decode
import pytest

from vpce_audit import fanout, lambda_handler
from vpce_audit.aws import iam

TEMPLATE = Path(__file__).resolve().parent.parent / "deploy" / "template.yaml"


@pytest.fixture(scope="module")
def text() -> str:
    return TEMPLATE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def template(text: str) -> dict[str, Any]:
    decoded, problems = cfnlint.decode.decode_str(text)
    assert not problems
    return decoded


def resource(template: dict[str, Any], name: str) -> dict[str, Any]:
    props: dict[str, Any] = template["Resources"][name]["Properties"]
    return props


def statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    """Every statement of a role's inline policies, conditional ones included."""
    found = []
    for policy in resource(template, role)["Policies"]:
        policy = policy["Fn::If"][1] if "Fn::If" in policy else policy
        for statement in policy["PolicyDocument"]["Statement"]:
            found.append(statement["Fn::If"][1] if "Fn::If" in statement else statement)
    return found


def actions_of(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


def test_cfn_lint_finds_nothing(text):
    assert [str(m) for m in cfnlint.api.lint(text)] == []


def test_cfn_lint_would_catch_a_broken_template(text):
    """The lint is not vacuous: an invalid runtime and a missing property are reported."""
    assert cfnlint.api.lint(text.replace("Runtime: python3.11", "Runtime: python2.0"))
    assert cfnlint.api.lint(text.replace("      Handler: vpce_audit.lambda_handler.handler\n", ""))


def test_function_role_reads_exactly_the_shipped_policy(template):
    granted = set().union(*(actions_of(s) for s in statements(template, "FunctionRole")))
    shipped = iam.actions(iam.policy())
    assert shipped <= granted
    # the read-only services: those the shipped policy names (elasticloadbalancing, vpc-lattice since issue 15)
    reads = {a for a in granted if a.split(":")[0] in set(iam.IAM_PREFIX.values()) - {"sts", "organizations"}}
    assert reads == shipped  # nothing more of the account than a CLI scan may read


def policy_named(template: dict[str, Any], role: str, name: str) -> dict[str, Any]:
    """A role's inline policy by name, whether or not it is under a condition."""
    for policy in resource(template, role)["Policies"]:
        found = policy["Fn::If"][1] if "Fn::If" in policy else policy
        if found["PolicyName"] == name:
            return dict(found)
    raise KeyError(name)


def test_the_function_reads_accounts_only_in_single_account_mode(template):
    """With Organization=true the function is the state machine's judge: it reads parts, never an account."""
    (conditional,) = [p for p in resource(template, "FunctionRole")["Policies"] if "Fn::If" in p]
    condition, policy, otherwise = conditional["Fn::If"]
    assert condition == "SingleAccount" and otherwise == {"Ref": "AWS::NoValue"}
    assert policy["PolicyName"] == "vpce-audit-read-only"


def test_organization_roles_split_the_caller_policy_and_read_exactly_the_shipped_policy(template):
    """ListAccounts is the list step's alone, AssumeRole (on the scan role only) the collect step's; the collect
    step reads its own account with exactly read-only.json, as a live --organization scan reads the caller's."""
    caller = iam.actions(iam.policy(iam.CALLER_FILE))
    listed = set().union(*(actions_of(s) for s in statements(template, "ListRole")))
    collect = set().union(*(actions_of(s) for s in statements(template, "CollectRole")))
    assert (listed | collect) & caller == caller
    assert "sts:AssumeRole" not in listed and "organizations:ListAccounts" not in collect
    reads = {a for a in collect if a.split(":")[0] in set(iam.IAM_PREFIX.values()) - {"sts", "organizations"}}
    assert reads == iam.actions(iam.policy())
    (assume,) = [s for s in statements(template, "CollectRole") if actions_of(s) == {"sts:AssumeRole"}]
    assert assume["Resource"] == {"Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${ScanRoleName}"}


def test_writes_are_limited_to_its_own_bucket_and_topic(template):
    writes = [s for s in statements(template, "FunctionRole") if actions_of(s) & {"s3:PutObject", "sns:Publish"}]
    assert {frozenset(actions_of(s)) for s in writes} == {
        frozenset({"s3:GetObject", "s3:PutObject"}),
        frozenset({"sns:Publish"}),
    }
    for statement in writes:
        assert statement["Resource"] != "*"
    put = next(s for s in writes if "s3:PutObject" in actions_of(s))
    assert "${ReportBucket.Arn}/${ReportPrefix}/*" in put["Resource"]["Fn::Sub"]
    publish = next(s for s in writes if "sns:Publish" in actions_of(s))
    assert publish["Resource"] == {"Ref": "AlertTopic"}
    assert template["Resources"]["AlertTopic"]["Condition"] == "HasAlerts"


def test_suppressions_are_read_from_the_one_key_the_stack_names(template):
    """Only when SuppressionsKey is set: s3:GetObject on exactly that object, the one the function reads."""
    (read,) = [s for s in statements(template, "FunctionRole") if s.get("Sid") == "ReadSuppressions"]
    assert actions_of(read) == {"s3:GetObject"}
    assert read["Resource"] == {"Fn::Sub": "${ReportBucket.Arn}/${SuppressionsKey}"}
    policy = policy_named(template, "FunctionRole", "vpce-audit-reports")
    (conditional,) = [
        s for s in policy["PolicyDocument"]["Statement"] if "Fn::If" in s and "HasSuppressions" in s["Fn::If"]
    ]
    assert conditional["Fn::If"][2] == {"Ref": "AWS::NoValue"}
    variable = resource(template, "AuditFunction")["Environment"]["Variables"]["VPCE_AUDIT_SUPPRESSIONS"]
    assert variable == {
        "Fn::If": ["HasSuppressions", {"Fn::Sub": "s3://${ReportBucket}/${SuppressionsKey}"}, {"Ref": "AWS::NoValue"}]
    }


def test_bucket_is_encrypted_private_and_expires_reports(template):
    bucket = resource(template, "ReportBucket")
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    (lifecycle,) = bucket["LifecycleConfiguration"]["Rules"]
    assert lifecycle["Status"] == "Enabled" and lifecycle["ExpirationInDays"] == {"Ref": "ReportRetentionDays"}


def test_function_runs_the_handler_with_the_variables_it_reads(template):
    function = resource(template, "AuditFunction")
    module, _, name = function["Handler"].rpartition(".")
    assert callable(getattr(importlib.import_module(module), name))
    assert function["Runtime"] == "python3.11"
    assert function["Timeout"] * 1000 > 2 * lambda_handler.SAFETY_MARGIN_MS
    read = {f"VPCE_AUDIT_{k.upper()}" for k in lambda_handler.EVENT_KEYS} | {
        "VPCE_AUDIT_SNS_TOPIC_ARN",
        "VPCE_AUDIT_SECURITYHUB",
        "VPCE_AUDIT_EVENT_BUS",
    }
    assert set(function["Environment"]["Variables"]) <= read


@pytest.mark.parametrize(
    ("condition", "action", "variable"),
    [
        ("ExportToSecurityHub", "securityhub:BatchImportFindings", "VPCE_AUDIT_SECURITYHUB"),
        ("HasEventBus", "events:PutEvents", "VPCE_AUDIT_EVENT_BUS"),
    ],
)
def test_requested_writes_are_granted_only_when_enabled(template, condition, action, variable):
    """Security Hub's import and EventBridge's PutEvents: in the policy and the environment only under their
    condition, on one resource each, never `*`."""
    policy = policy_named(template, "FunctionRole", "vpce-audit-reports")
    (conditional,) = [s for s in policy["PolicyDocument"]["Statement"] if "Fn::If" in s and condition in s["Fn::If"]]
    granted, otherwise = conditional["Fn::If"][1:]
    assert actions_of(granted) == {action} and otherwise == {"Ref": "AWS::NoValue"}
    expected = {
        "securityhub:BatchImportFindings": "arn:${AWS::Partition}:securityhub:*:${AWS::AccountId}:product/"
        "${AWS::AccountId}/default",
        "events:PutEvents": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${EventBusName}",
    }
    assert granted["Resource"] == {"Fn::Sub": expected[action]}
    value = resource(template, "AuditFunction")["Environment"]["Variables"][variable]
    assert value["Fn::If"][0] == condition and value["Fn::If"][2] == {"Ref": "AWS::NoValue"}


def test_schedule_targets_the_function_or_the_state_machine(template):
    single = template["Resources"]["ScheduleRule"]
    org = template["Resources"]["OrganizationScheduleRule"]
    assert single["Condition"] == "SingleAccount" and org["Condition"] == "UseOrganization"
    assert single["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": ["AuditFunction", "Arn"]}
    assert org["Properties"]["Targets"][0]["Arn"] == {"Ref": "AccountsStateMachine"}
    assert single["Properties"]["Targets"][0]["Input"] == "{}"  # an empty event: scope from the environment


def _transitions(states: dict[str, Any]) -> set[str]:
    targets = set()
    for state in states.values():
        targets.update(s for s in (state.get("Next"), state.get("Default")) if s)
        targets.update(c["Next"] for c in state.get("Choices", []))
    return targets


def test_state_machine_lists_collects_in_a_distributed_map_and_judges(template):
    """The shape tests/test_state_machine.py executes: list -> Distributed Map of collect -> judge, every
    transition to a state that exists, every payload key one the handler reads, the numbers from parameters."""
    props = resource(template, "AccountsStateMachine")
    states = props["Definition"]["States"]
    assert props["Definition"]["StartAt"] == "ListAccounts" and _transitions(states) <= set(states)
    fan_out = states["CollectAccounts"]
    assert fan_out["Type"] == "Map" and fan_out["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert fan_out["ItemReader"]["Resource"] == "arn:aws:states:::s3:getObject"
    inner = fan_out["ItemProcessor"]["States"]
    assert fan_out["ItemProcessor"]["StartAt"] in inner and _transitions(inner) <= set(inner)
    keys = set(lambda_handler.EVENT_KEYS) | set(fanout.RUN_KEYS)
    payloads = [
        states["ListAccounts"]["Parameters"]["Payload"],
        fan_out["ItemSelector"],
        states["Judge"]["Parameters"]["Payload"],
    ]
    for payload in payloads:
        assert {k.removesuffix(".$") for k in payload} <= keys
    assert [p["mode"] for p in payloads] == ["list", "collect", "judge"]
    assert inner["Collect"]["Parameters"]["Payload.$"] == "$"  # the ItemSelector's object is the event
    # Lambda's throttling is retried at every step; the map's failures beyond the tolerance still reach Judge.
    for task in (states["ListAccounts"], inner["Collect"], states["Judge"]):
        assert "Lambda.TooManyRequestsException" in task["Retry"][0]["ErrorEquals"]
    (catch,) = fan_out["Catch"]
    assert catch["ErrorEquals"] == ["States.ExceedToleratedFailureThreshold"] and catch["Next"] == "Judge"
    assert fan_out["Next"] == "Judge"
    substituted = props["DefinitionSubstitutions"]
    assert substituted["MaxConcurrency"] == {"Ref": "MaxConcurrency"}
    assert substituted["ToleratedFailurePercentage"] == {"Ref": "ToleratedFailurePercentage"}
    assert {substituted[k]["Fn::GetAtt"][0] for k in ("ListFunctionArn", "CollectFunctionArn", "JudgeFunctionArn")} == {
        "ListFunction",
        "CollectFunction",
        "AuditFunction",
    }


@pytest.mark.parametrize("function", ["ListFunction", "CollectFunction", "AuditFunction"])
def test_every_step_runs_the_one_handler_with_its_own_role(template, function):
    props = resource(template, function)
    assert props["Handler"] == "vpce_audit.lambda_handler.handler" and props["Runtime"] == "python3.11"
    roles = {
        resource(template, f)["Role"]["Fn::GetAtt"][0] for f in ("ListFunction", "CollectFunction", "AuditFunction")
    }
    assert len(roles) == 3
    assert {"VPCE_AUDIT_BUCKET", "VPCE_AUDIT_PREFIX", "VPCE_AUDIT_REGIONS"} <= set(props["Environment"]["Variables"])
