"""The HTML report, read back with html.parser: heatmap cells, gateway routes, DNS chains, findings, errors,
escaping of AWS-provided strings, and no external resources.

The headless-Chromium test needs Debian's `chromium` (the `chromium` fixture in tests/conftest.py); without it,
it is skipped and says what to install."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from moto_fixtures import ACCOUNT_ID, build_world, fake_aws_env
from tests.browser import dump_dom, screenshot
from tests.conftest import REGION, audit, collect
from vpce_audit.checks import REGISTRY
from vpce_audit.cli.main import run
from vpce_audit.errors import CollectionError
from vpce_audit.model.findings import Suppressed
from vpce_audit.report.html import render_html
from vpce_audit.report.model import Report, build_report
from vpce_audit.snapshot import dump_snapshot, load_snapshot
from vpce_audit.verdicts.coverage import UNKNOWN, AzCoverage

EXTERNAL_TAGS = {"script", "link", "img", "iframe", "object", "embed", "video", "audio", "source", "base"}


@dataclass
class Page(HTMLParser):
    """What the report shows, keyed by the data-* attributes the renderer puts on each element."""

    cells: dict[tuple[str, str], str] = field(default_factory=dict)  # (endpoint, AZ ID) -> state
    findings: list[tuple[str, str, str]] = field(default_factory=list)  # (severity, check, resource)
    chains: dict[tuple[str, str], str] = field(default_factory=dict)  # (endpoint, client VPC) -> mode
    route_states: list[str] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    attributes: list[tuple[str, str]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    error_rows: int = 0
    links: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (check, resource) -> hrefs in its article
    _finding: tuple[str, str] = ("", "")
    _endpoint: str = ""
    _dns_endpoint: str = ""
    _in_errors: bool = False

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.add(tag)
        self.attributes += [(k, v) for k, v in a.items()]
        classes = a.get("class", "").split()
        if tag == "tr" and "data-endpoint" in a:
            self._endpoint = a["data-endpoint"]
        if tag == "td" and "cell" in classes:
            self.cells[(self._endpoint, a["data-az"])] = a["data-state"]
        if tag == "td" and "route" in classes:
            self.route_states.append(classes[1])
        if tag == "div" and "dns" in classes:
            self._dns_endpoint = a["data-endpoint"]
        if tag == "ul" and "chain" in classes:
            self.chains[(self._dns_endpoint, a["data-vpc"])] = a["data-mode"]
        if tag == "article" and "finding" in classes:
            self.findings.append((a["data-severity"], a["data-check"], a["data-resource"]))
            self._finding = (a["data-check"], a["data-resource"])
        if tag == "a":
            self.links.setdefault(self._finding, []).append(a.get("href", ""))
        if tag == "section" and a.get("id") == "errors":
            self._in_errors = True
        if tag == "tr" and self._in_errors:
            self.error_rows += 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def expected_state(az_coverage: dict[str, Any], az: str) -> str:
    """The cell a reader should see, from the JSON document's verdict (independent of the renderer)."""
    if az_coverage["status"] != "known":
        return "unknown"
    if az in az_coverage["covered"]:
        return "covered" if az in az_coverage["workload"] else "idle"
    if az in az_coverage["workload"]:
        return "missing" if az in az_coverage["service"] else "not-offered"
    return "none"


WORLDS = ["demo", "dns-static-stale", "gw-blackhole", "az-idle", "service-two-of-three", "eni-missing"]


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    out: dict[str, Report] = {}
    for name in WORLDS:
        with fake_aws_env(), mock_aws():
            session = boto3.Session(region_name=REGION)
            world = build_world(name, session, REGION)
            try:
                out[name] = audit(session)
            finally:
                world.close()
    return out


@pytest.mark.parametrize("name", [w for w in WORLDS if w != "gw-blackhole"])  # gw-blackhole: gateways only
def test_heatmap_cells_follow_the_verdicts(name: str, reports: dict[str, Report]) -> None:
    report = reports[name]
    page = parse(render_html(report))
    interface = [e for e in report.to_document()["endpoints"] if "az_coverage" in e]
    assert interface
    for ep in interface:
        cells = {az: s for (eid, az), s in page.cells.items() if eid == ep["endpoint_id"]}
        assert cells, f"no heatmap row for {ep['endpoint_id']}"
        assert cells == {az: expected_state(ep["az_coverage"], az) for az in cells}
        if ep["az_coverage"]["status"] == "known":
            assert set(ep["az_coverage"]["workload"]) <= set(cells)


def test_world_states_show(reports: dict[str, Report]) -> None:
    states = {name: set(parse(render_html(reports[name])).cells.values()) for name in WORLDS}
    assert {"covered", "missing"} <= states["demo"]
    assert "idle" in states["az-idle"]
    assert "not-offered" in states["service-two-of-three"]
    assert "missing" in states["eni-missing"]


def test_unknown_verdict_shows_unknown_cells_and_why(reports: dict[str, Report]) -> None:
    base = reports["demo"]
    first = next(v for v in base.endpoints if v.az is not None)
    unknown = replace(first, az=AzCoverage(UNKNOWN, reason="not collected: ec2:DescribeSubnets"))
    report = replace(base, endpoints=tuple(unknown if v is first else v for v in base.endpoints))
    page = parse(render_html(report))
    cells = {s for (eid, _), s in page.cells.items() if eid == first.endpoint.id}
    assert cells == {"unknown"}
    assert any("not collected: ec2:DescribeSubnets" in t for t in page.text)


def test_gateway_route_coverage(reports: dict[str, Report]) -> None:
    report = reports["gw-blackhole"]
    page = parse(render_html(report))
    gateways = [e for e in report.to_document()["endpoints"] if e.get("route_coverage", {}).get("status") == "known"]
    assert gateways
    covered = sum(len(e["route_coverage"]["covered_subnets"]) for e in gateways)
    missing = sum(len(e["route_coverage"]["missing_subnets"]) for e in gateways)
    assert (page.route_states.count("routed"), page.route_states.count("unrouted")) == (covered, missing)
    assert missing > 0
    gw_cells = {s for (eid, _), s in page.cells.items() if eid in {g["endpoint_id"] for g in gateways}}
    assert gw_cells & {"unrouted", "partly-routed"}


@pytest.mark.parametrize("name", ["demo", "dns-static-stale"])
def test_dns_chains(name: str, reports: dict[str, Report]) -> None:
    report = reports[name]
    page = parse(render_html(report))
    expected = {
        (e["endpoint_id"], p["vpc_id"]): p["mode"]
        for e in report.to_document()["endpoints"]
        for p in e.get("dns_path", [])
    }
    assert expected and page.chains == expected


@pytest.mark.parametrize("name", WORLDS)
def test_findings_grouped_by_severity(name: str, reports: dict[str, Report]) -> None:
    report = reports[name]
    page = parse(render_html(report))
    assert sorted(page.findings) == sorted((str(f.severity), f.check_id, f.resource_id) for f in report.findings)
    ranks = ["critical", "high", "medium", "low", "info"]
    shown = [ranks.index(sev) for sev, _, _ in page.findings]
    assert shown == sorted(shown), "worst severity first"
    text = "".join(page.text)
    for f in report.findings:
        assert f.remediation in text and f.message in text
        # the catalogue's documentation, linked inside the finding
        assert page.links[(f.check_id, f.resource_id)] == list(REGISTRY[f.check_id].references)


def test_self_contained(reports: dict[str, Report]) -> None:
    text = render_html(reports["demo"])
    page = parse(text)
    assert not page.tags & EXTERNAL_TAGS
    # Nothing is loaded from anywhere; the only URLs are links to the checks' AWS documentation.
    hrefs = [h for hs in page.links.values() for h in hs]
    assert hrefs and all(h.startswith("https://docs.aws.amazon.com/") for h in hrefs)
    links = [(k, v) for k, v in page.attributes if k == "href" and v in hrefs]
    assert not [
        (k, v) for k, v in page.attributes if k in {"src", "srcset", "action"} or "://" in v if (k, v) not in links
    ]
    assert "url(" not in text and "@import" not in text
    assert page.tags >= {"html", "head", "style", "body", "table"}


def test_untrusted_strings_are_escaped(reports: dict[str, Report]) -> None:
    base = reports["demo"]
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    endpoints = (replace(base.endpoints[0], endpoint=replace(base.endpoints[0].endpoint, name=hostile)),)
    findings = (
        replace(base.findings[0], message=hostile, evidence={"tag": hostile}, references=(f'https://x/"{hostile}',)),
    )
    page = parse(render_html(replace(base, endpoints=endpoints + base.endpoints[1:], findings=findings)))
    assert not page.tags & EXTERNAL_TAGS
    assert not [k for k, _ in page.attributes if k.startswith("on")]
    assert sum(hostile in t for t in page.text) >= 3  # message, evidence, and the reference's link text
    assert [h for hs in page.links.values() for h in hs] == [f'https://x/"{hostile}']  # one attribute, intact


def test_errors_are_listed(reports: dict[str, Report]) -> None:
    errors = (
        CollectionError(ACCOUNT_ID, REGION, "ec2", "DescribeRouteTables", "AccessDenied", "denied <here>"),
        CollectionError(ACCOUNT_ID, REGION, "route53", "ListHostedZones", "Throttling", "slow"),
    )
    page = parse(render_html(replace(reports["demo"], errors=errors)))
    assert page.error_rows == 3  # header and two errors
    assert "denied <here>" in "".join(page.text)
    assert "errors" not in {a for _, a in parse(render_html(reports["demo"])).attributes}


def test_cli_writes_the_html(tmp_path: Path) -> None:
    snapshot = tmp_path / "snap.json"
    with fake_aws_env(), mock_aws():
        session = boto3.Session(region_name=REGION)
        world = build_world("az-idle", session, REGION)
        try:
            snapshot.write_text(dump_snapshot(collect(session)[0]))
        finally:
            world.close()
    out = tmp_path / "report.html"
    assert run(["audit", str(snapshot), "-o", "html", "--output-file", str(out), "--fail-on", "none"]) == 0
    assert out.read_text() == render_html(build_report(load_snapshot(snapshot)))


def test_suppressions_show(reports: dict[str, Report]) -> None:
    expired = {"check_id": "az-gap", "resource": "vpce-0*", "reason": "old <waiver>", "expires": "2020-01-31"}
    findings = list(reports["demo"].findings)
    findings[1] = replace(findings[1], suppression=Suppressed("accepted <risk>"))
    report = replace(
        reports["demo"], findings=tuple(findings), expired_suppressions=(expired,), suppressions_applied=True
    )
    text = render_html(report)
    page = parse(text)
    marks = [a for a in page.attributes if a[0] == "data-suppressed"]
    assert marks.count(("data-suppressed", "true")) == 1 and len(marks) == len(report.findings)
    joined = "".join(page.text)
    assert "suppressed: accepted <risk>" in joined
    assert "Expired suppressions (1)" in joined and "old <waiver>" in joined and "2020-01-31" in joined
    assert "Expired suppressions" not in render_html(reports["demo"])


def test_renders_in_headless_chromium(chromium: str, reports: dict[str, Report], tmp_path: Path) -> None:
    report = reports["demo"]
    page_file = tmp_path / "report.html"
    page_file.write_text(render_html(report))
    dom = parse(dump_dom(chromium, page_file))
    source = parse(page_file.read_text())
    assert dom.cells == source.cells and len(dom.cells) > 0
    assert sorted(dom.findings) == sorted((str(f.severity), f.check_id, f.resource_id) for f in report.findings)
    assert dom.chains == source.chains
    png = tmp_path / "report.png"
    screenshot(chromium, page_file, png, height=1600)
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(header[16:20], "big") == 1280  # IHDR width: laid out at 1280 px
