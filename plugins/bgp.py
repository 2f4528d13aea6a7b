"""Native routing of container prefixes with BGP, without and with Linux VRFs.

A routing daemon (BIRD or FRR) on each host announces the host's container
prefixes over BGP, so packets are routed natively with no encapsulation. The
VRF variant keeps one routing table per tenant (kernel VRF documentation).

The facts and their sources are in ``profiles/bgp.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "bgp")


@hookimpl
def cnadvisor_bench_topologies() -> list[dict[str, str]]:
    """The `cnadvisor bench` topologies that emulate these profiles' datapaths."""
    return [{"solution_id": "bgp-routing", "topology": "routed"}]
