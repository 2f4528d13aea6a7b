"""Kube-OVN, the OVN-based Kubernetes CNI: Geneve overlay with VPC multi-tenancy, and underlay
(VLAN) subnets that put pods directly on the physical network.

Pods attach through veth pairs to the OVS integration bridge programmed by OVN; logical
switches, routers and ACLs come from the OVN databases.

The facts and their sources are in ``profiles/kube_ovn.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "kube_ovn")
