"""Documented costs of plugin-registered stages, applied where those stages are used.

A stage a plugin registers has no rows of its own: the model prices it at its kind's
fitted level (one stand-in term per kind, ``kind:<kind>``). When the plugin declares a
cost a source states (``priors`` in ``cnadvisor_stages``), a path through that stage pays
the stated figure instead. Several registered stages of one kind on one path share the
stand-in term, so the term's cost for that path is their mean: summed over the path, each
stage pays its own figure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from ..stages import registered_stages
from .structure import INDEX, PARAMETERS, StageCosts, term_for


def documented_costs() -> dict[str, dict[str, float]]:
    """Each registered stage's stated costs, by stage name then parameter."""
    found: dict[str, dict[str, float]] = {}
    for name, registered in registered_stages().items():
        for prior in registered.priors:  # declared by the cost-table parameter's name
            if prior.parameter in PARAMETERS:
                found.setdefault(name, {})[prior.parameter] = prior.value
    return found


def overrides_for(
    stages: Iterable[str], costs: StageCosts, documented: Mapping[str, Mapping[str, float]]
) -> tuple[tuple[int, int, float], ...]:
    """(term row, parameter column, cost) to set for one path: for each stand-in term the
    path's documented stages use, the mean over its stages of the stated figure (or the
    kind's fitted level where a stage states none)."""
    by_term: dict[int, list[str]] = {}
    for name in stages:
        term = term_for(name)
        if name not in INDEX and term.startswith("kind:"):
            by_term.setdefault(INDEX[term], []).append(name)
    cells = []
    for row, names in sorted(by_term.items()):
        if not any(name in documented for name in names):
            continue
        for column, parameter in enumerate(PARAMETERS):
            values = [documented.get(n, {}).get(parameter, float(costs.table[row, column]))
                      for n in names]  # fmt: skip
            cells.append((row, column, float(np.mean(values))))
    return tuple(cells)


def with_overrides(costs: StageCosts, cells: tuple[tuple[int, int, float], ...]) -> StageCosts:
    """The cost table with those cells set (the fitted costs themselves are not changed)."""
    if not cells:
        return costs
    table = costs.table.copy()
    for row, column, value in cells:
        table[row, column] = value
    return StageCosts(table, costs.offload_loss)
