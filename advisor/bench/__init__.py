"""``cnadvisor bench``: measure the survey's network modes on this Linux host.

Every topology is built from scratch in network namespaces this run creates (names carry
a per-run prefix, addresses come only from RFC 2544's 198.18.0.0/15), measured with real
iperf3 and sockperf processes, and torn down again, also on errors and signals. Results
come out as rows of the dataset schema so the model can train on the user's own host.

Netlink goes through iproute2's ``ip`` command (subprocess), not a Python library: it is
on every Linux host, its error messages are what users know, and the exact commands can
be shown as each row's locator.
"""
