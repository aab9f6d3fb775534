"""The check catalogue: complete entries, inputs that are collected and granted, docs generated from it and up to
date, and every check both firing in a world and quiet in a near-miss world. No moto here: the worlds' expected
checks are declared with their registration, and tests/test_worlds.py proves each world raises exactly those."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from moto_fixtures import WORLDS
from tests.catalogue_probe import UnmappedField, observed_inputs
from tests.raw_snapshot import SSM, RawPart, inventory
from vpce_audit.apis import SYNTHETIC, Api
from vpce_audit.aws import iam
from vpce_audit.checks import REGISTRY
from vpce_audit.checks.catalogue import catalogue_document
from vpce_audit.checks.docs import README_END, README_START, generated, main, replace_readme_table
from vpce_audit.checks.registry import Category, Check, ResourceType, check
from vpce_audit.model.findings import Finding, Severity
from vpce_audit.model.inventory import Inventory

ROOT = Path(__file__).resolve().parent.parent
POLICY_ACTIONS = iam.actions(iam.policy())

# check id -> (a world where it fires, a near-miss world: the same resources with the fault fixed, or the case at
# the check's boundary, where a careful engineer sees nothing wrong for this check).
FIRES_AND_NEAR_MISS: dict[str, tuple[str, str]] = {
    "az-single": ("single-az", "two-of-three"),  # two AZs covered: a gap, not a single AZ
    "az-gap": ("two-of-three", "service-two-of-three"),  # the uncovered AZ is one the service does not offer
    "az-service-limited": ("service-two-of-three", "healthy-3az"),
    "az-idle": ("az-idle", "healthy-3az"),  # workloads in the third AZ too
    # the spoke asks one AZ's address of a two-AZ inbound endpoint; near miss: an inbound endpoint wholly in one AZ,
    # which rslv-endpoint-single-az reports (one problem, one finding)
    "az-loss-cross-az": ("dns-inbound-dhcp-one-az", "dns-inbound-single-az"),
    "ep-state": ("ep-failed", "healthy-3az"),
    "ep-eni-missing": ("eni-missing", "healthy-3az"),
    "gw-rt-gap": ("gw-main-only", "gw-main-implicit"),  # subnets on the main table, which the endpoint has
    "gw-route-missing": ("gw-route-missing", "healthy-3az"),
    "gw-more-specific-route": ("gw-more-specific", "gw-broader-route"),  # the route is a supernet, not inside
    "dns-vpc-support-off": ("dns-attributes-off", "healthy-3az"),
    "dns-vpc-hostnames-off": ("dns-attributes-off", "healthy-3az"),
    "dns-dhcp-custom": ("dns-dhcp-custom", "healthy-3az"),
    "dns-no-private-name": ("dns-wrong-name", "dns-right-name"),  # the zone named after the private DNS name
    "phz-shadow": ("dns-shadow-parent", "dns-parent-complete"),  # the parent zone holds every name in use
    "phz-record-missing": ("dns-record-missing", "dns-hub-spoke"),
    "phz-name-mismatch": ("dns-wrong-name", "dns-right-name"),
    "phz-zonal-alias": ("dns-zonal-alias", "dns-hub-spoke"),  # alias to the regional name
    "phz-static-ips": ("dns-static-stale", "dns-hub-spoke"),
    "phz-alias-dangling": ("dns-dangling-alias", "dns-hub-spoke"),
    "phz-hub-coverage": ("dns-hub-coverage", "dns-hub-spoke"),  # the hub covers the spoke's third AZ
    "rslv-forward-shadows": ("dns-forward-service", "dns-forward-other"),  # a rule for an unrelated domain
    "rslv-rule-failed": ("dns-rule-failed", "dns-forward-other"),  # the same rule, association COMPLETE
    "sg-endpoint-ingress": ("sg-no-https", "sg-client-group"),  # admitted through a group reference
    "sg-endpoint-default-sg": ("sg-default", "sg-default-redundant"),  # its own group admits every subnet
    "dep-ecr-s3": ("ecr-no-s3", "ecr-with-s3"),
    # packet path (issue 13)
    "net-no-route": ("net-no-route", "net-peer-hub-spoke"),  # peering with routes both ways
    "net-tgw-az-gap": ("net-tgw-spoke-az-gap", "net-tgw-empty-az"),  # an AZ with neither workloads nor attachment
    "net-tgw-route": ("net-tgw-blackhole", "net-tgw-unrelated-blackhole"),  # a blackhole for another CIDR
    "net-nacl-deny": ("net-nacl-deny", "net-nacl-allow-first"),  # an allow before the deny
    "gwlb-cross-az": ("gwlb-cross-az", "gwlb-same-az"),
    "gwlb-missing-az": ("gwlb-missing-az", "gwlb-same-az"),
    "gw-nacl-deny": ("gw-nacl-deny", "healthy-3az"),  # the default NACL allows the prefix-list CIDRs
    # DNS sources (issue 14)
    "rslv-endpoint-single-az": ("dns-inbound-single-az", "dns-forward-hub"),  # two AZs
    "rslv-endpoint-unhealthy": ("dns-inbound-unhealthy", "dns-forward-hub"),
    "rslv-rule-target": ("dns-forward-target", "dns-forward-hub"),  # targets the inbound endpoint
    "dns-firewall-blocks": ("dns-firewall-block", "dns-firewall-allowed"),  # an earlier ALLOW covers the names
    "phz-left-behind": ("dns-zone-left-behind", "dns-zone-kept-held"),  # an ENI holds the address
    "phz-association-limit": ("dns-zone-near-limit", "dns-zone-kept-held"),
    # zone associations that drifted (issue 14): the VPC kept, unknown to the scan, or in an unscanned region
    "phz-association-stale": ("dns-zone-stale-vpc", "dns-zone-associations-kept"),
    # endpoint shapes (issue 15)
    "ep-cross-region": ("cross-region", "healthy-3az"),
    "gw-inbound-only-rt-gap": ("s3-inbound-only-no-gateway", "s3-inbound-only-routed"),
    "svc-az-no-healthy-targets": ("svc-az-empty", "svc-cross-zone"),  # cross-zone on: every node reaches them
    "svc-connection-pending": ("svc-pending", "svc-healthy"),
    "svc-private-dns-unverified": ("svc-dns-unverified", "svc-healthy"),  # the same name, verified
    "ipv6-only-clients-ipv4-endpoint": ("ipv6-only-ipv4-endpoint", "ipv6-dualstack-endpoint"),
    "ipv6-record-type": ("ipv6-service-defined", "ipv6-dualstack-endpoint"),  # dualstack records
    "ep-resource-az-overlap": ("resource-az-no-overlap", "resource-az-overlap-one"),  # one AZ in common
}


def entries() -> Iterator[Check]:
    return (REGISTRY[cid] for cid in sorted(REGISTRY))


# --- the entries -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", entries(), ids=lambda c: c.id)
def test_every_entry_is_complete(entry: Check) -> None:
    for name in ("title", "summary", "risk", "severity_rule", "remediation"):
        text = getattr(entry, name)
        assert text and text == " ".join(text.split()), f"{name}: one paragraph, no stray whitespace"
    assert len(entry.title) <= 100 and not entry.title.endswith(".")
    # the prefixes of shared/DESIGN.md in use (net- and gwlb- since issue 13, ipv6- and svc- since issue 15)
    prefixes = {"ep", "az", "gw", "dns", "phz", "rslv", "sg", "dep", "net", "gwlb", "ipv6", "svc"}
    assert entry.id.split("-")[0] in prefixes
    assert isinstance(entry.category, Category) and entry.resource_types
    assert all(isinstance(t, ResourceType) for t in entry.resource_types)
    assert entry.references and len(set(entry.references)) == len(entry.references)
    assert all(url.startswith("https://docs.aws.amazon.com/") and " " not in url for url in entry.references)
    # the default is one of the severities the rule describes
    assert str(entry.severity) in entry.severity_rule.lower()


@pytest.mark.parametrize("entry", entries(), ids=lambda c: c.id)
def test_inputs_are_collected_names_and_granted_by_the_policy(entry: Check) -> None:
    assert entry.inputs == tuple(sorted(set(entry.inputs)))
    assert set(entry.inputs) <= set(Api)
    for api in entry.inputs:
        if api in SYNTHETIC:
            assert api not in POLICY_ACTIONS  # derived by the collector: no IAM action to grant
        else:
            action = iam.iam_action(api.service, api.operation)  # elbv2 is IAM's elasticloadbalancing
            assert action in POLICY_ACTIONS, f"{entry.id} reads {api}, which the shipped policy does not grant"


def test_every_real_api_name_is_granted_and_only_skipped_zones_is_synthetic() -> None:
    assert {iam.iam_action(a.service, a.operation) for a in Api if not a.synthetic} <= POLICY_ACTIONS
    assert {Api.SKIPPED_ZONES} == SYNTHETIC
    assert (Api.DESCRIBE_VPCS.service, Api.DESCRIBE_VPCS.operation) == ("ec2", "DescribeVpcs")
    assert (Api.LIST_RESOLVER_RULES.service, Api.LIST_RESOLVER_RULES.operation) == (
        "route53resolver",
        "ListResolverRules",
    )


def _register(**overrides: object) -> None:
    fields: dict[str, object] = {
        "title": "t",
        "summary": "s",
        "risk": "r",
        "severity": Severity.LOW,
        "severity_rule": "Always low.",
        "remediation": "fix",
        "references": ("https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html",),
        "category": Category.DNS,
        "resource_types": (ResourceType.VPC,),
        "inputs": (Api.DESCRIBE_VPCS,),
    } | overrides

    def never(inv: Inventory) -> Iterator[Finding]:
        yield from ()

    try:
        check("zz-test-only", **fields)(never)  # type: ignore[arg-type]
    finally:
        REGISTRY.pop("zz-test-only", None)


@pytest.mark.parametrize(
    "overrides",
    [
        {"inputs": ("ec2:DescribeVpcEndpoint",)},  # a typo in a literal: not a collected name
        {"inputs": ()},
        {"references": ("https://example.com/blog",)},
        {"references": ()},
        {"risk": "   "},
        {"resource_types": ()},
    ],
    ids=["typo-input", "no-input", "foreign-url", "no-reference", "blank-risk", "no-resource-type"],
)
def test_registration_refuses_an_entry_the_docs_could_not_render_truthfully(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="zz-test-only"):
        _register(**overrides)
    assert "zz-test-only" not in REGISTRY


def test_registration_accepts_a_complete_entry() -> None:
    _register()  # the baseline the refusals above differ from


def test_a_misspelt_api_constant_fails_at_import_not_silently() -> None:
    with pytest.raises(AttributeError):
        _ = Api.DESCRIBE_VPC_ENDPOINT  # type: ignore[attr-defined]


# --- the probe that test_worlds runs: it must see what a check reads ----------------------------------------------


def test_probe_sees_fields_and_gates() -> None:
    part = RawPart()
    part.vpc("vpc-1")
    part.subnet("subnet-a", "vpc-1", "us-east-1a")
    part.service(SSM)
    part.endpoint("vpce-1", "vpc-1", SSM, subnet_ids=["subnet-a"], eni_ids=["eni-gone"])
    inv = inventory(part)
    seen = observed_inputs(inv, REGISTRY["ep-eni-missing"])
    # it lists endpoints (a field) and gates on the ENI listing (has): both are observed, and both declared
    assert {Api.DESCRIBE_VPC_ENDPOINTS, Api.DESCRIBE_NETWORK_INTERFACES} <= seen
    assert seen <= set(REGISTRY["ep-eni-missing"].inputs)

    def reads_route_tables(inv: Inventory) -> Iterator[Finding]:
        tables = len(inv.route_tables)
        if inv.has("1", "r", Api.DESCRIBE_DHCP_OPTIONS) and tables:
            yield from ()

    sneaky = Check(**{**_fields(REGISTRY["ep-state"]), "func": reads_route_tables})
    assert observed_inputs(inv, sneaky) >= {Api.DESCRIBE_ROUTE_TABLES, Api.DESCRIBE_DHCP_OPTIONS}


def _fields(entry: Check) -> dict[str, object]:
    return {name: getattr(entry, name) for name in entry.__dataclass_fields__}


def test_probe_refuses_an_inventory_field_it_cannot_map(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests import catalogue_probe

    monkeypatch.delitem(catalogue_probe.INVENTORY_FIELDS, "route_tables")  # type: ignore[attr-defined]
    with pytest.raises(UnmappedField, match="route_tables"):
        observed_inputs(Inventory(), REGISTRY["ep-state"])


# --- every check fires somewhere and stays quiet just beside it ----------------------------------------------------


def test_every_registered_check_has_a_firing_and_a_near_miss_world() -> None:
    assert set(FIRES_AND_NEAR_MISS) == set(REGISTRY), "a new check needs a firing world and a near-miss world"


# Route 53 Profiles (issue 14): the same checks, for resources a Profile delivers rather than a VPC's own
# association (check id, firing world, near miss). Each check has one entry above; these pairs come on top.
PROFILE_FIRES_AND_NEAR_MISS: tuple[tuple[str, str, str], ...] = (
    ("rslv-forward-shadows", "dns-profile-forward", "dns-profile-forward-other"),  # a rule for an unrelated domain
    ("phz-record-missing", "dns-record-missing", "dns-profile-hub-spoke"),  # the spoke's zone comes from a Profile
    ("phz-hub-coverage", "dns-hub-coverage", "dns-profile-hub-spoke"),
    ("dns-no-private-name", "dns-wrong-name", "dns-profile-hub-spoke"),
)


@pytest.mark.parametrize(("check_id", "firing", "near"), PROFILE_FIRES_AND_NEAR_MISS)
def test_profile_delivered_resources_fire_and_stay_quiet(check_id: str, firing: str, near: str) -> None:
    assert check_id in REGISTRY
    assert check_id in WORLDS[firing].expect, f"{check_id} does not fire in {firing}"
    assert check_id not in WORLDS[near].expect, f"{check_id} fires in its near miss {near}"


@pytest.mark.parametrize("check_id", sorted(FIRES_AND_NEAR_MISS))
def test_fires_in_its_world_and_stays_quiet_in_the_near_miss(check_id: str) -> None:
    firing, near = FIRES_AND_NEAR_MISS[check_id]
    assert check_id in WORLDS[firing].expect, f"{check_id} does not fire in {firing}"
    assert check_id not in WORLDS[near].expect, f"{check_id} fires in its near miss {near}"
    assert firing != near


# --- the generated docs and the JSON catalogue -----------------------------------------------------------------


def test_docs_are_generated_from_the_catalogue_and_up_to_date() -> None:
    for path, text in generated(ROOT).items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run `make docs`"


def test_docs_name_every_field_of_every_check() -> None:
    checks_md = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for entry in entries():
        assert f"\n## {entry.id}\n" in checks_md
        for text in (entry.title, entry.summary, entry.risk, entry.severity_rule, entry.remediation):
            assert text in checks_md
        assert all(url in checks_md for url in entry.references)
        assert all(f"`{api}`" in checks_md for api in entry.inputs)
        assert f"(docs/checks.md#{entry.id})" in readme


def test_readme_table_replacement_keeps_the_prose_and_refuses_missing_markers() -> None:
    readme = f"intro\n{README_START}\nold table\n{README_END}\noutro\n"
    assert replace_readme_table(readme, "new\n") == f"intro\n{README_START}\nnew\n{README_END}\noutro\n"
    with pytest.raises(ValueError, match="markers"):
        replace_readme_table("no markers here\n", "new\n")


def test_make_docs_writes_both_files_and_says_why_it_cannot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "README.md").write_text(f"# x\n{README_START}\n{README_END}\n", encoding="utf-8")
    assert main([str(tmp_path)]) == 0
    assert "## az-single" in (tmp_path / "docs" / "checks.md").read_text(encoding="utf-8")
    assert "(docs/checks.md#az-single)" in (tmp_path / "README.md").read_text(encoding="utf-8")
    (tmp_path / "README.md").write_text("no markers\n", encoding="utf-8")
    assert main([str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("vpce-audit docs: ") and err.count("\n") == 1


def test_json_catalogue_gives_the_default_severity_and_the_rule_apart() -> None:
    doc = catalogue_document()
    assert [e["id"] for e in doc] == sorted(REGISTRY)
    for e in doc:
        entry = REGISTRY[e["id"]]
        assert e["severity"] == str(entry.severity) in {str(s) for s in Severity}
        assert e["severity_rule"] == entry.severity_rule
        assert e["inputs"] == [str(a) for a in entry.inputs] and e["references"] == list(entry.references)
        assert e["category"] == str(entry.category)
