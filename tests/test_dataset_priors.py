"""Stage priors are checked like rows: cited, with a known parameter, its unit, a sane value."""

from __future__ import annotations

import math

import pytest
from cnadvisor.dataset.files import shipped_sources
from cnadvisor.dataset.priors import (
    PATH_COLUMN,
    PRIOR_COLUMNS,
    check_priors,
    load_priors,
    parse_path,
)

GOOD = {
    "stage": "vxlan", "parameter": "mpps_per_core", "value": "1.2", "unit": "Mpps",
    "conditions": "64 B", "source_id": "s", "locator": "Table 1", "notes": "",
}  # fmt: skip


def _text(*rows: dict) -> str:
    columns = (*PRIOR_COLUMNS, PATH_COLUMN)
    lines = [",".join(columns)] + [",".join(r.get(c, "") for c in columns) for r in rows]
    return "\n".join(lines) + "\n"


def test_the_shipped_priors_pass_and_cite_listed_sources():
    priors = load_priors()
    sources = shipped_sources()
    assert priors and all(p["source_id"] in sources and p["locator"] for p in priors)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"value": "inf"}, "column value: inf (expected a finite number > 0"),
        ({"value": "-3"}, "column value: -3 (expected a finite number > 0"),
        ({"value": "fast"}, "column value: 'fast' is not a number"),
        ({"parameter": "throughput_ratio", "unit": "ratio", "value": "2.5"}, "<= 1.5"),
        ({"unit": "Gbps"}, "column unit: 'Gbps' (expected 'Mpps' for mpps_per_core)"),
        ({"parameter": "speed"}, "column parameter: 'speed' is not one of"),
        ({"source_id": "nobody"}, "column source_id: 'nobody' not in sources.csv"),
        ({"locator": ""}, "column locator: empty"),
        ({"stage": "vxlna"}, "column stage: 'vxlna' is not a known stage or term"),
        ({"path": "kernel-stack+vxlan"}, "column path: 'kernel-stack' is not a known stage"),
        ({"path": "2x*vxlan"}, "column path: '2x*vxlan' is not [share*]term"),
        ({"path": "9*vxlan"}, "column path: '9*vxlan' is not [share*]term"),
        ({"path": "vxlan+"}, "column path: '' is not [share*]term"),
    ],
)
def test_a_bad_prior_names_file_row_and_column(change, expected):
    good, problems = check_priors(_text(GOOD, GOOD | change), {"s"}, {"vxlan"}, "p.csv")
    assert len(good) == 1
    (problem,) = problems
    assert problem.row == 3 and str(problem).startswith("p.csv, row 3, column ")
    assert expected in str(problem)


def test_a_path_names_what_a_figure_covers_and_defaults_to_the_stage_alone():
    assert parse_path("", "vxlan") == (("vxlan", 1.0),)
    assert parse_path("0.5*kernel-stack + routed-hop", "routed-hop") == (
        ("kernel-stack", 0.5),
        ("routed-hop", 1.0),
    )


def test_a_forwarding_rate_pulls_the_sum_of_its_path_not_its_stage_alone():
    """A per-core forwarding rate through one host covers that host's stack as well, so the
    fit reads it as the summed cost of both terms (2 Mpps: 500 ns), not the hop's alone."""
    from cnadvisor.model.fitting import prior_targets
    from cnadvisor.model.structure import INDEX

    row = GOOD | {"stage": "routed-hop", "value": "2", "path": "kernel-stack+routed-hop"}
    ((path, parameter, log_cost),) = prior_targets([row])
    assert sorted(path) == sorted([(INDEX["kernel-stack"], 1.0), (INDEX["routed-hop"], 1.0)])
    assert parameter == 0 and abs(log_cost - math.log(500.0)) < 1e-9
