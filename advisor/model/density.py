"""Container density measured on this host: how an option's ratio to host networking moves
when many copies of it run at once (``cnadvisor bench run --pairs N``).

No published source gives density figures the structural model could use, so density
moves a prediction only for an option this host measured at more than one pair, only in
the scenario measured (intra- or inter-host), and only by what was measured: the ratio
at N pairs over the ratio at one pair, test by test (same protocol, message size and
metric), median over the tests. A pair is two containers. Between measured densities
the factor of the highest one at or below the system's containers per host applies;
below the lowest, none; above the highest, the highest's (the basis line says so).
Every other option keeps "not modelled".
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

CONTAINERS_PER_PAIR = 2  # each copy of a bench topology is two namespaces: two containers
RATE_METRICS = ("throughput", "packet_rate")

# "solution id @ scenario" -> [(containers, factor, tests), ...] in rising containers
# (JSON-safe: the table is kept in the model cache's metadata)
DensityTable = dict[str, list[list[float]]]


def density_key(solution_id: str, scenario: str) -> str:
    """A table key: density moves only the scenario (intra- or inter-host) it was measured in."""
    return f"{solution_id} @ {scenario}"


def measured_density(measurements: Iterable[Any]) -> DensityTable:
    """Density factors per option from the bench's local rows (``LocalMeasurement``s).
    A row's CPU-time ratio is used where it was measured (pinned runs), as calibration
    does: it measures what the copies cost each packet, not what else ran on the machine;
    the wall-clock ratio otherwise."""
    ratios: dict[tuple, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for item in measurements:
        row = item.row
        ratio = item.cpu_ratio if item.cpu_ratio is not None else item.ratio
        if ratio is None or row.metric not in RATE_METRICS or not row.baseline_value:
            continue
        if item.topology is not None and item.topology == item.baseline_topology:
            continue  # a baseline against itself says nothing about the option
        test = (row.solution_id, row.scenario, row.protocol, row.message_size_bytes, row.metric)
        ratios[test][item.pairs].append(ratio)
    by_key: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for (solution, scenario, *_), by_pairs in ratios.items():
        single = by_pairs.get(1)
        if not single:
            continue
        alone = statistics.median(single)
        for pairs, found in by_pairs.items():
            if pairs > 1:
                by_key[density_key(solution, scenario)][pairs].append(
                    statistics.median(found) / alone
                )
    return {
        key: [
            [pairs * CONTAINERS_PER_PAIR, statistics.median(factors), len(factors)]
            for pairs, factors in sorted(steps.items())
        ]
        for key, steps in sorted(by_key.items())
    }


def check_density(table: Any) -> None:
    """Raise ValueError unless ``table`` is a density table (as a cache file holds it)."""
    if not isinstance(table, dict):
        raise ValueError("density: a mapping of option ids expected")
    for solution, steps in table.items():
        if not isinstance(solution, str) or not isinstance(steps, list) or not steps:
            raise ValueError(f"density of {solution!r}: a non-empty list of steps expected")
        for step in steps:
            if (
                not isinstance(step, list)
                or len(step) != 3
                or not all(isinstance(v, int | float) and math.isfinite(v) and v > 0 for v in step)
            ):
                raise ValueError(f"density of {solution!r}: steps of 3 positive numbers expected")


def factor_at(steps: Sequence[Sequence[float]], containers: int) -> tuple[float, int] | None:
    """The measured factor that applies at ``containers`` per host and the density it was
    measured at; None below the lowest measured density."""
    found = None
    for measured, factor, _ in steps:
        if measured <= containers:
            found = (float(factor), int(measured))
    return found


def density_line(key: str, steps: Sequence[Sequence[float]], containers: int) -> str:
    """The basis line of a prediction for an option whose density this host measured."""
    measured = ", ".join(f"{int(c)} containers ×{f:.2f} ({int(n)} test{'s' if n != 1 else ''})"
                         for c, f, n in steps)  # fmt: skip
    found = factor_at(steps, containers)
    if found is None:
        return (f"containers per host ({key}): {containers} is below the densities this "
                f"host measured ({measured}): the one-pair measurement holds")  # fmt: skip
    factor, at = found
    beyond = "; higher densities not measured" if containers > steps[-1][0] else ""
    return (f"containers per host ({key}): ×{factor:.2f} as this host measured at {at} "
            f"containers (`cnadvisor bench run --pairs {at // CONTAINERS_PER_PAIR}`; measured: "
            f"{measured}){beyond}")  # fmt: skip


def summary(table: Mapping[str, Sequence[Sequence[float]]]) -> str:
    """One line naming the options whose density was measured here."""
    return "density measured on this host for " + ", ".join(
        f"{key} (up to {int(steps[-1][0])} containers)" for key, steps in table.items()
    )
