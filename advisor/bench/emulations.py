"""Which bench topology emulates which solution: declared by plugins, never by the bench.

The bench knows datapaths (a veth pair, a bridge, a VXLAN overlay, ...), not products.
Each plugin says, through the ``cnadvisor_bench_topologies`` hook, which topology
emulates the datapath of its own profiles; the built-in plugins do the same for the
built-in profiles. This module is the one place that calls that hook and validates its
items, so ``bench run``, ``bench list`` and the rows agree on the labels.

A topology's rows carry the id of the first solution declared for it (built-in plugins
are loaded first); ``bench run <solution id>`` measures the same topology labelled with
that solution instead.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .topologies import RENAMED, TOPOLOGIES, Topology

if TYPE_CHECKING:
    from ..plugins import PluginSet

HOOK = "cnadvisor_bench_topologies"
KEYS = ("solution_id", "topology")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Emulation:
    """One plugin's statement: ``topology`` emulates the datapath of ``solution_id``."""

    solution_id: str
    topology: str
    plugin: str


def check_item(index: int, item: Any) -> dict[str, str]:
    """One hook item as {"solution_id", "topology"}, or ItemError saying what is wrong."""
    from ..plugins import ItemError

    where = f"item {index}"
    if not isinstance(item, dict):
        kind = type(item).__name__
        raise ItemError(f"{where}: expected a dict with keys {list(KEYS)}, got {kind}")
    unknown = sorted(str(key) for key in item if key not in KEYS)
    missing = [key for key in KEYS if key not in item]
    if unknown or missing:
        raise ItemError(
            f"{where}: expected exactly the keys {list(KEYS)}"
            + (f"; unknown {unknown}" if unknown else "")
            + (f"; missing {missing}" if missing else "")
        )
    solution, topology = item["solution_id"], item["topology"]
    if not isinstance(solution, str) or not _ID.match(solution):
        raise ItemError(f"{where}: solution_id {solution!r} is not a profile id")
    if not isinstance(topology, str) or topology not in TOPOLOGIES:
        raise ItemError(
            f"{where}: topology {topology!r} is not a bench topology; "
            f"expected one of {sorted(TOPOLOGIES)} (see `cnadvisor bench list`)"
        )
    return {"solution_id": solution, "topology": topology}


def declared(plugin_set: PluginSet | None = None) -> list[Emulation]:
    """Every valid declaration of every plugin, in plugin order (built-ins first).

    A plugin may declare only its own solutions: an item about a solution another plugin
    registered, or about no registered solution, is reported on the plugin set and left
    out (as contributed benchmark rows are)."""
    own = plugin_set is None
    if plugin_set is None:
        from ..plugins import load_plugins

        plugin_set = load_plugins()
    found = _collect(plugin_set)
    if own:  # nobody else holds this plugin set: say what was left out, once each
        for problem in plugin_set.problems:
            if problem.step == HOOK:
                warnings.warn(f"{problem}; left out", stacklevel=2)
    return found


def _collect(plugin_set: PluginSet) -> list[Emulation]:
    found: list[Emulation] = []
    for plugin, items in plugin_set.call_each(HOOK, validate=check_item):
        for item in items:
            owner = plugin_set.solutions.get(item["solution_id"])
            if owner is None or owner.plugin != plugin:
                whose = "no plugin" if owner is None else f"plugin {owner.plugin!r}"
                plugin_set.report(
                    plugin,
                    HOOK,
                    f"solution {item['solution_id']!r} (topology {item['topology']!r}) is "
                    f"registered by {whose}, not by this plugin; a plugin declares topologies "
                    "for its own solutions only",
                )
                continue
            emulation = Emulation(item["solution_id"], item["topology"], plugin)
            if emulation not in found:
                found.append(emulation)
    return found


def solutions_of(topology: str, emulations: Iterable[Emulation]) -> list[str]:
    """The solution ids declared for one topology, first declared first."""
    return list(dict.fromkeys(e.solution_id for e in emulations if e.topology == topology))


def labelled(topology: Topology, emulations: Sequence[Emulation], solution: str = "") -> Topology:
    """The topology carrying ``solution`` (default: the first declared for it) as the
    solution id of its rows, and the other declared ones as ``also_emulates``."""
    ids = solutions_of(topology.name, emulations)
    chosen = solution or (ids[0] if ids else "")
    others = tuple(i for i in ids if i != chosen)
    return replace(topology, solution_id=chosen, also_emulates=others)


def resolve(names: Sequence[str], emulations: Sequence[Emulation]) -> list[tuple[Topology, str]]:
    """Each requested name as (topology, solution id asked for, or ""): a topology name,
    or a solution id some plugin declared a topology for, or a topology's name before
    the rename (:data:`~.topologies.RENAMED`, with a FutureWarning saying the new one).
    ValueError for anything else, or for two names that need the same topology under
    different solution ids."""
    by_solution: dict[str, str] = {}
    for emulation in emulations:
        by_solution.setdefault(emulation.solution_id, emulation.topology)
    chosen: dict[str, str] = {}
    unknown = []
    for name in names:
        if name in TOPOLOGIES:
            topology, solution = name, ""
        elif name in by_solution:
            topology, solution = by_solution[name], name
        elif name in RENAMED:
            topology, solution = RENAMED[name], ""
            warnings.warn(
                f"topology {name!r} is now called {topology!r}; the old name is accepted "
                "until the next release",
                FutureWarning,
                stacklevel=2,
            )
        else:
            unknown.append(name)
            continue
        earlier = chosen.get(topology, "")
        if earlier and solution and earlier != solution:
            raise ValueError(
                f"{name!r} and {earlier!r} are measured by the same topology {topology!r}; "
                "run them separately"
            )
        chosen[topology] = solution or earlier
    if unknown:
        raise ValueError(
            f"unknown topology or solution {unknown}; see `cnadvisor bench list` "
            "(topologies, and the solution ids plugins declared for them)"
        )
    return [(TOPOLOGIES[t], s) for t, s in chosen.items()]
