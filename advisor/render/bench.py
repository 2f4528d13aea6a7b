"""`cnadvisor bench`'s tables: what this kernel supports, and a run's ratios and stage
costs. Tool errors and names are shown as plain text, never read as rich markup."""

from __future__ import annotations

import io
from collections.abc import Sequence

UNITS = {"throughput_gbps": "Gbps", "packet_rate_mpps": "Mpps", "latency_p50_us": "us p50"}


def _printed(*tables, width: int) -> str:
    import sys

    from rich.console import Console

    buffer = io.StringIO()  # colours only when the text goes to a terminal
    console = Console(file=buffer, width=width, force_terminal=sys.stdout.isatty())
    for table in tables:
        console.print(table)
    return buffer.getvalue()


def _plain(*cells: str) -> list:
    from rich.text import Text

    return [Text(cell) for cell in cells]


def topology_table(rows: Sequence[tuple[str, str, str, str | None]], caption: str | None) -> str:
    """One row per topology: name, the solution ids it emulates, scenario, and why this
    kernel cannot build it (None: supported)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title="cnadvisor bench topologies on this kernel", caption=caption)
    for column in ("topology", "solution ids (plugins)", "scenario", "support"):
        table.add_column(column)
    for name, ids, scenario, reason in rows:
        table.add_row(*_plain(name, ids, scenario),
                      Text(reason) if reason else Text("supported", style="green"))  # fmt: skip
    return _printed(table, width=160)


def run_summary(outcome) -> str:
    """Each topology's median and its ratio to its own baseline (paired per repeat), the
    loss seen, then the stage costs derived by difference."""
    from rich.table import Table

    from ..bench import quality, stagecosts
    from ..bench.store import spread_text
    from ..bench.topologies import TOPOLOGIES

    table = Table(title=f"cnadvisor bench {outcome.prefix.rstrip('-')}: ratio to own baseline")
    for column in ("topology", "baseline", "test", "median", "ratio", "ratio spread",
                   "CPU ratio", "CPU spread", "retransmits / path loss", "status"):  # fmt: skip
        table.add_column(column)
    for topology, status in outcome.status.items():
        results = [r for r in outcome.results if r.topology == topology and r.samples]
        baseline = TOPOLOGIES[topology].baseline_name
        if not results:
            table.add_row(*_plain(topology, baseline, "-", "-", "-", "-", "-", "-", "-", status))
        for r in results:
            key = quality.HEADLINE[r.test.kind]
            value = r.median(key)
            ratio, spread = quality.ratio(outcome, r, key)
            loss = "-"
            if "retransmits" in r.samples:
                loss = f"{int(max(r.samples['retransmits']))} retr (max)"
            elif "path_loss_percent" in r.samples:
                loss = f"{max(r.samples['path_loss_percent']):.2f}% lost"
            cpu, cpu_spread = quality.cpu_ratio(outcome, r)
            if topology == baseline:
                ratio, spread, cpu, cpu_spread = None, None, None, None
            table.add_row(*_plain(
                topology, baseline, str(r.test), f"{value:.4g} {UNITS[key]}",
                "-" if ratio is None else f"{ratio:.2f}",
                "-" if ratio is None else spread_text(spread),
                "-" if cpu is None else f"{cpu:.2f}",
                "-" if cpu is None else spread_text(cpu_spread), loss,
                status if r is results[0] else "",
            ))  # fmt: skip
    costs = stagecosts.derive(outcome)
    if not costs:
        return _printed(table, width=170)
    stages = Table(title="stage costs on this host, by difference (ns per packet)")
    for column in ("stage", "ns/packet", "low", "high", "ns/byte", "repeats", "derived from"):
        stages.add_column(column)
    for c in costs:
        stages.add_row(*_plain(
            c.stage, f"{c.ns_per_packet:.0f}", f"{c.low:.0f}", f"{c.high:.0f}",
            "-" if c.ns_per_byte is None else f"{c.ns_per_byte:.3f}", str(c.repeats),
            c.derived_from.split(";")[0],
        ))  # fmt: skip
    return _printed(table, stages, width=170)
