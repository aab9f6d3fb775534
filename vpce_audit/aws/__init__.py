"""The one door to AWS: clients (read-only, retried, counted), pacing, and the IAM policy the calls need."""
