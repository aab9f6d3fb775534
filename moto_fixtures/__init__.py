"""Reusable moto worlds for vpce-audit's tests, demo and benchmarks, and the helper that makes moto's
endpoints look like real ones (moto 5.2.5 internals; see moto_fixtures/realism.py)."""

from moto_fixtures import (  # noqa: F401  (register their worlds in WORLDS)
    dns_source_worlds,
    dns_worlds,
    lattice,
    net_worlds,
    profile_worlds,
    provider,
    sg_worlds,
    shape_worlds,
    zone_worlds,
)
from moto_fixtures.builder import Builder
from moto_fixtures.dns_firewall import install as _install_dns_firewall
from moto_fixtures.env import ACCOUNT_ID, fake_aws_env
from moto_fixtures.route53_profiles import install as _install_route53_profiles
from moto_fixtures.worlds import WORLDS, World, build_world

_install_dns_firewall()  # moto has no DNS Firewall: every scan lists it (DNS sources, issue 14)
_install_route53_profiles()  # nor Route 53 Profiles: a moto service of our own (moto_fixtures/route53_profiles.py)
provider.install()  # moto 5.2.5 lacks DescribeVpcEndpointConnections (moto_fixtures/provider.py)
provider.install_lattice()  # and DescribeVpcEndpointAssociations
provider.install_block_public_access()  # and VPC Block Public Access
lattice.install()  # and vpc-lattice resource configurations and gateways (resource endpoints' AZ overlap)

__all__ = ["ACCOUNT_ID", "WORLDS", "Builder", "World", "build_world", "fake_aws_env"]
