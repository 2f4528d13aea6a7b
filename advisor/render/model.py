"""The performance model's text for people: what training did, and what is cached."""

from __future__ import annotations

import io
import math
from pathlib import Path


def training_summary(meta: dict, path: Path, seconds: float, with_local: bool) -> str:
    """`model train`'s report: what it trained on, how long it took, where it is cached,
    and, when calibrated on this host, the local error before and after."""
    lines = []
    if with_local:
        unsteady = meta.get("local_unsteady") or 0
        left_out = (
            f" ({unsteady} left out: their repeats disagree by more than the bench's LARGE spread)"
            if unsteady
            else ""
        )
        lines.append(
            f"using {meta['local_rows']} local measurements{left_out}; `cnadvisor model train` "
            "without --with-local goes back to published data only"
        )
    lines.append(
        f"trained on {meta['observations']} observations ({meta['anchored_rows']} with a "
        f"host baseline) from {len(meta['studies'])} sources and {meta['priors']} documented "
        f"stage costs in {seconds:.1f} s; cached at {path}"
    )
    calibration = meta.get("calibration")
    if calibration:
        lines.append(calibration["summary"])
        errors = calibration.get("leave_one_topology_out")
        if errors:
            lines.append(
                f"local rows, each topology held out: ratio MAE {errors['before']:.3f} "
                f"before calibration, {errors['after']:.3f} after ({errors['rows']} rows, "
                f"{errors['topologies']} topologies)"
            )
            for name, each in errors.get("by_topology", {}).items():
                lines.append(
                    f"  {name} held out: {each['before']:.3f} before, {each['after']:.3f} "
                    f"after ({each['rows']} rows)"
                )
    return "\n".join(lines) + "\n"


def info_table(meta: dict, path: Path, model) -> str:
    """`model info` for people: what the model was trained on, how wide its intervals are,
    where it is cached (the raw metadata is behind `-f json`)."""
    from rich.console import Console
    from rich.table import Table

    from ..model.observations import METRIC_NAMES
    from ..safetext import markup
    from .common import terminal_width

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
