"""Benchmark rows turned into what the structural model can be fitted to: ratios of two paths.

Every usable row becomes an *observation*: a measured ratio between a numerator
path (the option under test) and a denominator path (host networking in the
same test, or the same option on bare metal for a VM row), both encoded for
:mod:`cnadvisor.model.structure`. Rows of a test that has no host baseline keep
their absolute value and share a free offset per test condition, so they still
teach how options compare within that test.

The baseline is recognised structurally (a profile whose inter-host datapath
adds no stage is host networking), never by an id.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from ..dataset.schema import HOST_NETWORKING
from ..physics import encapsulation_bytes
from ..profile import SolutionProfile
from .structure import PathSpec, encode, host_terms

THROUGHPUT, PACKET_RATE, LATENCY, ABSOLUTE = 0, 1, 2, 3
METRIC_NAMES = ("throughput", "packet rate", "latency", "host throughput")
BULK_TCP_WRITE = 131072  # iperf3's default TCP write (128 KiB) where a source states none
SMALL_MESSAGE = 64.0  # a latency or packet-rate test that states no size sends small ones
DEFAULT_LINK_GBPS = 10.0
# IEEE 802.3 Ethernet data rates: a NIC no source names runs at one of these.
ETHERNET_GBPS = (10.0, 25.0, 40.0, 50.0, 100.0, 200.0, 400.0)
DEFAULT_MTU = 1500
TO_GBPS = {"Gbps": 1.0, "Mbps": 1e-3}
TO_MPPS = {"Mpps": 1.0, "kpps": 1e-3}
TO_US = {"us": 1.0, "ms": 1000.0}
# Tools whose latency figure is a round trip (netperf's request/response tests, ping);
# sockperf and qperf print one-way latency (half the round trip).
# netperf's manual ("Using Netperf to Measure Request/Response", doc/netperf.texi of
# HewlettPackard/netperf): a one-transaction-at-a-time test's rate inverts to the average
# round-trip latency. Only single-flow netperf request/response rows are read so.
RR_TOOL = "netperf"
ROUND_TRIP_TOOLS = ("tcp_rr", "udp_rr", "tcp_crr", " rtt", "ping -", "icmp", "round trip",
                    "round-trip")  # fmt: skip


def is_host_networking(profile: SolutionProfile) -> bool:
    """Host networking: an inter-host path with no stage, and a same-host path that never
    leaves the loopback device."""
    path = profile.datapath
    return path.inter_host == [] and set(path.intra_host) <= {"loopback"}


def path_terms(profile: SolutionProfile, scenario: str, via_service: bool = False) -> list[str]:
    """The stages a packet of this option crosses in this scenario, with a Service hop: an
    eBPF datapath balances in its own programs, any other through kube-proxy's iptables DNAT."""
    path = profile.datapath
    intra = scenario == "intra-host" or path.inter_host is None
    stages = list(path.intra_host if intra else path.inter_host)
    if via_service:
        stages += ["ebpf"] if "ebpf" in stages else ["iptables", "netfilter-nat"]
    return stages


@dataclass(frozen=True, slots=True)
class Conditions:
    """The workload of one test, as far as the source states it."""

    scenario: str  # intra-host | inter-host
    message_size: float
    udp: bool
    cores: float
    link_gbps: float
    underlay_mtu: float
    vm: bool
    via_service: bool = False
    ipv6: bool = False
    packet_io: str | None = None


def spec_for(profile: SolutionProfile, conditions: Conditions) -> PathSpec:
    """The encoded path of ``profile`` under ``conditions``."""
    intra = conditions.scenario == "intra-host" or profile.datapath.inter_host is None
    stages = path_terms(profile, "intra-host" if intra else "inter-host", conditions.via_service)
    extra = 0 if intra else profile.datapath.extra_header_bytes
    encap = encapsulation_bytes(stages, extra)
    io = conditions.packet_io
    io = io if io and io in {f.value for f in profile.operations.packet_io} else None
    return PathSpec(
        terms=(*host_terms(vm=conditions.vm, packet_io=io), *stages),
        message_size=conditions.message_size,
        udp=conditions.udp,
        cores=conditions.cores,
        link_gbps=math.inf if intra else conditions.link_gbps,
        mtu=conditions.underlay_mtu - encap,
        encap_bytes=0.0 if intra else float(encap),
        ipv6=conditions.ipv6,
    )


def baseline_spec(conditions: Conditions) -> PathSpec:
    """Host networking under the same conditions: no stage between the two stacks (loopback
    on one host)."""
    intra = conditions.scenario == "intra-host"
    return PathSpec(
        terms=(*host_terms(vm=conditions.vm), *(["loopback"] if intra else [])),
        message_size=conditions.message_size,
        udp=conditions.udp,
        cores=conditions.cores,
        link_gbps=math.inf if intra else conditions.link_gbps,
        mtu=conditions.underlay_mtu,
        encap_bytes=0.0,
        ipv6=conditions.ipv6,
    )


@dataclass
class Observations:
    """Ratios to fit: numerator and denominator paths, the measured log ratio, and labels."""

    numerator: np.ndarray
    denominator: np.ndarray
    metric: np.ndarray  # THROUGHPUT | PACKET_RATE | LATENCY
    log_ratio: np.ndarray  # log(numerator / denominator) as measured, or log value if free
    baseline_latency_us: np.ndarray  # one-way latency of the denominator (latency rows)
    offset_group: np.ndarray  # -1: anchored; else index of a free per-test offset
    study: np.ndarray
    solution: np.ndarray
    host_itself: np.ndarray  # the numerator is host networking measured against itself
    local: np.ndarray  # measured on this host by `cnadvisor bench` (or imported)
    log_absolute: np.ndarray  # log of the figure in Gbps, Mpps or µs (NaN: relative row)

    def __len__(self) -> int:
        return len(self.log_ratio)

    @property
    def anchored(self) -> np.ndarray:
        return self.offset_group < 0

    def subset(self, mask: np.ndarray) -> Observations:
        index = np.flatnonzero(mask)
        groups = self.offset_group[index]
        # renumber free offsets so the subset's groups are 0..k-1
        free = groups >= 0
        if free.any():
            _, groups_new = np.unique(groups[free], return_inverse=True)
            groups = groups.copy()
            groups[free] = groups_new
        return Observations(
            self.numerator[index],
            self.denominator[index],
            self.metric[index],
            self.log_ratio[index],
            self.baseline_latency_us[index],
            groups,
            self.study[index],
            self.solution[index],
            self.host_itself[index],
            self.local[index],
            self.log_absolute[index],
        )

    def design(self) -> np.ndarray:
        """One matrix for a scikit-learn estimator: both paths and the labels it needs."""
        return np.hstack(
            [
                self.numerator,
                self.denominator,
                self.metric[:, None].astype(float),
                self.baseline_latency_us[:, None],
                self.offset_group[:, None].astype(float),
                np.unique(self.study.astype(str), return_inverse=True)[1][:, None].astype(float)
                if len(self)
                else np.zeros((0, 1)),
            ]
        )


def _number(value: float, default: float) -> float:
    return default if value is None or not math.isfinite(value) or value <= 0 else float(value)


def _condition_key(row) -> str:
    """Rows measured in one test under the same conditions of one source (the dataset
    layer's per-source rules), whatever the metric."""
    from ..dataset.conditions import condition

    return condition(row)


def _stated(pattern: str, text: str) -> float | None:
    match = re.search(pattern, text)
    return float(match.group(1)) if match else None


def _wire(row) -> tuple[str, str, str]:
    """One source's test setup and scenario: the rows measured across the same wire."""
    from ..dataset.conditions import test_key

    return (row.source_id, test_key(row), row.scenario)


def measured_link_floors(rows: Iterable) -> dict[tuple[str, str, str], float]:
    """The highest inter-host throughput each wire carried in its source (Gbit/s, any row
    or baseline): its link is at least that fast, whatever the source leaves unstated."""
    floors: dict[tuple[str, str, str], float] = defaultdict(float)
    for row in rows:
        if row.metric != "throughput" or row.unit not in TO_GBPS or row.scenario == "intra-host":
            continue
        for value in (row.value, row.baseline_value):
            if value == value and value > 0:
                key = _wire(row)
                floors[key] = max(floors[key], value * TO_GBPS[row.unit])
    return dict(floors)


def unstated_link_gbps(floor: float) -> float:
    """The NIC speed to assume when a source names none: 10 GbE, unless the wire carried
    more, then the slowest Ethernet rate that could have carried it."""
    if floor <= DEFAULT_LINK_GBPS:
        return DEFAULT_LINK_GBPS
    return next((rate for rate in ETHERNET_GBPS if rate >= floor), floor)


def conditions_of(row, underlay_mtu: float | None, link_floor: float = 0.0) -> Conditions:
    udp = row.protocol == "udp"
    size = row.message_size_bytes
    if not (size == size and size >= 1):  # unstated: a tool's default
        if row.metric in ("latency", "latency_p99", "packet_rate", "request_rate"):
            size = SMALL_MESSAGE
        else:
            size = BULK_TCP_WRITE if not udp else 1400.0
    streams = _number(row.streams, 1.0)
    local = row.source_id.startswith("local-")
    return Conditions(
        scenario="intra-host" if row.scenario == "intra-host" else "inter-host",
        message_size=float(size),
        udp=udp,
        cores=streams,
        # a local bench wire is a veth pair: no line rate; elsewhere an unstated NIC is 10 G
        link_gbps=_number(row.link_gbps, math.inf if local else unstated_link_gbps(link_floor)),
        underlay_mtu=_number(underlay_mtu, DEFAULT_MTU),
        vm=row.virtualization == "vm",
        via_service=row.via_service,
    )


def _round_trip(row) -> bool:
    text = f"{row.notes} {row.locator}".lower()
    if "one-way" in text or "one way" in text:
        return False
    return any(tool in text for tool in ROUND_TRIP_TOOLS)


def build(
    rows: Iterable,
    profiles: Mapping[str, SolutionProfile],
    underlay_mtus: Mapping[str, float] | None = None,
) -> Observations:
    """Every row the structural model can use, as observations (others are skipped)."""
    underlay_mtus = underlay_mtus or {}
    rows = list(rows)
    floors = measured_link_floors(rows)
    items: list[dict] = []
    for row in rows:
        profile = profiles.get(row.solution_id)
        mtu = _stated(r"pod MTU (\d+)", row.notes)
        floor = floors.get(_wire(row), 0.0)
        conditions = conditions_of(row, underlay_mtus.get(row.source_id), floor)
        if mtu is not None and profile is not None and conditions.scenario == "inter-host":
            encap = encapsulation_bytes(
                profile.datapath.inter_host or [], profile.datapath.extra_header_bytes
            )
            conditions = replace(conditions, underlay_mtu=mtu + encap)
        item = _observation(row, profile, conditions)
        if item is not None:
            items.append(item)
    # a host row in a test without per-row baselines anchors that whole test
    host_values: dict[tuple[str, int], list[float]] = defaultdict(list)
    for item in items:
        if item["host_itself"] and item["free"]:
            host_values[(item["key"], item["metric"])].append(item["log_value"])
    groups: dict[str, int] = {}
    for item in items:
        anchor = host_values.get((item["key"], item["metric"]))
        if item["free"] and anchor and item["metric"] != LATENCY:
            item["log_ratio"] = item["log_value"] - float(np.median(anchor))
            item["free"] = False
        if item["free"]:
            item["group"] = groups.setdefault(f"{item['key']}|{item['metric']}", len(groups))
    items = [i for i in items if not (i["free"] and i["metric"] == LATENCY)]
    items += [_absolute(i) for i in items if i["host_itself"] and i["metric"] == THROUGHPUT
              and math.isfinite(i["log_absolute"])]  # fmt: skip
    if not items:
        empty = np.zeros((0, encode([]).shape[1]))
        return Observations(empty, empty, *(np.zeros(0) for _ in range(3)),
                            np.zeros(0, dtype=int), *(np.array([], dtype=object)
                            for _ in range(2)), np.zeros(0, bool), np.zeros(0, bool),
                            np.zeros(0))  # fmt: skip
    return Observations(
        numerator=encode([i["num"] for i in items]),
        denominator=encode([i["den"] for i in items]),
        metric=np.array([i["metric"] for i in items]),
        log_ratio=np.array([i.get("log_ratio", i["log_value"]) for i in items], dtype=float),
        baseline_latency_us=np.array([i["baseline_us"] for i in items], dtype=float),
        offset_group=np.array([i.get("group", -1) if i["free"] else -1 for i in items]),
        study=np.array([i["study"] for i in items], dtype=object),
        solution=np.array([i["solution"] for i in items], dtype=object),
        host_itself=np.array([i["host_itself"] for i in items], dtype=bool),
        local=np.array([i["study"].startswith("local-") for i in items], dtype=bool),
        log_absolute=np.array([i["log_absolute"] for i in items], dtype=float),
    )


def _observation(row, profile: SolutionProfile | None, conditions: Conditions) -> dict | None:
    """One row as an observation, or None when the model cannot use it."""
    if row.metric == "throughput_loss" and row.unit == "percent" and 0 <= row.value < 100:
        if row.virtualization == "vm" and profile is None:  # the same containers on bare metal
            bare = replace(conditions, vm=False)
            vm = replace(conditions, vm=True)
            return _item(row, baseline_spec(vm), baseline_spec(bare), THROUGHPUT,
                         math.log(1 - row.value / 100), free=False, host_itself=False)  # fmt: skip
        if profile is not None and row.relative_to == HOST_NETWORKING:
            return _item(row, spec_for(profile, conditions), baseline_spec(conditions),
                         THROUGHPUT, math.log(1 - row.value / 100), free=False,
                         host_itself=is_host_networking(profile))  # fmt: skip
        return None
    if profile is None or not (row.value > 0):
        return None
    host_itself = is_host_networking(profile) and not _across_virtualization(row)
    if row.metric == "throughput" and row.unit in TO_GBPS:
        metric, value, absolute = THROUGHPUT, row.value, row.value * TO_GBPS[row.unit]
    elif row.metric == "packet_rate" and row.unit in TO_MPPS:
        metric, value, absolute = PACKET_RATE, row.value, row.value * TO_MPPS[row.unit]
    elif row.metric == "latency" and row.unit in TO_US:
        metric, value, absolute = LATENCY, row.value, row.value * TO_US[row.unit]
    elif _single_flow_netperf_rr(row):
        return _request_rate(row, profile, conditions)
    else:
        return None
    num, den = spec_for(profile, conditions), baseline_spec(baseline_conditions(row, conditions))
    baseline = row.baseline_value
    if baseline == baseline and baseline > 0:
        baseline_us = math.nan
        if metric == LATENCY:
            baseline_us = baseline * TO_US[row.unit] / (2.0 if _round_trip(row) else 1.0)
        return _item(row, num, den, metric, math.log(value / baseline), free=False,
                     host_itself=host_itself, baseline_us=baseline_us,
                     absolute=absolute)  # fmt: skip
    return _item(
        row,
        num,
        den,
        metric,
        math.log(value),
        free=True,
        host_itself=host_itself,
        absolute=absolute,
    )


def _across_virtualization(row) -> bool:
    """The row's nodes and its baseline's differ (a VM measured against bare metal)."""
    other = row.baseline_virtualization
    return bool(other) and other != row.virtualization and row.baseline_value == row.baseline_value


def baseline_conditions(row, conditions: Conditions) -> Conditions:
    """The conditions of the row's baseline: the row's own, except the VM layer when the
    source measured the baseline on other nodes (``baseline_virtualization``)."""
    if not _across_virtualization(row):
        return conditions
    return replace(conditions, vm=row.baseline_virtualization == "vm")


def _single_flow_netperf_rr(row) -> bool:
    """A netperf request/response rate of one flow (one transaction in flight)."""
    text = f"{row.notes} {row.locator}".lower()
    return (
        row.metric == "request_rate"
        and row.unit == "requests_per_s"
        and _number(row.streams, 1.0) == 1.0
        and RR_TOOL in text
    )


def _request_rate(row, profile: SolutionProfile, conditions: Conditions) -> dict | None:
    """A single-flow netperf transaction rate as a round-trip latency (1 / rate), against
    the same source's host rate when it gives one."""
    num, den = spec_for(profile, conditions), baseline_spec(baseline_conditions(row, conditions))
    round_trip_us = 1e6 / row.value
    host_itself = is_host_networking(profile) and not _across_virtualization(row)
    baseline = row.baseline_value
    if baseline == baseline and baseline > 0:
        return _item(row, num, den, LATENCY, math.log(baseline / row.value), free=False,
                     host_itself=host_itself, baseline_us=1e6 / baseline / 2.0,
                     absolute=round_trip_us)  # fmt: skip
    return _item(row, num, den, LATENCY, math.log(round_trip_us), free=True,
                 host_itself=host_itself, absolute=round_trip_us)  # fmt: skip


def _absolute(item: dict) -> dict:
    """A host-networking throughput figure as an absolute observation of the host path."""
    return {**item, "metric": ABSOLUTE, "log_ratio": item["log_absolute"], "free": False,
            "host_itself": False, "absolute_of_host": True}  # fmt: skip


def _item(
    row,
    num,
    den,
    metric,
    log_value,
    *,
    free,
    host_itself,
    baseline_us=math.nan,
    absolute=math.nan,
) -> dict:
    return {
        "log_absolute": math.log(absolute) if absolute > 0 else math.nan,
        "num": num,
        "den": den,
        "metric": metric,
        "log_value": log_value,
        "free": free,
        "host_itself": host_itself,
        "baseline_us": baseline_us,
        "key": _condition_key(row),
        "study": row.source_id,
        "solution": row.solution_id or row.solution_label,
    }
