# Everything runs inside .venv, created on first use from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast fuzz lint browser bench package clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

## Scan the bundled moto world (no AWS account needed) and print the report.
demo: $(STAMP)
	$(BIN)/vpce-audit demo --fail-on none

## Tests run in parallel (pytest-xdist), each test file on one worker (--dist loadscope) so that a module's
## fixtures (a moto server, a built organisation) are built once. One worker more than cores: tests spend part
## of their time asleep (retry back-off, Route 53 pacing), and a third worker on two cores fills it (test-fast
## 90 s instead of 107 s). WORKERS=n chooses. Tiers are pytest markers (pyproject.toml, given in
## tests/conftest.py): server, slow, browser, fuzz.
WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')
XDIST   := $(BIN)/python -m pytest -n $(WORKERS)
PYTEST  := $(XDIST) --dist loadscope
FAST    := not slow and not fuzz and not browser and not server

## Lint, type-check and run the whole offline test suite, every tier. Installs nothing outside .venv: the browser
## test runs where Chromium is installed (.ci/run installs it) and is skipped, saying what to install, elsewhere.
test: $(STAMP) lint
	$(PYTEST)

## The quick tier for iteration: no moto server, no fuzzing, no browser, none of the slow sweeps.
test-fast: $(STAMP)
	$(PYTEST) -m "$(FAST)"

## The property tests with ten times the examples of `make test`, new random ones each run. They all live in
## one file, so they are spread test by test (--dist load) rather than file by file.
fuzz: $(STAMP)
	$(XDIST) --dist load -m fuzz --hypothesis-profile deep --hypothesis-show-statistics

## Only the headless-Chromium test (Debian: apt-get install chromium).
browser: $(STAMP)
	$(BIN)/python -m pytest -m browser

lint: $(STAMP)
	$(BIN)/ruff check vpce_audit moto_fixtures tests bench deploy
	$(BIN)/mypy vpce_audit moto_fixtures

## API calls and timings for a 50-VPC / 500-endpoint moto world, Route 53 calls and pacing cost, then
## normalize + checks + report time and memory on synthetic snapshots up to 10,000 endpoints, then an
## organisation scan of 100 accounts x 4 regions at 50 ms per call (wall time, calls/s, Route 53 peak, speedup).
## Then the deployed organisation mode: the judge step on 100,000 interface endpoints of 1,000 accounts (time and
## peak memory against Lambda's limits; JUDGE_ACCOUNTS=100 scales it down), one collect step of 17 regions at
## 50 ms per call, and the ESTIMATE for 1,000 accounts x 17 regions built from them. Last, vpce-audit and
## Cloud Custodian 0.9.53 (installed with pip into build/c7n-venv on first use) side by side on a small account.
JUDGE_ACCOUNTS ?= 1000
bench: $(STAMP)
	$(BIN)/python -m bench.scan
	$(BIN)/python -m bench.route53
	$(BIN)/python -m bench.scale
	$(BIN)/python -m bench.org
	$(BIN)/python -m bench.judge --accounts $(JUDGE_ACCOUNTS)
	$(BIN)/python -m bench.fanout
	$(BIN)/python -m bench.custodian
	$(BIN)/python -m bench.az_loss  # az-loss: the simulation vs one build_report

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
