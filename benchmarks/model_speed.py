"""Speed of the trained model, reported as figures (not asserted).

    python benchmarks/model_speed.py

Measures, in one run on this machine:
1. training time from the shipped data, including the cross-validated interval (goal <= 10 s),
2. cold `cnadvisor evaluate FILE` with a cached model against `python -c pass`
   (goal <= 15x; scikit-learn is not imported on this path at all),
3. prediction for 500 solutions x 1 workload point (goal <= 50 ms).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "requirements" / "multi-tenant-saas.yaml"


def _wall(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, CNADVISOR_CACHE_DIR=cache)
        code = (
            "import time; from cnadvisor.plugins import load_plugins; "
            "from cnadvisor.model.data import load_published; "
            "from cnadvisor.model.trained import train; "
            "p = {k: v.profile for k, v in load_plugins().solutions.items()}; "
            "rows = load_published(); s = time.perf_counter(); train(p, rows); "
            "print(time.perf_counter() - s)"
        )
        training = [
            float(subprocess.run([sys.executable, "-c", code], env=env, check=True,
                                 capture_output=True, text=True).stdout)
            for _ in range(3)
        ]  # fmt: skip
        print(f"training: median {statistics.median(training):.2f} s of 3 (goal <= 10 s)")

        evaluate = [sys.executable, "-m", "cnadvisor.cli", "evaluate", str(EXAMPLE)]
        _wall(evaluate, env)  # trains once and fills the cache
        pairs = [
            (_wall([sys.executable, "-c", "pass"], env), _wall(evaluate, env)) for _ in range(7)
        ]
        bare = statistics.median(p[0] for p in pairs)
        cold = statistics.median(p[1] for p in pairs)
        print(
            f"cold evaluate with cached model: {cold:.3f} s vs python -c pass {bare:.3f} s: "
            f"{cold / bare:.1f}x (goal <= 15x)"
        )

        os.environ["CNADVISOR_CACHE_DIR"] = cache
        from cnadvisor.model.trained import load_or_train
        from cnadvisor.performance import WorkloadPoint
        from cnadvisor.plugins import load_plugins

        builtins = [item.profile for item in load_plugins().solutions.values()]
        model = load_or_train({p.id: p for p in builtins})
        profiles = [
            builtins[i % len(builtins)].model_copy(update={"id": f"synthetic-{i}"})
            for i in range(500)
        ]
        point = WorkloadPoint(message_size=512)
        times = []
        for _ in range(7):
            model._cache.clear()  # nothing kept from the previous repeat: predictions
            model._paths.clear()  # and the options' encoded paths
            start = time.perf_counter()
            model.predict_many(profiles, point)
            times.append(time.perf_counter() - start)
        print(f"predict 500 solutions x 1 point: median {statistics.median(times) * 1000:.1f} ms"
              " (goal <= 50 ms)")  # fmt: skip


if __name__ == "__main__":
    main()
