"""OCSF output in both releases it follows (1.6.0 by default, 1.1.0 on request), validated against the pinned
class definitions in tests/data/ocsf/ (their README says where they came from), and the --ocsf-version option."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from vpce_audit.cli.main import run
from vpce_audit.errors import CollectionError, InputError
from vpce_audit.model.findings import Suppressed
from vpce_audit.report.asff import product_arn
from vpce_audit.report.model import Report, build_report
from vpce_audit.report.ocsf import DEFAULT_OCSF_VERSION, OCSF_VERSIONS, ocsf_findings, ocsf_version
from vpce_audit.snapshot import Snapshot, load_snapshot

SCHEMAS = Path(__file__).parent / "data" / "ocsf"
DENIED_API = "ec2:DescribeSecurityGroups"


def schema_of(version: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / f"detection_finding-{version}.schema.json").read_text())
    return schema


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft202012Validator]:
    out = {}
    for version in OCSF_VERSIONS:
        schema = schema_of(version)
        Draft202012Validator.check_schema(schema)
        out[version] = Draft202012Validator(schema)
    return out


def violations(validator: Draft202012Validator, record: dict[str, Any]) -> list[str]:
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(record))


@pytest.fixture(scope="module")
def demo(demo_snapshot_file: Path) -> Report:
    return build_report(load_snapshot(demo_snapshot_file))


def partial(snapshot: Snapshot) -> Snapshot:
    """The demo as if ec2:DescribeSecurityGroups had been denied in its region: a partial scan."""
    part = next(p for p in snapshot.parts if DENIED_API in p.apis)
    kept = replace(part, apis={k: v for k, v in part.apis.items() if k != DENIED_API})
    service, operation = DENIED_API.split(":")
    denied = CollectionError(part.account_id, part.region, service, operation, "AccessDenied", "not allowed")
    parts = tuple(kept if p is part else p for p in snapshot.parts)
    return replace(snapshot, parts=parts, errors=(*snapshot.errors, denied))


@pytest.fixture(scope="module")
def suppressed_partial(demo_snapshot_file: Path) -> Report:
    """A partial scan whose first two findings a suppression accepted."""
    report = build_report(partial(load_snapshot(demo_snapshot_file)))
    assert report.errors and len(report.findings) >= 2
    accepted = tuple(replace(f, suppression=Suppressed("dev VPC, accepted")) for f in report.findings[:2])
    return replace(report, findings=(*accepted, *report.findings[2:]), suppressions_applied=True)


# --- the pinned schemas -------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", OCSF_VERSIONS)
def test_pinned_schema_is_the_detection_finding_class_of_its_release(version: str) -> None:
    schema = schema_of(version)
    assert schema["x-ocsf-version"] == version
    props = schema["properties"]
    assert (props["class_uid"], props["category_uid"]) == ({"const": 2004}, {"const": 2})
    assert props["type_uid"]["enum"] == [200400, 200401, 200402, 200403, 200499]
    assert {"finding_info", "metadata", "severity_id", "time", "type_uid", "cloud"} <= set(schema["required"])
    assert schema["$defs"]["metadata"]["properties"]["version"] == {"const": version}
    assert props["severity_id"]["enum"] == [0, 1, 2, 3, 4, 5, 6, 99]


# The class's attributes in OCSF's own compiled 1.1.0 schema (ocsf/ocsf-lib-py tests/schema_cache/schema-1.1.0.json
# at commit 79350f19, classes.detection_finding): those of no profile, and the cloud profile's.
COMPILED_1_1_ATTRIBUTES = frozenset({
    "activity_id", "activity_name", "category_name", "category_uid", "class_name", "class_uid", "comment",
    "confidence", "confidence_id", "confidence_score", "count", "duration", "end_time", "enrichments", "evidences",
    "finding_info", "impact", "impact_id", "impact_score", "message", "metadata", "observables", "raw_data",
    "remediation", "resources", "risk_level", "risk_level_id", "risk_score", "severity", "severity_id", "start_time",
    "status", "status_code", "status_detail", "status_id", "time", "timezone_offset", "type_name", "type_uid",
    "unmapped", "vulnerabilities", "cloud", "api",
})  # fmt: skip
COMPILED_1_1_REQUIRED = frozenset(
    {"activity_id", "category_uid", "class_uid", "cloud", "finding_info", "metadata", "severity_id", "time", "type_uid"}
)


def test_pinned_1_1_schema_agrees_with_ocsfs_compiled_class() -> None:
    """Our generator against OCSF's compiler, where a compiled copy of the release exists. `device` differs:
    finding.json lists it, the compiler files it under the host profile (not applied here)."""
    schema = schema_of("1.1.0")
    assert set(schema["properties"]) - {"device"} == COMPILED_1_1_ATTRIBUTES
    assert set(schema["required"]) == COMPILED_1_1_REQUIRED


def test_the_releases_differ_where_ocsf_changed() -> None:
    """What the 1.6.0 definition changed and vpce-audit's 1.6.0 records rely on (or no longer must fill)."""
    old, new = schema_of("1.1.0"), schema_of("1.6.0")
    assert "is_alert" in new["properties"] and "is_alert" not in old["properties"]
    assert "role_id" in new["$defs"]["resource_details"]["properties"]
    assert "role_id" not in old["$defs"]["resource_details"]["properties"]
    assert "cloud_partition" in new["$defs"]["cloud"]["properties"]
    assert "cloud_partition" not in old["$defs"]["cloud"]["properties"]
    assert new["properties"]["status_id"]["enum"] == [0, 1, 2, 3, 4, 5, 6, 99]  # 5 Archived, 6 Deleted: new
    assert old["properties"]["status_id"]["enum"] == [0, 1, 2, 3, 4, 99]
    assert "title" in old["$defs"]["finding_info"]["required"]  # required in 1.1.0, recommended in 1.6.0
    assert "title" not in new["$defs"]["finding_info"]["required"]
    assert "vendor_name" in old["$defs"]["product"]["required"]
    assert "vendor_name" not in new["$defs"]["product"].get("required", [])


def test_the_schemas_catch_broken_records(demo: Report, validators: dict[str, Draft202012Validator]) -> None:
    """A validation that passes everything proves nothing: each break is refused by both releases."""
    for version, validator in validators.items():
        good = ocsf_findings(demo, version)[0]
        assert violations(validator, good) == []
        breaks: list[dict[str, Any]] = [
            good | {"severity": "Low"},  # severity_id 5 is Critical
            good | {"type_uid": 200402},  # activity 1: 200401
            good | {"status_id": 7},
            good | {"class_uid": 2001},
            good | {"surprise": 1},  # no such attribute
            {k: v for k, v in good.items() if k != "finding_info"},
            good | {"finding_info": {k: v for k, v in good["finding_info"].items() if k != "uid"}},
            good | {"time": "2026-12-05T00:00:00Z"},
            good | {"cloud": {"region": "us-east-1"}},  # provider is required
            good | {"resources": [good["resources"][0] | {"owner": {}}]},  # a user names an account, name or uid
            good | {"metadata": good["metadata"] | {"version": "1.5.0"}},
        ]
        for broken in breaks:
            assert violations(validator, broken), (version, broken)


# --- both releases, validated ------------------------------------------------------------------------------


@pytest.mark.parametrize("version", OCSF_VERSIONS)
def test_demo_records_validate(version: str, demo: Report, validators: dict[str, Draft202012Validator]) -> None:
    records = ocsf_findings(demo, version)
    assert len(records) == len(demo.findings) > 0
    for record in records:
        assert violations(validators[version], record) == []
        assert record["metadata"]["version"] == version


@pytest.mark.parametrize("version", OCSF_VERSIONS)
def test_suppressed_findings_of_a_partial_scan_validate(
    version: str, suppressed_partial: Report, validators: dict[str, Draft202012Validator]
) -> None:
    records = ocsf_findings(suppressed_partial, version)
    assert len(records) == len(suppressed_partial.findings)
    for record in records:
        assert violations(validators[version], record) == []
    assert [(r["status_id"], r["status"], r.get("status_detail")) for r in records[:2]] == [
        (3, "Suppressed", "dev VPC, accepted")
    ] * 2
    assert all((r["status_id"], r["status"]) == (1, "New") for r in records[2:])


def _deprecated_in_use(schema: dict[str, Any], node: dict[str, Any], value: Any, path: str) -> Iterator[str]:
    if "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    if node.get("deprecated"):
        yield path
    if isinstance(value, dict) and "properties" in node:
        for key, item in value.items():
            yield from _deprecated_in_use(schema, node["properties"].get(key, {}), item, f"{path}/{key}")
    if isinstance(value, list) and "items" in node:
        for i, item in enumerate(value):
            yield from _deprecated_in_use(schema, node["items"], item, f"{path}/{i}")


@pytest.mark.parametrize("version", OCSF_VERSIONS)
def test_no_deprecated_attribute_is_used(version: str, suppressed_partial: Report) -> None:
    schema = schema_of(version)
    used = [p for r in ocsf_findings(suppressed_partial, version) for p in _deprecated_in_use(schema, schema, r, "")]
    assert used == []
    assert any(  # the walk does find a deprecated attribute when one is used
        _deprecated_in_use(schema, schema, {"finding_info": {"analytic": {"related_analytics": []}}}, "")
    )


# --- what each release carries ----------------------------------------------------------------------------


def test_1_6_records_fill_what_security_hub_identifies_and_filters_by(suppressed_partial: Report) -> None:
    records = ocsf_findings(suppressed_partial, "1.6.0")
    old = ocsf_findings(suppressed_partial, "1.1.0")
    for record, before, f in zip(records, old, suppressed_partial.findings, strict=True):
        # Security Hub's OCSF finding identity: metadata.product.uid, cloud.account.uid, finding_info.uid
        assert record["metadata"]["product"]["uid"] == product_arn(f.account_id, f.region)
        assert record["cloud"]["account"]["uid"] == f.account_id
        assert record["finding_info"]["uid"] == before["finding_info"]["uid"]
        assert record["metadata"]["profiles"] == ["cloud"]
        target, *related = record["resources"]
        assert (target["name"], target["role_id"], target["role"]) == (f.resource_id, 1, "Target")
        assert [(r["name"], r["role_id"]) for r in related] == [
            (r, 4) for r in sorted(set(f.related_ids) - {f.resource_id})
        ]
        assert record["is_alert"] is (f.suppression is None)
        evidence = before["unmapped"]["evidence"]
        assert record.get("evidences") == ([{"data": evidence}] if evidence else None)
        assert record["unmapped"] == {"vpc_id": f.vpc_id}
    assert any(len(r["resources"]) > 1 for r in records)  # the demo has findings with related resources


def test_1_1_records_keep_their_shape(demo: Report) -> None:
    """Security Lake and Prowler parity: exactly the attributes 1.1.0 records always had."""
    for record in ocsf_findings(demo, "1.1.0"):
        assert list(record) == [
            "class_uid", "class_name", "category_uid", "category_name", "activity_id", "activity_name",
            "type_uid", "type_name", "severity_id", "severity", "status_id", "status", "time", "message",
            "metadata", "finding_info", "resources", "cloud", "remediation", "unmapped",
        ]  # fmt: skip
        assert set(record["unmapped"]) == {"vpc_id", "related_ids", "evidence"}
        assert record["cloud"] == {"provider": "AWS", "account": {"uid": record["cloud"]["account"]["uid"]},
                                   "region": record["cloud"]["region"]}  # fmt: skip


def test_version_names() -> None:
    assert DEFAULT_OCSF_VERSION == "1.6.0"
    assert [ocsf_version(v) for v in ("1.6", "1.6.0", "1.1", "1.1.0")] == ["1.6.0", "1.6.0", "1.1.0", "1.1.0"]
    for bad in ("1.5", "1.6.1", "", "2"):
        with pytest.raises(InputError):
            ocsf_version(bad)


# --- the CLI -------------------------------------------------------------------------------------------------


def _cli_records(snapshot: Path, tmp_path: Path, *extra: str) -> list[dict[str, Any]]:
    out = tmp_path / "ocsf.json"
    argv = ["audit", str(snapshot), "-o", "ocsf", "--output-file", str(out), "--fail-on", "none", *extra]
    assert run(argv) == 0
    records: list[dict[str, Any]] = json.loads(out.read_text())
    return records


def test_cli_version_switch_is_honoured(
    demo_snapshot_file: Path, tmp_path: Path, demo: Report, validators: dict[str, Draft202012Validator]
) -> None:
    default = _cli_records(demo_snapshot_file, tmp_path)
    chosen = {v: _cli_records(demo_snapshot_file, tmp_path, "--ocsf-version", v) for v in ("1.1", "1.6", "1.1.0")}
    assert default == chosen["1.6"] == ocsf_findings(demo, "1.6.0")
    assert chosen["1.1.0"] == chosen["1.1"]
    assert chosen["1.1"] == ocsf_findings(demo, "1.1.0")
    assert {r["metadata"]["version"] for r in chosen["1.1"]} == {"1.1.0"}
    for record in chosen["1.1"]:
        assert violations(validators["1.1.0"], record) == []
        assert violations(validators["1.6.0"], record)  # a 1.1.0 record is not a 1.6.0 one, and back
    for record in default:
        assert violations(validators["1.6.0"], record) == []
        assert violations(validators["1.1.0"], record)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-o", "ocsf", "--ocsf-version", "1.5"], "--ocsf-version"),
        (["-o", "ocsf", "--ocsf-version", "latest"], "--ocsf-version"),
        (["-o", "json", "--ocsf-version", "1.1"], "--ocsf-version applies to -o ocsf"),
    ],
)
def test_cli_refuses_an_unknown_version_or_one_without_ocsf(
    extra: list[str], message: str, demo_snapshot_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["audit", str(demo_snapshot_file), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_help_names_the_option_and_its_versions(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("scan", "audit", "demo"):
        run([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "--ocsf-version" in text and "1.6" in text and "1.1" in text, command


# --- the generator of the pinned schemas ----------------------------------------------------------------------


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("ocsf_schema_generator", SCHEMAS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_compiles_inheritance_enums_siblings_and_constraints() -> None:
    """A small source in OCSF's layout: what generate.py makes of it is what the pinned files rely on."""
    source = {
        "version": "9.9.0",
        "events": {
            "base_event": {
                "attributes": {
                    "$include": [
                        "includes/classification.json",
                        "includes/occurrence.json",
                        "profiles/cloud.json",
                        "profiles/host.json",
                    ],
                    "metadata": {"requirement": "required"},
                    "severity_id": {"requirement": "required"},
                    "severity": {"requirement": "optional"},
                    "old": {"requirement": "optional"},
                }
            },
            "finding": {
                "extends": "base_event",
                "attributes": {
                    "activity_id": {"enum": {"1": {"caption": "Create"}}},
                    "status_id": {"requirement": "recommended", "enum": {"1": {"caption": "New"}}},
                    "status": {"requirement": "optional"},
                },
            },
            "detection_finding": {
                "extends": "finding",
                "uid": 4,
                "caption": "Detection Finding",
                "attributes": {
                    "resources": {"requirement": "recommended"},
                    "old": {"@deprecated": {"since": "9.0.0"}},
                },
            },
        },
        "objects": {
            "object": {"attributes": {}},
            "_entity": {
                "extends": "object",
                "constraints": {"at_least_one": ["name", "uid"]},
                "attributes": {"name": {"requirement": "recommended"}, "uid": {"requirement": "recommended"}},
            },
            "resource_details": {"extends": "_entity", "attributes": {"owner": {"requirement": "optional"}}},
            "user": {"extends": "_entity", "attributes": {"account": {"requirement": "optional"}}},
            "account": {"extends": "_entity", "attributes": {"org": {"requirement": "optional"}}},
            "organization": {"extends": "_entity", "attributes": {}},
            "metadata": {"extends": "object", "attributes": {"version": {"requirement": "required"}}},
            "cloud": {"extends": "object", "attributes": {"provider": {"requirement": "required"}}},
            "api": {"extends": "object", "attributes": {}},
        },
        "dictionary": {
            "attributes": {
                "activity_id": {"type": "integer_t", "enum": {"0": {"caption": "Unknown"}}, "sibling": "activity_name"},
                "activity_name": {"type": "string_t"},
                "severity_id": {
                    "type": "integer_t",
                    "sibling": "severity",
                    "enum": {"1": {"caption": "Informational"}, "99": {"caption": "Other"}},
                },
                "severity": {"type": "string_t"},
                "status": {"type": "string_t"},
                "status_id": {"type": "integer_t", "sibling": "status", "enum": {"0": {"caption": "Unknown"}}},
                "time": {"type": "timestamp_t"},
                "metadata": {"type": "metadata"},
                "cloud": {"type": "cloud"},
                "api": {"type": "api"},
                "resources": {"type": "resource_details", "is_array": True},
                "owner": {"type": "user"},
                "name": {"type": "string_t"},
                "uid": {"type": "string_t"},
                "version": {"type": "string_t"},
                "provider": {"type": "string_t"},
                "old": {"type": "string_t"},
                "type_uid": {"type": "long_t"},
                "account": {"type": "account"},
                "org": {"type": "organization"},
            },
            "types": {"attributes": {"timestamp_t": {"type": "long_t"}}},
        },
    }
    schema = _generator().Compiler(source).compile()
    props, defs = schema["properties"], schema["$defs"]
    assert schema["required"] == [
        "activity_id", "category_uid", "class_uid", "cloud", "metadata", "severity_id", "time", "type_uid"
    ]  # fmt: skip
    assert props["activity_id"]["enum"] == [0, 1, 99]  # classification's, the dictionary's and the class's
    assert props["status_id"]["enum"] == [0, 1]
    assert props["class_uid"] == {"const": 2004} and props["type_uid"]["enum"] == [200400, 200401, 200499]
    assert props["time"] == {"type": "integer"} and props["old"]["deprecated"] is True
    assert "device" not in props and schema["additionalProperties"] is False  # host profile: not applied
    assert props["resources"] == {"type": "array", "items": {"$ref": "#/$defs/resource_details"}}
    assert defs["resource_details"]["allOf"] == [{"anyOf": [{"required": ["name"]}, {"required": ["uid"]}]}]
    assert defs["metadata"]["properties"]["version"] == {"const": "9.9.0"}
    # resources[].owner.account.org is four levels down, deeper than MAX_DEPTH: checked as an object only
    assert defs["account"]["properties"]["org"] == {"type": "object"} and "organization" not in defs
    validator = Draft202012Validator(schema)
    record = {
        "activity_id": 1, "category_uid": 2, "class_uid": 2004, "type_uid": 200401, "time": 1, "severity_id": 1,
        "severity": "Informational", "metadata": {"version": "9.9.0"}, "cloud": {"provider": "AWS"},
        "resources": [{"uid": "r", "owner": {"name": "o"}}],
    }  # fmt: skip
    assert violations(validator, record) == []
    assert violations(validator, record | {"severity": "Low"})
    assert violations(validator, record | {"severity_id": 99, "severity": "vendor's own"}) == []
    assert violations(validator, record | {"type_uid": 200400})
    assert violations(validator, record | {"resources": [{"owner": {"name": "o"}}]})  # neither name nor uid
