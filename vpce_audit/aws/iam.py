"""The IAM policy vpce-audit needs, shipped as files in the package: `vpce-audit iam-policy` prints them.

policies/read-only.json   every action a scan of one account calls, nothing else, on Resource "*": attach it to
                          the role assumed in each account (or the user or role that scans its own account).
policies/caller.json      what only the identity running an organisation scan needs on top: ListAccounts for
                          --organization and AssumeRole on the one role --role-name names.

sts:GetCallerIdentity is called but is in neither file: AWS answers it for any identity, whatever its policies
(even under an explicit Deny), so no policy can grant or refuse it.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from vpce_audit.collect.accounts import role_arn

READ_ONLY_FILE = "read-only.json"
CALLER_FILE = "caller.json"
# Called by every scan, granted by no policy.
NEEDS_NO_PERMISSION = frozenset({"sts:GetCallerIdentity"})
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
# botocore's service names (what CallCounter records) and the IAM service prefixes of the same services.
IAM_PREFIX = {
    "ec2": "ec2",
    "route53": "route53",
    "route53resolver": "route53resolver",
    "organizations": "organizations",
    "sts": "sts",
    "elbv2": "elasticloadbalancing",  # provider side (issue 15): botocore's elbv2 is IAM's elasticloadbalancing
    "route53profiles": "route53profiles",  # Route 53 Profiles (issue 14)
    "vpc-lattice": "vpc-lattice",  # resource endpoints' gateways (issue 15)
}
_ANY_ACCOUNT = "*"


def policy_text(name: str = READ_ONLY_FILE) -> str:
    """A shipped policy file, exactly as it is in the package."""
    return resources.files("vpce_audit").joinpath("policies", name).read_text(encoding="utf-8")


def policy(name: str = READ_ONLY_FILE) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(policy_text(name))
    return document


def actions(document: dict[str, Any]) -> frozenset[str]:
    """Every action a policy document allows."""
    found: set[str] = set()
    for statement in document["Statement"]:
        listed = statement["Action"]
        found.update([listed] if isinstance(listed, str) else listed)
    return frozenset(found)


def iam_action(service: str, operation: str) -> str:
    """`ec2`, `DescribeVpcs` -> `ec2:DescribeVpcs`; `elbv2`, `DescribeTargetHealth` ->
    `elasticloadbalancing:DescribeTargetHealth`. For the services vpce-audit calls, the IAM action is named as the
    API operation under the service's IAM prefix; the prefix table fails loudly for any service added without
    thinking about it."""
    if service not in IAM_PREFIX:
        raise KeyError(f"no IAM prefix known for botocore service {service!r}: add it to IAM_PREFIX")
    return f"{IAM_PREFIX[service]}:{operation}"


def caller_policy(role_name: str, partition: str = "aws") -> dict[str, Any]:
    """The read-only statements plus the caller's own: ListAccounts, and AssumeRole on `role_name` in any
    account of the partition (the account ids are only known once ListAccounts has answered)."""
    if partition not in PARTITIONS:
        raise ValueError(f"unknown partition {partition!r}")
    extras = policy(CALLER_FILE)["Statement"]
    arn = role_arn(partition, _ANY_ACCOUNT, role_name)
    for statement in extras:
        if isinstance(statement.get("Resource"), str) and statement["Resource"].endswith("role/ROLE_NAME"):
            statement["Resource"] = arn
    document = policy(READ_ONLY_FILE)
    document["Statement"] = [*document["Statement"], *extras]
    return document


def render(document: dict[str, Any]) -> str:
    """The layout of the shipped files: two-space indent, keys in the order AWS's console shows them."""
    return json.dumps(document, indent=2) + "\n"
