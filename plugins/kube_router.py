"""kube-router: BGP-routed Kubernetes pod networking with an IPVS service proxy and an
iptables/ipset NetworkPolicy controller, in one DaemonSet.

Pods attach with the reference CNI bridge plugin; routes to other nodes' pod CIDRs are
exchanged over BGP (GoBGP), with IPIP tunnels only to nodes in other subnets by default.

The facts and their sources are in ``profiles/kube_router.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "kube_router")
