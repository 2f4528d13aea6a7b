"""Cilium, the eBPF-based Kubernetes CNI: VXLAN and Geneve tunnels, native routing, and
transparent WireGuard or IPsec encryption.

Pods attach through veth pairs whose host side runs Cilium's eBPF programs (policy, load
balancing, forwarding). L7 rules are enforced by Cilium's own Envoy proxy. The encrypted
variants assume Cilium's default routing mode, VXLAN encapsulation.

The facts and their sources are in ``profiles/cilium.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "cilium")
