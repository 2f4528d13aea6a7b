"""Peak memory of one `cnadvisor evaluate` batch against the number of files.

    python benchmarks/batch_memory.py                 # 250, 500 and 1,000 files
    python benchmarks/batch_memory.py --counts 100 2000

Each batch runs in a fresh process that reports its own peak RSS (``ru_maxrss``), for
JSON and CSV output to stdout (discarded). The batch is streamed file by file, so the
peak should stay flat as the number of files grows; the table shows whether it does.
The files are the same generated systems `core_speed.py` uses; the model is trained
(or loaded) once before the first measurement, so training is not in the peaks.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from core_speed import EXAMPLE, generated_requirements

PEAK = (
    "import resource, sys\n"
    "from cnadvisor.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "peaks = (resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF,\n"
    "         resource.RUSAGE_CHILDREN))\n"
    "print(*peaks, file=sys.stderr)\n"
    "raise SystemExit(code)\n"
)


def peak_rss_mib(folder: Path, fmt: str) -> tuple[float, float]:
    """Peak resident memory, MiB, of the process evaluating every file in ``folder``, and
    of the largest of its batch workers (0 when it ran none): the workers hold the
    batch's memos, the process writes the results in order."""
    result = subprocess.run(
        [sys.executable, "-c", PEAK, "evaluate", str(folder), "-f", fmt],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    own, workers = result.stderr.strip().splitlines()[-1].split()
    return int(own) / 1024, int(workers) / 1024


def write_batch(folder: Path, count: int) -> None:
    for index, data in enumerate(generated_requirements(count)):
        (folder / f"system-{index:05d}.yaml").write_text(yaml.safe_dump(data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[250, 500, 1000])
    args = parser.parse_args()
    warm = [sys.executable, "-m", "cnadvisor.cli", "evaluate", str(EXAMPLE), "-f", "csv"]
    subprocess.run(warm, stdout=subprocess.DEVNULL, check=True)  # train once, outside the peaks
    print("| files | JSON peak RSS (largest worker) | CSV peak RSS (largest worker) |")
    print("|---:|---:|---:|")
    for count in args.counts:
        with tempfile.TemporaryDirectory() as temporary:
            folder = Path(temporary)
            write_batch(folder, count)
            json_peak = peak_rss_mib(folder, "json")
            csv_peak = peak_rss_mib(folder, "csv")
        print(f"| {count:,} | {json_peak[0]:.0f} MiB ({json_peak[1]:.0f} MiB) | "
              f"{csv_peak[0]:.0f} MiB ({csv_peak[1]:.0f} MiB) |", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
