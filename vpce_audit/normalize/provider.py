"""Provider-side responses -> model objects (issue 15); defensive like normalize/ec2.py: a damaged or missing
value reads as unknown, never as healthy."""

from __future__ import annotations

from typing import Any

from vpce_audit.apis import Api
from vpce_audit.model.provider import (
    EndpointConnection,
    LoadBalancer,
    LoadBalancerZone,
    ProviderInventory,
    ServiceConfiguration,
    TargetGroup,
    TargetHealth,
)
from vpce_audit.model.resources import Subnet
from vpce_audit.normalize.fields import dicts, mapping, text, texts
from vpce_audit.snapshot import Part

CROSS_ZONE = "load_balancing.cross_zone.enabled"


def _attributes(part: Part, api: Api, id_key: str) -> dict[str, dict[str, str]]:
    """Resource ARN -> {attribute key: value} for the resources whose call answered."""
    out: dict[str, dict[str, str]] = {}
    for item in dicts(part.items(api)):
        arn = text(item.get(id_key))
        if arn:
            out[arn] = {text(a.get("Key")): text(a.get("Value")) for a in dicts(item.get("Attributes"))}
    return out


def _bool(value: str | None) -> bool | None:
    return {"true": True, "false": False}.get((value or "").lower())


def provider(
    parts: list[Part], subnets: dict[str, Subnet], az_maps: dict[tuple[str, str], dict[str, str]]
) -> ProviderInventory:
    services: dict[str, ServiceConfiguration] = {}
    connections: list[EndpointConnection] = []
    lbs: dict[str, LoadBalancer] = {}
    groups: dict[str, TargetGroup] = {}
    for part in parts:
        az_ids = az_maps.get((part.account_id, part.region), {})
        for c in dicts(part.items(Api.DESCRIBE_VPC_ENDPOINT_SERVICE_CONFIGURATIONS)):
            service_id = text(c.get("ServiceId"))
            if not service_id:
                continue
            names = texts(c.get("AvailabilityZones"))
            ids = set(texts(c.get("AvailabilityZoneIds"))) or {az_ids[n] for n in names if n in az_ids}
            dns = mapping(c.get("PrivateDnsNameConfiguration"))
            accept = c.get("AcceptanceRequired")
            services[service_id] = ServiceConfiguration(
                id=service_id,
                name=text(c.get("ServiceName")),
                account_id=part.account_id,
                region=part.region,
                state=text(c.get("ServiceState")).lower(),
                az_names=tuple(sorted(set(names))),
                az_ids=frozenset(ids),
                acceptance_required=accept if isinstance(accept, bool) else None,
                nlb_arns=tuple(sorted(set(texts(c.get("NetworkLoadBalancerArns"))))),
                private_dns_name=text(c.get("PrivateDnsName")),
                private_dns_state=text(dns.get("State")).lower(),
            )
        for n in dicts(part.items(Api.DESCRIBE_VPC_ENDPOINT_CONNECTIONS)):
            if text(n.get("ServiceId")) and text(n.get("VpcEndpointId")):
                connections.append(
                    EndpointConnection(
                        service_id=text(n.get("ServiceId")),
                        endpoint_id=text(n.get("VpcEndpointId")),
                        endpoint_owner=text(n.get("VpcEndpointOwner")),
                        state=text(n.get("VpcEndpointState")).lower(),
                        endpoint_region=text(n.get("VpcEndpointRegion")),
                    )
                )
        lb_attrs = _attributes(part, Api.DESCRIBE_LOAD_BALANCER_ATTRIBUTES, "LoadBalancerArn")
        for lb in dicts(part.items(Api.DESCRIBE_LOAD_BALANCERS)):
            arn = text(lb.get("LoadBalancerArn"))
            if not arn:
                continue
            zones = []
            for z in dicts(lb.get("AvailabilityZones")):
                subnet = subnets.get(text(z.get("SubnetId")))
                name = text(z.get("ZoneName"))
                az_id = text(z.get("ZoneId")) or (subnet.az_id if subnet else "") or az_ids.get(name, "")
                zones.append(LoadBalancerZone(az_id, name, text(z.get("SubnetId"))))
            attrs = lb_attrs.get(arn)
            lbs[arn] = LoadBalancer(
                arn=arn,
                name=text(lb.get("LoadBalancerName")),
                type=text(lb.get("Type")).lower(),
                account_id=part.account_id,
                region=part.region,
                vpc_id=text(lb.get("VpcId")),
                state=text(mapping(lb.get("State")).get("Code")).lower(),
                zones=tuple(zones),
                cross_zone=_bool(attrs.get(CROSS_ZONE)) if attrs is not None else None,
            )
        tg_attrs = _attributes(part, Api.DESCRIBE_TARGET_GROUP_ATTRIBUTES, "TargetGroupArn")
        health: dict[str, tuple[TargetHealth, ...]] = {}
        for h in dicts(part.items(Api.DESCRIBE_TARGET_HEALTH)):
            arn = text(h.get("TargetGroupArn"))
            if arn and isinstance(h.get("TargetHealthDescriptions"), list):
                health[arn] = tuple(_target(d) for d in dicts(h.get("TargetHealthDescriptions")))
        for g in dicts(part.items(Api.DESCRIBE_TARGET_GROUPS)):
            arn = text(g.get("TargetGroupArn"))
            if not arn:
                continue
            attrs = tg_attrs.get(arn)
            groups[arn] = TargetGroup(
                arn=arn,
                name=text(g.get("TargetGroupName")),
                lb_arns=tuple(sorted(set(texts(g.get("LoadBalancerArns"))))),
                target_type=text(g.get("TargetType")).lower(),
                cross_zone=(attrs.get(CROSS_ZONE) or "").lower() or None if attrs is not None else None,
                targets=health.get(arn),
            )
    return ProviderInventory(
        services=services,
        connections=tuple(sorted(connections, key=lambda c: (c.service_id, c.endpoint_id))),
        load_balancers=lbs,
        target_groups=groups,
        az_ids=az_maps,
    )


def _target(d: dict[str, Any]) -> TargetHealth:
    target = mapping(d.get("Target"))
    return TargetHealth(
        target_id=text(target.get("Id")),
        az=text(target.get("AvailabilityZone")),
        state=text(mapping(d.get("TargetHealth")).get("State")).lower(),
    )
