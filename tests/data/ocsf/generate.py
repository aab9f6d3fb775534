"""Build the compact JSON Schemas of OCSF's Detection Finding class (2004) that tests/test_ocsf.py validates against.

    python tests/data/ocsf/generate.py SOURCE.json VERSION > tests/data/ocsf/detection_finding-VERSION.schema.json

SOURCE is OCSF's published schema source at one release (README.md beside this file says which copy): the
repository's events, objects and dictionary in one JSON document. OCSF defines a class by inheritance
(detection_finding extends finding extends base_event), an attribute's type and enum in the dictionary, and an
object by its own inheritance (resource_details extends _resource extends _entity); this compiles what a
record of the class may hold into one JSON Schema:
- every attribute of the class and of each object reachable from it, nothing else (additionalProperties false);
- `required` for the attributes the definition marks required; the `at_least_one` and `just_one` constraints;
- types from the dictionary's base types, arrays where is_array, enums of the integer *_id attributes (the
  dictionary's values merged with the class's or object's own, which win), and each *_id's sibling caption
  (severity_id 3 goes with severity "Medium"; 99 Other leaves the sibling free);
- class_uid, category_uid and type_uid fixed by the class: type_uid = class_uid * 100 + activity_id;
- deprecated attributes marked "deprecated": true (a JSON Schema annotation the tests read);
- metadata.version fixed to the release, so a record of one release fails the other's schema.
Profiles add attributes only where applied: only `cloud` is applied here (vpce-audit fills `cloud`). Objects
deeper than MAX_DEPTH below the class are checked as objects only, which keeps the file small.
"""

from __future__ import annotations

import json
import sys
from typing import Any

CLASS = "detection_finding"
CATEGORY_UID, CATEGORY_NAME = 2, "Findings"
MAX_DEPTH = 3

# The files base_event includes in OCSF 1.1 (1.6 lists these attributes in base_event itself), as published in
# ocsf/ocsf-schema includes/classification.json and includes/occurrence.json, and the cloud profile
# (profiles/cloud.json): the source bundle carries events, objects and the dictionary, not these files.
INCLUDES: dict[str, dict[str, dict[str, Any]]] = {
    "includes/classification.json": {
        "activity_name": {"requirement": "optional"},
        "activity_id": {"enum": {"0": {"caption": "Unknown"}, "99": {"caption": "Other"}}, "requirement": "required"},
        "category_name": {"requirement": "optional"},
        "category_uid": {"enum": {"0": {"caption": "Uncategorized"}}, "requirement": "required"},
        "class_name": {"requirement": "optional"},
        "class_uid": {"enum": {"0": {"caption": "Base Event"}}, "requirement": "required"},
        "type_name": {"requirement": "optional"},
        "type_uid": {"requirement": "required"},
    },
    "includes/occurrence.json": {
        "count": {"requirement": "optional"},
        "duration": {"requirement": "optional"},
        "end_time": {"requirement": "optional"},
        "start_time": {"requirement": "optional"},
        "time": {"requirement": "required"},
        "timezone_offset": {"requirement": "recommended"},
    },
    "profiles/cloud.json": {"cloud": {"requirement": "required"}, "api": {"requirement": "optional"}},
}
BASE_TYPES = {
    "string_t": {"type": "string"},
    "integer_t": {"type": "integer"},
    "long_t": {"type": "integer"},
    "float_t": {"type": "number"},
    "boolean_t": {"type": "boolean"},
    "json_t": {},
    "object": {"type": "object"},
}


def merge_attribute(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """One attribute's definition refined by a subclass or object: its keys win, enums merge."""
    merged = base | override
    if "enum" in base and "enum" in override:
        merged["enum"] = base["enum"] | override["enum"]
    return merged


def own_attributes(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    attributes: dict[str, dict[str, Any]] = {}
    for include in definition.get("attributes", {}).get("$include", []):
        for name, spec in INCLUDES.get(include, {}).items():  # unapplied profiles add nothing
            attributes[name] = merge_attribute(attributes.get(name, {}), spec)
    for name, spec in definition.get("attributes", {}).items():
        if name != "$include":
            attributes[name] = merge_attribute(attributes.get(name, {}), spec)
    return attributes


def resolved(kind: dict[str, dict[str, Any]], name: str) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Attributes down the extends chain (parent first) and the constraints of the nearest definer."""
    chain = []
    while name in kind:
        chain.append(kind[name])
        name = kind[name].get("extends", "")
    attributes: dict[str, dict[str, Any]] = {}
    constraints: dict[str, Any] = {}
    for definition in reversed(chain):
        for attr, spec in own_attributes(definition).items():
            attributes[attr] = merge_attribute(attributes.get(attr, {}), spec)
        constraints = definition.get("constraints", constraints)
    return attributes, constraints


class Compiler:
    def __init__(self, source: dict[str, Any]) -> None:
        self.source = source
        self.dictionary: dict[str, dict[str, Any]] = source["dictionary"]["attributes"]
        self.types: dict[str, dict[str, Any]] = source["dictionary"]["types"]["attributes"]
        self.defs: dict[str, Any] = {}

    def base_type(self, name: str) -> dict[str, Any]:
        if name in BASE_TYPES:
            return dict(BASE_TYPES[name])
        spec = self.types[name]
        schema = self.base_type(spec.get("type", "string_t"))
        if "regex" in spec:
            schema["pattern"] = spec["regex"]
        return schema

    def attribute(self, name: str, spec: dict[str, Any], depth: int) -> dict[str, Any]:
        full = merge_attribute(self.dictionary.get(name, {}), spec)
        kind = full.get("type", "string_t")
        if kind in self.source["objects"] and kind != "object":  # `object`: any JSON object (unmapped)
            item = self.object_ref(kind, depth + 1)
        else:
            item = self.base_type(kind)
            if "enum" in full and item.get("type") == "integer":
                item["enum"] = sorted(int(k) for k in full["enum"])
        schema = {"type": "array", "items": item} if full.get("is_array") else item
        if "@deprecated" in full:
            schema["deprecated"] = True
        return schema

    def object_ref(self, name: str, depth: int) -> dict[str, Any]:
        if depth > MAX_DEPTH:
            return {"type": "object"}
        if name not in self.defs or self.defs[name].get("depth", 0) > depth:
            self.defs[name] = {"depth": depth}  # placeholder: breaks cycles (user -> groups -> ... -> user)
            attributes, constraints = resolved(self.source["objects"], name)
            self.defs[name] = self.record(attributes, constraints, depth) | {"depth": depth}
        return {"$ref": f"#/$defs/{name}"}

    def record(self, attributes: dict[str, dict[str, Any]], constraints: dict[str, Any], depth: int) -> dict[str, Any]:
        properties = {name: self.attribute(name, spec, depth) for name, spec in sorted(attributes.items())}
        schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
        required = sorted(n for n, s in attributes.items() if s.get("requirement") == "required")
        if required:
            schema["required"] = required
        rules: list[dict[str, Any]] = []
        if constraints.get("at_least_one"):
            rules.append({"anyOf": [{"required": [n]} for n in constraints["at_least_one"]]})
        if constraints.get("just_one"):
            rules.append({"oneOf": [{"required": [n]} for n in constraints["just_one"]]})
        rules += self.sibling_rules(attributes)
        if rules:
            schema["allOf"] = rules
        return schema

    def sibling_rules(self, attributes: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        """severity_id N goes with severity = N's caption (99 Other: the sibling holds the source's own word)."""
        rules = []
        for name, spec in sorted(attributes.items()):
            full = merge_attribute(self.dictionary.get(name, {}), spec)
            sibling = full.get("sibling")
            if not sibling or sibling not in attributes or "enum" not in full:
                continue
            for value, entry in sorted(full["enum"].items(), key=lambda kv: int(kv[0])):
                if value == "99":
                    continue
                rules.append(
                    {
                        "if": {"properties": {name: {"const": int(value)}}, "required": [name]},
                        "then": {"properties": {sibling: {"const": entry["caption"]}}},
                    }
                )
        return rules

    def compile(self) -> dict[str, Any]:
        definition = self.source["events"][CLASS]
        attributes, constraints = resolved(self.source["events"], CLASS)
        for name, spec in INCLUDES["profiles/cloud.json"].items():  # the one profile applied
            attributes[name] = merge_attribute(attributes.get(name, {}), spec)
        class_uid = CATEGORY_UID * 1000 + int(definition["uid"])
        schema = self.record(attributes, constraints, 0)
        activities = merge_attribute(self.dictionary["activity_id"], attributes["activity_id"])["enum"]
        props = schema["properties"]
        props["class_uid"] = {"const": class_uid}
        props["class_name"] = {"const": definition["caption"]}
        props["category_uid"] = {"const": CATEGORY_UID}
        props["category_name"] = {"const": CATEGORY_NAME}
        props["type_uid"] = {"enum": sorted(class_uid * 100 + int(a) for a in activities)}
        for activity in sorted(activities, key=int):
            schema["allOf"].append(
                {
                    "if": {"properties": {"activity_id": {"const": int(activity)}}, "required": ["activity_id"]},
                    "then": {"properties": {"type_uid": {"const": class_uid * 100 + int(activity)}}},
                }
            )
        for entry in self.defs.values():
            entry.pop("depth", None)
        version = self.source["version"]
        # A record of this release says so: metadata.version is the schema version the event follows.
        self.defs["metadata"]["properties"]["version"] = {"const": version}
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": f"OCSF {version} {definition['caption']} ({class_uid}), cloud profile",
            "x-ocsf-version": version,
            **schema,
            "$defs": dict(sorted(self.defs.items())),
        }


def main(argv: list[str]) -> None:
    source_path, version = argv
    with open(source_path, encoding="utf-8") as handle:
        source = json.load(handle)
    if source["version"] != version:
        raise SystemExit(f"{source_path} holds OCSF {source['version']}, not {version}")
    sys.stdout.write(compact(Compiler(source).compile()))


def compact(schema: dict[str, Any]) -> str:
    """One line per top-level key and per object definition: small, and a regeneration diffs by object."""

    def line(value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    top = [f"{line(k)}:{line(v)}" for k, v in schema.items() if k != "$defs"]
    defs = [f" {line(k)}:{line(v)}" for k, v in schema["$defs"].items()]
    return "{\n" + ",\n".join([*top, '"$defs":{\n' + ",\n".join(defs) + "\n}"]) + "\n}\n"


if __name__ == "__main__":
    main(sys.argv[1:])
