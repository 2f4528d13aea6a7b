"""Amazon VPC CNI, the default CNI of Amazon EKS: pods on VPC addresses.

The facts and their sources are in ``profiles/aws_vpc_cni.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "aws_vpc_cni")
