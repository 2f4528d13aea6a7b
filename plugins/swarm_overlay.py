"""Docker's overlay network driver (Swarm mode), plain and encrypted.

Containers on a Docker overlay network reach each other across Swarm nodes over
VXLAN; with '--opt encrypted' the VXLAN traffic is protected with IPsec ESP.

The facts and their sources are in ``profiles/swarm_overlay.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "swarm_overlay")
