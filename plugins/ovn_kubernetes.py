"""OVN-Kubernetes: the OVN/Open vSwitch based Kubernetes CNI with a Geneve overlay.

Pods attach through veth pairs to the OVS bridge programmed by OVN; Services are OVN load
balancers and NetworkPolicies are OVN ACLs.

The facts and their sources are in ``profiles/ovn_kubernetes.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "ovn_kubernetes")
