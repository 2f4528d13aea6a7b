"""Every supported `cnadvisor bench` topology on this machine, as ratios to the host baseline.

    sudo python benchmarks/bench_topologies.py             # 3 repeats, 2 s per test
    sudo python benchmarks/bench_topologies.py --repeat 5

Prints, per topology: TCP throughput (-l 1400) and 64-byte UDP packet rate (-b 0), each
as a median over the repeats, its ratio to the host baseline of the same run and its
spread ((max - min) / median). Then the harness's own host figure against a bare
`iperf3` run by hand in a namespace made with plain `ip` commands (goal: within 5 %),
the two interleaved so drift hits both alike. Figures are reported, not asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time

from cnadvisor.bench.cleanup import Guard
from cnadvisor.bench.netns import new_prefix
from cnadvisor.bench.runner import Options, Test, order, run
from cnadvisor.bench.topologies import TOPOLOGIES

TCP, UDP = Test("tcp", 1400, 1), Test("udp", 64, 1)


def topologies(repeat: int, duration: int) -> None:
    options = Options(repeat=repeat, duration=duration, plan=(TCP, UDP), latency=False)
    prefix = new_prefix()
    started = time.perf_counter()
    with Guard(prefix):
        outcome = run(order(list(TOPOLOGIES)), options, prefix)
    print(f"run {prefix.rstrip('-')}: {repeat} repeats x {duration} s per test, "
          f"{time.perf_counter() - started:.0f} s wall")  # fmt: skip
    figures = {(r.topology, r.test): r for r in outcome.results if r.samples}
    print(f"{'topology':<18}{'TCP 1400 B Gbps':>17}{'x host':>8}{'spread':>8}"
          f"{'UDP 64 B Mpps':>15}{'x host':>8}{'spread':>8}")  # fmt: skip
    for name, status in outcome.status.items():
        if status != "ok":
            print(f"{name:<18}{status[:110]}")
            continue
        cells = []
        for test, key in ((TCP, "throughput_gbps"), (UDP, "packet_rate_mpps")):
            result, base = figures[(name, test)], figures[("host", test)]
            value = result.median(key)
            cells.append(f"{value:>{15 if test is TCP else 13}.4f}{value / base.median(key):>8.2f}"
                         f"{result.spread(key):>7.1f}%")  # fmt: skip
        print(f"{name:<18}  {cells[0]}  {cells[1]}")


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
            outcome = run(order(["host"]), options, prefix)
        harness.append(outcome.results[0].median("throughput_gbps"))
        bare.append(_bare_iperf3(duration))
    h, b = statistics.median(harness), statistics.median(bare)
    print(f"\nhost baseline, TCP 1400 B, {repeat} interleaved pairs x {duration} s:")
    print(f"  harness  {h:.3f} Gbps  (runs {', '.join(f'{x:.2f}' for x in harness)})")
    print(f"  bare     {b:.3f} Gbps  (runs {', '.join(f'{x:.2f}' for x in bare)})")
    print(f"  harness / bare = {h / b:.3f}  ({(h / b - 1) * 100:+.1f} %, goal within 5 %)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--duration", type=int, default=2)
    args = parser.parse_args()
    topologies(max(3, args.repeat), args.duration)
    harness_vs_bare(max(5, args.repeat), args.duration)


if __name__ == "__main__":
    main()
