"""A hand-built MPLS-over-UDP overlay between hosts (RFC 7510).

Containers attach by veth to a local Linux bridge; the host pushes an MPLS
label and sends the packet in UDP to the peer host (Linux: a bareudp device
with ethertype mpls_uc).

The facts and their sources are in ``profiles/mplsoudp.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "mplsoudp")
