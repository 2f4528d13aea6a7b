"""Speed of the core advisor against an earlier commit, in the same run on this machine.

    python benchmarks/core_speed.py                   # against fc6e1b6 (before issue 13's work)
    python benchmarks/core_speed.py --against COMMIT  # any other commit
    python benchmarks/core_speed.py --quick           # fewer repeats, a smaller batch

The earlier commit is checked out with ``git worktree`` into a temporary folder; it and
this checkout are each installed (not editable) into a temporary venv that shares this
interpreter's installed dependencies, so both versions run on the same interpreter and
libraries, installed the same way; only cnadvisor's own code differs. Each version gets
its own fresh model cache, trained once before timing. Figures, each a median (machines
here are shared and noisy):
1. cold ``cnadvisor evaluate FILE`` against a bare ``python -c pass`` of the same
   interpreter, timed in turn (goal: ratio <= 15);
2. a batch of generated requirement files through one CLI call, JSON out, the
   versions taking turns three times (goal: >= 300 files/s);
3. ranking 500 synthetic solutions for one system, in this process (goal <= 50 ms);
4. with ``--instructions N``: machine instructions per file (valgrind's callgrind), which
   do not move with the machine's load: the ratio between versions that the clock, on a
   machine whose speed moves by a quarter within minutes, cannot show.
Everything created (worktree, venv, caches) is removed at the end, also on error.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "requirements" / "multi-tenant-saas.yaml"
BEFORE = "fc6e1b6"  # main before issue 13's CLI package and renames
GOALS = {"ratio": 15.0, "files per second": 300.0}


class Version:
    """One installed cnadvisor: an interpreter that imports it, and its own model cache."""

    def __init__(self, label: str, python: str, cache: Path) -> None:
        self.label, self.python, self.cache = label, python, cache

    def run(self, *args: str) -> float:
        """Wall-clock seconds of ``python args`` (a new process each time)."""
        env = os.environ | {"CNADVISOR_CACHE_DIR": str(self.cache)}
        start = time.perf_counter()
        subprocess.run([self.python, *args], check=True, capture_output=True, env=env)
        return time.perf_counter() - start

    def evaluate(self, *args: str) -> float:
        return self.run("-m", "cnadvisor.cli", "evaluate", *args)


def installed(label: str, source: Path, work: Path) -> Version:
    """``source`` installed (not editable) into its own venv under ``work``, sharing this
    interpreter's dependencies. Both versions are installed the same way: an editable
    install's import hook alone costs about 140 M instructions at start-up."""
    venv = work / f"venv-{label.replace(' ', '-')}"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True)  # fmt: skip
    python = str(venv / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", str(source)],
                   check=True, capture_output=True)  # fmt: skip
    here = subprocess.run([python, "-c", "import cnadvisor; print(cnadvisor.__file__)"],
                          check=True, capture_output=True, text=True).stdout  # fmt: skip
    if not here.startswith(str(venv)):
        raise SystemExit(f"the venv imports cnadvisor from {here.strip()}, not its own copy")
    return Version(label, python, work / f"cache-{label.replace(' ', '-')}")


@contextlib.contextmanager
def earlier(commit: str, work: Path) -> Iterator[Version]:
    """``commit`` installed into a venv under ``work``; the worktree is removed after."""
    tree = work / "tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree),
                    commit], check=True)  # fmt: skip
    try:
        yield installed(commit, tree, work)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                       check=False)  # fmt: skip


def cold_start(versions: list[Version], repeats: int) -> dict[str, dict[str, float]]:
    """Each version's cold evaluate and a bare interpreter, timed in turn per repeat."""
    for version in versions:
        version.evaluate(str(EXAMPLE))  # trains into the fresh cache; warms the file cache
    bare: list[float] = []
    times: dict[str, list[float]] = {v.label: [] for v in versions}
    for _ in range(repeats):
        for version in versions:
            bare.append(version.run("-c", "pass"))
            times[version.label].append(version.evaluate(str(EXAMPLE)))
    bare_median = statistics.median(bare)
    return {
        label: {
            "evaluate s": statistics.median(seconds),
            "python -c pass s": bare_median,
            "ratio": statistics.median(seconds) / bare_median,
        }
        for label, seconds in times.items()
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


def batch(
    versions: list[Version], count: int, work: Path, repeats: int
) -> dict[str, dict[str, float]]:
    """Each version's batch, the versions taking turns ``repeats`` times (the median
    counts: one run of a few seconds on a shared machine moves by a quarter)."""
    folder = work / "batch"
    folder.mkdir()
    for index, system in enumerate(generated_requirements(count)):
        Path(folder, f"system-{index:04d}.yaml").write_text(yaml.safe_dump(system))
    times: dict[str, list[float]] = {v.label: [] for v in versions}
    for turn in range(repeats):
        for number, version in enumerate(versions):
            output = work / f"out-{number}-{turn}.json"  # a new file: older CLIs lack --force
            times[version.label].append(version.evaluate(str(folder), "-f", "json", "-o",
                                                         str(output)))  # fmt: skip
            output.unlink()
    result = {}
    for label, seconds in times.items():
        median = statistics.median(seconds)
        result[label] = {"files": count, "s": median, "files per second": count / median,
                         "fastest s": min(seconds), "slowest s": max(seconds)}  # fmt: skip
    return result


# Evaluates the first ``count`` files of a folder in one process, JSON rendered, through
# the API every version since the batch path has (no workers: one process to count).
INSTRUCTION_DRIVER = """
import glob, sys
from cnadvisor.advisor import Advisor
from cnadvisor.loading import load_file
from cnadvisor.render import renderer
from cnadvisor.render.common import Batch
folder, count = sys.argv[1], int(sys.argv[2])
advisor = Advisor.from_plugins()
render = renderer(Batch(), "json", advisor)
render.start()
for path in sorted(glob.glob(folder + "/*.yaml"))[:count]:
    loaded = load_file(path)
    render.add(advisor.evaluate(loaded.requirements, source=loaded.source), loaded.requirements)
"""


def instructions(versions: list[Version], folder: Path, count: int) -> dict[str, dict]:
    """Machine instructions per file, counted by valgrind's callgrind: the same count on a
    busy machine as on an idle one, so a change of a few percent shows where the clock
    cannot see it. Each version evaluates the batch's first ``count`` files from cold
    (memos empty, as each batch worker starts) and, separately, none; the difference
    divided by ``count`` is per file, start-up left out. The four runs go two at a time."""
    import re

    def started(version: Version, files: int) -> subprocess.Popen:
        env = os.environ | {"CNADVISOR_CACHE_DIR": str(version.cache), "PYTHONHASHSEED": "0"}
        return subprocess.Popen(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", version.python,
             "-c", INSTRUCTION_DRIVER, str(folder), str(files)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

    counted: dict[tuple[str, int], int] = {}
    for files in (0, count):
        runs = {v.label: started(v, files) for v in versions}
        for label, run in runs.items():
            log = run.communicate()[1]
            found = re.search(r"Collected : (\d+)", log)
            if run.returncode != 0 or found is None:
                raise SystemExit(f"callgrind run of {label} failed:\n{log[-2000:]}")
            counted[label, files] = int(found.group(1))
    return {
        v.label: {
            "files": count,
            "M instructions per file": (counted[v.label, count] - counted[v.label, 0])
            / count
            / 1e6,
            "start-up M": counted[v.label, 0] / 1e6,
        }
        for v in versions
    }


def synthetic_ranking(solutions: int, repeats: int) -> dict[str, float]:
    """This checkout only (the API it uses changed name)."""
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


def _show(title: str, rows: dict[str, dict[str, float]], key: str) -> None:
    print(f"{title} (goal {key} {'<=' if key == 'ratio' else '>='} {GOALS[key]:g}):")
    for label, figures in rows.items():
        shown = ", ".join(f"{k} {v:.3g}" for k, v in figures.items())
        print(f"  {label:>12}: {shown}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", default=BEFORE, metavar="COMMIT", help=f"default {BEFORE}")
    parser.add_argument("--quick", action="store_true", help="3 repeats, 300 files")
    parser.add_argument("--instructions", type=int, default=0, metavar="N",
                        help="also count machine instructions per file over the first N "
                        "files (needs valgrind; about 5 minutes for N=200)")  # fmt: skip
    args = parser.parse_args()
    if args.instructions and not shutil.which("valgrind"):
        raise SystemExit("--instructions needs valgrind (Debian: apt-get install valgrind)")
    repeats, files, batches = (3, 300, 1) if args.quick else (7, 1000, 3)
    work = Path(tempfile.mkdtemp(prefix="cnadvisor-core-speed-"))
    try:
        with earlier(args.against, work) as before:
            now = installed("this checkout", ROOT, work)
            versions = [before, now]
            _show("cold evaluate of one file", cold_start(versions, repeats), "ratio")
            _show(f"batch of {files} generated files, -f json, median of {batches}",
                  batch(versions, files, work, batches), "files per second")  # fmt: skip
            if args.instructions:
                counted = instructions(versions, work / "batch", args.instructions)
                print(f"instructions per file, first {args.instructions} files from cold, "
                      "one process (callgrind; the same on a busy machine):")  # fmt: skip
                for label, figures in counted.items():
                    shown = ", ".join(f"{k} {v:.4g}" for k, v in figures.items())
                    print(f"  {label:>12}: {shown}")
                before_count, now_count = (counted[v.label]["M instructions per file"]
                                           for v in versions)  # fmt: skip
                print(f"  this checkout / {args.against}: {now_count / before_count:.3f}")
        ranking = synthetic_ranking(500, repeats)
        print(f"ranking 500 synthetic solutions (this checkout): {ranking['median ms']:.1f} ms "
              "median (goal <= 50 ms)")  # fmt: skip
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
