"""The DNS model: Route 53 private hosted zones and their records, Route 53 Resolver rules and endpoints.

Names are stored as DNS compares them: lower case, no trailing dot, Route 53's `\\052` escape decoded to `*`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RecordSet:
    zone_id: str
    name: str
    type: str  # A | AAAA | CNAME | ...
    values: tuple[str, ...] = ()  # ResourceRecords; for a CNAME the target name, normalised
    alias_target: str = ""  # AliasTarget.DNSName, normalised; "" when not an alias
    alias_zone_id: str = ""
    set_identifier: str = ""  # weighted, latency, failover ... records share a name

    @property
    def is_alias(self) -> bool:
        return bool(self.alias_target)

    @property
    def target_name(self) -> str:
        """The name this record sends clients on to (alias or CNAME), "" for literal addresses."""
        if self.alias_target:
            return self.alias_target
        return self.values[0] if self.type == "CNAME" and self.values else ""


@dataclass(frozen=True, slots=True)
class HostedZone:
    """A private hosted zone, merged across every account of the scan that saw it."""

    id: str  # bare Z..., never /hostedzone/Z...
    name: str
    owner_account: str = ""  # Owner.OwningAccount; "" when owned by a service or not reported
    owner_service: str = ""  # Owner.OwningService, e.g. servicediscovery.amazonaws.com
    vpc_ids: tuple[str, ...] = ()  # associations known from GetHostedZone or ListHostedZonesByVPC
    records: tuple[RecordSet, ...] | None = None  # None: the records were not read (see skipped_reason)
    skipped_reason: str = ""  # why the records were not read, as the collector recorded it
    seen_by: tuple[str, ...] = ()  # scanned accounts that listed, described or skipped the zone
    # Route 53 Profiles (issue 14): VPCs a Profile delivers the zone to (not associations: no quota, not in
    # GetHostedZone), kept apart so that association counts stay AWS's own.
    profile_vpc_ids: tuple[str, ...] = ()

    # (VPC id, region) of every association GetHostedZone reported (issue 14, phz-association-stale); () when the
    # zone was not described.
    associations: tuple[tuple[str, str], ...] = ()

    @property
    def served_vpc_ids(self) -> tuple[str, ...]:
        """Every VPC whose clients the zone answers: its associations and the VPCs Profiles deliver it to."""
        return tuple(sorted(set(self.vpc_ids) | set(self.profile_vpc_ids)))

    @property
    def owner(self) -> str:
        return self.owner_account or self.owner_service

    @property
    def reporting_account(self) -> str:
        """The account a finding about the zone belongs to: its owner, or (owned by a service, or no owner
        reported) the first scanned account that found it."""
        return self.owner_account or (self.seen_by[0] if self.seen_by else "")


@dataclass(frozen=True, slots=True)
class ResolverRule:
    id: str
    account_id: str  # the account whose scan listed it (a shared rule is listed by its users too)
    region: str
    domain: str  # "" for the root rule "."
    rule_type: str  # FORWARD | SYSTEM | RECURSIVE | DELEGATE
    status: str  # COMPLETE | DELETING | UPDATING | FAILED
    target_ips: tuple[str, ...] = ()
    resolver_endpoint_id: str = ""
    owner_id: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class ResolverRuleAssociation:
    id: str
    rule_id: str
    vpc_id: str
    account_id: str
    region: str
    status: str  # CREATING | COMPLETE | DELETING | FAILED | OVERRIDDEN
    name: str = ""
    profile_id: str = ""  # Route 53 Profiles (issue 14): the Profile that delivers the rule; "" for the VPC's own


@dataclass(frozen=True, slots=True)
class ResolverAddress:
    """One IP address of a Resolver endpoint: where it sits and whether it serves."""

    ip: str
    subnet_id: str = ""  # "" when the response did not say
    status: str = ""  # ATTACHED when it serves; CREATING, ISOLATED, FAILED_RESOURCE_GONE, ...

    @property
    def attached(self) -> bool:
        return self.status in ("", "ATTACHED")  # no status reported: taken as serving, like the IP list


@dataclass(frozen=True, slots=True)
class ResolverEndpoint:
    id: str
    account_id: str
    region: str
    direction: str  # INBOUND | OUTBOUND
    vpc_id: str
    status: str
    ips: tuple[str, ...] | None = None  # None: ListResolverEndpointIpAddresses not collected for it
    name: str = ""
    addresses: tuple[ResolverAddress, ...] | None = None  # the same IPs with subnet and status; None as for ips
    status_message: str = ""
