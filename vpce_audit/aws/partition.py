"""Which AWS partition a region belongs to: the one answer ARNs, Route 53's home region and OCSF all use."""

from __future__ import annotations

from functools import cache

import botocore.session
from botocore.exceptions import UnknownRegionError

DEFAULT_PARTITION = "aws"
# Route 53 is global: its control plane answers in one region per partition (the aws partition's is us-east-1).
ROUTE53_HOME = {"aws": "us-east-1", "aws-cn": "cn-northwest-1", "aws-us-gov": "us-gov-west-1"}


@cache
def partition_of(region: str) -> str:
    """`aws-cn` for cn-north-1, `aws-iso-b` for us-isob-east-1 ...; `aws` for a region botocore does not know.
    botocore's endpoint data holds each partition's region pattern, so partitions added after this version are
    known as soon as botocore is upgraded."""
    try:
        return str(_session().get_partition_for_region(region))
    except (UnknownRegionError, ValueError):
        return DEFAULT_PARTITION


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()
