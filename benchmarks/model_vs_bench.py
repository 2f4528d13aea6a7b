"""The structural model, trained on published data only, against a fresh bench run here.

    sudo python benchmarks/model_vs_bench.py              # runs the bench (a few minutes)
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

TOPOLOGIES = ("host", "host-wire", "container", "veth", "bridge", "bridge-nat",
              "macvlan-bridge", "routed", "vxlan")  # fmt: skip


def _measure(data_dir: Path, repeat: int, duration: int) -> None:
    command = [sys.executable, "-m", "cnadvisor.cli", "bench", "run", *TOPOLOGIES,
               "--message-size", "64,1400", "--repeat", str(repeat), "--duration",
               str(duration), "--no-progress"]  # fmt: skip
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
    import numpy as np
    from cnadvisor.bench.store import local_rows
    from cnadvisor.model.fitting import predicted_log_ratio
    from cnadvisor.model.observations import PACKET_RATE, THROUGHPUT, build
    from cnadvisor.model.structure import WORKLOAD
    from cnadvisor.model.trained import load_or_train
    from cnadvisor.plugins import load_plugins
    from scipy.stats import spearmanr

    profiles = {k: v.profile for k, v in load_plugins().solutions.items()}
    model = load_or_train(profiles)  # published data only: no local calibration
    rows = local_rows()
    observations = build(rows, profiles)
    pick = observations.anchored & ~observations.host_itself
    data = observations.subset(pick)
    if not len(data):
        print(f"no local rows with a baseline under {data_dir}")
        return
    predicted = np.exp(predicted_log_ratio(data.design(), model.costs))
    measured = np.exp(data.log_ratio)
    size = data.numerator[:, WORKLOAD["message_size"]]
    udp = data.numerator[:, WORKLOAD["udp"]] > 0
    print(f"{'solution':16s} {'metric':12s} {'proto':5s} {'size':>6s} {'measured':>9s} "
          f"{'predicted':>9s}")  # fmt: skip
    for i in np.argsort(data.solution.astype(str), kind="stable"):
        metric = "packet rate" if data.metric[i] == PACKET_RATE else "throughput"
        if data.metric[i] not in (PACKET_RATE, THROUGHPUT):
            metric = "latency"
        print(f"{data.solution[i]!s:16s} {metric:12s} {'udp' if udp[i] else 'tcp':5s} "
              f"{size[i]:6.0f} {measured[i]:9.3f} {predicted[i]:9.3f}")  # fmt: skip
    small = udp & (size <= 64) & np.isin(data.metric, (THROUGHPUT, PACKET_RATE))
    if small.sum() >= 3:
        rho = spearmanr(predicted[small], measured[small]).statistic
        print(
            f"UDP 64 B ratio, Spearman predicted vs measured: {rho:.2f} over {small.sum()} "
            "rows (goal >= 0.8)"
        )
    bulk = ~udp & (data.metric == THROUGHPUT) & (size >= 1400)
    if bulk.any():
        mae = float(np.mean(np.abs(predicted[bulk] - measured[bulk])))
        print(f"TCP bulk ratio MAE: {mae:.3f} over {bulk.sum()} rows (goal <= 0.10)")


if __name__ == "__main__":
    main()
