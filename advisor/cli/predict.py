"""``cnadvisor predict``: what-if predictions for named options under one workload given
on the command line, each estimate with its 80 % interval."""

from __future__ import annotations

import argparse
import sys

from . import exit_codes
from .common import (
    UDP_LARGEST,
    UsageError,
    bounded,
    check_solutions,
    load_advisor,
    message_sizes,
    positive,
)


def add_parser(commands: argparse._SubParsersAction, help_text: str) -> None:
    predict = commands.add_parser(
        "predict",
        help=help_text,
        description="Predict what each option costs under one workload, with 80 % intervals.",
    )
    predict.add_argument("solutions", nargs="+", metavar="SOLUTION", help="option ids")
    predict.add_argument(
        "--message-size",
        type=message_sizes(),
        default=(1400,),
        help="application write or datagram size in bytes, comma-separated (TCP up to 1 MiB, "
        f"UDP up to {UDP_LARGEST})",
    )
    predict.add_argument("--protocol", choices=("tcp", "udp"), default="tcp", help="default tcp")
    predict.add_argument(
        "--scenario",
        choices=("inter-host", "intra-host"),
        default="inter-host",
        help="peer on another host (default) or on the same host",
    )
    predict.add_argument(
        "--virtualization",
        choices=("bare-metal", "vm"),
        default="bare-metal",
        help="containers on bare metal or inside VMs (a virtio/vhost stage on every path)",
    )
    predict.add_argument(
        "--containers-per-host", type=positive, default=1, help="density (not modelled yet)"
    )
    predict.add_argument("--cpu-pinning", action="store_true", help="(not modelled yet)")
    predict.add_argument("--streams", type=positive, default=1, help="parallel flows")
    predict.add_argument(
        "--cores", type=positive, default=1, help="cores the flows may use (one per flow at most)"
    )
    predict.add_argument(
        "--via-service",
        action="store_true",
        help="through a Kubernetes Service (kube-proxy DNAT, or the CNI's eBPF load balancer)",
    )
    predict.add_argument(
        "--packet-io",
        action="store_true",
        help="the application uses DPDK or AF_XDP where the option gives the pod such an interface",
    )
    predict.add_argument(
        "--nic-gbps", type=bounded(float, 0.001, 1600), default=10.0, help="NIC speed, Gbit/s"
    )
    predict.add_argument(
        "--mtu", type=bounded(int, 576, 65535), default=1500, help="underlay MTU, bytes"
    )
    predict.add_argument(
        "--model",
        choices=("trained", "analytical"),
        default="trained",
        help="trained (default) or header arithmetic at line rate only",
    )
    predict.add_argument(
        "--format", "-f", choices=("table", "json", "csv"), default="table",
        help="table (default), json or csv, every estimate with its interval",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from ..performance import WorkloadPoint
    from ..render.predict import render_predictions

    sizes = list(args.message_size)
    if args.protocol == "udp" and max(sizes) > UDP_LARGEST:
        raise UsageError(f"--message-size values must be 1..{UDP_LARGEST} bytes for UDP")
    advisor = load_advisor(args, analytical=args.model == "analytical")
    check_solutions(args.solutions, (item.profile.id for item in advisor.solutions))
    base = WorkloadPoint(
        message_size=sizes[0],
        protocol=args.protocol,
        scenario=args.scenario,
        virtualization=args.virtualization,
        containers_per_host=args.containers_per_host,
        cpu_pinning=args.cpu_pinning,
        nic_gbps=args.nic_gbps,
        underlay_mtu=args.mtu,
        streams=args.streams,
        cores=args.cores,
        via_service=args.via_service,
        packet_io=args.packet_io,
    )
    predicted = advisor.predict_sizes(args.solutions, base, sizes)
    records = [
        (solution_id, size, prediction)
        for solution_id in args.solutions
        for size, prediction in zip(sizes, predicted[solution_id], strict=True)
    ]
    sys.stdout.write(render_predictions(records, args, advisor.model.name))
    return exit_codes.OK
