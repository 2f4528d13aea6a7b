"""SR-IOV and RDMA for pods, attached as secondary networks through Multus.

The facts and their sources are in ``profiles/sriov.yaml, profiles/rdma.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "sriov", "rdma")
