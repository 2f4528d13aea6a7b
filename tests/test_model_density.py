"""Density measured on this host: which factor applies at a given density, and a cache
whose density table is damaged is not trusted (the bench-to-prediction path runs for real
in test_bench.test_local_measurements_calibrate_the_model)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from cnadvisor.model import trained
from cnadvisor.model.density import check_density, density_line, factor_at

STEPS = [[4, 0.9, 2], [16, 0.7, 2]]  # measured at 2 and 8 pairs


@pytest.mark.parametrize(
    ("containers", "expected"),
    [(1, None), (3, None), (4, (0.9, 4)), (15, (0.9, 4)), (16, (0.7, 16)), (500, (0.7, 16))],
)
def test_the_highest_measured_density_at_or_below_applies(containers, expected):
    assert factor_at(STEPS, containers) == expected


def test_the_basis_line_says_what_was_measured_and_where_it_stops():
    assert "below the densities this host measured" in density_line("bridge", STEPS, 2)
    at = density_line("bridge", STEPS, 8)
    assert "×0.90 as this host measured at 4 containers" in at and "--pairs 2" in at
    assert "not measured" not in at
    assert "higher densities not measured" in density_line("bridge", STEPS, 40)


@pytest.mark.parametrize(
    "table",
    [
        [],
        {"bridge": []},
        {"bridge": [[4, 0.9]]},
        {"bridge": [[4, "0.9", 2]]},
        {"bridge": [[4, math.nan, 2]]},
        {"bridge": [[4, -0.9, 2]]},
        {"bridge": "x4"},
        {3: [[4, 0.9, 2]]},
    ],
)
def test_a_damaged_density_table_is_refused(table):
    with pytest.raises(ValueError, match="density"):
        check_density(table)


def test_a_cache_with_a_damaged_density_table_is_not_used(model):
    """`load_or_train` retrains when `_model` raises ValueError (a damaged cache)."""
    meta = {**model.meta, "density": {"bridge": [[4, "lots", 2]]}}
    with pytest.raises(ValueError, match="density"):
        trained._model(model.costs, meta)
    fine = trained._model(model.costs, {**model.meta, "density": {"bridge": STEPS}})
    assert np.array_equal(fine.costs.table, model.costs.table)


@pytest.mark.parametrize("width", [-0.5, math.inf, "wide", None])
def test_a_cache_with_a_damaged_interval_width_is_not_used(model, width):
    """A width that is negative, infinite or not a number in a cached model is damage:
    `_model` raises what `load_or_train` takes as a reason to retrain."""
    meta = {**model.meta, "widths": {**model.meta["widths"], "0": width}}
    with pytest.raises((ValueError, TypeError)):
        trained._model(model.costs, meta)
    assert trained._model(model.costs, model.meta).widths == model.widths


@pytest.fixture(scope="module")
def model(trained_advisor):
    return trained_advisor.model
