"""SR-IOV CNI: each pod gets a virtual function (VF) of an SR-IOV capable NIC.

The VF is moved into the pod's network namespace, so packets skip the host's
software switching; the NIC's embedded switch forwards between VFs and the
wire. In Kubernetes it is attached as a secondary network through Multus.
"""

from __future__ import annotations

import csv
from importlib import resources

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    """The profile and its sources are data: ``profiles/sriov.yaml`` in this package."""
    return load_profiles(__package__, "sriov")


@hookimpl
def cnadvisor_benchmarks() -> list[dict]:
    """Figures for this profile transcribed from a published report (see benchmarks.csv)."""
    text = resources.files(__package__).joinpath("benchmarks.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))
