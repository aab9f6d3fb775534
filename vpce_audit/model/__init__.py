"""The typed model: resources, DNS objects, the inventory that indexes them, and findings."""
