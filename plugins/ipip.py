"""A hand-built Linux IP-in-IP (ipip) overlay between hosts.

Containers attach by veth to a local Linux bridge; the host routes their
packets into an ipip tunnel device that adds one outer IPv4 header (RFC 2003).

The facts and their sources are in ``profiles/ipip.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "ipip")


@hookimpl
def cnadvisor_bench_topologies() -> list[dict[str, str]]:
    """The `cnadvisor bench` topologies that emulate these profiles' datapaths."""
    return [{"solution_id": "overlay-ipip", "topology": "ipip"}]
