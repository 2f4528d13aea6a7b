"""`cnadvisor import` and `cnadvisor plan`: argument parsing and output only."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
PLACEMENT_FORMATS = ("iperf3", "netperf", "sockperf")  # files that do not record placement


def add_parsers(commands: argparse._SubParsersAction) -> None:
    from ..importers.api import DESCRIPTIONS

    importer = commands.add_parser(
        "import",
        help="import cluster measurements (knb, k8s-netperf, iperf3, netperf, sockperf)",
        description="Formats: " + "; ".join(f"{k}: {v}" for k, v in DESCRIPTIONS.items()),
    )
    importer.add_argument("format", choices=sorted(DESCRIPTIONS), metavar="FORMAT")
    importer.add_argument("files", nargs="+", metavar="FILE")
    importer.add_argument("--solution", required=True, metavar="ID", help="the option measured")
    importer.add_argument("--cluster", default="default", metavar="NAME")
    importer.add_argument(
        "--scenario",
        choices=("intra-host", "inter-host"),
        help="iperf3/netperf/sockperf only: client and server on the same node or not",
    )
    importer.add_argument(
        "--service",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="iperf3/netperf/sockperf only: the client reached the server through a Service",
    )
    importer.add_argument(
        "--message-size", type=int, metavar="BYTES", help="sockperf/netperf, when not in the file"
    )

    plan = commands.add_parser(
        "plan", help="what to measure on your cluster to confirm the ranking (runs nothing)"
    )
    plan.add_argument("requirements", metavar="REQUIREMENTS.yaml")
    plan.add_argument("--top", type=int, default=3, metavar="N")
    plan.add_argument("--output", "-o", default="cnadvisor-plan", metavar="DIR")
    plan.add_argument("--cluster", default="my-cluster", metavar="NAME")
    plan.add_argument("--force", action="store_true", help="replace files in DIR")


def run(args: argparse.Namespace) -> int:
    try:
        return (run_import if args.command == "import" else run_plan)(args)
    except _Usage as error:
        print(f"cnadvisor: {error}", file=sys.stderr)
        return EXIT_USAGE


class _Usage(Exception):
    pass


def run_import(args: argparse.Namespace) -> int:
    from ..importers.api import ImportFailed, import_files
    from ..importers.common import Options
    from ..plugins import load_plugins

    if args.format not in PLACEMENT_FORMATS and (
        args.scenario or args.service is not None or args.message_size
    ):
        raise _Usage(
            f"{args.format} records placement, Service use and message size itself; "
            "--scenario, --service and --message-size are for " + ", ".join(PLACEMENT_FORMATS)
        )
    if args.message_size is not None and not 1 <= args.message_size <= 65507:
        raise _Usage("--message-size must be 1..65507 bytes")
    known = set(load_plugins().solutions)
    if args.solution not in known:
        import difflib

        close = difflib.get_close_matches(args.solution, known, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise _Usage(f"--solution {args.solution!r} is no known option{hint}")
    options = Options(
        solution=args.solution,
        cluster=args.cluster,
        scenario=args.scenario,
        service=args.service,
        message_size=args.message_size,
    )
    try:
        report = import_files(args.format, args.files, options)
    except ImportFailed as failed:
        for problem in failed.problems:
            print(f"cnadvisor: error: {problem}", file=sys.stderr)
        print("cnadvisor: nothing was imported", file=sys.stderr)
        return EXIT_INVALID
    for name, count in report.imported:
        print(f"imported {name}: {count} rows (cluster {args.cluster}, solution {args.solution})")
    for name, why in report.skipped:
        print(f"skipped {name}: {why}")
    if report.written:
        print(f"stored in {report.written[0].parent}")
    return EXIT_OK


def run_plan(args: argparse.Namespace) -> int:
    from ..advisor import Advisor
    from ..importers.plan import is_kubernetes, k8s_netperf_config, render, sensitivities
    from ..loading import RequirementsError, load_file

    if args.top < 1:
        raise _Usage("--top must be 1 or more")
    try:
        loaded = load_file(args.requirements)
    except RequirementsError as error:
        for problem in error.problems:
            print(f"cnadvisor: error: {problem}", file=sys.stderr)
        return EXIT_INVALID
    folder = Path(args.output)
    targets = {"plan.md": folder / "plan.md"}
    if is_kubernetes(loaded.requirements):
        targets["k8s-netperf.yml"] = folder / "k8s-netperf.yml"
    clash = [str(p) for p in targets.values() if p.exists()]
    if clash and not args.force:
        raise _Usage(f"{', '.join(clash)} exist; pass --force to replace them")
    advisor = Advisor.from_plugins()
    requirements = loaded.requirements
    evaluation = advisor.evaluate(requirements, source=loaded.source)
    if not evaluation.ranked:
        print("cnadvisor: error: no option is feasible; nothing to measure", file=sys.stderr)
        return EXIT_INVALID
    found = sensitivities(advisor, requirements, evaluation, args.top)
    text = render(requirements, evaluation, found, args.cluster)
    folder.mkdir(parents=True, exist_ok=True)
    if "k8s-netperf.yml" in targets:
        config = k8s_netperf_config(requirements)
        targets["k8s-netperf.yml"].write_text(config, encoding="utf-8")
    targets["plan.md"].write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    print(f"\nwrote {' and '.join(map(str, targets.values()))}", file=sys.stderr)
    return EXIT_OK
