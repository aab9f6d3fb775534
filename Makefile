# Everything runs inside .venv, created on first use from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint browser bench package clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

## Scan the bundled moto world (no AWS account needed) and print the report.
demo: $(STAMP)
	$(BIN)/vpce-audit demo --fail-on none

## Lint, type-check and run the offline test suite.
test: $(STAMP) lint browser
	$(BIN)/python -m pytest

## The HTML report test renders in Debian's chromium: install it where we can (root with apt-get); where we
## cannot, that one test is skipped and says why.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium not installed: the browser test will be skipped"; }

lint: $(STAMP)
	$(BIN)/ruff check vpce_audit moto_fixtures tests bench deploy
	$(BIN)/mypy vpce_audit moto_fixtures

## API calls and timings for a 50-VPC / 500-endpoint moto world, Route 53 calls and pacing cost, then
## normalize + checks + report time and memory on synthetic snapshots up to 10,000 endpoints, then an
## organisation scan of 100 accounts x 4 regions at 50 ms per call (wall time, calls/s, Route 53 peak, speedup).
bench: $(STAMP)
	$(BIN)/python -m bench.scan
	$(BIN)/python -m bench.route53
	$(BIN)/python -m bench.scale
	$(BIN)/python -m bench.org

## Build dist/vpce-audit-lambda.zip for deploy/template.yaml: the vpce_audit package and its runtime
## dependencies only (no moto, no test fixtures). Build it on Linux x86_64 with Python 3.11, the template's
## runtime and architecture: some dependencies ship compiled wheels.
package: $(STAMP)
	$(BIN)/python deploy/package.py dist/vpce-audit-lambda.zip

.PHONY: docs
## Regenerate docs/checks.md and the README's check table from the check catalogue.
docs: $(STAMP)
	$(BIN)/python -m vpce_audit.checks.docs

.PHONY: report-screenshot
## Render the demo report as HTML and screenshot it at 1280 px wide (needs Debian's chromium).
report-screenshot: $(STAMP)
	mkdir -p build
	$(BIN)/vpce-audit demo --output html --output-file build/demo-report.html --fail-on none
	$(BIN)/python -m tests.browser build/demo-report.html build/demo-report.png
	@echo "wrote build/demo-report.html and build/demo-report.png"

clean:
	rm -rf $(VENV) build dist *.egg-info
