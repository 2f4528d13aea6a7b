"""Each result against its own baseline, and what makes a figure suspect.

Ratios are paired per repeat: topologies are measured in turns, so repeat i of a
topology and repeat i of its baseline saw nearly the same load on a shared machine, and
with ``--together`` they ran at the same time on the same core, so they saw exactly the
same; the median of those paired ratios is steadier than a ratio of medians. A figure is
flagged when TCP retransmitted, when UDP lost packets on the path (not just in the
receiver's full socket buffer, which ``-b 0`` always causes), or when the ratio is below
LOW_RATIO.
"""

from __future__ import annotations

import statistics

from .runner import Result, RunResult
from .topologies import TOPOLOGIES

LOW_RATIO = 0.1
HEADLINE = {"tcp": "throughput_gbps", "udp": "packet_rate_mpps", "latency": "latency_p50_us"}


def baseline_result(run: RunResult, result: Result) -> Result | None:
    """The same test on this topology's baseline in the same run (None when not measured)."""
    topology = run.topologies.get(result.topology) or TOPOLOGIES[result.topology]
    wanted = topology.baseline_name
    for other in run.results:
        if other.topology == wanted and other.test == result.test and other.samples:
            return other
    return None


def paired_ratios(result: Result, base: Result | None, key: str) -> list[float]:
    """value / baseline for each repeat: against the baseline measured at the same time
    (--together) where there is one, else paired when both have every repeat."""
    beside = result.alongside.get(key, [])
    if beside and len(beside) == len(result.samples.get(key, [])):
        return [a / b for a, b in zip(result.samples[key], beside, strict=True) if b]
    if base is None or key not in base.samples or key not in result.samples:
        return []
    ours, theirs = result.samples[key], base.samples[key]
    if len(ours) == len(theirs):
        return [a / b for a, b in zip(ours, theirs, strict=True) if b]
    middle = statistics.median(theirs)
    return [a / middle for a in ours] if middle else []


def ratio(run: RunResult, result: Result, key: str) -> tuple[float | None, float | None]:
    """(median paired ratio, its spread in percent or None with one repeat)."""
    values = paired_ratios(result, baseline_result(run, result), key)
    if not values:
        return None, None
    middle = statistics.median(values)
    spread = (max(values) - min(values)) / middle * 100 if len(values) > 1 and middle else None
    return middle, spread


# CPU-cost figures and whether a higher value is better (for the ratio's direction)
CPU_KEYS = {"tcp": ("cpu_gbps_per_core", True), "udp": ("cpu_ns_per_packet", False)}


def cpu_ratio(run: RunResult, result: Result) -> tuple[float | None, float | None]:
    """The same ratio from CPU time instead of wall-clock time: what the topology would
    carry relative to its baseline on a core of its own (other programs on the machine
    change the wall-clock figures, hardly the CPU time per packet or per bit)."""
    key, higher_is_better = CPU_KEYS.get(result.test.kind, ("", True))
    if not key:
        return None, None
    values = paired_ratios(result, baseline_result(run, result), key)
    if not higher_is_better:
        values = [1 / v for v in values if v]
    if not values:
        return None, None
    middle = statistics.median(values)
    spread = (max(values) - min(values)) / middle * 100 if len(values) > 1 and middle else None
    return middle, spread


def core_shares(result: Result) -> list[float]:
    """Per repeat, the CPU-seconds client + server used per second of the test: the share
    of the one core they were pinned to that they got. On a shared machine a TCP flow's
    CPU cost per bit depends on it (a flow with the whole core batches more per system
    call and per segment), so a CPU-time ratio is comparable only between repeats whose
    shares are alike; UDP's cost per packet hardly depends on it."""
    samples = result.samples
    if "cpu_gbps_per_core" in samples and "throughput_gbps" in samples:
        pairs = zip(samples["throughput_gbps"], samples["cpu_gbps_per_core"], strict=False)
        return [wall / cpu for wall, cpu in pairs if cpu > 0]
    if "cpu_ns_per_packet" in samples and "packet_rate_mpps" in samples:
        pairs = zip(samples["packet_rate_mpps"], samples["cpu_ns_per_packet"], strict=False)
        return [mpps * ns / 1e3 for mpps, ns in pairs]  # 1e6 packets/s x 1e-9 s
    return []


def cpu_note(result: Result) -> str:
    samples = result.samples
    shares = [round(v, 3) for v in core_shares(result)]
    share = f"; core share {shares} per repeat (CPU-seconds per second)" if shares else ""
    if "cpu_gbps_per_core" in samples:
        values = [round(v, 4) for v in samples["cpu_gbps_per_core"]]
        return f"CPU cost: {values} Gbit per CPU-second (client + server) per repeat{share}"
    if "cpu_ns_per_packet" in samples:
        values = [round(v) for v in samples["cpu_ns_per_packet"]]
        return (
            f"CPU cost: {values} ns per packet per repeat (sender's CPU per packet sent + "
            f"receiver's per packet received){share}"
        )
    return ""


def loss_note(result: Result) -> str:
    """Retransmits (TCP) or loss (UDP) of this result in words, for the row's notes."""
    samples = result.samples
    if "retransmits" in samples:
        total = [int(v) for v in samples["retransmits"]]
        spurious = [int(v) for v in samples.get("spurious_retransmits", [0] * len(total))]
        return (
            f"tcp retransmits per repeat {total} (iperf3 end.sum_sent.retransmits), of which "
            f"spurious by D-SACK {spurious}"
        )
    if "loss_percent" in samples:
        lost = [round(v, 3) for v in samples["loss_percent"]]
        path = [round(v, 3) for v in samples.get("path_loss_percent", [])]
        overflow = [round(v, 3) for v in samples.get("socket_overflow_percent", [])]
        return (
            f"udp lost_percent per repeat {lost} (iperf3), of which receiver socket-buffer "
            f"overflow {overflow} and lost on the path {path}"
        )
    return "loss: not measured by a ping-pong test"


def warnings(run: RunResult, result: Result) -> list[str]:
    """What makes this result suspect, each as one sentence naming topology and test."""
    where = f"{result.topology} {result.test}"
    found = []
    samples = result.samples
    if samples.get("retransmits") and max(samples["retransmits"]) > 0:
        counts = [int(v) for v in samples["retransmits"]]
        spurious = sum(int(v) for v in samples.get("spurious_retransmits", [0]))
        cause = ""
        if spurious >= sum(counts) / 2:
            cause = " (mostly spurious by D-SACK: reordering or early retransmits, not loss"
            cause += ")" if run.options.pin else "; --pin keeps both ends on one core)"
        found.append(
            f"{where}: TCP retransmitted {sum(counts)} segments in {len(counts)} repeat(s), "
            f"at most {max(counts)} in one{cause}"
        )
    if samples.get("path_loss_percent") and max(samples["path_loss_percent"]) > 0:
        found.append(
            f"{where}: UDP lost {statistics.median(samples['path_loss_percent']):.2f}% of "
            "packets on the path (beyond the receiver's full socket buffer)"
        )
    key = HEADLINE[result.test.kind]
    if key in samples and result.test.kind != "latency":
        value, _ = ratio(run, result, key)
        if value is not None and value < LOW_RATIO:
            found.append(
                f"{where}: ratio {value:.3f} to its baseline is below {LOW_RATIO}: "
                "check for loss or a broken path before trusting it"
            )
    return found
