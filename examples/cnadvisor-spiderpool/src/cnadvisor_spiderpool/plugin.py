"""Spiderpool: pods on the nodes' own subnet through macvlan, with Spiderpool's IPAM.

A third-party cnadvisor plugin written against the public API only: the profile is a
data file (``profiles/spiderpool.yaml``), and the benchmark rows are figures
transcribed from Spiderpool's own performance page (``benchmarks.csv``).
"""

from __future__ import annotations

import csv
from importlib import resources

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    """The profile and its sources are data: ``profiles/spiderpool.yaml`` in this package."""
    return load_profiles(__package__, "spiderpool")


@hookimpl
def cnadvisor_benchmarks() -> list[dict]:
    """Figures for this profile transcribed from a published report (see benchmarks.csv)."""
    text = resources.files(__package__).joinpath("benchmarks.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))
