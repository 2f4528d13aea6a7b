"""Hand-built Linux GRE overlays: plain GRE and MPLS over GRE.

Containers attach by veth to a local Linux bridge; the host routes their
packets into a GRE tunnel (RFC 2784), optionally with an MPLS label pushed
first (RFC 4023).

The facts and their sources are in ``profiles/gre.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "gre")


@hookimpl
def cnadvisor_bench_topologies() -> list[dict[str, str]]:
    """The `cnadvisor bench` topologies that emulate these profiles' datapaths."""
    return [{"solution_id": "overlay-gre", "topology": "gre"}]
