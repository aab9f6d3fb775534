"""What some renderers need beyond the Report: the --fail-on threshold and which checks ran.

JUnit and Markdown say which findings fail the run, and which checks passed or could not look: the Report
alone knows neither (it holds the findings, not the threshold, and not the checks that found nothing).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vpce_audit.checks import REGISTRY, Check
from vpce_audit.errors import CollectionError
from vpce_audit.model.findings import Severity
from vpce_audit.model.inventory import Inventory
from vpce_audit.snapshot import GLOBAL_REGION


@dataclass(frozen=True, slots=True)
class RenderContext:
    fail_on: Severity | None = Severity.HIGH  # None: --fail-on none, nothing fails
    check_ids: tuple[str, ...] | None = None  # None: every check in the catalogue

    def checks(self) -> tuple[Check, ...]:
        ids = sorted(REGISTRY) if self.check_ids is None else sorted(set(self.check_ids) & set(REGISTRY))
        return tuple(REGISTRY[i] for i in ids)

    def fails(self, severity: Severity | None, suppressed: bool) -> bool:
        """The --fail-on rule of the exit code: an unsuppressed finding at or above the threshold."""
        return self.fail_on is not None and not suppressed and (severity or Severity.INFO).at_least(self.fail_on)


def missing_inputs(errors: Iterable[CollectionError], check: Check, account_id: str, region: str) -> tuple[str, ...]:
    """The check's inputs whose call failed for this account and region (or the account's global part): with
    any, the check's silence there is `unknown`, not a pass. Failed calls, not absent entries, decide: some
    inputs are only called when needed (ec2:DescribeDhcpOptions for VPCs with custom DHCP options), and a
    call that failed is always in the report's errors."""
    failed = [e for e in errors if e.account_id == account_id and e.region in (region, GLOBAL_REGION)]
    return tuple(
        str(api)
        for api in check.inputs
        # operation `*`: the whole service was skipped for the unit (the scan's time budget ran out)
        if any(e.service == api.service and e.operation in (api.operation, "*") for e in failed)
    )


def regional_units(inv: Inventory) -> tuple[tuple[str, str], ...]:
    """The scanned (account, region) pairs, without the per-account global parts."""
    return tuple(sorted(unit for unit in inv.scanned if unit[1] != GLOBAL_REGION))
