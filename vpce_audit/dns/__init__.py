"""The DNS engine: how a client in a VPC resolves a name, and the DNS path to each interface endpoint."""
