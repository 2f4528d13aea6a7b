"""Docker's built-in network modes: none, host, container and bridge (survey Sec. II-A-1).

Bridge + NAT port mapping, the survey's inter-host NAT mode, is its own plugin (`nat`).

The facts and their sources are in ``profiles/docker_modes.yaml``.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "docker_modes")


@hookimpl
def cnadvisor_bench_topologies() -> list[dict[str, str]]:
    """The `cnadvisor bench` topologies that emulate these profiles' datapaths."""
    return [
        {"solution_id": "host", "topology": "host-loopback"},
        {"solution_id": "host", "topology": "host-wire"},
        {"solution_id": "container", "topology": "shared-netns"},
        {"solution_id": "bridge", "topology": "veth-bridge"},
    ]
