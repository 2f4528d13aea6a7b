"""Azure CNI for AKS: node subnet, pod subnet, overlay, and Powered by Cilium.

The facts and their sources are in ``profiles/azure_cni.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "azure_cni")
