"""The DNS engine's enums (dns/kinds.py) stay inside the code: the report document carries plain strings, the
words it always used, so the JSON, the schema and `--query` (whose functions reject a str subclass) see
exactly what they saw before the enums."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jmespath

from tests.dns_raw import Account, alias, report_of
from vpce_audit.dns.kinds import WORST_FIRST, Mode
from vpce_audit.report.schema import report_schema

HUB, SPOKE, OTHER, GONE, EP = "vpc-0a1", "vpc-0b2", "vpc-0c3", "vpc-0ffffff", "vpce-0a1b2c3d"
SSM_NAME = "ssm.us-east-1.amazonaws.com"
REGIONAL = f"{EP}-abcd1234.ssm.us-east-1.vpce.amazonaws.com"
PLAIN = (str, int, float, bool, type(None), list, dict)


def dns_rich_document() -> dict[str, Any]:
    """Every place a DNS enum could reach the document: modes and `via` of each VPC path, a custom mode
    (ssm.corp.internal in OTHER), the zone mode of a VPC nobody audited (GONE), answers' outcomes, the
    missing record's answer (a kms zone without records) and the hub coverage finding's mode (SPOKE in use1-az3)."""
    hub = Account("111111111111")
    subnets = hub.vpc(HUB, "10.0.0.0/16", azs=("a", "b"), workloads=("a",))
    hub.vpc(OTHER, "10.2.0.0/16")
    hub.endpoint(EP, HUB, "ssm", subnets.values())
    hub.service("kms")
    hub.zone("Z1", SSM_NAME, [HUB, SPOKE, GONE], [alias(SSM_NAME, REGIONAL)])
    hub.zone("ZC", "corp.internal", [OTHER], [alias("ssm.corp.internal", REGIONAL)])
    hub.zone("ZK", "kms.us-east-1.amazonaws.com", [HUB])
    spoke = Account("222222222222")
    spoke.vpc(SPOKE, "10.1.0.0/16", azs=("b", "c"))
    spoke.foreign_zone("Z1", SSM_NAME, [SPOKE], "111111111111")
    return report_of(hub, spoke).to_document()


def strings(value: Any, where: str = "$") -> Iterator[tuple[str, Any]]:
    yield where, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield where + f".{k}", k
            yield from strings(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from strings(v, f"{where}[{i}]")


def test_the_document_holds_plain_json_types_only():
    doc = dns_rich_document()
    leaked = [(where, type(v).__name__) for where, v in strings(doc) if type(v) not in PLAIN]
    assert leaked == []
    paths = {v["vpc_id"]: v for e in doc["endpoints"] for v in e.get("dns_path", [])}
    assert paths[HUB]["via"] == "endpoint-vpc" and paths[SPOKE]["via"] == "zone"
    assert paths[OTHER]["custom_mode"] == "phz-alias-regional"
    assert paths[GONE]["evidence"]["zone_mode"] == "phz-alias-regional"
    assert paths[SPOKE]["names"][0]["evidence"]["outcome"] == "records"
    evidence = {f["check_id"]: f["evidence"] for f in doc["findings"]}
    assert evidence["phz-record-missing"]["answer"] == "nodata"  # the apex exists (SOA, NS), without an A record
    assert evidence["phz-hub-coverage"]["mode"] == "phz-alias-regional"


def test_query_functions_accept_the_dns_words():
    doc = dns_rich_document()
    found = jmespath.search("endpoints[].dns_path[?starts_with(mode, 'phz-')].vpc_id[]", doc)
    assert sorted(found) == [HUB, SPOKE]
    assert jmespath.search("sort(endpoints[].dns_path[].via)", doc) == ["endpoint-vpc", "zone", "zone", "zone"]


def test_the_schema_lists_every_mode_and_via_as_plain_strings():
    path = report_schema()["properties"]["endpoints"]["items"]["properties"]["dns_path"]["items"]["properties"]
    words = [m.value for m in WORST_FIRST]
    assert sorted(words) == sorted(m.value for m in Mode)  # the ranking leaves no mode out
    assert path["mode"]["enum"] == path["custom_mode"]["enum"] == words
    assert path["via"]["enum"] == ["endpoint-vpc", "zone", "forwarding"]  # forwarding: issue 14
    assert all(type(w) is str for w in [*path["mode"]["enum"], *path["via"]["enum"]])
