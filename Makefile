# Everything runs inside .venv, created on first use from pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

## Scan the bundled moto world (no AWS account needed) and print the report.
demo: $(STAMP)
	$(BIN)/vpce-audit demo --fail-on none

## Lint, type-check and run the offline test suite.
test: $(STAMP) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check vpce_audit moto_fixtures tests bench
	$(BIN)/mypy vpce_audit moto_fixtures

## API calls and timings for a 50-VPC / 500-endpoint moto world, then Route 53 calls and pacing cost.
bench: $(STAMP)
	$(BIN)/python -m bench.scan
	$(BIN)/python -m bench.route53

clean:
	rm -rf $(VENV) build *.egg-info
