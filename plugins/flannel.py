"""Flannel, the simple Kubernetes L3 pod network: VXLAN, host-gw and WireGuard backends.

Flannel only moves traffic between hosts; on each host its CNI plugin delegates to the
reference bridge plugin (veth pairs into the ``cni0`` Linux bridge). It does not enforce
NetworkPolicy itself.

The facts and their sources are in ``profiles/flannel.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "flannel")


@hookimpl
def cnadvisor_bench_topologies() -> list[dict[str, str]]:
    """The `cnadvisor bench` topologies that emulate these profiles' datapaths."""
    return [
        {"solution_id": "flannel-host-gw", "topology": "bridge-routed"},
        {"solution_id": "flannel-vxlan", "topology": "vxlan-routed"},
    ]
