"""Canal: flannel (VXLAN) for pod networking combined with Calico's CNI and policy engine.

Calico's own documentation now recommends its native VXLAN mode over this combination.

The facts and their sources are in ``profiles/canal.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "canal")
