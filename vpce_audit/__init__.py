"""vpce-audit: AZ resilience and DNS-path audit of AWS VPC endpoints."""

__version__ = "0.1.0"
