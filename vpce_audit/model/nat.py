"""NAT gateways (issue 15, egress posture), as DescribeNatGateways lists them: where each serves from.

A zonal NAT gateway lives in one subnet, so in one AZ: subnets of other AZs routed to it lose their egress with
that AZ. A regional one (AvailabilityMode `regional`) spans the VPC's AZs and counts for every AZ."""

from __future__ import annotations

from dataclasses import dataclass

ZONAL = "zonal"
REGIONAL = "regional"


@dataclass(frozen=True, slots=True)
class NatGateway:
    id: str
    account_id: str
    region: str
    vpc_id: str
    subnet_id: str  # "" for a regional NAT gateway, which no subnet hosts
    state: str  # pending | failed | available | deleting | deleted, as AWS words it
    # AvailabilityMode as AWS words it; "" when absent (an older answer: every NAT gateway was zonal then)
    availability_mode: str
    connectivity_type: str  # public | private
    # zonal: its subnet's AZ ID ("" when unknown); regional: the AZ IDs of its addresses (may be empty: AWS
    # then expands it to wherever the VPC has subnets)
    az_ids: frozenset[str]

    @property
    def regional(self) -> bool:
        return self.availability_mode.lower() == REGIONAL

    @property
    def zonal(self) -> bool:
        """Zonal for sure: said so, or no mode at all (AWS answered before regional NAT gateways existed)."""
        return self.availability_mode.lower() in (ZONAL, "")

    def serves(self, az_id: str) -> bool | None:
        """Whether the gateway keeps serving clients of `az_id` while only that AZ stays up: True for a regional
        gateway (every AZ), for a zonal one whether it lives in that AZ; None when that cannot be told (an
        unknown mode, or a zonal gateway whose AZ is unknown)."""
        if self.regional:
            return True
        if not self.zonal:
            return None
        home = next(iter(self.az_ids)) if len(self.az_ids) == 1 else ""
        return (home == az_id) if home else None
