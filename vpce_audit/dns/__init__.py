"""The DNS engine: how a client in a VPC resolves a name, and the DNS path to each interface endpoint.

In the order a question flows through it:
  kinds       the vocabulary: outcomes, modes, `via`, and the kinds of servers, candidates and targets
  names       DNS names: containment, labels, wildcards, what an endpoint's own names say
  zone        what one private hosted zone answers for a name (RFC 4592 wildcards, NXDOMAIN, NODATA)
  resolver    whose resolver answers a VPC's clients (DHCP option set servers, Resolver inbound endpoints)
  candidates  the rules, zones and endpoints' private DNS zones that may answer in a VPC
  resolve     the Answer: which candidate wins for a name, following CNAMEs and aliases
  targets     where a zone record sends clients (an endpoint by name or IP, dangling, unverifiable)
  links       which VPCs a zone's records lead to an endpoint
  path        the per-endpoint verdict: for each of those VPCs, the mode its clients reach the endpoint in
  index       what the above compute once per Inventory (DnsIndex)
"""
