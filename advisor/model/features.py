"""Features from a solution's datapath and the workload: what the model sees.

The same function featurises training rows and prediction requests, so they
cannot drift apart. A plugin nobody has benchmarked gets features, and so a
prediction, from the stages it names.
"""

from __future__ import annotations

import math

import numpy as np

from ..performance import WorkloadPoint
from ..physics import encapsulation_bytes, wire_cost
from ..profile import SolutionProfile
from ..stages import STAGES, StageKind

KIND_COUNTS = (
    StageKind.SWITCH,
    StageKind.ROUTE,
    StageKind.FILTER,
    StageKind.NAT,
    StageKind.ENCAP,
    StageKind.ENCRYPT,
    StageKind.USERSPACE,
)
NAMES = (
    "same_host",
    "encap_bytes",
    *(f"stages_{kind.value}" for kind in KIND_COUNTS),
    "uses_ebpf",
    "uses_ovs",
    "uses_bridge",
    "wireguard",
    "ipsec",
    "log2_message_size",
    "udp",
    "log2_streams",
    "vm",
    "log2_link_gbps",
    "via_service",
    "physics_ratio",
)
# Physics: more header bytes, more encryption and more user-space copies never raise goodput.
MONOTONE = {
    "encap_bytes": -1,
    "stages_encrypt": -1,
    "stages_userspace": -1,
    "physics_ratio": 1,
}
BULK_MESSAGE = 1_000_000  # an unstated message size is taken as a bulk transfer
DEFAULT_MTU = 1500  # an unstated underlay MTU is taken as Ethernet's default


def path_for(solution: SolutionProfile, scenario: str) -> list[str]:
    if scenario == "intra-host" or solution.datapath.inter_host is None:
        return solution.datapath.intra_host
    return solution.datapath.inter_host


def _log2(value: float | None) -> float:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value <= 0:
        return math.nan
    return math.log2(value)


def featurize(
    solution: SolutionProfile,
    *,
    scenario: str,
    message_size: float | None,
    protocol: str,
    streams: float | None,
    virtualization: str,
    link_gbps: float | None,
    via_service: bool,
    underlay_mtu: float | None = None,
    container_mtu: float | None = None,
) -> list[float]:
    stages = path_for(solution, scenario)
    kinds = [STAGES[name].kind for name in stages]
    encap = sum(STAGES[name].header_bytes for name in stages)
    if stages is solution.datapath.inter_host:
        encap += solution.datapath.extra_header_bytes
    return [
        {"intra-host": 1.0, "unknown": math.nan}.get(scenario, 0.0),
        float(encap),
        *(float(kinds.count(kind)) for kind in KIND_COUNTS),
        float("ebpf" in stages),
        float("ovs" in stages),
        float("linux-bridge" in stages),
        float("wireguard" in stages),
        float(any(name.startswith("ipsec") for name in stages)),
        _log2(message_size),
        1.0 if protocol == "udp" else 0.0,
        _log2(streams),
        {"vm": 1.0, "bare-metal": 0.0}.get(virtualization, math.nan),
        _log2(link_gbps),
        float(via_service),
        physics_ratio(solution, scenario, message_size, protocol, underlay_mtu, container_mtu),
    ]


def _known(value: float | None) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def physics_ratio(
    solution: SolutionProfile,
    scenario: str,
    message_size: float | None,
    protocol: str,
    underlay_mtu: float | None,
    container_mtu: float | None,
) -> float:
    """Wire bytes on host networking over wire bytes through this datapath, for one message:
    exact header arithmetic (1.0 for same-host traffic, which never reaches a wire)."""
    if scenario == "intra-host" or solution.datapath.inter_host is None:
        return 1.0
    underlay = int(underlay_mtu) if _known(underlay_mtu) else DEFAULT_MTU
    stages = solution.datapath.inter_host
    encap = encapsulation_bytes(stages, solution.datapath.extra_header_bytes)
    inner = int(container_mtu) if _known(container_mtu) else underlay - encap
    size = int(message_size) if _known(message_size) and message_size >= 1 else BULK_MESSAGE
    proto = "udp" if protocol == "udp" else "tcp"
    try:
        host = wire_cost(size, protocol=proto, mtu=underlay)
        this = wire_cost(size, protocol=proto, mtu=min(inner, underlay - encap), encap_bytes=encap)
    except ValueError:
        return math.nan
    return host.wire_bytes / this.wire_bytes


def featurize_point(solution: SolutionProfile, point: WorkloadPoint) -> list[float]:
    return featurize(
        solution,
        scenario=point.scenario,
        message_size=point.message_size,
        protocol=point.protocol,
        streams=point.streams,
        virtualization=point.virtualization,
        link_gbps=point.nic_gbps,
        via_service=point.via_service,
        underlay_mtu=point.underlay_mtu,
    )


def matrix(rows: list[list[float]]) -> np.ndarray:
    return np.asarray(rows, dtype=float).reshape(len(rows), len(NAMES))
