"""Bridge mode plus NAT port mapping, as Docker publishes ports (survey Sec. II-A-2, NAT).

Built on the same bridge as Docker's bridge mode, so it shares those references.

The facts and their sources are in ``profiles/nat.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "nat")


@hookimpl
def cnadvisor_bench_topologies() -> list[dict[str, str]]:
    """The `cnadvisor bench` topologies that emulate these profiles' datapaths."""
    return [{"solution_id": "bridge-nat", "topology": "veth-bridge-nat"}]
