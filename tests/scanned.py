"""Helpers for tests that scan one named moto world and look at what a check said about it."""

from __future__ import annotations

from collections.abc import Callable

import boto3

from moto_fixtures import World
from tests.conftest import audit
from vpce_audit.model.findings import Finding
from vpce_audit.report.model import EndpointVerdict, Report


def scan_world(make_world: Callable[[str], World], aws: boto3.Session, name: str) -> tuple[World, Report]:
    world = make_world(name)
    return world, audit(aws)


def findings_of(report: Report, check_id: str) -> list[Finding]:
    return [f for f in report.findings if f.check_id == check_id]


def the_finding(report: Report, check_id: str) -> Finding:
    """The one finding of this check; fails when there is none or more than one."""
    found = findings_of(report, check_id)
    assert len(found) == 1, f"expected one {check_id} finding, got {[f.message for f in found]}"
    return found[0]


def verdict_of(report: Report, endpoint_id: str) -> EndpointVerdict:
    return next(v for v in report.endpoints if v.endpoint.id == endpoint_id)
