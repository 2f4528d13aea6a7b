"""Time to the TUI's first painted screen (headless run_test) against a bare `python -c pass`.

    python benchmarks/tui_speed.py

Each figure is the median of 5 fresh processes (imports included), with the model
already cached, so it is what a user waits for after the first run.
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


def _wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    subprocess.run([sys.executable, "-c", FIRST_PAINT], check=True, capture_output=True)  # warm
    bare = statistics.median(_wall([sys.executable, "-c", "pass"]) for _ in range(5))
    paint = statistics.median(_wall([sys.executable, "-c", FIRST_PAINT]) for _ in range(5))
    print(f"first painted questionnaire (process start to paint): {paint:.3f} s")
    print(f"python -c pass: {bare:.3f} s; ratio {paint / bare:.1f}x")


if __name__ == "__main__":
    main()
