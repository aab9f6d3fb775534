"""Everything the DNS engine derives from one Inventory, kept with it (Inventory.derived) and filled on first use.

Each question is asked many times (every check and every endpoint's path resolves the same names in the same
VPCs) and its answer depends on the Inventory alone, which is immutable: so each is computed once. The index
only stores; the module that owns a question computes its answer (dns/resolver.py the resolver contexts,
dns/candidates.py the candidates, dns/resolve.py the answers, dns/targets.py the endpoint lookups and record
targets, dns/links.py the zone links, dns/path.py the paths).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from vpce_audit.model.inventory import Inventory

if TYPE_CHECKING:
    from vpce_audit.dns.candidates import Candidates
    from vpce_audit.dns.links import ZoneLinks
    from vpce_audit.dns.path import DnsPath
    from vpce_audit.dns.resolve import Answer
    from vpce_audit.dns.resolver import ResolverContext
    from vpce_audit.dns.targets import EndpointLookup, RecordKey, Target


class DnsIndex:
    """The DNS engine's answers for one Inventory, typed, each keyed the way its question is asked."""

    __slots__ = (
        "answers",
        "candidates",
        "contexts",
        "endpoints",
        "inherited",
        "invariant",
        "paths",
        "record_targets",
        "zone_links",
        "zone_targets",
    )

    def __init__(self) -> None:
        self.contexts: dict[str, ResolverContext] = {}  # VPC id -> whose resolver answers its clients
        self.candidates: dict[str, Candidates] = {}  # resolver VPC id -> rules and zones that may answer
        self.answers: dict[tuple[str, str], Answer] = {}  # (client VPC id, name) -> what it resolves to
        self.endpoints: EndpointLookup | None = None  # interface endpoints by DNS name, IP and service
        self.record_targets: dict[RecordKey, Target] = {}  # a zone's record -> where it sends clients
        # Record targets no loss of ENIs or endpoint names can change (dns/targets.py: invariant_targets), and
        # those a view of another Inventory inherits from it (the AZ-loss simulation's views)
        self.invariant: Mapping[RecordKey, Target] | None = None
        self.inherited: Mapping[RecordKey, Target] = {}
        self.zone_targets: dict[str, tuple[Target, ...]] = {}  # zone id -> the targets of its records, in order
        self.zone_links: ZoneLinks | None = None  # endpoint -> VPC -> records leading there
        self.paths: dict[str, DnsPath] = {}  # endpoint id -> its DNS path

    @classmethod
    def of(cls, inv: Inventory) -> DnsIndex:
        return inv.derived.of(cls, cls)
