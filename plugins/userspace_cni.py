"""OVS-DPDK through the Userspace CNI, a secondary network for DPDK pods.

The facts and their sources are in ``profiles/userspace_cni.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "userspace_cni")
