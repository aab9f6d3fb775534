"""`make bench`: API calls and timings of a scan on a large moto world."""
