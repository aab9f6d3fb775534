"""`make bench`: the pure part (normalize, checks, report) on synthetic snapshots of growing size.

The largest size is 10,000 interface endpoints in 1,000 VPCs across 3 regions with 100,000 Route 53 records;
the smaller ones are a quarter and a half of it. Raw items are generated directly (no moto: moto would take
hours to hold this many resources). Each size runs in its own subprocess so that its peak memory (maxrss) is
its own. Prints seconds and MiB per size and the growth exponent log(t4/t1)/log(4): 1 is linear, 2 quadratic.
Then `vpce-audit audit` runs on the largest snapshot saved to a file. Figures, not pass/fail.
"""

from __future__ import annotations

import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from vpce_audit.checks import run_checks
from vpce_audit.normalize import normalize
from vpce_audit.report.model import build_report
from vpce_audit.snapshot import GLOBAL_REGION, Part, Snapshot, dump_snapshot

ACCOUNT = "111111111111"
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
ENDPOINTS_PER_VPC = 10
RECORDS_PER_VPC = 100
BASE_VPCS = 250  # 1x = 2,500 endpoints; 4x = 10,000 endpoints, 100,000 records
SERVICES = ("ssm", "ssmmessages", "ec2messages", "kms", "sts", "logs", "ecr.api", "ecr.dkr", "secretsmanager", "sqs")
WHEN = "2024-01-01T00:00:00Z"


def _vpc_items(region: str, n: int, apis: dict[str, list[Any]], zones: dict[str, list[Any]]) -> None:
    """One VPC: three subnets with a workload ENI each, a main route table, a security group, ten interface
    endpoints with an ENI per AZ, and a private zone of RECORDS_PER_VPC records associated with it."""
    vpc_id = f"vpc-{n:08x}"
    cidr = f"10.{n // 256}.{n % 256}.0/24"
    apis["ec2:DescribeVpcs"].append(
        {"VpcId": vpc_id, "CidrBlock": cidr, "OwnerId": ACCOUNT, "DhcpOptionsId": "default"}
    )
    for attr in ("EnableDnsSupport", "EnableDnsHostnames"):
        apis["ec2:DescribeVpcAttribute"].append({"VpcId": vpc_id, attr: {"Value": True}})
    subnets = []
    for i, letter in enumerate("abc"):
        subnet_id = f"subnet-{n:08x}{letter}"
        subnets.append(subnet_id)
        apis["ec2:DescribeSubnets"].append(
            {
                "SubnetId": subnet_id,
                "VpcId": vpc_id,
                "AvailabilityZone": f"{region}{letter}",
                "AvailabilityZoneId": f"{region[:2]}{region[-1]}-az{i + 1}",
                "CidrBlock": cidr,
                "OwnerId": ACCOUNT,
            }
        )
        apis["ec2:DescribeNetworkInterfaces"].append(
            {"NetworkInterfaceId": f"eni-w{n:08x}{letter}", "SubnetId": subnet_id, "VpcId": vpc_id,
             "InterfaceType": "interface", "PrivateIpAddress": f"10.0.0.{10 + i}"}
        )  # fmt: skip
    apis["ec2:DescribeRouteTables"].append(
        {
            "RouteTableId": f"rtb-{n:08x}",
            "VpcId": vpc_id,
            "Associations": [{"Main": True, "AssociationState": {"State": "associated"}}],
            "Routes": [
                {"DestinationCidrBlock": cidr, "GatewayId": "local", "State": "active"},
                {"DestinationPrefixListId": _s3_prefix_list(region), "GatewayId": f"vpce-s3{n:08x}", "State": "active"},
            ],
        }
    )
    apis["ec2:DescribeVpcEndpoints"].append(
        {
            "VpcEndpointId": f"vpce-s3{n:08x}",
            "VpcId": vpc_id,
            "OwnerId": ACCOUNT,
            "VpcEndpointType": "Gateway",
            "ServiceName": f"com.amazonaws.{region}.s3",
            "State": "available",
            "RouteTableIds": [f"rtb-{n:08x}"],
        }
    )
    group_id = f"sg-{n:08x}"
    apis["ec2:DescribeSecurityGroups"].append(
        {
            "GroupId": group_id,
            "VpcId": vpc_id,
            "GroupName": "endpoints",
            "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": cidr}]}],
            "IpPermissionsEgress": [],
        }
    )
    for e, short in enumerate(SERVICES[:ENDPOINTS_PER_VPC]):
        ep_id = f"vpce-{n:08x}{e:02x}"
        enis = [f"eni-{n:08x}{e:02x}{letter}" for letter in "abc"]
        for eni_id, subnet_id in zip(enis, subnets, strict=True):
            apis["ec2:DescribeNetworkInterfaces"].append(
                {"NetworkInterfaceId": eni_id, "SubnetId": subnet_id, "VpcId": vpc_id,
                 "InterfaceType": "vpc_endpoint", "RequesterManaged": True, "Groups": [{"GroupId": group_id}]}
            )  # fmt: skip
        apis["ec2:DescribeVpcEndpoints"].append(
            {
                "VpcEndpointId": ep_id,
                "VpcId": vpc_id,
                "OwnerId": ACCOUNT,
                "VpcEndpointType": "Interface",
                "ServiceName": f"com.amazonaws.{region}.{short}",
                "State": "available",
                "SubnetIds": subnets,
                "NetworkInterfaceIds": enis,
                "Groups": [{"GroupId": group_id}],
                "PrivateDnsEnabled": True,
                "DnsEntries": [{"DnsName": f"{ep_id}-x.{short}.{region}.vpce.amazonaws.com", "HostedZoneId": "ZV"}],
            }
        )
    # Packet path (issue 13): a NACL per VPC on its three subnets (allow all, as AWS's default does), and the
    # VPC attached to the region's transit gateway in every AZ, its CIDR propagated into the TGW route table.
    apis["ec2:DescribeNetworkAcls"].append(
        {"NetworkAclId": f"acl-{n:08x}", "VpcId": vpc_id, "IsDefault": True, "OwnerId": ACCOUNT,
         "Associations": [{"SubnetId": s, "NetworkAclId": f"acl-{n:08x}"} for s in subnets],
         "Entries": [{"RuleNumber": rule, "Protocol": "-1", "RuleAction": action, "Egress": egress,
                      "CidrBlock": "0.0.0.0/0"}
                     for egress in (False, True) for rule, action in ((100, "allow"), (32767, "deny"))]}
    )  # fmt: skip
    att = f"tgw-attach-{n:08x}"
    apis["ec2:DescribeTransitGatewayAttachments"].append(
        {"TransitGatewayAttachmentId": att, "TransitGatewayId": _tgw(region), "TransitGatewayOwnerId": ACCOUNT,
         "ResourceType": "vpc", "ResourceId": vpc_id, "ResourceOwnerId": ACCOUNT, "State": "available",
         "Association": {"TransitGatewayRouteTableId": f"{_tgw(region)}-rtb", "State": "associated"}}
    )  # fmt: skip
    apis["ec2:DescribeTransitGatewayVpcAttachments"].append(
        {"TransitGatewayAttachmentId": att, "TransitGatewayId": _tgw(region), "VpcId": vpc_id, "SubnetIds": subnets,
         "State": "available", "Options": {"ApplianceModeSupport": "disable"}}
    )  # fmt: skip
    for api, key, item in (
        ("ec2:GetTransitGatewayRouteTableAssociations", "Associations", {"TransitGatewayAttachmentId": att}),
        ("ec2:GetTransitGatewayRouteTablePropagations", "TransitGatewayRouteTablePropagations",
         {"TransitGatewayAttachmentId": att}),
        ("ec2:SearchTransitGatewayRoutes", "Routes",
         {"DestinationCidrBlock": cidr, "Type": "propagated", "State": "active",
          "TransitGatewayAttachments": [{"TransitGatewayAttachmentId": att}]}),
    ):  # fmt: skip
        apis[api][0][key].append(item)
    zone_id = f"Z{region[:2].upper()}{n:08X}"
    name = f"vpc{n}.internal.example."
    zones["listing"].append(
        {"VPCId": vpc_id, "VPCRegion": region,
         "HostedZoneSummaries": [{"HostedZoneId": zone_id, "Name": name, "Owner": {"OwningAccount": ACCOUNT}}]}
    )  # fmt: skip
    zones["zones"].append(
        {"HostedZone": {"Id": f"/hostedzone/{zone_id}", "Name": name, "Config": {"PrivateZone": True}},
         "VPCs": [{"VPCRegion": region, "VPCId": vpc_id}]}
    )  # fmt: skip
    records = [
        {
            "Name": f"host{r}.{name}",
            "Type": "A",
            "TTL": 60,
            "ResourceRecords": [{"Value": f"10.0.{r // 250}.{r % 250}"}],
        }
        for r in range(RECORDS_PER_VPC)
    ]
    zones["records"].append({"HostedZoneId": zone_id, "ResourceRecordSets": records})


def _tgw(region: str) -> str:
    return f"tgw-{region.replace('-', '')}"


def _s3_prefix_list(region: str) -> str:
    return f"pl-s3{region.replace('-', '')}"


def _regional_part(region: str, first: int, count: int, zones: dict[str, list[Any]]) -> Part:
    apis: dict[str, list[Any]] = {
        key: []
        for key in (
            "ec2:DescribeVpcs",
            "ec2:DescribeVpcAttribute",
            "ec2:DescribeSubnets",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeRouteTables",
            "ec2:DescribeVpcEndpoints",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeManagedPrefixLists",
            "ec2:GetManagedPrefixListEntries",
            "ec2:DescribeDhcpOptions",
            "route53resolver:ListResolverRules",
            "route53resolver:ListResolverRuleAssociations",
            "route53resolver:ListResolverEndpoints",
            "route53resolver:ListResolverEndpointIpAddresses",
            # packet path (issue 13)
            "ec2:DescribeNetworkAcls",
            "ec2:DescribeVpcPeeringConnections",
            "ec2:DescribeTransitGatewayAttachments",
            "ec2:DescribeTransitGatewayVpcAttachments",
            # what a real scan of this estate also answers, empty: no DNS Firewall rule group, no Route 53
            # Profile, no VPC Block Public Access (without them the DNS and egress verdicts are unknown, and
            # the bench would time their short cut)
            "route53resolver:ListFirewallRuleGroupAssociations",
            "route53profiles:ListProfileAssociations",
            "route53profiles:ListProfileResourceAssociations",
            "ec2:DescribeVpcBlockPublicAccessOptions",
            "ec2:DescribeVpcBlockPublicAccessExclusions",
        )
    }
    table = f"{_tgw(region)}-rtb"
    apis["ec2:DescribeTransitGatewayRouteTables"] = [
        {"TransitGatewayRouteTableId": table, "TransitGatewayId": _tgw(region)}
    ]
    apis["ec2:GetTransitGatewayRouteTableAssociations"] = [{"TransitGatewayRouteTableId": table, "Associations": []}]
    apis["ec2:GetTransitGatewayRouteTablePropagations"] = [
        {"TransitGatewayRouteTableId": table, "TransitGatewayRouteTablePropagations": []}
    ]
    apis["ec2:SearchTransitGatewayRoutes"] = [
        {"TransitGatewayRouteTableId": table, "Routes": [], "AdditionalRoutesAvailable": False}
    ]
    apis["ec2:DescribeAvailabilityZones"] = [
        {"ZoneName": f"{region}{letter}", "ZoneId": f"{region[:2]}{region[-1]}-az{i + 1}", "RegionName": region}
        for i, letter in enumerate("abc")
    ]
    apis["ec2:DescribeVpcEndpointServices"] = [
        {
            "ServiceName": f"com.amazonaws.{region}.{short}",
            "ServiceType": [{"ServiceType": "Interface"}],
            "AvailabilityZones": [f"{region}{letter}" for letter in "abc"],
            "PrivateDnsName": f"{short}.{region}.amazonaws.com",
            "PrivateDnsNames": [{"PrivateDnsName": f"{short}.{region}.amazonaws.com"}],
            "Owner": "amazon",
        }
        for short in SERVICES
    ]
    apis["ec2:DescribeVpcEndpointServices"].append(
        {"ServiceName": f"com.amazonaws.{region}.s3", "ServiceType": [{"ServiceType": "Gateway"}],
         "AvailabilityZones": [f"{region}{letter}" for letter in "abc"], "Owner": "amazon"}
    )  # fmt: skip
    pl_id = _s3_prefix_list(region)
    apis["ec2:DescribeManagedPrefixLists"] = [{"PrefixListId": pl_id, "PrefixListName": f"com.amazonaws.{region}.s3"}]
    apis["ec2:GetManagedPrefixListEntries"] = [{"PrefixListId": pl_id, "Entries": [{"Cidr": "52.216.0.0/15"}]}]
    for n in range(first, first + count):
        _vpc_items(region, n, apis, zones)
    return Part(ACCOUNT, region, WHEN, apis)


def synthetic_snapshot(vpcs: int) -> Snapshot:
    """`vpcs` VPCs spread over three regions, ENDPOINTS_PER_VPC interface endpoints, an S3 gateway endpoint and
    RECORDS_PER_VPC records each."""
    zones: dict[str, list[Any]] = {"listing": [], "zones": [], "records": []}
    per_region = [vpcs // len(REGIONS) + (1 if i < vpcs % len(REGIONS) else 0) for i in range(len(REGIONS))]
    parts = []
    first = 0
    for region, count in zip(REGIONS, per_region, strict=True):
        parts.append(_regional_part(region, first, count, zones))
        first += count
    route53 = {
        "route53:ListHostedZonesByVPC": zones["listing"],
        "route53:GetHostedZone": zones["zones"],
        "route53:ListResourceRecordSets": zones["records"],
        "route53:SkippedZones": [],
        "route53:ListHostedZones": [z["HostedZone"] for z in zones["zones"]],  # the account-wide listing
    }
    parts.append(Part(ACCOUNT, GLOBAL_REGION, WHEN, route53))
    return Snapshot(WHEN, (ACCOUNT,), REGIONS, tuple(parts))


def measure(vpcs: int) -> dict[str, Any]:
    """Run in a fresh process: the stages' seconds and the process's peak resident memory."""
    snapshot = synthetic_snapshot(vpcs)
    t0 = time.perf_counter()
    inv = normalize(snapshot)
    t1 = time.perf_counter()
    findings = run_checks(inv)
    t2 = time.perf_counter()
    report = build_report(snapshot)  # normalize + verdicts + checks again, as the CLI does
    t3 = time.perf_counter()
    return {
        "vpcs": vpcs,
        "endpoints": sum(1 for e in inv.endpoints.values() if e.type_raw == "Interface"),
        "records": sum(len(z.records or ()) for z in inv.dns.zones.values()),
        "findings": len(findings),
        "report_endpoints": len(report.endpoints),
        "normalize_s": t1 - t0,
        "checks_s": t2 - t1,
        "build_report_s": t3 - t2,
        "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _in_subprocess(vpcs: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.scale", "--one", str(vpcs)], check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def _audit_file(vpcs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "snapshot.json"
        path.write_text(dump_snapshot(synthetic_snapshot(vpcs)), encoding="utf-8")
        size = path.stat().st_size / 2**20
        cli = Path(sys.executable).with_name("vpce-audit")
        start = time.perf_counter()
        done = subprocess.run(
            [str(cli), "audit", str(path), "--output", "json", "--fail-on", "none"],
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - start
    summary = json.loads(done.stdout)["summary"] if done.returncode in (0, 3) else done.stderr.strip()
    print(
        f"vpce-audit audit on the {vpcs}-VPC snapshot file ({size:.0f} MiB): exit {done.returncode} in {elapsed:.1f} s"
    )
    print(f"  summary: {summary}")


def main(argv: list[str]) -> None:
    if argv[:1] == ["--one"]:
        print(json.dumps(measure(int(argv[1]))))
        return
    sizes = [BASE_VPCS, 2 * BASE_VPCS, 4 * BASE_VPCS]
    print(f"normalize + checks + build_report on synthetic snapshots ({len(REGIONS)} regions), one process each")
    heads = ("size", "VPCs", "endpoints", "records", "normalize", "checks", "report", "MiB")
    print(" ".join(f"{h:>{w}}" for h, w in zip(heads, (4, 6, 9, 8, 9, 7, 7, 6), strict=True)))
    rows = []
    for factor, vpcs in zip((1, 2, 4), sizes, strict=True):
        r = _in_subprocess(vpcs)
        rows.append(r)
        print(
            f"{factor:>3}x {r['vpcs']:>6} {r['endpoints']:>9} {r['records']:>8} {r['normalize_s']:>8.2f}s "
            f"{r['checks_s']:>6.2f}s {r['build_report_s']:>6.2f}s {r['maxrss_mib']:>6.0f}"
        )
    for stage in ("normalize_s", "checks_s", "build_report_s"):
        t1, t4 = rows[0][stage], rows[-1][stage]
        exponent = math.log(t4 / t1) / math.log(4) if t1 > 0 and t4 > 0 else float("nan")
        print(f"growth exponent {stage.removesuffix('_s')}: {exponent:.2f} (1 = linear)")
    _audit_file(sizes[-1])


if __name__ == "__main__":
    main(sys.argv[1:])
