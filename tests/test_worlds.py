"""Every named world raises exactly the checks it declares: a missing check and a false alarm both fail."""

from __future__ import annotations

from collections import Counter

import pytest

from moto_fixtures import WORLDS
from tests.catalogue_probe import catalogue_violations
from tests.conftest import audit, fired


@pytest.mark.parametrize("name", sorted(WORLDS))
def test_world_raises_exactly_its_expected_checks_each_with_its_own_identity(make_world, aws, name):
    world = make_world(name)
    report = audit(aws)
    assert fired(report) == set(world.expect)
    assert report.errors == ()
    # The catalogue holds on this run: every API a check read (inventory fields, has/not_collected gates) is
    # among its declared inputs, and each finding's resource type and severity are ones its entry names.
    assert catalogue_violations(report) == []
    # The diff, Security Hub Ids and suppressions key on identity: two findings sharing one would be merged.
    # A check that raises several findings about one resource must give each its own key.
    shared = Counter(f.identity() for f in report.findings) - Counter(set(f.identity() for f in report.findings))
    assert not shared, f"findings share an identity: {sorted(map(str, shared))}"


def test_healthy_world_has_zero_findings_and_full_coverage(make_world, aws):
    world = make_world("healthy-3az")
    report = audit(aws)
    assert report.findings == ()
    verdicts = {v.endpoint.id: v for v in report.endpoints}
    ssm = verdicts[world.ids["ep.ssm"]].az
    assert ssm is not None and ssm.status == "known"
    assert ssm.covered == ssm.workload == {"use1-az1", "use1-az2", "use1-az6"}
    assert ssm.tolerated_az_failures == 2
    s3 = verdicts[world.ids["ep.s3"]].routes
    assert s3 is not None and len(s3.covered_subnets) == 3 and s3.missing_subnets == ()
