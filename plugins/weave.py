"""Weave Net: an L2 overlay for Docker and Kubernetes with the kernel fast datapath (OVS +
VXLAN), the user-space sleeve fallback, and encryption.

Weave Net is archived upstream (Weaveworks closed in 2024); only community forks continue it.
Its documentation survives in the repository's site/ folder, cited here.

The facts and their sources are in ``profiles/weave.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "weave")
