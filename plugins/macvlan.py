"""Linux macvlan in its five modes: private, vepa, bridge, passthru and source.

Each container gets a macvlan sub-interface of a host NIC with its own MAC
address, so it appears directly on the physical L2 segment. The modes differ in
how traffic between sub-interfaces of one parent is handled (ip-link(8)).

The facts and their sources are in ``profiles/macvlan.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "macvlan")


@hookimpl
def cnadvisor_bench_topologies() -> list[dict[str, str]]:
    """The `cnadvisor bench` topologies that emulate these profiles' datapaths."""
    return [
        {"solution_id": "macvlan-bridge", "topology": "macvlan-pair"},
        {"solution_id": "macvlan-vepa", "topology": "macvlan-hairpin"},
        {"solution_id": "macvlan-private", "topology": "macvlan-lan-private"},
        {"solution_id": "macvlan-passthru", "topology": "macvlan-lan-passthru"},
        {"solution_id": "macvlan-source", "topology": "macvlan-lan-source"},
    ]
