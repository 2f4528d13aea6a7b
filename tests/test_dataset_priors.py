"""Stage priors are checked like rows: cited, with a known parameter, its unit, a sane value."""

from __future__ import annotations

import pytest
from cnadvisor.dataset.files import shipped_sources
from cnadvisor.dataset.priors import PRIOR_COLUMNS, check_priors, load_priors

GOOD = {
    "stage": "vxlan", "parameter": "mpps_per_core", "value": "1.2", "unit": "Mpps",
    "conditions": "64 B", "source_id": "s", "locator": "Table 1", "notes": "",
}  # fmt: skip


def _text(*rows: dict) -> str:
    lines = [",".join(PRIOR_COLUMNS)] + [",".join(r[c] for c in PRIOR_COLUMNS) for r in rows]
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
    ],
)
def test_a_bad_prior_names_file_row_and_column(change, expected):
    good, problems = check_priors(_text(GOOD, GOOD | change), {"s"}, {"vxlan"}, "p.csv")
    assert len(good) == 1
    (problem,) = problems
    assert problem.row == 3 and str(problem).startswith("p.csv, row 3, column ")
    assert expected in str(problem)
