"""Linux ipvlan in its three modes: L2, L3 and L3S.

ipvlan sub-interfaces share the master NIC's MAC address and demultiplex by IP
address, so no promiscuous mode is needed (kernel IPVLAN HOWTO).

The facts and their sources are in ``profiles/ipvlan.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "ipvlan")


@hookimpl
def cnadvisor_bench_topologies() -> list[dict[str, str]]:
    """The `cnadvisor bench` topologies that emulate these profiles' datapaths."""
    return [
        {"solution_id": "ipvlan-l2", "topology": "ipvlan-pair-l2"},
        {"solution_id": "ipvlan-l3", "topology": "ipvlan-pair-l3"},
    ]
