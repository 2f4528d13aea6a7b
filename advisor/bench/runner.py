"""Runs a plan: every topology x test x repeat, baselines first, with a progress bar.

Repeats give a median and a spread ((max - min) / median); a spread above
SPREAD_WARNING is flagged so nobody trusts a noisy figure. Topologies are measured in
turns, so each repeat of a topology sits next to the same repeat of its baseline, and
every other repeat goes through them in reverse order, so neither side of a ratio is
always the one measured first.
Everything a run builds is torn down at the end, and again by the caller's cleanup on
any exit.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace

from . import kernelstats, registry, tools
from .emulations import Emulation
from .limits import (
    MAX_DATAGRAM,
    MAX_DURATION,
    MAX_PAIRS,
    MAX_REPEAT,
    MAX_STREAMS,
    MAX_TCP_SIZE,
    MIN_SIZE,
)
from .netns import NetnsError, Sandbox
from .topologies import (
    BASELINES,
    TOPOLOGIES,
    Endpoints,
    Topology,
    missing_tool,
    support_reason,
)

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
    # TCP and UDP tests of a topology run at the same time as its baseline's, on the same
    # core(s): both see the same interference, so their ratio holds on a shared machine
    together: bool = False

    def validate(self) -> None:
        if not 1 <= self.repeat <= MAX_REPEAT:
            raise ValueError(f"--repeat must be 1..{MAX_REPEAT}")
        if not 1 <= self.duration <= MAX_DURATION:  # iperf3 takes whole seconds
            raise ValueError(f"--duration must be 1..{MAX_DURATION} s")
        if not 1 <= self.streams <= MAX_STREAMS:
            raise ValueError(f"--streams must be 1..{MAX_STREAMS}")
        if not 1 <= self.pairs <= MAX_PAIRS:
            raise ValueError(f"--pairs must be 1..{MAX_PAIRS}")
        if self.together and self.pairs > 1:
            raise ValueError("--together measures one copy beside its baseline; drop --pairs")
        if not self.sizes or any(not MIN_SIZE <= s <= MAX_TCP_SIZE for s in self.sizes):
            raise ValueError(
                f"--message-size values must be {MIN_SIZE}..{MAX_TCP_SIZE} bytes "
                f"(UDP and latency tests take sizes up to {MAX_DATAGRAM})"
            )
        if not self.tests():
            raise ValueError(
                f"no test to run: UDP and latency tests take message sizes up to {MAX_DATAGRAM} "
                "bytes; add a smaller size or a TCP test"
            )

    def tests(self) -> list[Test]:
        if self.plan:
            return list(self.plan)
        kinds = [k for k in self.kinds if k != "latency" or self.latency]
        # UDP and latency messages are single datagrams: sizes above MAX_DATAGRAM are TCP only
        return [Test(kind, size, 1 if kind == "latency" else self.streams)
                for size in self.sizes for kind in kinds
                if kind == "tcp" or size <= MAX_DATAGRAM]  # fmt: skip


@dataclass(slots=True)
class Result:
    """Every repeat's figures of one test on one topology, and the exact command."""

    topology: str
    test: Test
    command: str = ""
    samples: dict[str, list[float]] = field(default_factory=dict)
    error: str = ""
    # --together: the baseline's figures measured at the same time, one per repeat
    alongside: dict[str, list[float]] = field(default_factory=dict)

    def median(self, key: str) -> float:
        return statistics.median(self.samples[key])

    def spread(self, key: str) -> float | None:
        """(max - min) / median in percent; None with a single repeat (no spread known)."""
        values = self.samples[key]
        if len(values) < 2:
            return None
        middle = statistics.median(values)
        return (max(values) - min(values)) / middle * 100 if middle else 0.0


@dataclass(slots=True)
class RunResult:
    prefix: str
    options: Options
    results: list[Result] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)  # topology -> "ok" or the reason
    commands: list[str] = field(default_factory=list)
    setup: dict[str, list[str]] = field(default_factory=dict)  # topology -> ip/nft commands
    offloads: dict[str, str] = field(default_factory=dict)  # topology -> MTU and offloads
    overlapped: list[str] = field(default_factory=list)  # other runs measuring meanwhile
    sequence: list[tuple[str, str, int]] = field(default_factory=list)  # (topology, test,
    # repeat) in the order they were measured
    topologies: dict[str, Topology] = field(default_factory=dict)  # as measured (labelled)
    started: float = field(default_factory=time.time)
    finished: float = 0.0


def order(names: Sequence[str], emulations: Sequence[Emulation] | None = None) -> list[Topology]:
    """Baselines first (every ratio needs its own), then the rest in the requested order.

    A name is a topology or a solution id a plugin declared a topology for; each topology
    comes back labelled with the solution its rows carry (``emulations`` default: what
    the installed plugins declare)."""
    from .emulations import declared, labelled, resolve

    if emulations is None:
        emulations = declared()
    requested = resolve(list(dict.fromkeys(names)) or list(TOPOLOGIES), emulations)
    asked = {topology.name: solution for topology, solution in requested}
    needed = [topology.baseline_name for topology, _ in requested]
    baselines = [b for b in BASELINES if b in needed or b in asked]
    chosen = dict.fromkeys([*baselines, *asked])
    return [labelled(TOPOLOGIES[n], emulations, asked.get(n, "")) for n in chosen]


def _cpus(pin: bool) -> tuple[int | None, int | None]:
    """(client, server) CPUs for taskset: with --pin both share one core, so a packet's
    whole path (send, every stage, receive) is paid by that core and nothing is
    reordered between two CPUs' backlogs (which shows up as spurious TCP retransmits)."""
    if not pin:
        return None, None
    core = sorted(os.sched_getaffinity(0))[0]
    return core, core


class Progress:
    """No-op progress; the CLI passes a rich-backed one."""

    def start(self, total: float) -> None: ...
    def step(self, label: str, seconds: float) -> None: ...
    def warn(self, message: str) -> None: ...


@dataclass(slots=True)
class _Built:
    topology: Topology
    sandboxes: list[Sandbox]
    ends: list[Endpoints]
    carried: bool = False
    failed: set[Test] = field(default_factory=set)
    server_pids: list[int] = field(default_factory=list)  # iperf3 -s of each copy


def run(
    topologies: Sequence[Topology],
    options: Options,
    prefix: str,
    progress: Progress | None = None,
) -> RunResult:
    """Build every topology, then measure them in turns (repeat 1 of every topology, then
    repeat 2, ...), so a load change on a shared machine hits every topology and its
    baseline alike; a topology that cannot be built or carry traffic is reported."""
    options.validate()
    progress = progress or Progress()
    tests = options.tests()
    per_test = options.duration + SETUP_SECONDS
    progress.start(len(topologies) * len(tests) * options.repeat * per_test)
    outcome = RunResult(prefix, options, topologies={t.name: t for t in topologies})
    client_cpu, server_cpu = _cpus(options.pin)
    built: list[_Built] = []
    with ExitStack() as stack:
        stack.callback(_close_all, built)
        for index, topology in enumerate(topologies):
            entry = _build(topology, index, prefix, options, outcome)
            if entry is None:
                progress.step(
                    f"{topology.name}: unsupported", len(tests) * options.repeat * per_test
                )
                continue
            built.append(entry)
            for each in entry.ends:
                servers = stack.enter_context(_servers(each, tests, server_cpu))
                entry.server_pids.append(servers[0].process.pid)
        results = {(b.topology.name, t): Result(b.topology.name, t) for b in built for t in tests}
        by_name = {b.topology.name: b for b in built}
        measure = _Repeat(options, client_cpu, results, outcome)
        for repeat in range(options.repeat):
            # every other repeat in reverse order: no topology is always measured just
            # after a test switch, or always just before its baseline
            turn = built if repeat % 2 == 0 else built[::-1]
            for test in tests:
                done: set[str] = set()  # baselines measured beside a topology (--together)
                for entry in turn:
                    name = entry.topology.name
                    usable = [b for b in built if _usable(b, test, outcome)]
                    if not _usable(entry, test, outcome) or _beside_others(
                        entry, test, options, usable, by_name
                    ):
                        progress.step(f"{name}: {test}", per_test)
                        continue
                    _overlaps(outcome, progress)
                    progress.step(f"{name}: {test}", 0)
                    partner = _partner(entry, test, options, by_name, outcome)
                    if partner is None:
                        outcome.sequence.append((name, str(test), repeat + 1))
                        measure.once(entry, test)
                    else:
                        both = f"{name} + {partner.topology.name}"
                        outcome.sequence.append((both, str(test), repeat + 1))
                        first = partner.topology.name not in done
                        done.add(partner.topology.name)
                        measure.beside(partner, entry, test, first)
                    progress.step(f"{name}: {test}", per_test)
        _overlaps(outcome, progress)
        outcome.results = [r for r in results.values() if r.samples or r.error]
        for entry in built:
            name = entry.topology.name
            if name in outcome.status:
                continue
            failed = [r for r in outcome.results if r.topology == name and r.error]
            outcome.status[name] = (
                "ok" if not failed else f"partial: {len(failed)} test(s) failed: {failed[0].error}"
            )
    outcome.finished = time.time()
    return outcome


def _usable(entry: _Built, test: Test, outcome: RunResult) -> bool:
    return test not in entry.failed and entry.topology.name not in outcome.status


def _partner(
    entry: _Built, test: Test, options: Options, by_name: dict[str, _Built], outcome: RunResult
) -> _Built | None:
    """With --together, the baseline a TCP/UDP test of this topology runs beside (None
    for a baseline itself, latency tests, and a baseline that failed)."""
    if not options.together or test.kind == "latency":
        return None
    base = by_name.get(entry.topology.baseline_name)
    if base is None or base is entry or not _usable(base, test, outcome):
        return None
    return base


def _beside_others(
    entry: _Built, test: Test, options: Options, usable: list[_Built], by_name: dict
) -> bool:
    """A baseline whose TCP/UDP tests are measured beside its topologies (--together)
    gets no turn of its own; with no topology to stand beside it is measured alone."""
    if not options.together or test.kind == "latency":
        return False
    if entry.topology.baseline_name != entry.topology.name:
        return False
    return any(by_name.get(o.topology.baseline_name) is entry for o in usable if o is not entry)


def _build(
    topology: Topology, index: int, prefix: str, options: Options, outcome: RunResult
) -> _Built | None:
    """Every copy of one topology (density: own namespaces, same CPUs), or None with the
    reason in outcome.status."""
    missing = missing_tool(topology)
    if missing:
        outcome.status[topology.name] = missing
        return None
    sandboxes = [
        Sandbox(f"{prefix}{index:02d}" + (f"p{copy}" if copy else ""))
        for copy in range(options.pairs)
    ]
    try:
        ends = [topology.build(sandbox) for sandbox in sandboxes]
    except (NetnsError, OSError, subprocess.CalledProcessError) as error:
        outcome.status[topology.name] = support_reason(error, topology)
        _close_all([_Built(topology, sandboxes, [])])
        return None
    except BaseException:
        _close_all([_Built(topology, sandboxes, [])])
        raise
    outcome.setup[topology.name] = list(sandboxes[0].commands)
    outcome.offloads[topology.name] = kernelstats.offloads(ends[0])
    return _Built(topology, sandboxes, ends)


def _close_all(built: list[_Built]) -> None:
    for entry in built:
        for sandbox in entry.sandboxes:
            sandbox.close()


def _overlaps(outcome: RunResult, progress: Progress) -> None:
    """Note every other bench run measuring at the same time: they competed for the CPUs."""
    for other in registry.note_overlaps(outcome.prefix):
        if other not in outcome.overlapped:
            outcome.overlapped.append(other)
            progress.warn(
                f"another bench run ({other.rstrip('-')}) is measuring at the same time; "
                "both compete for the CPUs, so their figures are lower than alone"
            )


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


SUMMED = ("throughput_gbps", "packet_rate_mpps", "retransmits", "spurious_retransmits")


def _once(entry: _Built, test: Test, options: Options, cpu: int | None):
    """One repeat of a test on every copy at once; rates and retransmits added up over the
    copies, latency, loss percentages and CPU costs averaged, the first copy's command
    standing for all."""
    ends = entry.ends
    if test.kind == "latency":
        runs = tools.sockperf_many(ends, test.size, options.duration, cpu)
    else:
        runs = tools.iperf3_many(
            ends, test.kind, test.size, test.streams, options.duration, cpu, entry.server_pids
        )
    if len(runs) == 1:
        return runs[0]
    figures = {
        key: (sum if key in SUMMED else statistics.mean)([r.figures[key] for r in runs])
        for key in runs[0].figures
        if all(key in r.figures for r in runs)
    }
    return replace(runs[0], figures=figures,
                   command=f"{runs[0].command}  # x{len(ends)} concurrent copies")  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Repeat:
    """What every measurement of a run shares: its options, the client's core, the results
    being filled in and the run's outcome (commands, statuses)."""

    options: Options
    cpu: int | None
    results: dict[tuple[str, Test], Result]
    outcome: RunResult

    def once(self, entry: _Built, test: Test) -> None:
        """One repeat of one test on one topology; the first failure of a topology that
        never carried traffic marks it unsupported."""
        result = self.results[(entry.topology.name, test)]
        try:
            done = _once(entry, test, self.options, self.cpu)
        except tools.ToolError as error:
            _failed(entry, test, result, error, self.outcome)
            return
        entry.carried = True
        _keep(result, done.command, done.figures, self.outcome)

    def beside(self, base: _Built, entry: _Built, test: Test, record_base: bool) -> None:
        """One repeat of a TCP/UDP test on a topology and its baseline at the same time, on
        the same core(s): the topology's result keeps the baseline's figures beside its own;
        the baseline's own result takes them from the first topology it stood beside."""
        result = self.results[(entry.topology.name, test)]
        try:
            theirs, ours = tools.iperf3_many(
                [base.ends[0], entry.ends[0]], test.kind, test.size, test.streams,
                self.options.duration, self.cpu, [base.server_pids[0], entry.server_pids[0]],
            )  # fmt: skip
        except tools.ToolError as error:
            _failed(entry, test, result, error, self.outcome)
            return
        entry.carried = base.carried = True
        _keep(result, ours.command, ours.figures, self.outcome)
        result.command += f"  # at the same time as {base.topology.name}"
        _append(result.alongside, theirs.figures)
        if record_base:
            _keep(self.results[(base.topology.name, test)], theirs.command, theirs.figures,
                  self.outcome)  # fmt: skip


def _keep(result: Result, command: str, figures: dict, outcome: RunResult) -> None:
    """One repeat's figures and the command that measured them."""
    result.command = command
    outcome.commands.append(command)
    _append(result.samples, figures)


def _append(samples: dict[str, list], figures: dict) -> None:
    for key, value in figures.items():
        samples.setdefault(key, []).append(value)


def _failed(
    entry: _Built, test: Test, result: Result, error: Exception, outcome: RunResult
) -> None:
    """Record a failed test; a topology that never carried traffic is unsupported."""
    result.error = str(error)
    entry.failed.add(test)
    if not entry.carried:
        outcome.status[entry.topology.name] = f"unsupported: built, but no traffic: {result.error}"
