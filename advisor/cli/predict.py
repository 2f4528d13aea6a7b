"""``cnadvisor predict``: what-if predictions for named options under one workload given
on the command line, each estimate with its 80 % interval."""

from __future__ import annotations

import argparse
import sys

from . import exit_codes
from .common import (
    TCP_LARGEST,
    UDP_LARGEST,
    UsageError,
    add_format_option,
    add_message_size_option,
    add_scenario_option,
    bounded,
    check_solutions,
    load_advisor,
    positive,
)

# WorkloadPoint field → its option and argparse keywords: one row per modelled factor, so
# the parser and the point built from it cannot drift apart (--scenario and
# --message-size are shared with `import` and declared in common)
FACTORS: dict[str, tuple[str, dict]] = {
    "protocol": ("--protocol", {"choices": ("tcp", "udp"), "default": "tcp",
                                "help": "default tcp"}),
    "virtualization": ("--virtualization", {
        "choices": ("bare-metal", "vm"), "default": "bare-metal",
        "help": "containers on bare metal or inside VMs (a virtio/vhost stage on every path)"}),
    "containers_per_host": ("--containers-per-host", {
        "type": positive, "default": 1, "metavar": "N",
        "help": "density: moves an option's prediction only where this host measured it "
        "(`bench run --pairs N`, then `model train --with-local`)"}),
    "cpu_pinning": ("--cpu-pinning", {"action": "store_true", "help": "(not modelled)"}),
    "streams": ("--streams", {"type": positive, "default": 1, "metavar": "N",
                              "help": "parallel flows (default 1)"}),
    "cores": ("--cores", {"type": positive, "default": 1, "metavar": "N",
                          "help": "cores the flows may use (default 1; a flow uses one)"}),
    "via_service": ("--via-service", {
        "action": "store_true",
        "help": "through a Kubernetes Service (kube-proxy DNAT, or the CNI's eBPF load balancer)"}),
    "packet_io": ("--packet-io", {
        "action": "store_true",
        "help": "the application uses DPDK or AF_XDP where the option gives the pod such an "
        "interface"}),
    "nic_gbps": ("--nic-gbps", {"type": bounded(float, 0.001, 1600), "default": 10.0,
                                "metavar": "GBPS", "help": "NIC speed, Gbit/s (default 10)"}),
    "underlay_mtu": ("--mtu", {"type": bounded(int, 576, 65535), "default": 1500,
                               "metavar": "BYTES", "help": "underlay MTU (default 1500)"}),
}  # fmt: skip


def add_parser(commands: argparse._SubParsersAction, help_text: str) -> None:
    predict = commands.add_parser(
        "predict",
        help=help_text,
        description="Predict what each option costs under one workload, with 80 % intervals.",
    )
    predict.add_argument("solutions", nargs="+", metavar="SOLUTION", help="option ids")
    add_message_size_option(
        predict,
        many=True,
        high=TCP_LARGEST,
        default=(1400,),
        help="application write or datagram size, comma-separated (default 1400; TCP up to "
        f"1 MiB, UDP up to {UDP_LARGEST})",
    )
    add_scenario_option(predict, default="inter-host")
    for flag, keywords in FACTORS.values():
        predict.add_argument(flag, **keywords)
    predict.add_argument(
        "--model",
        choices=("trained", "analytical"),
        default="trained",
        help="trained (default) or header arithmetic at line rate only",
    )
    add_format_option(
        predict, ("table", "json", "csv"), "table (default), json or csv, every estimate with "
        "its interval"
    )  # fmt: skip


def workload(args: argparse.Namespace, message_size: int):
    """The point the command line describes, at one message size."""
    from ..performance import WorkloadPoint

    given = {
        field: getattr(args, flag[2:].replace("-", "_")) for field, (flag, _) in FACTORS.items()
    }
    return WorkloadPoint(message_size=message_size, scenario=args.scenario, **given)


def run(args: argparse.Namespace) -> int:
    from ..render.predict import render_predictions

    sizes = list(args.message_size)
    if args.protocol == "udp" and max(sizes) > UDP_LARGEST:
        raise UsageError(f"--message-size values must be 1..{UDP_LARGEST} bytes for UDP")
    advisor = load_advisor(args, analytical=args.model == "analytical")
    check_solutions(args.solutions, (item.profile.id for item in advisor.solutions))
    predicted = advisor.predict_sizes(args.solutions, workload(args, sizes[0]), sizes)
    records = [
        (solution_id, size, prediction)
        for solution_id in args.solutions
        for size, prediction in zip(sizes, predicted[solution_id], strict=True)
    ]
    sys.stdout.write(render_predictions(records, args, advisor.model.name))
    return exit_codes.OK
