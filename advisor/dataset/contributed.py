"""Rows that do not ship with cnadvisor: plugins' contributions and local bench files.

Shipped data is loaded strictly (a bad shipped row is a bug). Contributed data is loaded
leniently: a bad row, or a malformed local file, is dropped and reported, so one broken
plugin or file never disables the trained model for everyone. Rows that pass the schema
are then vetted (`vet_contributed`): a plugin may describe only its own solutions, unless
the user trusts it, and no row may claim a physically absurd figure.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from ..model.data import BenchmarkRow, DatasetError, parse_rows, rows_from_dicts
from .schema import is_relative

TRUST_VARIABLE = "CNADVISOR_TRUST_PLUGIN_DATA"

# A contributed figure against the host baseline of its own test. A container network
# cannot carry more than the host stack it runs on; 1.5 leaves room for measurement noise
# and offloads the host run lacked. 0.001 is a thousandfold slowdown: a broken setup.
RATIO_RANGE: dict[str, tuple[float, float]] = {
    "throughput": (0.001, 1.5),
    "packet_rate": (0.001, 1.5),
    "connection_rate": (0.001, 1.5),
    "request_rate": (0.001, 1.5),
    "latency": (0.5, 1000.0),  # latency relative to the host's: may grow, hardly halve
    "latency_p99": (0.5, 1000.0),
}
# Sanity bounds on absolute figures in canonical units (not measurements: limits of
# today's hardware, generous by orders of magnitude).
ABSOLUTE_RANGE: dict[str, tuple[float, float, str]] = {
    "Gbps": (1e-4, 1600.0, "Gbps"),
    "Mbps": (1e-1, 1.6e6, "Mbps"),
    "Mpps": (1e-4, 1000.0, "Mpps"),
    "kpps": (1e-1, 1e6, "kpps"),
    "us": (0.1, 1e7, "us"),
    "ms": (1e-4, 1e4, "ms"),
}


@dataclass(frozen=True, slots=True)
class Dropped:
    """A contributed row left out of training, and why."""

    row: BenchmarkRow
    reason: str

    def __str__(self) -> str:
        return f"{self.row.origin}, row {self.row.row_number}: {self.reason}"


def trusted_plugins(environ: dict[str, str] | None = None) -> set[str]:
    """Plugins the user allows to describe other plugins' solutions:
    CNADVISOR_TRUST_PLUGIN_DATA=plugin1,plugin2."""
    text = (os.environ if environ is None else environ).get(TRUST_VARIABLE, "")
    return {name.strip() for name in text.split(",") if name.strip()}


def _ratio(row: BenchmarkRow) -> float | None:
    """The row's figure relative to its reference, when it has one."""
    if is_relative(row.metric, row.unit):
        if row.unit == "ratio":
            return row.value
        if row.metric == "throughput_loss":
            return 1 - row.value / 100
        return 1 + row.value / 100
    if row.metric == "throughput_loss":
        return None
    if not math.isnan(row.baseline_value):
        return row.value / row.baseline_value if row.baseline_value > 0 else math.inf
    return None


def implausible(row: BenchmarkRow) -> str | None:
    """Why a row's figure cannot be physical, or None."""
    if not math.isfinite(row.value):
        return f"value {row.value} is not finite"
    metric = "throughput" if row.metric == "throughput_loss" else row.metric
    ratio = _ratio(row)
    if ratio is not None and metric in RATIO_RANGE:
        low, high = RATIO_RANGE[metric]
        if not low <= ratio <= high:
            return (
                f"{row.metric} ratio to its reference {ratio:.3g} is outside the physical "
                f"range {low:g}-{high:g}"
            )
    if not is_relative(row.metric, row.unit) and row.unit in ABSOLUTE_RANGE:
        low, high, unit = ABSOLUTE_RANGE[row.unit]
        if not low <= row.value <= high:
            return f"{row.metric} {row.value:g} {unit} is outside the plausible {low:g}-{high:g}"
        if row.metric == "throughput" and row.link_gbps > 0:
            gbps = row.value * (1e-3 if row.unit == "Mbps" else 1.0)
            if gbps > row.link_gbps * 1.05:
                return f"throughput {gbps:g} Gbps exceeds the stated link ({row.link_gbps:g})"
    return None


def vet_contributed(
    rows: Iterable[BenchmarkRow],
    plugin_name: str,
    own_solution_ids: Iterable[str],
    trusted: bool | None = None,
) -> tuple[list[BenchmarkRow], list[Dropped]]:
    """Split a plugin's valid rows into those training may use and those it must not.

    A row is dropped when its figure is implausible, or when it names a solution the
    plugin does not register itself, unless the plugin is trusted (by default: named in
    CNADVISOR_TRUST_PLUGIN_DATA). Rows with no solution_id describe no profile and stay."""
    if trusted is None:
        trusted = plugin_name in trusted_plugins()
    own = set(own_solution_ids)
    kept: list[BenchmarkRow] = []
    dropped: list[Dropped] = []
    for row in rows:
        reason = implausible(row)
        if reason is None and row.solution_id and row.solution_id not in own and not trusted:
            reason = (
                f"solution {row.solution_id!r} is not one of plugin {plugin_name!r}'s own; "
                f"set {TRUST_VARIABLE}={plugin_name} to let it describe other solutions"
            )
        if reason is None:
            kept.append(row)
        else:
            dropped.append(Dropped(row, reason))
    return kept, dropped


def contributed_rows(
    items: Iterable[object], origin: str, known_solutions: Iterable[str] | None = None
) -> tuple[list[BenchmarkRow], list[str]]:
    """A plugin's rows, validated one by one: (good rows, one problem line per bad cell).
    Never raises on bad data."""
    known = None if known_solutions is None else list(known_solutions)
    rows: list[BenchmarkRow] = []
    problems: list[str] = []
    for index, item in enumerate(items, start=1):
        try:
            (row,) = rows_from_dicts([item], origin, known)  # type: ignore[list-item]
        except DatasetError as error:
            where = f"{origin}, row {index}"
            problems.extend(p.replace(f"{origin}, row 1", where, 1) for p in error.problems)
            continue
        rows.append(replace(row, row_number=index))
    return rows, problems


def local_files(paths: Iterable[Path]) -> tuple[list[BenchmarkRow], list[str]]:
    """Rows of local measurement CSVs; a file that cannot be read or has any bad row is
    skipped as a whole, with a warning naming it and its problems."""
    rows: list[BenchmarkRow] = []
    warnings: list[str] = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
            rows.extend(parse_rows(text, str(path)))
        except DatasetError as error:
            more = len(error.problems) - 1
            warnings.append(
                f"skipped {path}: {error.problems[0]}" + (f" (and {more} more)" if more else "")
            )
        except (OSError, UnicodeDecodeError, ValueError) as error:
            warnings.append(f"skipped {path}: cannot read it ({error})")
    return rows, warnings
