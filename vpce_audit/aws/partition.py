"""Which AWS partition a region belongs to: the one answer ARNs, Route 53's home region and OCSF all use."""

from __future__ import annotations

from functools import cache

import botocore.session
from botocore.exceptions import UnknownRegionError

DEFAULT_PARTITION = "aws"
# Global services (Route 53, Organizations) answer in one region per partition (the aws partition's is
# us-east-1): a client needs that region explicitly, whatever AWS_DEFAULT_REGION says or lacks.
GLOBAL_HOME = {"aws": "us-east-1", "aws-cn": "cn-northwest-1", "aws-us-gov": "us-gov-west-1"}


@cache
def partition_of(region: str) -> str:
    """`aws-cn` for cn-north-1, `aws-iso-b` for us-isob-east-1 ...; `aws` for a region botocore does not know.
    botocore's endpoint data holds each partition's region pattern, so partitions added after this version are
    known as soon as botocore is upgraded."""
    try:
        return str(_session().get_partition_for_region(region))
    except (UnknownRegionError, ValueError):
        return DEFAULT_PARTITION


def global_home(region: str) -> str:
    """Where the global services of `region`'s partition answer; the aws partition's home for the others."""
    return GLOBAL_HOME.get(partition_of(region), GLOBAL_HOME[DEFAULT_PARTITION])


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()
