"""The schema rejects what the data card says it rejects, naming file, row and column."""

from __future__ import annotations

import csv
import io
import math

import pytest
from cnadvisor.dataset.schema import COLUMNS, RULES, SCHEMA, UNITS_BY_METRIC, Context, check_text
from cnadvisor.model.data import DatasetError, parse_rows, rows_from_dicts
from hypothesis import given, settings
from hypothesis import strategies as st

GOOD = {c: "" for c in COLUMNS} | {
    "source_id": "s", "locator": "Table 1", "solution_id": "calico-vxlan",
    "scenario": "inter-host", "virtualization": "bare-metal", "protocol": "tcp",
    "encryption": "none", "metric": "throughput", "unit": "Gbps", "value": "9.1",
    "baseline_value": "9.4", "baseline_label": "host row", "streams": "1",
    "message_size_bytes": "1024",
}  # fmt: skip
ORIGIN = "datasets/published/s.csv"


def _csv(*rows: dict) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _problems(*changes: dict, **context) -> list[str]:
    """Problems of a file with one good row then one row per change."""
    text = _csv(GOOD, *(GOOD | change for change in changes))
    _, problems = check_text(text, ORIGIN, Context(**context))
    return [str(p) for p in problems]


def test_the_good_row_passes_every_rule():
    (row,) = parse_rows(
        _csv(GOOD), ORIGIN, {"s"}, expected_source="s", known_solutions={"calico-vxlan"}
    )
    assert row.value == 9.1 and row.baseline_label == "host row" and row.row_number == 2


# Every rejection case of issue 10, with the message it must give.
CASES = [
    pytest.param(
        {"solution_id": "calico-vxlam"},
        {"known_solutions": frozenset({"calico-vxlan"})},
        "row 3, column solution_id: 'calico-vxlam' is not a known profile id",
        id="unknown-solution-id",
    ),
    pytest.param({"value": "inf"}, {}, "row 3, column value: inf is not finite", id="value-inf"),
    pytest.param(
        {"value": "-3.2"},
        {},
        "row 3, column value: -3.2 is negative (expected >= 0",
        id="value-negative",
    ),
    pytest.param(
        {"baseline_label": ""},
        {},
        "row 3, column baseline_label: empty while baseline_value is set",
        id="baseline-without-label",
    ),
    pytest.param(
        {"unit": "us"},
        {},
        "row 3, column unit: 'us' is not a unit of throughput (expected one of "
        "['Gbps', 'Mbps', 'percent', 'ratio'])",
        id="throughput-in-us",
    ),
    pytest.param(
        {"source_id": "other"},
        {"expected_source": "s"},
        "row 3, column source_id: 'other' differs from the file (expected 's')",
        id="source-id-not-file",
    ),
    pytest.param(
        {"message_size_bytes": "-64"},
        {},
        "row 3, column message_size_bytes: -64 is below 1 (expected >= 1)",
        id="negative-message-size",
    ),
    pytest.param(
        {"streams": "1.5"},
        {},
        "row 3, column streams: 1.5 is not a whole number (expected a positive integer)",
        id="fractional-streams",
    ),
    pytest.param(
        {"streams": "0"},
        {},
        "row 3, column streams: 0 is below 1 (expected >= 1)",
        id="zero-streams",
    ),
    pytest.param(
        {"unit": "percent", "relative_to": ""},
        {},
        "row 3, column relative_to: empty for a relative unit (percent)",
        id="relative-without-reference",
    ),
    pytest.param(
        {"metric": "packet_rate", "unit": "Gbps"},
        {},
        "row 3, column unit: 'Gbps' is not a unit of packet_rate",
        id="packet-rate-in-gbps",
    ),
    pytest.param(
        {"metric": "latency", "unit": "Mpps"},
        {},
        "row 3, column unit: 'Mpps' is not a unit of latency",
        id="latency-in-mpps",
    ),
    pytest.param(
        {"source_id": "nobody"},
        {"known_sources": frozenset({"s"})},
        "row 3, column source_id: 'nobody' not in sources.csv",
        id="unlisted-source",
    ),
    pytest.param(
        {"baseline_value": "-1"},
        {},
        "row 3, column baseline_value: -1 is negative",
        id="negative-baseline",
    ),
    pytest.param(
        {"baseline_virtualization": "bare-metal", "baseline_value": "", "baseline_label": ""},
        {},
        "row 3, column baseline_virtualization: set without baseline_value",
        id="baseline-virtualization-without-baseline",
    ),
    pytest.param(
        {"baseline_virtualization": "bare-metal"},
        {},
        "row 3, column baseline_virtualization: 'bare-metal' beside virtualization 'bare-metal'",
        id="baseline-virtualization-same-as-row",
    ),
    pytest.param(
        {"baseline_virtualization": "metal"},
        {},
        "row 3, column baseline_virtualization: 'metal' is not one of",
        id="baseline-virtualization-unknown-value",
    ),
]


@pytest.mark.parametrize(("change", "context", "expected"), CASES)
def test_each_bad_row_is_rejected_with_file_row_and_column(change, context, expected):
    (problem,) = _problems(change, **context)
    assert problem == f"{ORIGIN}, {expected}" or problem.startswith(f"{ORIGIN}, {expected}")


def test_the_same_cases_raise_through_the_model_adapter():
    with pytest.raises(DatasetError) as error:
        parse_rows(_csv(GOOD, GOOD | {"value": "inf"}), ORIGIN, {"s"}, expected_source="s")
    assert error.value.problems == [
        f"{ORIGIN}, row 3, column value: inf is not finite (expected a finite number)"
    ]


def test_all_problems_of_a_file_are_collected_not_just_the_first():
    problems = _problems({"value": "-1"}, {"streams": "2.5", "unit": "us"}, {"scenario": "moon"})
    rows = sorted(p.split(", column")[0] for p in problems)
    assert rows == [f"{ORIGIN}, row 3", f"{ORIGIN}, row 4", f"{ORIGIN}, row 4", f"{ORIGIN}, row 5"]


def test_signed_relative_percentages_may_be_negative_but_not_below_minus_100():
    relative = {
        "unit": "percent",
        "relative_to": "Docker bridge mode",
        "baseline_value": "",
        "baseline_label": "",
    }
    assert _problems(relative | {"value": "-5"}) == []
    (problem,) = _problems(relative | {"value": "-140"})
    assert "column value: -140 % is below -100 %" in problem


def test_cpu_percent_is_a_share_not_a_relative_figure():
    share = {"metric": "cpu", "unit": "percent", "baseline_value": "", "baseline_label": ""}
    assert _problems(share | {"value": "37.5"}) == []
    assert "exceeds 100 %" in _problems(share | {"value": "137.5"})[0]
    assert "is negative" in _problems(share | {"value": "-1"})[0]


def test_solution_ids_are_only_checked_when_the_caller_knows_them():
    assert _problems({"solution_id": "made-up"}) == []
    known = frozenset({"calico-vxlan"})
    assert _problems({"solution_id": ""}, known_solutions=known) == []


def test_plugin_rows_are_numbered_from_one_and_checked_the_same_way():
    with pytest.raises(DatasetError) as error:
        rows_from_dicts([GOOD, GOOD | {"value": "-2"}], "plugin p")
    assert error.value.problems[0].startswith("plugin p, row 2, column value: -2 is negative")
    with pytest.raises(DatasetError, match="plugin p, row 1, column value: inf is not finite"):
        rows_from_dicts([GOOD | {"value": math.inf}], "plugin p")


def test_every_metric_has_its_units_declared_and_every_rule_a_statement():
    metric = next(c for c in SCHEMA if c.name == "metric")
    assert metric.allowed == set(UNITS_BY_METRIC)
    assert all(rule.statement for rule in RULES)


# Classes of bad values, not single examples.
NON_FINITE = st.sampled_from(["inf", "-inf", "nan", "Infinity", "1e400", "NaN"])


@settings(max_examples=40, deadline=None)
@given(
    column=st.sampled_from(
        ["value", "baseline_value", "link_gbps", "message_size_bytes", "streams"]
    ),
    text=NON_FINITE,
)
def test_no_numeric_column_accepts_a_non_finite_value(column, text):
    (problem,) = _problems({column: text})
    assert problem.startswith(f"{ORIGIN}, row 3, column {column}: ")


@settings(max_examples=60, deadline=None)
@given(value=st.floats(max_value=-1e-9, allow_nan=False, allow_infinity=False))
def test_no_absolute_figure_may_be_negative(value):
    (problem,) = _problems({"value": repr(value)})
    assert "column value:" in problem and "is negative" in problem


@settings(max_examples=60, deadline=None)
@given(
    value=st.floats(min_value=0.01, max_value=1e4).filter(lambda v: not v.is_integer()),
    column=st.sampled_from(["streams", "message_size_bytes"]),
)
def test_counts_must_be_whole_numbers(value, column):
    (problem,) = _problems({column: repr(value)})
    assert f"column {column}:" in problem and "not a whole number" in problem


@settings(max_examples=60, deadline=None)
@given(
    metric=st.sampled_from(sorted(UNITS_BY_METRIC)),
    unit=st.sampled_from(sorted(next(c for c in SCHEMA if c.name == "unit").allowed or [])),
)
def test_a_unit_outside_its_metric_is_always_named(metric, unit):
    change = {
        "metric": metric,
        "unit": unit,
        "relative_to": "host",
        "baseline_value": "",
        "baseline_label": "",
    }
    problems = _problems(change)
    named = [p for p in problems if "column unit:" in p]
    assert bool(named) == (unit not in UNITS_BY_METRIC[metric])


# And no false alarms: every row built from allowed values passes, with its values intact.
@st.composite
def valid_rows(draw) -> dict:
    metric = draw(st.sampled_from(sorted(UNITS_BY_METRIC)))
    unit = draw(st.sampled_from(sorted(UNITS_BY_METRIC[metric])))
    relative = unit in ("percent", "ratio") and metric != "cpu"
    signed = unit == "percent" and relative
    low = -100.0 if signed else 0.0
    high = 100.0 if unit == "percent" and metric in ("cpu", "throughput_loss") else 1e6
    value = draw(st.floats(low, high, allow_nan=False))
    baseline = draw(st.one_of(st.none(), st.floats(0, 1e6)))

    def pick(name):
        return draw(st.sampled_from(sorted(next(c for c in SCHEMA if c.name == name).allowed)))

    return GOOD | {
        "metric": metric, "unit": unit, "value": repr(value),
        "relative_to": "host" if relative else draw(st.sampled_from(["", "host"])),
        "baseline_value": "" if baseline is None else repr(baseline),
        "baseline_label": "" if baseline is None else "host row",
        "streams": str(draw(st.integers(1, 128))),
        "message_size_bytes": str(draw(st.integers(1, 1 << 20))),
        "scenario": pick("scenario"), "virtualization": pick("virtualization"),
        "protocol": pick("protocol"), "encryption": pick("encryption"),
    }  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(row=valid_rows())
def test_every_row_of_allowed_values_passes_unchanged(row):
    (parsed,) = parse_rows(_csv(row), ORIGIN, {"s"}, expected_source="s")
    assert parsed.value == float(row["value"]) and parsed.metric == row["metric"]
    assert parsed.streams == float(row["streams"])


def test_a_file_written_before_baseline_virtualization_existed_still_loads():
    """Later optional columns may be missing from a header; the row reads them as empty."""
    older = [c for c in COLUMNS if c != "baseline_virtualization"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=older, extrasaction="ignore")
    writer.writeheader()
    writer.writerow(GOOD)
    (row,) = parse_rows(buffer.getvalue(), ORIGIN, {"s"}, expected_source="s")
    assert row.baseline_virtualization == ""
    vm_against_metal = GOOD | {"virtualization": "vm", "baseline_virtualization": "bare-metal"}
    (row,) = parse_rows(_csv(vm_against_metal), ORIGIN, {"s"}, expected_source="s")
    assert row.baseline_virtualization == "bare-metal"
