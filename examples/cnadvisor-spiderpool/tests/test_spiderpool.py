"""The example plugin's own tests: what a plugin author runs before publishing."""

from __future__ import annotations

import importlib.metadata

from cnadvisor.model.data import rows_from_dicts
from cnadvisor.plugins import load_plugins
from cnadvisor.profile import SolutionProfile
from cnadvisor_spiderpool import plugin


def test_profile_is_valid():
    (profile,) = plugin.cnadvisor_solutions()
    assert SolutionProfile.model_validate(profile).id == "spiderpool-macvlan"


def test_contributed_rows_are_valid_and_about_this_profile():
    rows = rows_from_dicts(plugin.cnadvisor_benchmarks(), "cnadvisor-spiderpool")
    assert rows and {row.solution_id for row in rows} == {"spiderpool-macvlan"}


def test_entry_point_is_registered_and_loads_cleanly():
    (entry_point,) = [
        ep for ep in importlib.metadata.entry_points(group="cnadvisor") if ep.name == "spiderpool"
    ]
    assert entry_point.value == "cnadvisor_spiderpool.plugin"
    plugin_set = load_plugins()
    assert plugin_set.solutions["spiderpool-macvlan"].plugin == "spiderpool"
    assert not [p for p in plugin_set.problems if p.plugin == "spiderpool"]
