"""A hand-built Linux Geneve overlay between hosts.

Containers attach by veth to a local Linux bridge; a Geneve device on that
bridge tunnels Ethernet frames in UDP to other hosts (RFC 8926; ip-link(8)).

The facts and their sources are in ``profiles/geneve.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "geneve")


@hookimpl
def cnadvisor_bench_topologies() -> list[dict[str, str]]:
    """The `cnadvisor bench` topologies that emulate these profiles' datapaths."""
    return [{"solution_id": "overlay-geneve", "topology": "geneve"}]
