"""Collectors: boto3 I/O only. They page, record and report failures; they never judge."""
