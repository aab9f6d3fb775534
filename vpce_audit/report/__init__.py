"""The Report: findings, per-endpoint verdicts and errors; every renderer and the exit code read it."""
