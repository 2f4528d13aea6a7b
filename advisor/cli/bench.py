"""``cnadvisor bench list|run|cleanup``: argparse wiring, root/tool checks, progress.

``cnadvisor.cli.app`` wires it in with ``add_parser(commands, help)`` and dispatches
"bench" to ``run``; ``python -m cnadvisor.cli.bench`` runs it stand-alone (tests use
that). Data goes to stdout, diagnostics and the progress bar to stderr; the tables are
``render.bench``'s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import warnings
from collections.abc import Sequence

from . import exit_codes
from .common import message_sizes

INSTALL = "apt-get install iperf3 sockperf"


def add_parser(
    subparsers: argparse._SubParsersAction, help_text: str = "measure network modes on this host"
) -> argparse.ArgumentParser:
    """Add the ``bench`` sub-command, with ``list``, ``run`` and ``cleanup`` under it."""
    from ..bench.limits import MAX_DURATION, MAX_PAIRS, MAX_REPEAT, MAX_STREAMS

    bench = subparsers.add_parser(
        "bench",
        help=help_text,
        description="Measure network modes in network namespaces with addresses from "
        "198.18.0.0/15 (root; iperf3, sockperf).",
    )
    actions = bench.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="topologies and whether this kernel supports each")
    actions.add_parser(
        "cleanup", help="remove what a crashed run left behind (this tool's names only)"
    )
    run = actions.add_parser("run", help="measure topologies (iperf3, sockperf)")
    run.add_argument(
        "topologies",
        nargs="*",
        metavar="TOPOLOGY",
        help="default all; a solution id a plugin declared a topology for "
        "measures that topology labelled with the id",
    )
    run.add_argument("--quick", action="store_true", help="2 s per test, 1 repeat by default")
    run.add_argument(
        "--message-size",
        type=message_sizes(),
        default=(64, 1400),
        help="bytes, comma-separated (16..1048576; UDP and latency tests only take sizes up "
        "to 65000; default 64,1400)",
    )
    run.add_argument("--repeat", type=int, help=f"repeats per test, 1..{MAX_REPEAT} (3)")
    run.add_argument("--duration", type=int, help=f"seconds per test, 1..{MAX_DURATION} (5)")
    run.add_argument("--streams", type=int, default=1, help=f"parallel streams 1..{MAX_STREAMS}")
    run.add_argument(
        "--pin",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="client and server on one core (taskset): CPU time per packet gives the stage "
        "costs, and no reordering between CPUs; --no-pin lets the scheduler place them",
    )
    run.add_argument(
        "--together",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="run each topology's TCP and UDP tests at the same time as its baseline's, "
        "on the same core: both see the same interference, so ratios hold on a busy machine "
        "(each flow gets about half the core; latency tests still run alone). The default, "
        "except with --pairs above 1; --no-together measures each topology alone",
    )
    run.add_argument(
        "--pairs",
        type=int,
        default=1,
        help=f"density: copies of each topology measured at once, 1..{MAX_PAIRS} (1)",
    )
    run.add_argument("--tests", default="tcp,udp,latency", help="which of tcp,udp,latency to run")
    run.add_argument("--output", "-o", metavar="PATH", help="also write the CSV here")
    run.add_argument("--force", action="store_true", help="allow --output to replace a file")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    return bench


def run(args: argparse.Namespace) -> int:
    problem = _refusal(needs_tools=args.action != "cleanup")
    if problem:
        print(f"cnadvisor bench: {problem}", file=sys.stderr)
        return exit_codes.USAGE
    return {"list": _list, "run": _run, "cleanup": _cleanup}[args.action](args)


def _refusal(needs_tools: bool) -> str | None:
    if os.geteuid() != 0:
        return f"needs root (network namespaces); run with sudo. Tools: {INSTALL}"
    if shutil.which("ip") is None:
        return "iproute2's `ip` not found: apt-get install iproute2"
    if needs_tools and shutil.which("iperf3") is None:
        return f"iperf3 not found: {INSTALL}"
    if needs_tools:
        from ..bench.topologies import needs_capability

        return needs_capability()
    return None


def _list(args: argparse.Namespace) -> int:
    from ..bench.cleanup import Guard, Interrupted
    from ..bench.emulations import declared, solutions_of
    from ..bench.netns import new_prefix
    from ..bench.topologies import TOPOLOGIES, probe
    from ..render.bench import topology_table

    emulations = declared()  # which solutions each topology emulates, as plugins declare
    rows = []
    prefix = new_prefix()
    print(f"cnadvisor bench: probe run {prefix.rstrip('-')}", file=sys.stderr, flush=True)
    try:
        with Guard(prefix, measuring=False):
            for topology in TOPOLOGIES.values():
                reason = probe(topology, prefix)
                ids = ", ".join(solutions_of(topology.name, emulations)) or "-"
                rows.append((topology.name, ids, topology.scenario, reason))
    except Interrupted as stop:
        return exit_codes.SIGNAL + stop.signum
    missing = (
        None if shutil.which("sockperf") else f"sockperf missing: no latency tests ({INSTALL})"
    )
    sys.stdout.write(topology_table(rows, missing))
    return exit_codes.OK


def _options(args: argparse.Namespace):
    from ..bench.runner import Options

    sizes = tuple(args.message_size)
    kinds = tuple(k.strip() for k in args.tests.split(",") if k.strip())
    if not kinds or set(kinds) - {"tcp", "udp", "latency"}:
        raise ValueError("--tests takes tcp, udp and/or latency")
    options = Options(
        sizes=sizes,
        streams=args.streams,
        pairs=args.pairs,
        repeat=args.repeat or (1 if args.quick else 3),
        duration=args.duration or (2 if args.quick else 5),
        pin=args.pin,
        latency=shutil.which("sockperf") is not None,
        kinds=kinds,
        together=args.pairs == 1 if args.together is None else args.together,
    )
    options.validate()
    return options


def _run(args: argparse.Namespace) -> int:
    from ..bench.cleanup import Guard, Interrupted
    from ..bench.netns import new_prefix
    from ..bench.runner import order, run
    from ..bench.store import OutputError, check_output, save

    try:
        options = _options(args)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            topologies = order(args.topologies)
        for warning in caught:  # an old topology name, a plugin declaration left out
            print(f"cnadvisor bench: warning: {warning.message}", file=sys.stderr)
        check_output(args.output, args.force)  # before measuring, not after 30 minutes
    except (ValueError, OutputError) as error:
        print(f"cnadvisor bench: {error}", file=sys.stderr)
        return exit_codes.USAGE
    if not options.latency and "latency" in options.kinds:
        print(
            f"cnadvisor bench: warning: sockperf missing, no latency ({INSTALL})", file=sys.stderr
        )
    prefix = new_prefix()
    print(f"cnadvisor bench: run {prefix.rstrip('-')}", file=sys.stderr, flush=True)
    try:
        with Guard(prefix), _progress(args.no_progress) as progress:
            outcome = run(topologies, options, prefix, progress)
    except Interrupted as stop:
        print(f"cnadvisor bench: {stop}: stopped, everything removed", file=sys.stderr)
        return exit_codes.SIGNAL + stop.signum
    _summary(outcome)
    try:
        paths = save(outcome, args.output, args.force)
    except OutputError as error:
        print(f"cnadvisor bench: {error}", file=sys.stderr)
        return exit_codes.PROBLEMS
    if not paths:
        print("cnadvisor bench: nothing was measured, so nothing was saved", file=sys.stderr)
        return exit_codes.PROBLEMS
    from ..bench.plot import plot_run
    from ..bench.store import stages_path

    for path in paths:
        print(f"cnadvisor bench: wrote {path}", file=sys.stderr)
        if stages_path(path).exists():
            print(f"cnadvisor bench: wrote {stages_path(path)}", file=sys.stderr)
        picture = plot_run(path)
        if picture is not None:
            print(f"cnadvisor bench: wrote {picture}", file=sys.stderr)
    return exit_codes.OK if any(s == "ok" for s in outcome.status.values()) else exit_codes.PROBLEMS


class _RichProgress:
    """Bar + topology/test being measured + estimated time left (on stderr)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(
            TextColumn("{task.description:<34}"), BarColumn(), TimeRemainingColumn(),
            console=Console(stderr=True), transient=True,
        )  # fmt: skip
        self.task = self.bar.add_task("starting", total=1.0)

    def start(self, total: float) -> None:
        self.bar.update(self.task, total=total)

    def step(self, label: str, seconds: float) -> None:
        self.bar.update(self.task, description=label, advance=seconds)

    def warn(self, message: str) -> None:
        self.bar.console.print(f"cnadvisor bench: warning: {message}", markup=False)


class _PlainProgress:
    """No bar; warnings still reach stderr at once."""

    def start(self, total: float) -> None: ...
    def step(self, label: str, seconds: float) -> None: ...

    def warn(self, message: str) -> None:
        print(f"cnadvisor bench: warning: {message}", file=sys.stderr, flush=True)


class _progress:  # a context manager used like a function
    def __init__(self, disabled: bool):
        self.disabled = disabled or not sys.stderr.isatty()
        self.rich: _RichProgress | None = None

    def __enter__(self):
        if self.disabled:
            return _PlainProgress()
        self.rich = _RichProgress()
        self.rich.bar.start()
        return self.rich

    def __exit__(self, *exc: object) -> None:
        if self.rich:
            self.rich.bar.stop()


def _summary(outcome) -> None:
    """The run's tables on stdout, then its warnings on stderr."""
    from ..bench import quality
    from ..render.bench import run_summary

    sys.stdout.write(run_summary(outcome))
    for result in outcome.results:
        for warning in quality.warnings(outcome, result):
            print(f"cnadvisor bench: warning: {warning}", file=sys.stderr)
    if outcome.overlapped:
        others = ", ".join(o.rstrip("-") for o in outcome.overlapped)
        print(
            f"cnadvisor bench: warning: other bench runs measured at the same time ({others}); "
            "they competed for the CPUs, so these figures are lower than alone",
            file=sys.stderr,
        )


def _cleanup(args: argparse.Namespace) -> int:
    from ..bench.cleanup import leftovers, remove_leftovers

    found = leftovers()
    for name in remove_leftovers(found):
        print(f"removed namespace {name}")
    for name in found.foreign:
        print(f"left alone: namespace {name} (no cnadvisor bench run recorded it)")
    if not found.namespaces:
        print("nothing to remove")
    return exit_codes.OK


def main(argv: Sequence[str] | None = None) -> int:
    """Stand-alone, in-process: a usage error returns 2 rather than leaving the caller."""
    parser = argparse.ArgumentParser(prog="cnadvisor")
    add_parser(parser.add_subparsers(dest="command", required=True))
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else exit_codes.USAGE
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
