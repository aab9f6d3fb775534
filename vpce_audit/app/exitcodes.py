"""The process exit codes: one enum for the CLI, the report and the Lambda's summary (README, "Exit codes")."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # nothing at or above --fail-on
    FINDINGS = 1  # an unsuppressed finding at or above --fail-on
    USAGE = 2  # usage or input error: one line on stderr
    PARTIAL = 3  # some calls failed and nothing reached --fail-on
    INTERNAL = 4  # a bug: one line (the traceback with --debug)
    INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT
