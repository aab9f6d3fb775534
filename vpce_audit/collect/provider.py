"""The provider side of PrivateLink for one account and region: the endpoint services the account owns, their
connections, and the Network Load Balancers behind them with their attributes, target groups and per-AZ target
health. Nothing past the first call when the account owns no service; then a constant number of paginated calls
plus one per load balancer (its attributes) and two per target group behind it (attributes, health), which AWS
answers only one resource at a time."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from vpce_audit.apis import Api
from vpce_audit.collect.base import Recorder, paginate

# DescribeLoadBalancers takes at most 20 ARNs per call.
LB_BATCH = 20


def collect_provider(rec: Recorder, ec2: Any, elbv2: Callable[[], Any]) -> None:
    """`elbv2` builds the ELB client only when an owned service names a load balancer."""
    configs = rec.record(
        Api.DESCRIBE_VPC_ENDPOINT_SERVICE_CONFIGURATIONS,
        lambda: paginate(ec2, "describe_vpc_endpoint_service_configurations", "ServiceConfigurations"),
    )
    if not configs:
        return
    rec.record(
        Api.DESCRIBE_VPC_ENDPOINT_CONNECTIONS,
        lambda: paginate(ec2, "describe_vpc_endpoint_connections", "VpcEndpointConnections"),
    )
    arns = sorted(
        {
            a
            for c in configs
            if isinstance(c, dict)
            for a in c.get("NetworkLoadBalancerArns") or []
            if isinstance(a, str)
        }
    )
    if arns:
        _collect_load_balancers(rec, elbv2(), arns)


def _collect_load_balancers(rec: Recorder, elb: Any, arns: list[str]) -> None:
    def describe() -> list[Any]:
        found: list[Any] = []
        for start in range(0, len(arns), LB_BATCH):
            found += paginate(
                elb, "describe_load_balancers", "LoadBalancers", LoadBalancerArns=arns[start : start + LB_BATCH]
            )
        return found

    lbs = rec.record(Api.DESCRIBE_LOAD_BALANCERS, describe)
    # Every target group of the region in one paginated listing (DescribeTargetGroups takes one load balancer
    # per call); those routing for the owned load balancers are kept.
    wanted = set(arns)
    groups = rec.record(
        Api.DESCRIBE_TARGET_GROUPS,
        lambda: [
            g
            for g in paginate(elb, "describe_target_groups", "TargetGroups")
            if wanted & set(g.get("LoadBalancerArns") or [])
        ],
    )
    # A per-resource API is recorded only when the listing it follows answered: absent, it reads as not
    # collected (report/coverage.py), never as "nothing to ask".
    if lbs is not None:
        _per_resource(
            rec,
            Api.DESCRIBE_LOAD_BALANCER_ATTRIBUTES,
            "LoadBalancerArn",
            [lb["LoadBalancerArn"] for lb in lbs],
            lambda arn: elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"],
            "Attributes",
        )
    if groups is None:
        return
    tg_arns = [g["TargetGroupArn"] for g in groups]
    _per_resource(
        rec,
        Api.DESCRIBE_TARGET_GROUP_ATTRIBUTES,
        "TargetGroupArn",
        tg_arns,
        lambda arn: elb.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"],
        "Attributes",
    )
    _per_resource(
        rec,
        Api.DESCRIBE_TARGET_HEALTH,
        "TargetGroupArn",
        tg_arns,
        lambda arn: elb.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"],
        "TargetHealthDescriptions",
    )


def _per_resource(rec: Recorder, api: Api, id_key: str, ids: list[str], fetch: Callable[[str], Any], key: str) -> None:
    """One call per resource (AWS has no batch form); each failure is recorded on its own and leaves only that
    resource unknown, the others' answers are kept: [{id_key: id, key: answer}, ...]."""
    results: list[Any] = []
    for resource_id in sorted(ids):
        value = rec.attempt(api, partial(fetch, resource_id))
        if value is not None:
            results.append({id_key: resource_id, key: value})
    rec.apis[api] = results
