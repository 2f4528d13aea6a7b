"""Runs a plan: every topology x test x repeat, host baseline first, with a progress bar.

Repeats give a median and a spread ((max - min) / median); a spread above
SPREAD_WARNING is flagged so nobody trusts a noisy figure. Everything a run builds is
torn down after each topology, and again by the caller's cleanup on any exit.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace

from . import tools
from .limits import MAX_DURATION, MAX_PAIRS, MAX_REPEAT, MAX_STREAMS
from .netns import NetnsError, Sandbox
from .topologies import TOPOLOGIES, Endpoints, Topology, support_reason

SPREAD_WARNING = 15.0  # percent
SETUP_SECONDS = 0.4  # rough per-test overhead for the time-left estimate


@dataclass(frozen=True, slots=True)
class Test:
    __test__ = False  # not a pytest test class

    kind: str  # tcp | udp | latency
    size: int
    streams: int

    def __str__(self) -> str:
        streams = f" x{self.streams}" if self.streams > 1 and self.kind != "latency" else ""
        return f"{self.kind} {self.size} B{streams}"


@dataclass(slots=True)
class Options:
    sizes: tuple[int, ...] = (64, 1400)
    streams: int = 1
    pairs: int = 1  # copies of the topology measured at once: container density
    repeat: int = 3
    duration: int = 5
    pin: bool = False
    latency: bool = True  # only if sockperf is installed
    kinds: tuple[str, ...] = ("tcp", "udp", "latency")
    plan: tuple[Test, ...] = ()  # explicit tests instead of sizes x kinds (benchmarks)

    def validate(self) -> None:
        if not 1 <= self.repeat <= MAX_REPEAT:
            raise ValueError(f"--repeat must be 1..{MAX_REPEAT}")
        if not 1 <= self.duration <= MAX_DURATION:  # iperf3 takes whole seconds
            raise ValueError(f"--duration must be 1..{MAX_DURATION} s")
        if not 1 <= self.streams <= MAX_STREAMS:
            raise ValueError(f"--streams must be 1..{MAX_STREAMS}")
        if not 1 <= self.pairs <= MAX_PAIRS:
            raise ValueError(f"--pairs must be 1..{MAX_PAIRS}")
        if not self.sizes or any(not 16 <= s <= 65000 for s in self.sizes):
            raise ValueError("--message-size values must be 16..65000 bytes")

    def tests(self) -> list[Test]:
        if self.plan:
            return list(self.plan)
        kinds = [k for k in self.kinds if k != "latency" or self.latency]
        return [Test(kind, size, 1 if kind == "latency" else self.streams)
                for size in self.sizes for kind in kinds]  # fmt: skip


@dataclass(slots=True)
class Result:
    """Every repeat's figures of one test on one topology, and the exact command."""

    topology: str
    test: Test
    command: str = ""
    samples: dict[str, list[float]] = field(default_factory=dict)
    error: str = ""

    def median(self, key: str) -> float:
        return statistics.median(self.samples[key])

    def spread(self, key: str) -> float:
        values = self.samples[key]
        middle = statistics.median(values)
        return (max(values) - min(values)) / middle * 100 if middle else 0.0


@dataclass(slots=True)
class RunResult:
    prefix: str
    options: Options
    results: list[Result] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)  # topology -> "ok" or the reason
    commands: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.time)
    finished: float = 0.0


def order(names: Sequence[str]) -> list[Topology]:
    """Host first (every ratio needs it), then the rest in the requested order, no repeats."""
    unknown = [n for n in names if n not in TOPOLOGIES]
    if unknown:
        raise ValueError(f"unknown topology {unknown}; see `cnadvisor bench list`")
    chosen = list(dict.fromkeys(["host", *(names or TOPOLOGIES)]))
    return [TOPOLOGIES[n] for n in chosen]


def _cpus(pin: bool) -> tuple[int | None, int | None]:
    """(client, server) CPUs for taskset: different cores when there are two."""
    if not pin:
        return None, None
    cores = sorted(os.sched_getaffinity(0))
    return cores[0], cores[1 % len(cores)]


class Progress:
    """No-op progress; the CLI passes a rich-backed one."""

    def start(self, total: float) -> None: ...
    def step(self, label: str, seconds: float) -> None: ...


def run(
    topologies: Sequence[Topology],
    options: Options,
    prefix: str,
    progress: Progress | None = None,
) -> RunResult:
    """Measure every topology; a topology that cannot be built or carry traffic is reported."""
    options.validate()
    progress = progress or Progress()
    tests = options.tests()
    per_test = options.duration + SETUP_SECONDS
    progress.start(len(topologies) * len(tests) * options.repeat * per_test)
    outcome = RunResult(prefix, options)
    client_cpu, server_cpu = _cpus(options.pin)
    for index, topology in enumerate(topologies):
        # Density: independent copies of the topology (own namespaces, same CPUs), measured
        # at once, so the copies compete for the host as containers do.
        sandboxes = [
            Sandbox(f"{prefix}{index:02d}" + (f"p{copy}" if copy else ""))
            for copy in range(options.pairs)
        ]
        try:
            try:
                ends = [topology.build(sandbox) for sandbox in sandboxes]
            except (NetnsError, OSError, subprocess.CalledProcessError) as error:
                outcome.status[topology.name] = support_reason(error)
                progress.step(
                    f"{topology.name}: unsupported", len(tests) * options.repeat * per_test
                )
                continue
            with ExitStack() as servers:
                for each in ends:
                    servers.enter_context(_servers(each, tests, server_cpu))
                _measure(
                    topology, ends, tests, options, (client_cpu, server_cpu), outcome, progress
                )
        finally:
            for sandbox in sandboxes:
                sandbox.close()
    outcome.finished = time.time()
    return outcome


@contextmanager
def _servers(ends: Endpoints, tests: list[Test], cpu: int | None) -> Iterator[list]:
    servers = []
    try:
        servers.append(tools.iperf3_server(ends, cpu))
        if any(t.kind == "latency" for t in tests):
            servers.append(tools.sockperf_server(ends, cpu))
        yield servers
    finally:
        for server in servers:
            server.stop()


def _once(ends: list[Endpoints], test: Test, options: Options, cpu: int | None):
    """One repeat of a test on every copy at once; figures added up over the copies
    (latency averaged), the command of the first copy standing for all."""

    def one(each: Endpoints):
        if test.kind == "latency":
            return tools.sockperf(each, test.size, options.duration, cpu)
        return tools.iperf3(each, test.kind, test.size, test.streams, options.duration, cpu)

    if len(ends) == 1:
        return one(ends[0])
    with ThreadPoolExecutor(max_workers=len(ends)) as pool:
        runs = list(pool.map(one, ends))
    figures = {
        key: (sum if not key.startswith("latency") else statistics.mean)(
            [r.figures[key] for r in runs]
        )
        for key in runs[0].figures
    }
    return replace(runs[0], figures=figures,
                   command=f"{runs[0].command}  # x{len(ends)} concurrent copies")  # fmt: skip


def _measure(
    topology: Topology,
    ends: list[Endpoints],
    tests: list[Test],
    options: Options,
    cpus: tuple[int | None, int | None],
    outcome: RunResult,
    progress: Progress,
) -> None:
    client_cpu = cpus[0]
    per_test = options.duration + SETUP_SECONDS
    carried = False
    for test in tests:
        result = Result(topology.name, test)
        for _ in range(options.repeat):
            progress.step(f"{topology.name}: {test}", 0)
            try:
                done = _once(ends, test, options, client_cpu)
            except tools.ToolError as error:
                result.error = str(error)
                progress.step(f"{topology.name}: {test}", per_test)
                break
            carried = True
            result.command = done.command
            outcome.commands.append(done.command)
            for key, value in done.figures.items():
                result.samples.setdefault(key, []).append(value)
            progress.step(f"{topology.name}: {test}", per_test)
        outcome.results.append(result)
        if not carried:  # the very first test failed: this topology carries no traffic here
            outcome.status[topology.name] = f"unsupported: built, but no traffic: {result.error}"
            progress.step(topology.name, (len(tests) - 1) * options.repeat * per_test)
            return
    failed = [r for r in outcome.results if r.topology == topology.name and r.error]
    outcome.status[topology.name] = (
        "ok" if not failed else f"partial: {len(failed)} test(s) failed: {failed[0].error}"
    )
