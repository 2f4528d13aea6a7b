"""The performance-model interface, and the analytical model that uses exact physics only.

Every estimate the advisor shows goes through :class:`PerformanceModel`, so a
trained model can replace the analytical one without touching the ranking.
The analytical model knows header bytes, MTUs and line rate and nothing else:
it bounds inter-host throughput from above and says so; it does not pretend to
know CPU costs or latency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from .memo import IdentityMemo
from .physics import (
    effective_mtu,
    encapsulation_bytes,
    line_rate_packets_per_second,
    wire_cost,
)
from .profile import SolutionProfile
from .requirements import Requirements


@dataclass(frozen=True, slots=True)
class WorkloadPoint:
    """The survey's factors for one prediction: the inputs a model may use."""

    message_size: int = 1400
    protocol: str = "tcp"
    scenario: str = "inter-host"  # intra-host | inter-host
    virtualization: str = "bare-metal"
    containers_per_host: int = 1
    cpu_pinning: bool = False
    nic_gbps: float = 10.0
    underlay_mtu: int = 1500
    ip_family: str = "ipv4"
    streams: int = 1  # parallel flows
    via_service: bool = False  # through a Kubernetes Service (kube-proxy or eBPF)
    cores: int = 1  # cores the flows may use (a flow uses one at most)
    packet_io: bool = False  # the application uses a kernel-bypass framework (DPDK, AF_XDP)

    @classmethod
    def from_requirements(cls, requirements: Requirements, scenario: str) -> WorkloadPoint:
        env = requirements.environment
        io = requirements.workload.packet_io
        return cls(
            message_size=requirements.workload.message_size,
            protocol=requirements.workload.protocol,
            scenario=scenario,
            virtualization=env.virtualization,
            containers_per_host=env.containers_per_host,
            cpu_pinning=env.cpu_pinning,
            nic_gbps=env.nic_gbps,
            underlay_mtu=env.underlay.mtu,
            ip_family="ipv6" if env.ip_family == "ipv6" else "ipv4",
            packet_io=bool(io and io.value),
            cores=env.network_cores,
            streams=env.network_cores,
        )


class Estimate(BaseModel):
    """A figure with its interval; ``None`` means the model cannot say."""

    model_config = ConfigDict(frozen=True)

    value: float | None
    low: float | None
    high: float | None
    unit: str
    kind: str = "point"  # point | upper-bound | unknown

    @classmethod
    def unknown(cls, unit: str) -> Estimate:
        return _unknown_estimate(unit)

    @classmethod
    def upper_bound(cls, value: float, unit: str) -> Estimate:
        return cls(value=value, low=None, high=value, unit=unit, kind="upper-bound")

    def text(self, digits: int = 2) -> str:
        """The figure as ranking details show it. An estimate of a remembered prediction
        is shown file after file, so its text is remembered too."""
        return _TEXTS.get((self,), lambda: self._text(digits), TEXT_MEMO_LIMIT, digits)

    def _text(self, digits: int) -> str:
        if self.value is None:
            return "unknown"
        if self.kind == "upper-bound":
            return f"≤ {self.value:.{digits}f} {self.unit}"
        if self.low is not None and self.high is not None:
            interval = f"[{self.low:.{digits}f}–{self.high:.{digits}f}]"
            return f"{self.value:.{digits}f} {self.unit} {interval}"
        return f"{self.value:.{digits}f} {self.unit}"


TEXT_MEMO_LIMIT = 8192  # estimate texts kept; a long batch must not grow memory
_TEXTS: IdentityMemo[str] = IdentityMemo()


@cache
def _unknown_estimate(unit: str) -> Estimate:
    # Frozen, so one shared instance per unit serves every "unknown".
    return Estimate(value=None, low=None, high=None, unit=unit, kind="unknown")


class Prediction(BaseModel):
    """One option's predicted cost for one workload point."""

    model_config = ConfigDict(frozen=True)

    solution_id: str
    scenario: str
    model: str
    throughput_ratio: Estimate  # relative to host networking under the same test
    throughput_gbps: Estimate
    packet_rate_mpps: Estimate
    added_latency_us: Estimate  # one way, over host networking under the same workload
    latency_us: Estimate = Field(default_factory=lambda: Estimate.unknown("us"))  # one way
    effective_mtu: int | None
    basis: list[str]


class PerformanceModel(Protocol):
    """What the ranking needs from any model: a prediction per option and workload point."""

    name: str
    description: str

    def predict(self, solution: SolutionProfile, point: WorkloadPoint) -> Prediction: ...


@dataclass
class AnalyticalModel:
    """Exact physics only: header bytes at the MTU, and line rate at the message size."""

    name: str = "analytical"
    description: str = (
        "exact header and MTU arithmetic at line rate; an upper bound that ignores CPU cost"
    )
    _cache: dict[tuple[str, WorkloadPoint], Prediction] = field(default_factory=dict)

    def predict(self, solution: SolutionProfile, point: WorkloadPoint) -> Prediction:
        # Same-host estimates do not depend on the workload here: one per solution.
        same_host = point.scenario == "intra-host" or solution.datapath.inter_host is None
        key = (solution.id, point.scenario if same_host else point)
        if key not in self._cache:
            self._cache[key] = self._predict(solution, point)
        return self._cache[key]

    def _predict(self, solution: SolutionProfile, point: WorkloadPoint) -> Prediction:
        unknown_latency = Estimate.unknown("us")
        path = solution.datapath
        if point.scenario == "intra-host" or path.inter_host is None:
            return Prediction(
                solution_id=solution.id,
                scenario=point.scenario,
                model=self.name,
                throughput_ratio=Estimate.unknown("ratio"),
                throughput_gbps=Estimate.unknown("Gbps"),
                packet_rate_mpps=Estimate.unknown("Mpps"),
                added_latency_us=unknown_latency,
                effective_mtu=None,
                basis=["same-host traffic never reaches the wire: bounded by CPU, not modelled"],
            )
        encap = encapsulation_bytes(path.inter_host, path.extra_header_bytes)
        mtu = effective_mtu(point.underlay_mtu, path.inter_host, path.extra_header_bytes)
        host = wire_cost(
            point.message_size,
            protocol=point.protocol,
            mtu=point.underlay_mtu,
            ip_family=point.ip_family,
        )
        this = wire_cost(
            point.message_size,
            protocol=point.protocol,
            mtu=mtu,
            encap_bytes=encap,
            ip_family=point.ip_family,
        )
        ratio = host.wire_bytes / this.wire_bytes
        gbps = point.nic_gbps * this.goodput_share(point.message_size)
        mpps = line_rate_packets_per_second(point.nic_gbps, this) / 1e6
        basis = [
            f"{encap} header bytes per packet, container MTU {mtu}, "
            f"{this.packets} packet(s) and {this.wire_bytes} wire bytes per "
            f"{point.message_size}-byte {point.protocol.upper()} message "
            f"(host: {host.packets} / {host.wire_bytes})",
            f"line rate {point.nic_gbps:g} Gbps; CPU cost of the datapath not modelled",
        ]
        return Prediction(
            solution_id=solution.id,
            scenario=point.scenario,
            model=self.name,
            throughput_ratio=Estimate.upper_bound(ratio, "ratio"),
            throughput_gbps=Estimate.upper_bound(gbps, "Gbps"),
            packet_rate_mpps=Estimate.upper_bound(mpps, "Mpps"),
            added_latency_us=unknown_latency,
            effective_mtu=mtu,
            basis=basis,
        )
