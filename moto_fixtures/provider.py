"""The provider side of PrivateLink in moto 5.2.5 (issue 15): what moto lacks, added where its IAM enforcement
still applies, and a builder for endpoint services behind Network Load Balancers.

moto has no DescribeVpcEndpointConnections (NotImplementedError). It is added here as a method of moto's own EC2
response class, so moto authorises the call like any other (the remove-each-action IAM test needs the denial);
the connections are the consumer endpoints of every account in the region that name an owned service, with
their state (moto keeps no separate connection store; AWS's connection state is the consumer's endpoint state).
moto's target health has no AZ: a target group's `health_for` is replaced per group to answer as AWS does."""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Any

from moto.core.responses import ActionResult
from moto.ec2.models import ec2_backends
from moto.ec2.responses import EC2Response
from moto.elbv2.models import elbv2_backends

from moto_fixtures import realism
from moto_fixtures.builder import Builder


def _describe_vpc_endpoint_connections(self: Any) -> ActionResult:
    region = self.region
    owned = self.ec2_backend.configurations.values()
    connections = []
    # dict's own methods: BackendDict's would create a backend for every account and region it is asked about
    accounts: dict[str, Any] = dict(dict.items(ec2_backends))
    for account in sorted(accounts):
        backend = dict.get(accounts[account], region)
        if backend is None:
            continue
        for ep in backend.vpc_end_points.values():
            for cfg in owned:
                if ep.service_name == cfg.service_name and ep.state != "deleted":
                    connections.append(
                        {
                            "ServiceId": cfg.id,
                            "VpcEndpointId": ep.id,
                            "VpcEndpointOwner": ep.owner_id,
                            "VpcEndpointState": ep.state,
                            "CreationTimestamp": ep.creation_timestamp,
                            "NetworkLoadBalancerArns": list(cfg.network_load_balancer_arns),
                            "IpAddressType": getattr(ep, "ip_address_type", "ipv4"),
                            "VpcEndpointConnectionId": "vpce-con-" + ep.id.removeprefix("vpce-"),
                        }
                    )
    return ActionResult({"VpcEndpointConnections": connections})


def install() -> None:
    """Give moto's EC2 the operation (idempotent; moto looks methods up by name on the class)."""
    if not hasattr(EC2Response, "describe_vpc_endpoint_connections"):
        EC2Response.describe_vpc_endpoint_connections = _describe_vpc_endpoint_connections  # type: ignore[attr-defined]


def endpoint_service(
    b: Builder,
    name: str,
    vpc_id: str,
    subnets: Mapping[str, str],
    targets: Mapping[str, str],
    *,
    cross_zone: bool = False,
    private_dns_name: str = "",
    private_dns_state: str = "verified",
    acceptance_required: bool = False,
) -> dict[str, str]:
    """An endpoint service behind an NLB in `subnets` ({az_id: subnet_id}) with one IP target per entry of
    `targets` ({az_id: health state}, the target placed in that AZ). Names are unique per world (`name`):
    target group names must be unique in an account and region. Returns ids: lb, tg, service id and name."""
    elb = b.session.client("elbv2", region_name=b.region)
    lb = elb.create_load_balancer(Name=f"{name}-nlb", Type="network", Scheme="internal", Subnets=list(subnets.values()))
    lb_arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
    tg_arn = elb.create_target_group(Name=f"{name}-tg", Protocol="TCP", Port=443, VpcId=vpc_id, TargetType="ip")[
        "TargetGroups"
    ][0]["TargetGroupArn"]
    elb.create_listener(
        LoadBalancerArn=lb_arn, Protocol="TCP", Port=443, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg_arn}]
    )
    ips = {az: f"10.0.{200 + i}.10" for i, az in enumerate(targets)}
    elb.register_targets(TargetGroupArn=tg_arn, Targets=[{"Id": ip, "Port": 443} for ip in ips.values()])
    if cross_zone:
        elb.modify_load_balancer_attributes(
            LoadBalancerArn=lb_arn, Attributes=[{"Key": "load_balancing.cross_zone.enabled", "Value": "true"}]
        )
    _target_azs(b, tg_arn, {ip: (b.az_name[az], targets[az]) for az, ip in ips.items()})
    kwargs: dict[str, Any] = {"NetworkLoadBalancerArns": [lb_arn], "AcceptanceRequired": acceptance_required}
    if private_dns_name:
        kwargs["PrivateDnsName"] = private_dns_name
    cfg = b.ec2.create_vpc_endpoint_service_configuration(**kwargs)["ServiceConfiguration"]
    if private_dns_name:
        obj = realism.backend(b.account_id, b.region).configurations[cfg["ServiceId"]]
        # a PascalCase attribute overrides moto's always-verified property in responses
        obj.PrivateDnsNameConfiguration = {
            "State": private_dns_state,
            "Type": "TXT",
            "Value": "vpce:abc",
            "Name": "_vpce",
        }
    return {"lb": lb_arn, "tg": tg_arn, "service_id": cfg["ServiceId"], "service_name": cfg["ServiceName"]}


def _target_azs(b: Builder, tg_arn: str, placed: Mapping[str, tuple[str, str]]) -> None:
    """Answer DescribeTargetHealth with each target's AZ and state ({ip: (zone name, state)})."""
    tg = elbv2_backends[b.account_id][b.region].target_groups[tg_arn]

    def health_for(target: dict[str, Any], ec2_backend: Any) -> Any:
        zone, state = placed[target["Id"]]
        health = {"State": state}
        if state != "healthy":
            health |= {"Reason": "Target.FailedHealthChecks", "Description": "Health checks failed"}
        return types.SimpleNamespace(
            target={"Id": target["Id"], "Port": 443, "AvailabilityZone": zone},
            health_check_port="traffic-port",
            target_health=health,
        )

    tg.health_for = health_for  # type: ignore[method-assign]


# --- resource and service-network endpoints (VPC Lattice) ------------------------------------------------------

LATTICE_TYPES = frozenset({"resource", "servicenetwork"})


def _describe_vpc_endpoint_associations(self: Any) -> ActionResult:
    """One association per Resource or ServiceNetwork endpoint asked about, from the fields set on moto's
    endpoint objects (lattice_endpoint below); MaxResults and NextToken page through them as AWS does."""
    wanted = set(self._get_param("VpcEndpointIds", []) or [])
    found = []
    for ep in sorted(self.ec2_backend.vpc_end_points.values(), key=lambda e: e.id):
        if str(ep.vpc_endpoint_type).lower() not in LATTICE_TYPES or (wanted and ep.id not in wanted):
            continue
        arn = getattr(ep, "resource_configuration_arn", "") or getattr(ep, "service_network_arn", "")
        found.append(
            {
                "Id": "vpce-rsc-asc-" + ep.id.removeprefix("vpce-"),
                "VpcEndpointId": ep.id,
                "AssociatedResourceArn": arn,
                "AssociatedResourceAccessibility": getattr(ep, "association_accessibility", "Accessible"),
                "DnsEntry": {
                    "DnsName": f"{ep.id}-snra.rcfg.vpc-lattice-rsc.{self.region}.on.aws",
                    "HostedZoneId": "Z0",
                },
            }
        )
    start = int(self._get_param("NextToken") or 0)
    size = int(self._get_param("MaxResults") or 100)
    result: dict[str, Any] = {"VpcEndpointAssociations": found[start : start + size]}
    if start + size < len(found):
        result["NextToken"] = str(start + size)
    return ActionResult(result)


def install_lattice() -> None:
    if not hasattr(EC2Response, "describe_vpc_endpoint_associations"):
        EC2Response.describe_vpc_endpoint_associations = _describe_vpc_endpoint_associations  # type: ignore[attr-defined]


def lattice_endpoint(
    b: Builder, vpc_id: str, kind: str, subnet_ids: list[str], group_ids: list[str], arn: str = ""
) -> str:
    """A Resource or ServiceNetwork endpoint as AWS lists one: its ARN, an ENI per subnet (typed as AWS types
    endpoint ENIs) and a DNS entry. moto accepts the type but keeps neither the ARN nor ENIs. `arn`: the resource
    configuration (moto_fixtures/lattice.py resource_gateway) or service network; by default one nobody lists."""
    arn_field = "ResourceConfigurationArn" if kind == "Resource" else "ServiceNetworkArn"
    suffix = "resourceconfiguration/rcfg-0123456789abcdef0" if kind == "Resource" else "servicenetwork/sn-0123"
    arn = arn or f"arn:aws:vpc-lattice:{b.region}:{b.account_id}:{suffix}"
    ep_id: str = b.ec2.create_vpc_endpoint(
        VpcId=vpc_id, VpcEndpointType=kind, SubnetIds=subnet_ids, SecurityGroupIds=group_ids, **{arn_field: arn}
    )["VpcEndpoint"]["VpcEndpointId"]
    be = realism.backend(b.account_id, b.region)
    ep = be.vpc_end_points[ep_id]
    ep.service_name = ""  # moto's service-name filter breaks on None (moto notes §8.2)
    setattr(ep, "resource_configuration_arn" if kind == "Resource" else "service_network_arn", arn)
    ep.private_dns_enabled = False
    eni_ids = []
    for subnet_id in subnet_ids:
        eni_id = b.ec2.create_network_interface(
            SubnetId=subnet_id, Groups=group_ids, Description=f"VPC Endpoint Interface {ep_id}"
        )["NetworkInterface"]["NetworkInterfaceId"]
        eni = be.enis[eni_id]
        eni.interface_type, eni.requester_managed = "vpc_endpoint", True
        eni_ids.append(eni_id)
    ep.network_interface_ids = eni_ids
    ep.dns_entries = [{"DnsName": f"{ep_id}.rcfg.vpc-lattice-rsc.{b.region}.on.aws", "HostedZoneId": "Z0"}]
    return ep_id


# --- VPC Block Public Access --------------------------------------------------------------------------------------

# (account, region) -> options and exclusions a world sets; absent: BPA off, no exclusion (AWS's default).
BPA_OPTIONS: dict[tuple[str, str], dict[str, Any]] = {}
BPA_EXCLUSIONS: dict[tuple[str, str], list[dict[str, Any]]] = {}


def _describe_vpc_block_public_access_options(self: Any) -> ActionResult:
    key = (self.current_account, self.region)
    options = {
        "AwsAccountId": self.current_account,
        "AwsRegion": self.region,
        "State": "default-state",
        "InternetGatewayBlockMode": "off",
        "ExclusionsAllowed": "allowed",
    } | BPA_OPTIONS.get(key, {})
    return ActionResult({"VpcBlockPublicAccessOptions": options})


def _describe_vpc_block_public_access_exclusions(self: Any) -> ActionResult:
    found = BPA_EXCLUSIONS.get((self.current_account, self.region), [])
    start = int(self._get_param("NextToken") or 0)
    size = int(self._get_param("MaxResults") or 1000)
    result: dict[str, Any] = {"VpcBlockPublicAccessExclusions": found[start : start + size]}
    if start + size < len(found):
        result["NextToken"] = str(start + size)
    return ActionResult(result)


def install_block_public_access() -> None:
    if not hasattr(EC2Response, "describe_vpc_block_public_access_options"):
        EC2Response.describe_vpc_block_public_access_options = _describe_vpc_block_public_access_options  # type: ignore[attr-defined]
        EC2Response.describe_vpc_block_public_access_exclusions = _describe_vpc_block_public_access_exclusions  # type: ignore[attr-defined]


def block_public_access(b: Builder, mode: str, exclusions: Mapping[str, str] = {}) -> None:
    """Set the region's BPA mode and exclusions ({vpc or subnet id: allow-bidirectional | allow-egress}); the
    Builder's close() puts the default back (the stores outlive mock_aws)."""
    key = (b.account_id, b.region)
    BPA_OPTIONS[key] = {"InternetGatewayBlockMode": mode, "State": "update-complete"}
    BPA_EXCLUSIONS[key] = [
        {
            "ExclusionId": f"vpcbpa-exclude-{i:017x}",
            "InternetGatewayExclusionMode": how,
            "ResourceArn": f"arn:aws:ec2:{b.region}:{b.account_id}:{resource.split('-')[0]}/{resource}",
            "State": "create-complete",
        }
        for i, (resource, how) in enumerate(sorted(exclusions.items()))
    ]

    def restore() -> None:
        BPA_OPTIONS.pop(key, None)
        BPA_EXCLUSIONS.pop(key, None)

    b._undo.append(restore)
