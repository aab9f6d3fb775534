"""vpce-audit: AZ resilience and DNS-path audit of AWS VPC endpoints."""

import logging

__version__ = "0.1.0"

# A library stays silent unless its user listens (`--debug` does, see app/logs.py).
logging.getLogger(__name__).addHandler(logging.NullHandler())
