"""The TUI's speed: time to the first painted screen, and time to re-rank after a what-if.

    python benchmarks/tui_speed.py

First paint: the median of 5 fresh processes (imports included) from start to the
questionnaire painted headless by Textual's pilot, with the model already cached, so it is
what a user waits for after the first run; `python -c pass` beside it for scale.

Re-rank: in one pilot session on the results of an example, the what-if message size is
set to 20 sizes never asked before (so the model's prediction cache cannot help) and the
screen's whole refresh is timed (evaluate, ranking and exclusion tables, chart) and then the
paint. Goals (issue 16): first paint <= 0.5 s, re-rank <= 100 ms.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

FIRST_PAINT = """
import asyncio, time
start = time.perf_counter()
from cnadvisor.evaluation import Advisor
from cnadvisor.tui.app import AdvisorApp

async def main():
    app = AdvisorApp(Advisor.from_plugins())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        print(time.perf_counter() - start)

asyncio.run(main())
"""

RERANK = """
import asyncio, statistics, time
from pathlib import Path
from cnadvisor.evaluation import Advisor
from cnadvisor.loading import load_file
from cnadvisor.questionnaire import Answers
from cnadvisor.tui.app import AdvisorApp

EXAMPLE = "examples/requirements/multi-tenant-saas.yaml"

async def main():
    advisor = Advisor.from_plugins()
    requirements = load_file(EXAMPLE).requirements
    app = AdvisorApp(advisor, Answers.from_requirements(requirements), start_on_results=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        refresh, painted, evaluate = [], [], []
        for size in range(1001, 1021):
            app.answers.set("workload.message_size", str(size))
            start = time.perf_counter()
            screen.refresh_results()
            refresh.append(time.perf_counter() - start)
            await pilot.pause()
            painted.append(time.perf_counter() - start)
            start = time.perf_counter()
            advisor.evaluate(app.answers.requirements().model_copy(
                update={"name": "x"}), source="bench")
            evaluate.append(time.perf_counter() - start)
        print(statistics.median(refresh), statistics.median(painted), statistics.median(evaluate))

asyncio.run(main())
"""


def _wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    subprocess.run([sys.executable, "-c", FIRST_PAINT], check=True, capture_output=True)  # warm
    bare = statistics.median(_wall([sys.executable, "-c", "pass"]) for _ in range(5))
    paint = statistics.median(_wall([sys.executable, "-c", FIRST_PAINT]) for _ in range(5))
    print(f"first painted questionnaire (process start to paint): {paint:.3f} s (goal 0.5 s)")
    print(f"python -c pass: {bare:.3f} s; ratio {paint / bare:.1f}x")
    done = subprocess.run([sys.executable, "-c", RERANK], check=True, capture_output=True,
                          text=True)  # fmt: skip
    refresh, painted, evaluate = (float(x) for x in done.stdout.split()[-3:])
    print(f"re-rank after a what-if (median of 20 new message sizes): {refresh * 1000:.0f} ms "
          f"refresh, {painted * 1000:.0f} ms to painted (goal 100 ms); "
          f"Advisor.evaluate alone {evaluate * 1000:.0f} ms")  # fmt: skip
    print("what-if typing re-ranks once, 200 ms after the last keystroke (debounced)")


if __name__ == "__main__":
    main()
