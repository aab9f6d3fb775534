"""Per-endpoint verdicts computed once from the inventory: AZ coverage, gateway route coverage, spokes."""
