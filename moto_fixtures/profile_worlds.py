"""Worlds for Route 53 Profiles (issue 14), served by moto_fixtures/route53_profiles.py (moto has none): a
Profile-based hub and spoke, a Profile delivering a Resolver rule that forwards a service name away, and near
misses. Each declares the exact check ids a scan of the default account raises."""

from __future__ import annotations

from moto_fixtures.builder import Builder
from moto_fixtures.dns_worlds import endpoint_vpc, hub_and_spoke, service_name
from moto_fixtures.route53_profiles import profile, rule_resource, zone_resource
from moto_fixtures.worlds import World, world


@world("dns-profile-hub-spoke", expect=())
def dns_profile_hub_spoke(b: Builder) -> World:
    """Healthy Profile-based hub and spoke: the ssm zone aliases the hub endpoint's regional name and is
    associated with the hub only; the spoke gets it through a Route 53 Profile. Near miss of every phz- and
    dns- check that a spoke without the zone would raise (its DNS path is not broken)."""
    ids = hub_and_spoke(b)
    ids["zone"] = b.private_zone(ids["name"], [ids["hub"]])
    b.records(ids["zone"], b.alias_record(ids["name"], ids["regional"]))
    ids["profile"] = profile(b, [ids["spoke"]], [zone_resource(ids["zone"])], priority=100)
    return World("dns-profile-hub-spoke", b, ids=ids)


@world("dns-profile-forward", expect={"rslv-forward-shadows"})
def dns_profile_forward(b: Builder) -> World:
    """A Route 53 Profile delivers a forwarding rule for ssm.us-east-1.amazonaws.com (associated with no VPC
    directly): it beats the endpoint's private DNS (same name) in the VPC the Profile is associated with."""
    ids = endpoint_vpc(b, "prof-fwd")
    ids["rule"], _ = b.resolver_rule(service_name(b, "ssm"), [], name="profile-forward")
    ids["profile"] = profile(b, [ids["vpc"]], [rule_resource(b, ids["rule"])])
    return World("dns-profile-forward", b, ids=ids)


@world("dns-profile-forward-other", expect=())
def dns_profile_forward_other(b: Builder) -> World:
    """Near miss of dns-profile-forward: the Profile's rule forwards an unrelated domain, and the Profile also
    delivers the endpoint's service-named zone to nothing the endpoint needs (its private DNS still answers)."""
    ids = endpoint_vpc(b, "prof-other")
    ids["rule"], _ = b.resolver_rule("corp.example.com", [], name="profile-forward-other")
    ids["profile"] = profile(b, [ids["vpc"]], [rule_resource(b, ids["rule"])], priority=200)
    return World("dns-profile-forward-other", b, ids=ids)
