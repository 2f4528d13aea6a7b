"""Speed of the core advisor, reported as figures (not asserted): run it, read the table.

    python benchmarks/core_speed.py            # full run
    python benchmarks/core_speed.py --quick    # fewer repeats

Measures, in one run on this machine:
1. cold `cnadvisor evaluate FILE` against a bare `python -c pass` (ratio; goal <= 10x),
2. a batch of 1,000 generated requirement files through one CLI call (goal >= 500 files/s),
3. ranking 500 synthetic solutions for one requirements set (goal <= 50 ms).
Machines here are noisy, so each figure is a median and the first compares ratios.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "requirements" / "multi-tenant-saas.yaml"


def _wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def cold_start(repeats: int) -> dict[str, float]:
    bare = [sys.executable, "-c", "pass"]
    evaluate = [sys.executable, "-m", "cnadvisor.cli", "evaluate", str(EXAMPLE)]
    _wall(evaluate)  # warm the file cache once; every run after is still a new process
    pairs = [(_wall(bare), _wall(evaluate)) for _ in range(repeats)]
    bare_median = statistics.median(p[0] for p in pairs)
    evaluate_median = statistics.median(p[1] for p in pairs)
    return {
        "python -c pass (s)": bare_median,
        "cnadvisor evaluate (s)": evaluate_median,
        "ratio": evaluate_median / bare_median,
    }


def generated_requirements(count: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    systems = []
    for index in range(count):
        intra = round(rng.random(), 2)
        systems.append(
            {
                "name": f"generated system {index}",
                "workload": {
                    "traffic": {"intra_host": intra, "inter_host": round(1 - intra, 2)},
                    "protocol": rng.choice(["tcp", "udp"]),
                    "message_size": rng.choice([64, 256, 512, 1400, 9000]),
                },
                "environment": {
                    "orchestrator": rng.choice(["docker", "kubernetes", "standalone"]),
                    "virtualization": rng.choice(["bare-metal", "vm"]),
                    "platform": rng.choice(["on-premises", "aws", "azure", "gcp"]),
                    "containers_per_host": rng.randint(1, 200),
                    "underlay": {
                        "mtu": rng.choice([1400, 1500, 9000]),
                        "l2_adjacent": rng.choice([True, False, None]),
                        "bgp_peering": rng.choice([True, False, None]),
                        "promiscuous_allowed": rng.choice([True, False, None]),
                    },
                },
                "security": {
                    "network_policy": {
                        "value": rng.choice(["none", "l3-l4", "l7"]),
                        "need": rng.choice(["required", "preferred"]),
                    },
                    "encryption": {"value": rng.random() < 0.3, "need": "preferred"},
                },
                "priorities": {
                    k: rng.randint(0, 5) + 1
                    for k in ("performance", "security", "mobility", "operability")
                },
            }
        )
    return systems


def batch(count: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        for index, system in enumerate(generated_requirements(count)):
            Path(folder, f"system-{index:04d}.yaml").write_text(yaml.safe_dump(system))
        output = Path(folder, "out.json")
        seconds = _wall(
            [
                sys.executable,
                "-m",
                "cnadvisor.cli",
                "evaluate",
                folder,
                "-f",
                "json",
                "-o",
                str(output),
            ]
        )
    return {"files": count, "seconds": seconds, "files per second": count / seconds}


def synthetic_ranking(solutions: int, repeats: int) -> dict[str, float]:
    from cnadvisor.advisor import Advisor
    from cnadvisor.loading import load_file
    from cnadvisor.plugins import load_plugins

    builtins = [item.profile for item in load_plugins().solutions.values()]
    profiles = [
        builtins[i % len(builtins)].model_copy(update={"id": f"synthetic-{i}"})
        for i in range(solutions)
    ]
    requirements = load_file(str(EXAMPLE)).requirements
    times = []
    for _ in range(repeats):
        advisor = Advisor(profiles)  # fresh model cache each time: nothing reused
        start = time.perf_counter()
        advisor.evaluate(requirements)
        times.append(time.perf_counter() - start)
    return {"solutions": solutions, "median ms": statistics.median(times) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    print(
        "cold start:", {k: round(v, 3) for k, v in cold_start(repeats).items()}, "goal ratio <= 10"
    )
    print("batch:", {k: round(v, 1) for k, v in batch(1000).items()}, "goal >= 500 files/s")
    print(
        "ranking:",
        {k: round(v, 1) for k, v in synthetic_ranking(500, repeats).items()},
        "goal <= 50 ms",
    )


if __name__ == "__main__":
    main()
