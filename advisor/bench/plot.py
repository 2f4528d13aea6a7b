"""A PNG of each topology's throughput (Gbit/s) and packet rate (Mpps) by message size,
written beside a run's CSV so the numbers can be seen at a glance."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from ..model.data import parse_rows


def plot_run(csv_path: Path) -> Path | None:
    """Draw the run's TCP throughput and UDP packet-rate rows; None when there are none."""
    rows = parse_rows(csv_path.read_text(encoding="utf-8"), str(csv_path))
    series: dict[str, dict[str, list[tuple[float, float]]]] = {
        "throughput": defaultdict(list),
        "packet_rate": defaultdict(list),
    }
    wanted = {"throughput": "tcp", "packet_rate": "udp"}  # TCP Gbit/s, UDP packets/s
    for row in rows:
        if wanted.get(row.metric) == row.protocol and row.message_size_bytes > 0:
            series[row.metric][row.solution_label].append((row.message_size_bytes, row.value))
    if not any(series.values()):
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(11, 4.5), dpi=100)
    panels = (("throughput", "TCP Gbit/s"), ("packet_rate", "UDP Mpps"))
    for axis, (metric, unit) in zip(axes, panels, strict=True):
        for label, points in sorted(series[metric].items()):
            points.sort()
            axis.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=label)
        axis.set_xscale("log")
        axis.set_xlabel("message size (bytes)")
        axis.set_ylabel(unit)
        axis.set_title(f"{metric.replace('_', ' ')} by message size")
        axis.grid(True, alpha=0.3)
    for axis in axes:  # a UDP-only run draws nothing in the TCP panel: no empty legend
        if axis.get_legend_handles_labels()[0]:
            axis.legend(fontsize=7)
    figure.tight_layout()
    target = csv_path.with_suffix(".png")
    figure.savefig(target)
    plt.close(figure)
    return target
