"""``cnadvisor import FORMAT FILE...``: store cluster measurements (knb, k8s-netperf,
iperf3, netperf, sockperf) so rankings show them beside the predictions."""

from __future__ import annotations

import argparse

from . import exit_codes
from .common import (
    UDP_LARGEST,
    UsageError,
    add_message_size_option,
    add_scenario_option,
    add_switch,
    check_solutions,
    load_plugin_set,
    print_errors,
)

PLACEMENT_FORMATS = ("iperf3", "netperf", "sockperf")  # files that do not record placement


def add_parser(commands: argparse._SubParsersAction, help_text: str) -> None:
    from ..importers.api import DESCRIPTIONS

    importer = commands.add_parser(
        "import",
        help=help_text,
        description="Formats: " + "; ".join(f"{k}: {v}" for k, v in DESCRIPTIONS.items()),
    )
    importer.add_argument(
        "format", choices=sorted(DESCRIPTIONS), metavar="FORMAT", help=", ".join(DESCRIPTIONS)
    )
    importer.add_argument("files", nargs="+", metavar="FILE", help="the tool's output files")
    importer.add_argument("--solution", required=True, metavar="ID", help="the option measured")
    importer.add_argument(
        "--cluster",
        default="default",
        metavar="NAME",
        help="the cluster measured, any name (default: default)",
    )
    only = "iperf3/netperf/sockperf only: "
    add_scenario_option(importer, default=None, note=only)
    add_switch(importer, "--service", f"{only}the client reached the server through a Service")
    add_message_size_option(
        importer, many=False, high=UDP_LARGEST, help="sockperf/netperf, when not in the file"
    )


def run(args: argparse.Namespace) -> int:
    from ..dataset.schema import HOST_NETWORKING
    from ..importers.api import ImportFailed, import_files
    from ..importers.common import Options

    if args.format not in PLACEMENT_FORMATS and (
        args.scenario or args.service is not None or args.message_size
    ):
        raise UsageError(
            f"{args.format} records placement, Service use and message size itself; "
            "--scenario, --service and --message-size are for " + ", ".join(PLACEMENT_FORMATS)
        )
    # host-network runs are stored under the dataset's own word for them, installed or not
    known = {*load_plugin_set(args.strict_plugins).solutions, HOST_NETWORKING}
    check_solutions([args.solution], known, "--solution")
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
        print_errors([*failed.problems, "nothing was imported"])
        return exit_codes.PROBLEMS
    for name, count in report.imported:
        print(f"imported {name}: {count} rows (cluster {args.cluster}, solution {args.solution})")
    for name, why in report.skipped:
        print(f"skipped {name}: {why}")
    if report.written:
        print(f"stored in {report.written[0].parent}")
    return exit_codes.OK
