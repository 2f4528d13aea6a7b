"""The `model` and `predict` commands: kept apart so `evaluate` never imports them."""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
import time
from pathlib import Path

from ..performance import WorkloadPoint


def model_command(args: argparse.Namespace, advisor) -> int:
    from ..model import cache
    from ..model.trained import cache_key, set_use_local, train, training_data, use_local

    profiles = {item.profile.id: item.profile for item in advisor.solutions}
    with_local = args.with_local or (args.action != "train" and use_local())
    load_rows, fingerprint = training_data(advisor.plugins, with_local=with_local)
    key = cache_key(fingerprint, profiles)
    if args.action == "train":
        started = time.perf_counter()
        model, meta = train(profiles, load_rows())
        path = cache.save(key, {"costs": model.costs.table}, meta)
        set_use_local(args.with_local)
        if args.with_local:
            print(
                f"using {meta['local_rows']} local measurements; `cnadvisor model train` "
                "without --with-local goes back to published data only"
            )
        print(
            f"trained on {meta['observations']} observations ({meta['anchored_rows']} with a "
            f"host baseline) from {len(meta['studies'])} sources and {meta['priors']} documented "
            f"stage costs in {time.perf_counter() - started:.1f} s; cached at {path}"
        )
        if meta.get("calibration"):
            calibration = meta["calibration"]
            print(calibration["summary"])
            errors = calibration.get("leave_one_topology_out")
            if errors:
                print(
                    f"local rows, each topology held out: ratio MAE {errors['before']:.3f} "
                    f"before calibration, {errors['after']:.3f} after ({errors['rows']} rows, "
                    f"{errors['topologies']} topologies)"
                )
        return 0
    if args.action == "info":
        cached = cache.load(key)
        if cached is None:
            print(f"no trained model cached for this data yet ({cache.path_for(key)}); "
                  "`cnadvisor model train` makes one")  # fmt: skip
            return 0
        meta = cached[1]
        if getattr(args, "format", "json") == "json":
            print(json.dumps({"cache": str(cache.path_for(key))} | meta, indent=2))
        else:
            print(info_table(meta, cache.path_for(key), advisor.model), end="")
        return 0
    from ..dataset.load import underlay_mtus
    from ..model.card import write_card
    from ..model.observations import build

    rows = load_rows()
    model, meta = train(profiles, rows)
    observations = build(rows, profiles, underlay_mtus())
    card, figures = write_card(observations, model, meta, Path(args.output))
    print(f"model card: {card}")
    for line in figures["summary"]:
        print(line)
    if getattr(args, "readme", None):
        from ..model.card import update_readme

        if update_readme(Path(args.readme), Path(args.output)):
            print(f"updated the model headline in {args.readme}")
        else:
            print(f"{args.readme} has no generated model-headline block", file=sys.stderr)
            return 1
    return 0


def info_table(meta: dict, path: Path, model) -> str:
    """`model info` for people: what the model was trained on, how wide its intervals are,
    where it is cached (the raw metadata is behind `-f json`)."""
    from rich.console import Console
    from rich.table import Table

    from ..model.observations import METRIC_NAMES
    from ..render.common import terminal_width
    from ..safetext import markup

    table = Table(title="performance model", show_header=False, box=None, padding=(0, 2))
    table.add_column("what", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    table.add_row("model", markup(f"{model.name}: {model.description}"))
    studies = meta.get("studies", [])
    table.add_row(
        "trained on",
        f"{meta.get('observations', '?')} observations ({meta.get('anchored_rows', '?')} with "
        f"a host baseline) from {len(studies)} sources, and {meta.get('priors', '?')} "
        "documented stage costs",
    )
    table.add_row("sources", markup(", ".join(studies)) or "-")
    calibration = meta.get("calibration")
    table.add_row(
        "this host",
        markup(calibration["summary"]) if calibration else
        f"{meta.get('local_rows', 0)} local measurements used (`model train --with-local`)",
    )  # fmt: skip
    widths = meta.get("widths", {})
    spreads = [
        f"{METRIC_NAMES[int(k)]} ×/÷ {math.exp(float(v)):.2f}"
        for k, v in sorted(widths.items(), key=lambda item: int(item[0]))
        if int(k) < len(METRIC_NAMES)
    ]
    table.add_row("80 % intervals", "; ".join(spreads) or "-")
    if "seconds" in meta:
        table.add_row("training took", f"{float(meta['seconds']):.1f} s")
    versions = meta.get("versions", {})
    table.add_row("versions", ", ".join(f"{k} {v}" for k, v in versions.items()) or "-")
    table.add_row("cache", markup(str(path)))
    buffer = io.StringIO()
    Console(file=buffer, width=terminal_width(), no_color=True, emoji=False).print(table)
    return buffer.getvalue()


COLUMNS = (
    "solution", "message_size", "protocol", "scenario", "virtualization", "model",
    "throughput_ratio", "ratio_low", "ratio_high", "throughput_gbps", "gbps_low", "gbps_high",
    "packet_rate_mpps", "mpps_low", "mpps_high", "latency_us", "latency_low", "latency_high",
    "added_latency_us", "added_low", "added_high", "effective_mtu", "basis",
)  # fmt: skip
ESTIMATES = ("throughput_ratio", "throughput_gbps", "packet_rate_mpps", "latency_us",
             "added_latency_us")  # fmt: skip


def predict_command(args: argparse.Namespace, advisor, sizes: list[int]) -> str:
    records = []
    for solution_id in args.solutions:
        profile = advisor.solution(solution_id).profile
        for size in sizes:
            point = WorkloadPoint(
                message_size=size,
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
            prediction = advisor.model.predict(profile, point)
            records.append((solution_id, size, prediction))
    if args.format == "json":
        return (
            json.dumps(
                [
                    {"solution": s, "message_size": m, **p.model_dump(mode="json")}
                    for s, m, p in records
                ],
                indent=2,
            )
            + "\n"
        )
    if args.format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        for solution_id, size, p in records:
            writer.writerow(
                [solution_id, size, args.protocol, p.scenario, args.virtualization, p.model]
                + [
                    x
                    for name in ESTIMATES
                    for e in [getattr(p, name)]
                    for x in (e.value, e.low, e.high)
                ]
                + [p.effective_mtu, " | ".join(p.basis)]
            )
        return buffer.getvalue()
    from rich.console import Console
    from rich.table import Table

    from ..render.common import terminal_width

    buffer = io.StringIO()
    console = Console(file=buffer, width=terminal_width(), no_color=True)
    table = Table(
        title=f"{args.scenario}, {args.protocol.upper()}, {args.virtualization}, "
        f"{args.nic_gbps:g} Gbit/s NIC, MTU {args.mtu}, {args.streams} stream(s) on "
        f"{args.cores} core(s)"
        + (", via a Service" if args.via_service else "")
        + (", DPDK/AF_XDP in the pod" if args.packet_io else ""),
        caption=f"model: {advisor.model.name} · intervals: 80 %",
    )
    for column in ("solution", "message", "× host", "Gbit/s", "Mpps", "+µs one way", "MTU"):
        table.add_column(column)
    for solution_id, size, p in records:
        table.add_row(
            solution_id,
            f"{size} B",
            p.throughput_ratio.text(2),
            p.throughput_gbps.text(2),
            p.packet_rate_mpps.text(3),
            p.added_latency_us.text(1),
            str(p.effective_mtu or "-"),
        )
    console.print(table)
    notes = sorted({line for _, _, p in records for line in p.basis if "not modelled" in line})
    for note in notes:
        console.print(f"note: {note}", markup=False)
    return buffer.getvalue()
