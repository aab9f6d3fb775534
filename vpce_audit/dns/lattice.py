"""The DNS verdict of resource and service-network endpoints (issue 15), for their own VPC.

Their names are the endpoint's DnsEntries and each association's DnsEntry: clients configured with them reach
the endpoint's ENIs. Private DNS for a resource's custom domain is managed by VPC Lattice from provider data this
version does not read (domain verification, PrivateDnsPreference), so with private DNS on the verdict stays
unknown and says why: never healthy, never broken on a guess."""

from __future__ import annotations

from vpce_audit.apis import Api
from vpce_audit.dns.kinds import Mode
from vpce_audit.dns.path import DnsPath, Via, VpcPath
from vpce_audit.model.inventory import Inventory
from vpce_audit.model.resources import Endpoint


def lattice_dns_path(inv: Inventory, ep: Endpoint) -> DnsPath:
    account, region = ep.account_id, ep.region  # its own VPC, whether or not DescribeVpcs answered
    names = sorted(
        {d.name for d in ep.dns_entries} | {a.dns_name for a in inv.associations.get(ep.id, ()) if a.dns_name}
    )
    evidence = {"endpoint_type": ep.type_raw, "names": names}
    if not inv.has(ep.account_id, ep.region, Api.DESCRIBE_VPC_ENDPOINT_ASSOCIATIONS):
        reason = "associations not collected (ec2:DescribeVpcEndpointAssociations): their names are unknown"
        path = VpcPath(ep.vpc_id, account, region, Via.ENDPOINT_VPC, Mode.UNKNOWN, reason, evidence)
    elif ep.private_dns_enabled:
        reason = (
            f"{ep.type_raw} endpoint with private DNS: the custom domains VPC Lattice answers depend on provider "
            "data (domain verification, PrivateDnsPreference) this version does not read"
        )
        path = VpcPath(ep.vpc_id, account, region, Via.ENDPOINT_VPC, Mode.UNKNOWN, reason, evidence)
    else:
        reason = f"{ep.type_raw} endpoint without private DNS: clients must use its names ({len(names)})"
        path = VpcPath(ep.vpc_id, account, region, Via.ENDPOINT_VPC, Mode.NAMES_ONLY, reason, evidence)
    return DnsPath(ep.id, (path,))
