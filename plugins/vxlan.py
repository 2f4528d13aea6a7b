"""A hand-built Linux VXLAN overlay between hosts.

Containers attach by veth to a local Linux bridge; a VXLAN device on that
bridge carries Ethernet frames to other hosts inside UDP (RFC 7348; kernel
VXLAN documentation).

The facts and their sources are in ``profiles/vxlan.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "vxlan")


@hookimpl
def cnadvisor_bench_topologies() -> list[dict[str, str]]:
    """The `cnadvisor bench` topologies that emulate these profiles' datapaths."""
    return [{"solution_id": "overlay-vxlan", "topology": "vxlan"}]
