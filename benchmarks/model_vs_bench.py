"""The structural model, trained on published data only, against a fresh bench run here.

    sudo python benchmarks/model_vs_bench.py            # runs the bench (--together; minutes)
    python benchmarks/model_vs_bench.py --data-dir DIR    # compares with rows already measured

Reports, in one run on this machine, for every emulable topology: the measured ratio to
its same-run baseline and the model's prediction before any local calibration; the
Spearman rank correlation of the UDP 64-byte packet-rate ratios and the mean absolute
error of the TCP bulk throughput ratios (issue goals: >= 0.8 and <= 0.10).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

TOPOLOGIES = ("host-loopback", "host-wire", "veth", "veth-bridge", "veth-bridge-nat",
              "macvlan-pair", "routed", "vxlan")  # fmt: skip
BULK_BYTES = 131072  # a TCP bulk write (iperf3's default): the issue's "TCP bulk ratio"


def _measure(data_dir: Path, repeat: int, duration: int) -> None:
    command = [sys.executable, "-m", "cnadvisor.cli", "bench", "run", *TOPOLOGIES,
               "--message-size", f"64,1400,{BULK_BYTES}", "--tests", "tcp,udp", "--together",
               "--repeat", str(repeat), "--duration", str(duration), "--no-progress"]  # fmt: skip
    subprocess.run(command, check=True, env=dict(os.environ, CNADVISOR_DATA_DIR=str(data_dir)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="compare with rows measured before")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--duration", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.data_dir or Path(scratch)
        if args.data_dir is None:
            _measure(data_dir, args.repeat, args.duration)
        os.environ["CNADVISOR_DATA_DIR"] = str(data_dir)
        report(data_dir)


def report(data_dir: Path) -> None:
    from cnadvisor.bench.store import local_rows, local_rows_by_cpu_time

    for label, rows in (("wall clock", local_rows()), ("CPU time", local_rows_by_cpu_time())):
        print(f"\n== ratios by {label} ==")
        compare(rows, data_dir)


def compare(rows: list, data_dir: Path) -> None:
    """Per topology and test, the mean measured ratio against the prediction; then the
    rank correlation of the UDP 64 B ratios and the error of the TCP bulk ratios."""
    import numpy as np
    from cnadvisor.model.fitting import predicted_log_ratio
    from cnadvisor.model.observations import PACKET_RATE, THROUGHPUT, build
    from cnadvisor.model.structure import WORKLOAD
    from cnadvisor.model.trained import load_or_train
    from cnadvisor.plugins import load_plugins
    from scipy.stats import spearmanr

    profiles = {k: v.profile for k, v in load_plugins().solutions.items()}
    model = load_or_train(profiles)  # published data only: no local calibration
    observations = build(rows, profiles)
    pick = observations.anchored & ~observations.host_itself
    pick &= np.isin(observations.metric, (PACKET_RATE, THROUGHPUT))
    data = observations.subset(pick)
    if not len(data):
        print(f"no local rows with a baseline under {data_dir}")
        return
    predicted = np.exp(predicted_log_ratio(data.design(), model.costs))
    measured = np.exp(data.log_ratio)
    size = data.numerator[:, WORKLOAD["message_size"]]
    udp = data.numerator[:, WORKLOAD["udp"]] > 0
    solution = data.solution.astype(str)
    print(f"{'solution':16s} {'proto':5s} {'size':>6s} {'measured':>9s} {'predicted':>9s} rows")
    table = {}
    for key in sorted(set(zip(solution, udp, size, strict=True))):
        rows_of = (solution == key[0]) & (udp == key[1]) & (size == key[2])
        table[key] = (float(measured[rows_of].mean()), float(predicted[rows_of].mean()))
        print(f"{key[0]:16s} {'udp' if key[1] else 'tcp':5s} {key[2]:6.0f} "
              f"{table[key][0]:9.3f} {table[key][1]:9.3f} {int(rows_of.sum())}")  # fmt: skip
    small = [value for (name, is_udp, bytes_), value in table.items() if is_udp and bytes_ <= 64]
    if len(small) >= 3:
        rho = spearmanr([p for _, p in small], [m for m, _ in small]).statistic
        print(f"UDP 64 B ratio, Spearman predicted vs measured over {len(small)} topologies: "
              f"{rho:.2f} (goal >= 0.8)")  # fmt: skip
    for label, least in (("bulk (128 KiB writes)", BULK_BYTES), ("1400 B and larger", 1400)):
        bulk = [value for (name, is_udp, bytes_), value in table.items()
                if not is_udp and bytes_ >= least]  # fmt: skip
        if bulk:
            mae = float(np.mean([abs(p - m) for m, p in bulk]))
            print(f"TCP {label} ratio MAE over {len(bulk)} rows: {mae:.3f} (goal <= 0.10)")


if __name__ == "__main__":
    main()
