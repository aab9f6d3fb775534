"""Hand-built DNS snapshots: an account's regional part (EC2 + Resolver) and its global part (Route 53),
shaped as the collectors record them (notes/dns-format.md), for precedence edge cases moto cannot express."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.raw_snapshot import ACCOUNT, REGION, RawPart, snapshot
from vpce_audit.checks import REGISTRY
from vpce_audit.model.inventory import Inventory
from vpce_audit.normalize import normalize
from vpce_audit.report.model import Report, build_report

RESOLVER_APIS = (
    "route53resolver:ListResolverRules",
    "route53resolver:ListResolverRuleAssociations",
    "route53resolver:ListResolverEndpoints",
    "route53resolver:ListResolverEndpointIpAddresses",
    "route53resolver:ListFirewallRuleGroupAssociations",  # DNS sources (issue 14)
    "route53profiles:ListProfileAssociations",  # Route 53 Profiles (issue 14)
    "route53profiles:ListProfileResourceAssociations",
)
ROUTE53_APIS = (
    "route53:ListHostedZonesByVPC",
    "route53:GetHostedZone",
    "route53:ListResourceRecordSets",
    "route53:SkippedZones",
    "route53:ListHostedZones",  # account-wide listing (issue 14)
)
PRIVATE_NAMES = {
    "ssm": ("ssm.{r}.amazonaws.com",),
    "sts": ("sts.{r}.amazonaws.com",),
    "kms": ("kms.{r}.amazonaws.com",),
    "s3": ("s3.{r}.amazonaws.com", "*.s3.{r}.amazonaws.com"),
    "ecr.dkr": ("*.dkr.ecr.{r}.amazonaws.com",),
    "kinesis-streams": ("kinesis.{r}.amazonaws.com",),
}
VPCE_ZONE = "Z7HUB22UULQXV"


def alias(name: str, target: str, rtype: str = "A", zone_id: str = VPCE_ZONE) -> dict[str, Any]:
    return {
        "Name": _fqdn(name),
        "Type": rtype,
        "AliasTarget": {"HostedZoneId": zone_id, "DNSName": _fqdn(target), "EvaluateTargetHealth": False},
    }


def a(name: str, *ips: str, rtype: str = "A") -> dict[str, Any]:
    return {"Name": _fqdn(name), "Type": rtype, "TTL": 300, "ResourceRecords": [{"Value": ip} for ip in ips]}


def cname(name: str, target: str) -> dict[str, Any]:
    return {"Name": _fqdn(name), "Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": _fqdn(target)}]}


def txt(name: str, value: str = '"x"') -> dict[str, Any]:
    return {"Name": _fqdn(name), "Type": "TXT", "TTL": 300, "ResourceRecords": [{"Value": value}]}


def _fqdn(name: str) -> str:
    # Route 53 answers with a trailing dot and `*` escaped as \052.
    return name.replace("*", "\\052").rstrip(".") + "."


@dataclass
class Account:
    """One account: its regional part (EC2 + Resolver) and its global part (Route 53), all APIs present."""

    account_id: str = ACCOUNT
    region: str = REGION
    reg: RawPart = field(init=False)
    glob: RawPart = field(init=False)
    _listing: dict[str, dict[str, Any]] = field(default_factory=dict, init=False)
    _subnet_index: int = field(default=0, init=False)
    _ips: dict[str, list[str]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        zones = {f"{self.region}a": "use1-az1", f"{self.region}b": "use1-az2", f"{self.region}c": "use1-az3"}
        self.reg = RawPart(self.account_id, self.region, zones=zones)
        for api in RESOLVER_APIS:
            self.reg.apis[api] = []
        self.glob = RawPart(self.account_id, "global", zones={})
        self.glob.apis = {api: [] for api in ROUTE53_APIS}

    # --- network ----------------------------------------------------------------------------------------

    def vpc(
        self,
        vpc_id: str,
        cidr: str = "10.0.0.0/16",
        *,
        azs: Iterable[str] = ("a", "b", "c"),
        support: bool | None = True,
        hostnames: bool | None = True,
        dns_servers: Iterable[str] | None = None,
        listed: bool = True,
        workloads: bool | Iterable[str] = True,
    ) -> dict[str, str]:
        """A VPC with one subnet per AZ letter and a workload ENI in each (or in the letters `workloads`
        names); returns {az letter: subnet id}."""
        dhcp = "default"
        if dns_servers is not None:
            dhcp = f"dopt-{vpc_id.removeprefix('vpc-')}"
            self.reg.add(
                "ec2:DescribeDhcpOptions",
                {
                    "DhcpOptionsId": dhcp,
                    "DhcpConfigurations": [
                        {"Key": "domain-name-servers", "Values": [{"Value": s} for s in dns_servers]}
                    ],
                },
            )
        self.reg.vpc(vpc_id, cidr, DhcpOptionsId=dhcp)
        for attr, value in (("EnableDnsSupport", support), ("EnableDnsHostnames", hostnames)):
            if value is not None:
                self.reg.add("ec2:DescribeVpcAttribute", {"VpcId": vpc_id, attr: {"Value": value}})
        prefix = ".".join(cidr.split(".")[:2])
        subnets = {}
        for letter in azs:
            self._subnet_index += 1
            subnet_id = f"subnet-{vpc_id.removeprefix('vpc-')}{letter}"
            third = self._subnet_index % 250
            self.reg.subnet(subnet_id, vpc_id, f"{self.region}{letter}", CidrBlock=f"{prefix}.{third}.0/24")
            self._ips[subnet_id] = [f"{prefix}.{third}.{n}" for n in range(10, 250)]
            if workloads is True or (not isinstance(workloads, bool) and letter in workloads):
                self.reg.eni(f"eni-w{subnet_id.removeprefix('subnet-')}", subnet_id, vpc_id)
            subnets[letter] = subnet_id
        if listed:
            self._listing[vpc_id] = self.glob.add(
                "route53:ListHostedZonesByVPC", {"VPCId": vpc_id, "VPCRegion": self.region, "HostedZoneSummaries": []}
            )
        return subnets

    def service(self, short: str, names: Iterable[str] | None = None, owner: str = "amazon") -> str:
        name = f"com.amazonaws.{self.region}.{short}"
        private = [n.format(r=self.region) for n in (PRIVATE_NAMES.get(short, ()) if names is None else names)]
        if not any(s.get("ServiceName") == name for s in self.reg.apis["ec2:DescribeVpcEndpointServices"]):
            item: dict[str, Any] = {
                "ServiceName": name,
                "ServiceType": [{"ServiceType": "Interface"}],
                "AvailabilityZones": [f"{self.region}{x}" for x in "abc"],
                "Owner": owner,
                "PrivateDnsNames": [{"PrivateDnsName": n} for n in private],
            }
            if private:
                item["PrivateDnsName"] = private[0]
            self.reg.add("ec2:DescribeVpcEndpointServices", item)
        return name

    def endpoint(
        self,
        ep_id: str,
        vpc_id: str,
        short: str,
        subnet_ids: Iterable[str],
        *,
        private_dns: bool = False,
        state: str = "available",
        describe_service: bool = True,
    ) -> dict[str, Any]:
        """An interface endpoint with one ENI (and IP) per subnet and AWS's DnsEntries: regional, zonal, private."""
        service = self.service(short) if describe_service else f"com.amazonaws.{self.region}.{short}"
        subnet_ids = list(subnet_ids)
        eni_ids = []
        base = f"{ep_id}-abcd1234"
        entries = [{"DnsName": f"{base}.{short}.{self.region}.vpce.amazonaws.com", "HostedZoneId": VPCE_ZONE}]
        for subnet_id in subnet_ids:
            eni_id = f"eni-{ep_id.removeprefix('vpce-')}{subnet_id[-1]}"
            ip = self._ips[subnet_id].pop(0)
            self.reg.eni(
                eni_id,
                subnet_id,
                vpc_id,
                "vpc_endpoint",
                PrivateIpAddress=ip,
                PrivateIpAddresses=[{"PrivateIpAddress": ip, "Primary": True}],
            )
            eni_ids.append(eni_id)
            az_name = f"{self.region}{subnet_id[-1]}"
            entries.append(
                {"DnsName": f"{base}-{az_name}.{short}.{self.region}.vpce.amazonaws.com", "HostedZoneId": VPCE_ZONE}
            )
        if private_dns:
            entries += [{"DnsName": n.format(r=self.region), "HostedZoneId": "ZPRIVATE"} for n in PRIVATE_NAMES[short]]
        return self.reg.endpoint(
            ep_id,
            vpc_id,
            service,
            state=state,
            subnet_ids=subnet_ids,
            eni_ids=eni_ids,
            PrivateDnsEnabled=private_dns,
            DnsEntries=entries,
        )

    def ips(self, ep_id: str) -> list[str]:
        enis = {
            e
            for item in self.reg.apis["ec2:DescribeVpcEndpoints"]
            if item["VpcEndpointId"] == ep_id
            for e in item["NetworkInterfaceIds"]
        }
        return [
            n["PrivateIpAddress"]
            for n in self.reg.apis["ec2:DescribeNetworkInterfaces"]
            if n["NetworkInterfaceId"] in enis
        ]

    # --- Route 53 ---------------------------------------------------------------------------------------

    def list_zone(self, vpc_id: str, zone_id: str, name: str, owner: Mapping[str, str]) -> None:
        entry = self._listing.get(vpc_id)
        if entry is not None:
            entry["HostedZoneSummaries"].append({"HostedZoneId": zone_id, "Name": _fqdn(name), "Owner": dict(owner)})

    def zone(
        self,
        zone_id: str,
        name: str,
        vpc_ids: Iterable[str],
        records: Iterable[dict[str, Any]] = (),
        *,
        read: bool = True,
    ) -> None:
        """A private zone this account owns, associated with `vpc_ids` (any account's), with its records."""
        vpc_ids = list(vpc_ids)
        self.glob.add(
            "route53:GetHostedZone",
            {
                "HostedZone": {"Id": f"/hostedzone/{zone_id}", "Name": _fqdn(name), "Config": {"PrivateZone": True}},
                "VPCs": [{"VPCRegion": self.region, "VPCId": v} for v in vpc_ids],
            },
        )
        for vpc_id in vpc_ids:
            self.list_zone(vpc_id, zone_id, name, {"OwningAccount": self.account_id})
        if read:
            soa = {"Name": _fqdn(name), "Type": "SOA", "TTL": 900, "ResourceRecords": [{"Value": "ns. h. 1 2 3 4 5"}]}
            ns = {"Name": _fqdn(name), "Type": "NS", "TTL": 900, "ResourceRecords": [{"Value": "ns-1.awsdns-1.com."}]}
            self.glob.add(
                "route53:ListResourceRecordSets",
                {"HostedZoneId": zone_id, "ResourceRecordSets": [soa, ns, *records]},
            )

    def foreign_zone(self, zone_id: str, name: str, vpc_ids: Iterable[str], owner_account: str) -> None:
        """A zone another account owns, seen through this account's VPCs: listed and skipped, never read."""
        for vpc_id in vpc_ids:
            self.list_zone(vpc_id, zone_id, name, {"OwningAccount": owner_account})
        self.glob.add(
            "route53:SkippedZones",
            {
                "HostedZoneId": zone_id,
                "Name": _fqdn(name),
                "OwningAccount": owner_account,
                "reason": f"owned by account {owner_account}: unverifiable, audit account {owner_account}",
            },
        )

    # --- Resolver ---------------------------------------------------------------------------------------

    def rule(
        self,
        rule_id: str,
        domain: str,
        vpc_ids: Iterable[str] = (),
        *,
        rule_type: str = "FORWARD",
        status: str = "COMPLETE",
        association_status: str = "COMPLETE",
        target_ips: Iterable[str] = ("192.168.0.2",),
    ) -> None:
        self.reg.add(
            "route53resolver:ListResolverRules",
            {
                "Id": rule_id,
                "DomainName": domain.rstrip(".") + ".",
                "RuleType": rule_type,
                "Status": status,
                "TargetIps": [{"Ip": ip, "Port": 53} for ip in target_ips] if rule_type == "FORWARD" else [],
                "OwnerId": self.account_id,
                "ShareStatus": "NOT_SHARED",
                "Name": rule_id,
            },
        )
        for vpc_id in vpc_ids:
            self.reg.add(
                "route53resolver:ListResolverRuleAssociations",
                {
                    "Id": f"rslvr-rrassoc-{rule_id[-4:]}{vpc_id[-4:]}",
                    "ResolverRuleId": rule_id,
                    "VPCId": vpc_id,
                    "Status": association_status,
                    "Name": "a",
                },
            )

    def inbound(
        self,
        rep_id: str,
        vpc_id: str,
        ips: Iterable[str],
        direction: str = "INBOUND",
        *,
        subnets: Iterable[str] = (),
        status: str = "OPERATIONAL",
        ip_status: str = "ATTACHED",
    ) -> None:
        """A Resolver endpoint; `subnets` (one per IP, in order) place its addresses."""
        ips = list(ips)
        placed = list(subnets)
        self.reg.add(
            "route53resolver:ListResolverEndpoints",
            {"Id": rep_id, "Direction": direction, "HostVPCId": vpc_id, "Status": status, "IpAddressCount": len(ips)},
        )
        addresses = [
            {"Ip": ip, "Status": ip_status} | ({"SubnetId": placed[i]} if i < len(placed) else {})
            for i, ip in enumerate(ips)
        ]
        self.reg.add(
            "route53resolver:ListResolverEndpointIpAddresses",
            {"ResolverEndpointId": rep_id, "IpAddresses": addresses},
        )

    # --- Route 53 Profiles (issue 14) ------------------------------------------------------------------------

    def profile(
        self,
        profile_id: str,
        vpc_ids: Iterable[str],
        *,
        zones: Iterable[str] = (),
        rules: Iterable[str] = (),
        firewall_groups: Mapping[str, int] | None = None,
        priority: int | None = None,
        status: str = "COMPLETE",
        resource_status: str = "COMPLETE",
    ) -> None:
        """A Profile delivering these zones (bare ids), rules and rule groups (id -> priority) to `vpc_ids`."""
        resources = (
            [("AWS::Route53::HostedZone", f"arn:aws:route53:::hostedzone/{z}", "") for z in zones]
            + [
                (
                    "AWS::Route53Resolver::ResolverRule",
                    f"arn:aws:route53resolver:{self.region}:{self.account_id}:resolver-rule/{r}",
                    "",
                )
                for r in rules
            ]
            + [
                (
                    "AWS::Route53Resolver::FirewallRuleGroup",
                    f"arn:aws:route53resolver:{self.region}:{self.account_id}:firewall-rule-group/{g}",
                    f'{{"priority":{p}}}',
                )
                for g, p in (firewall_groups or {}).items()
            ]
        )
        self.reg.add(
            "route53profiles:ListProfileResourceAssociations",
            {
                "ProfileId": profile_id,
                "ProfileResourceAssociations": [
                    {
                        "Id": f"rpr-{profile_id[-4:]}{n}",
                        "ProfileId": profile_id,
                        "ResourceType": kind,
                        "ResourceArn": arn,
                        "ResourceProperties": props,
                        "Status": resource_status,
                        "OwnerId": self.account_id,
                    }
                    for n, (kind, arn, props) in enumerate(resources)
                ],
            },
        )
        for vpc_id in vpc_ids:
            self.reg.add(
                "route53profiles:ListProfileAssociations",
                {
                    "Id": f"rpassoc-{profile_id[-4:]}{vpc_id[-4:]}",
                    "ProfileId": profile_id,
                    "ResourceId": vpc_id,
                    "Status": status,
                    "OwnerId": self.account_id,
                }
                | ({"Priority": priority} if priority is not None else {}),
            )

    def parts(self) -> tuple[RawPart, RawPart]:
        return self.reg, self.glob


def inv_of(*accounts: Account) -> Inventory:
    return normalize(snapshot(*(p for acct in accounts for p in acct.parts())))


DNS_PREFIXES = ("dns-", "phz-", "rslv-")


def report_of(*accounts: Account, check_ids: Iterable[str] | None = None) -> Report:
    """The report with only the DNS checks (or `check_ids`): these snapshots carry no security groups."""
    ids = tuple(check_ids) if check_ids is not None else tuple(c for c in REGISTRY if c.startswith(DNS_PREFIXES))
    return build_report(snapshot(*(p for acct in accounts for p in acct.parts())), ids)


def fired(report: Report) -> set[str]:
    return {f.check_id for f in report.findings}
