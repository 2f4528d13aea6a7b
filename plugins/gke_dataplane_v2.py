"""GKE Dataplane V2, Google's eBPF data plane for GKE.

The facts and their sources are in ``profiles/gke_dataplane_v2.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "gke_dataplane_v2")
