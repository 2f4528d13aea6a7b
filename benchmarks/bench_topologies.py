"""Every supported `cnadvisor bench` topology on this machine, as ratios to its own baseline.

    sudo python benchmarks/bench_topologies.py             # 3 repeats, 2 s per test
    sudo python benchmarks/bench_topologies.py --repeat 5
    python benchmarks/bench_topologies.py --table RUN.csv  # a saved `bench run`'s rows
    sudo python benchmarks/bench_topologies.py --wire-check --repeat 10  # veth vs host-wire

Prints, per topology: TCP throughput (-l 1400) and 64-byte UDP packet rate (-b 0), each
as the median over the repeats of the ratio to the topology's own baseline (loopback at
MTU 1500 for intra-host, host networking across the emulated wire for inter-host),
paired per repeat, wall-clock and CPU-time (client and server pinned to one core), each
with its spread ((max - min) / median). Then the harness's own host figure against a
bare `iperf3` run by hand in a namespace made with plain `ip` commands (goal: within
5 %), the two interleaved so drift hits both alike. Figures are reported, not asserted.

``--table`` reads the local columns of a saved run (``cnadvisor.bench.store``), and adds
veth against ``host-wire`` on every TCP and UDP test of the run (the two are the same
datapath, a veth pair between two namespaces with the same MTU and offloads on both
ends, so that ratio should be 1), from the per-repeat figures in the rows' notes.

``--wire-check`` measures that pair only (TCP 1400 B and 128 KiB writes, UDP 64 B), once
with the two measured in turns and once ``--together`` (at the same time, same core).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import statistics
import subprocess
import time
from dataclasses import replace
from pathlib import Path

from cnadvisor.bench import quality
from cnadvisor.bench.cleanup import Guard
from cnadvisor.bench.netns import new_prefix
from cnadvisor.bench.runner import Options, Test, order, run
from cnadvisor.bench.store import spread_text
from cnadvisor.bench.topologies import TOPOLOGIES

TCP, UDP = Test("tcp", 1400, 1), Test("udp", 64, 1)
HEADER = (
    f"{'topology':<22}{'baseline':<15}{'solution':<15}"
    f"{'TCP wall':>9}{'spread':>9}{'TCP CPU':>9}{'spread':>9}"
    f"{'UDP64 wall':>11}{'spread':>9}{'UDP64 CPU':>10}{'spread':>9}"
)


def _cell(value: float | None, spread: float | None) -> str:
    if value is None:
        return f"{'-':>9}{'-':>9}"
    return f"{value:>9.2f}{spread_text(spread).replace(' (LARGE)', '!'):>9}"


def topologies(repeat: int, duration: int) -> None:
    options = Options(repeat=repeat, duration=duration, plan=(TCP, UDP), latency=False, pin=True)
    prefix = new_prefix()
    started = time.perf_counter()
    with Guard(prefix):
        outcome = run(order(list(TOPOLOGIES)), options, prefix)
    print(f"run {prefix.rstrip('-')}: {repeat} repeats x {duration} s per test, pinned, "
          f"{time.perf_counter() - started:.0f} s wall")  # fmt: skip
    figures = {(r.topology, r.test): r for r in outcome.results if r.samples}
    print(HEADER)
    for name, status in outcome.status.items():
        topology = outcome.topologies[name]
        if status != "ok":
            print(f"{name:<22}{status[:110]}")
            continue
        cells = []
        for test, key in ((TCP, "throughput_gbps"), (UDP, "packet_rate_mpps")):
            result = figures[(name, test)]
            cells.append(_cell(*quality.ratio(outcome, result, key)))
            cells.append(_cell(*quality.cpu_ratio(outcome, result)))
        print(f"{name:<22}{topology.baseline_name:<15}{topology.solution_id or '-':<15}"
              + "".join(cells))  # fmt: skip


def _numbers(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x.strip()]


def _per_repeat(notes: str) -> tuple[list[float], list[float]]:
    """(values, CPU costs) per repeat, as the row's notes list them."""
    values = re.search(r"median of \[([^\]]*)\]", notes)
    cpu = re.search(r"CPU cost: \[([^\]]*)\]", notes)
    return (_numbers(values.group(1)) if values else [], _numbers(cpu.group(1)) if cpu else [])


def _paired(ours: list[float], theirs: list[float]) -> tuple[float | None, float | None]:
    if not ours or len(ours) != len(theirs):
        return None, None
    ratios = [a / b for a, b in zip(ours, theirs, strict=True) if b]
    middle = statistics.median(ratios)
    spread = (max(ratios) - min(ratios)) / middle * 100 if len(ratios) > 1 else None
    return middle, spread


def table(path: Path) -> None:
    """A saved run's ratios from its local columns, and veth against host-wire."""
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    wanted = {("tcp", "1400", "throughput"): "TCP", ("udp", "64", "packet_rate"): "UDP64"}
    found: dict[str, dict[str, dict]] = {}
    for row in rows:
        kind = wanted.get((row["protocol"], row["message_size_bytes"], row["metric"]))
        if kind:
            found.setdefault(row["topology"], {})[kind] = row
    print(f"{path.name}: ratios to each topology's own baseline, paired per repeat")
    print(HEADER)

    def number(text: str) -> float | None:
        return float(text) if text else None

    for name, kinds in found.items():
        cells = []
        for kind in ("TCP", "UDP64"):
            row = kinds.get(kind)
            if row is None or row["topology"] == row["baseline_topology"]:
                cells += [_cell(None, None), _cell(None, None)]
                continue
            cells.append(_cell(number(row["ratio"]), number(row["ratio_spread_percent"])))
            cells.append(_cell(number(row["cpu_ratio"]), number(row["cpu_ratio_spread_percent"])))
        any_row = next(iter(kinds.values()))
        print(f"{name:<22}{any_row['baseline_topology']:<15}{any_row['solution_id'] or '-':<15}"
              + "".join(cells))  # fmt: skip
    same_datapath(rows)


def same_datapath(rows: list[dict]) -> None:
    """veth against host-wire on every TCP and UDP test of the run: wall-clock and
    CPU-time ratios paired per repeat, from the per-repeat figures in the rows' notes."""
    headline = {"tcp": "throughput", "udp": "packet_rate"}
    tests: dict[tuple[str, int], dict[str, dict]] = {}
    for row in rows:
        if headline.get(row["protocol"]) == row["metric"] and row["topology"] in (
            "veth",
            "host-wire",
        ):
            key = (row["protocol"], int(row["message_size_bytes"]))
            tests.setdefault(key, {})[row["topology"]] = row
    if not tests:
        return
    print("\nveth against host-wire (same datapath: one veth pair between two namespaces)")
    print(f"  {'test':<16}{'wall':>9}{'spread':>9}{'CPU':>9}{'spread':>9}  repeats")
    for (protocol, size), pair in sorted(tests.items()):
        if len(pair) < 2:
            continue
        (ours, our_cpu), (theirs, their_cpu) = (
            _per_repeat(pair[n]["notes"]) for n in ("veth", "host-wire")
        )
        wall = _paired(ours, theirs)
        # UDP CPU cost is ns per packet: less is better, so the ratio is inverted
        inverted = protocol == "udp"
        cpu = _paired(their_cpu, our_cpu) if inverted else _paired(our_cpu, their_cpu)
        label = f"{protocol} {size} B"
        print(f"  {label:<16}{_cell(*wall)}{_cell(*cpu)}  {len(ours)}")


def _bare_iperf3(duration: int) -> float:
    """iperf3 by hand: one namespace, 198.18.0.1 on its loopback, client and server inside."""
    ns = f"{new_prefix()}bare"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)
        subprocess.run(["ip", "-n", ns, "addr", "add", "198.18.0.1/32", "dev", "lo"], check=True)
        server = subprocess.Popen(["ip", "netns", "exec", ns, "iperf3", "-s", "-1", "-B",
                                   "198.18.0.1"], stdout=subprocess.DEVNULL)  # fmt: skip
        time.sleep(0.3)
        out = subprocess.run(
            ["ip", "netns", "exec", ns, "iperf3", "-c", "198.18.0.1", "-J", "-t", str(duration),
             "-l", "1400"], capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        server.wait(timeout=10)
        return json.loads(out)["end"]["sum_received"]["bits_per_second"] / 1e9
    finally:
        subprocess.run(["ip", "netns", "delete", ns], check=False)


def harness_vs_bare(repeat: int, duration: int) -> None:
    harness, bare = [], []
    options = Options(repeat=1, duration=duration, plan=(TCP,), latency=False)
    for _ in range(repeat):
        prefix = new_prefix()
        with Guard(prefix):
            outcome = run(order(["host-loopback"]), options, prefix)
        harness.append(outcome.results[0].median("throughput_gbps"))
        bare.append(_bare_iperf3(duration))
    h, b = statistics.median(harness), statistics.median(bare)
    print(f"\nhost baseline, TCP 1400 B, {repeat} interleaved pairs x {duration} s:")
    print(f"  harness  {h:.3f} Gbps  (runs {', '.join(f'{x:.2f}' for x in harness)})")
    print(f"  bare     {b:.3f} Gbps  (runs {', '.join(f'{x:.2f}' for x in bare)})")
    print(f"  harness / bare = {h / b:.3f}  ({(h / b - 1) * 100:+.1f} %, goal within 5 %)")


def wire_check(repeat: int, duration: int) -> None:
    """veth measured against host-wire (the same datapath), in turns and --together."""
    veth = replace(TOPOLOGIES["veth"], baseline="host-wire")
    tests = (Test("tcp", 1400, 1), Test("tcp", 131072, 1), Test("udp", 64, 1))
    print(f"veth against host-wire, {repeat} repeats x {duration} s, client and server "
          "pinned to one core; ratio (spread) paired per repeat")  # fmt: skip
    print(f"  {'mode':<10}{'test':<16}{'wall':>9}{'spread':>9}{'CPU':>9}{'spread':>9}")
    for together in (False, True):
        options = Options(repeat=repeat, duration=duration, plan=tests, latency=False,
                          pin=True, together=together)  # fmt: skip
        prefix = new_prefix()
        with Guard(prefix):
            outcome = run([TOPOLOGIES["host-wire"], veth], options, prefix)
        for result in outcome.results:
            if result.topology != "veth" or not result.samples:
                continue
            key = quality.HEADLINE[result.test.kind]
            mode = "together" if together else "in turns"
            print(f"  {mode:<10}{result.test!s:<16}"
                  f"{_cell(*quality.ratio(outcome, result, key))}"
                  f"{_cell(*quality.cpu_ratio(outcome, result))}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--duration", type=int, default=2)
    parser.add_argument("--table", type=Path, help="summarise a saved `bench run` CSV instead")
    parser.add_argument(
        "--wire-check", action="store_true", help="only veth against host-wire, both modes"
    )
    args = parser.parse_args()
    if args.table:
        table(args.table)
        return
    if args.wire_check:
        wire_check(max(3, args.repeat), args.duration)
        return
    topologies(max(3, args.repeat), args.duration)
    harness_vs_bare(max(5, args.repeat), args.duration)


if __name__ == "__main__":
    main()
