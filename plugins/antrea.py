"""Antrea, the Open vSwitch based Kubernetes CNI: Geneve encapsulation (default), NoEncap and
Hybrid traffic modes, and IPsec or WireGuard encryption.

Each Node runs an OVS bridge (br-int): Pods attach through veth pairs, antrea-gw0 is the
gateway to the host stack and antrea-tun0 the tunnel port. Policies are OVS flows.

The facts and their sources are in ``profiles/antrea.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "antrea")
