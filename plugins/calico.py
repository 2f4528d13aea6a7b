"""Project Calico (open source): BGP without encapsulation, IP-in-IP, VXLAN, the eBPF data plane
and WireGuard encryption.

Calico's CNI plugin joins each pod to the host's L3 routing with a veth pair (no bridge); the
standard data plane enforces policy with iptables, the eBPF data plane with tc/XDP programs.

The facts and their sources are in ``profiles/calico.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "calico")
