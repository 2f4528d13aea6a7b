"""`cnadvisor predict`'s output: a table for people, JSON or CSV for programs, every
estimate with its 80 % interval."""

from __future__ import annotations

import argparse
import csv
import io
import json
from collections.abc import Sequence

COLUMNS = (
    "solution", "message_size", "protocol", "scenario", "virtualization", "model",
    "throughput_ratio", "ratio_low", "ratio_high", "throughput_gbps", "gbps_low", "gbps_high",
    "packet_rate_mpps", "mpps_low", "mpps_high", "latency_us", "latency_low", "latency_high",
    "added_latency_us", "added_low", "added_high", "effective_mtu", "basis",
)  # fmt: skip
ESTIMATES = ("throughput_ratio", "throughput_gbps", "packet_rate_mpps", "latency_us",
             "added_latency_us")  # fmt: skip

Record = tuple[str, int, object]  # solution id, message size, Prediction


def render_predictions(records: Sequence[Record], args: argparse.Namespace, model: str) -> str:
    """``records`` in ``args.format``; the table's title restates the workload asked."""
    if args.format == "json":
        document = [
            {"solution": s, "message_size": m, **p.model_dump(mode="json")} for s, m, p in records
        ]
        return json.dumps(document, indent=2) + "\n"
    if args.format == "csv":
        return _csv(records, args)
    return _table(records, args, model)


def _csv(records: Sequence[Record], args: argparse.Namespace) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for solution_id, size, p in records:
        writer.writerow(
            [solution_id, size, args.protocol, p.scenario, args.virtualization, p.model]
            + [
                x
                for name in ESTIMATES
                for e in [getattr(p, name)]
                for x in (e.value, e.low, e.high)
            ]
            + [p.effective_mtu, " | ".join(p.basis)]
        )
    return buffer.getvalue()


def _table(records: Sequence[Record], args: argparse.Namespace, model: str) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from .common import terminal_width

    buffer = io.StringIO()
    console = Console(file=buffer, width=terminal_width(), no_color=True)
    table = Table(
        title=f"{args.scenario}, {args.protocol.upper()}, {args.virtualization}, "
        f"{args.nic_gbps:g} Gbit/s NIC, MTU {args.mtu}, {args.streams} stream(s) on "
        f"{args.cores} core(s)"
        + (", via a Service" if args.via_service else "")
        + (", DPDK/AF_XDP in the pod" if args.packet_io else ""),
        caption=f"model: {model} · intervals: 80 %",
        box=box.SIMPLE_HEAD,  # no vertical rules: the figures keep their room at 80 columns
        collapse_padding=True,
        pad_edge=False,
    )
    table.add_column("solution", overflow="fold")  # an id folds; the figures keep their room
    for column in ("bytes", "× host", "Gbps", "Mpps", "+µs one way", "MTU"):
        table.add_column(column, justify="right", no_wrap=True)
    for solution_id, size, p in records:
        table.add_row(
            solution_id,
            str(size),
            _cell(p.throughput_ratio, 2),
            _cell(p.throughput_gbps, 2),
            _cell(p.packet_rate_mpps, 3),
            _cell(p.added_latency_us, 1),
            str(p.effective_mtu or "-"),
        )
    console.print(table)
    notes = sorted({line for _, _, p in records for line in p.basis if _is_note(line)})
    for note in notes:
        console.print(f"note: {note}", markup=False)
    return buffer.getvalue()


def _is_note(line: str) -> bool:
    """A basis line the table cannot show: a factor not modelled, or measured density."""
    return "not modelled" in line or line.startswith("containers per host")


def _cell(estimate, digits: int) -> str:
    """An estimate without its unit (the column's header says it), its interval on a line
    of its own, so a row fits 80 columns without cutting a figure short."""
    if estimate.value is None:
        return "unknown"
    value = f"{estimate.value:.{digits}f}"
    if estimate.kind == "upper-bound":
        return f"≤ {value}"
    if estimate.low is None or estimate.high is None:
        return value
    return f"{value}\n[{estimate.low:.{digits}f}–{estimate.high:.{digits}f}]"
