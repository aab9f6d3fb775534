"""The application layer: one job (scope, collect, judge, report) that the CLI and the Lambda both run."""
