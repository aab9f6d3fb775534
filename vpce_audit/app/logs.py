"""Logging. The package logs under the "vpce_audit" logger and its children; a NullHandler on it
(vpce_audit/__init__.py) keeps it silent unless someone listens: `--debug` listens on stderr, and in the
Lambda the runtime's root handler does at the function's log level.

What is logged helps a user see where a scan spends its time and why it ended as it did: the plan, each
unit starting and finishing, retries, what suppressions did, where the report went. Never credentials or
request contents.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

PACKAGE = "vpce_audit"
# botocore's standard retry mode says here when it retries a call (throttling, a 5xx) and when it gives up.
RETRIES = "botocore.retries.standard"
FORMAT = "vpce-audit: debug: %(relativeCreated)7.0f ms %(name)s [%(threadName)s]: %(message)s"

_installed: list[tuple[logging.Logger, logging.Handler, int]] = []


class _RetriesOnly(logging.Filter):
    """botocore also logs "Not retrying request." after every successful call: keep only the retries."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage().startswith(("Retry needed", "Max attempts"))


def enable_debug(stream: TextIO | None = None) -> None:
    """DEBUG records of the package, and botocore's retries, on stderr until disable_debug()."""
    disable_debug()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    retries = logging.StreamHandler(stream or sys.stderr)
    retries.setFormatter(logging.Formatter(FORMAT))
    retries.addFilter(_RetriesOnly())
    for name, h in ((PACKAGE, handler), (RETRIES, retries)):
        logger = logging.getLogger(name)
        _installed.append((logger, h, logger.level))
        logger.addHandler(h)
        logger.setLevel(logging.DEBUG)


def disable_debug() -> None:
    while _installed:
        logger, handler, level = _installed.pop()
        logger.removeHandler(handler)
        logger.setLevel(level)
