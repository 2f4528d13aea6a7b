"""Untrusted text in every human-facing output: file names, system names and plugin
texts must not steer a terminal (escape sequences, bidi overrides), Rich (markup),
Markdown (structure) or a spreadsheet (formulas). Property-based: any text at all."""

from __future__ import annotations

import csv
import io
import re

import pytest
from cnadvisor.render import Batch, render
from cnadvisor.render.table import render as render_table
from cnadvisor.safetext import csv_cell, markdown, plain
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import make_requirements

RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
HOSTILE = [
    "\x1b[31mred\x1b[0m",
    "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "over\rwrite",
    "back\b\b\bspace",
    "nul\x00byte",
    "del\x7f",
    "abc\u202edcba.yaml",
    "[/]",
    "[link=http://evil.example/]click[/link]",
    "[blink]y.yaml",
    '=HYPERLINK("http://evil.example")',
    "+1+2",
    "-2+3",
    "@SUM(A1)",
    "\tcmd",
    "\r=1",
    "a|b\n## injected heading\n| x | y |",
    "<script>alert(1)</script>",
    ":warning: emoji",
]
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))


@pytest.fixture(scope="module")
def evaluation(advisor):
    return advisor.evaluate(
        make_requirements(name="x", workload={"traffic": {"inter_host": 1}}), source="s.yaml"
    )


def _poisoned(evaluation, value: str):
    """The evaluation as a hostile plugin and file name would make it."""
    ranked = [
        option.model_copy(update={"id": value, "name": value, "plugin": value, "reasons": [value]})
        for option in evaluation.ranked[:2]
    ]
    excluded = [
        option.model_copy(
            update={
                "id": value,
                "name": value,
                "reasons": [r.model_copy(update={"message": value}) for r in option.reasons],
            }
        )
        for option in evaluation.excluded[:2]
    ]
    return evaluation.model_copy(
        update={"source": value, "system": value, "ranked": ranked, "excluded": excluded}
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=text)
def test_terminal_table_shows_hostile_text_and_obeys_none(evaluation, value):
    batch = Batch(evaluations=[_poisoned(evaluation, value)], show_excluded=True)
    for width in (80, 140):
        out = render_table(batch, width=width)  # MarkupError here before the fix
        assert not RAW.search(out.replace("\n", "")), repr(out)
        assert "]8;;" not in out or "\\x1b]8;;" in out


def test_markup_in_a_name_is_shown_literally(evaluation):
    batch = Batch(evaluations=[_poisoned(evaluation, "[blink]y.yaml")])
    assert "[blink]y.yaml" in render_table(batch, width=200)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=text)
def test_csv_cells_are_never_formulas_or_controls(evaluation, value):
    out = render(Batch(evaluations=[_poisoned(evaluation, value)]), "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows
    for row in rows:
        for cell in row.values():
            assert not (cell or "").startswith(("=", "+", "-", "@", "\t", "\r")), row
            assert not RAW.search(cell or "")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=text)
def test_markdown_structure_cannot_be_injected(evaluation, value):
    clean = render(Batch(evaluations=[evaluation]), "markdown")
    out = render(Batch(evaluations=[_poisoned(evaluation, value)]), "markdown")
    assert not RAW.search(out.replace("\n", ""))
    headings = [line for line in out.splitlines() if line.startswith("#")]
    assert len(headings) == len([line for line in clean.splitlines() if line.startswith("#")])
    for line in out.splitlines():
        if line.startswith("| ") and not line.startswith("| #"):
            assert len(re.findall(r"(?<!\\)\|", line)) == 12, line  # 11 columns, no more
    outside_code = re.sub(r"`[^`\n]*`", "", out)  # a code span shows HTML and links as text
    assert "<script>" not in outside_code and "](http" not in outside_code


def test_problems_on_stderr_are_escaped(tmp_path):
    import subprocess
    import sys

    name = tmp_path / "evil\x1b]0;pwned\x07\u202e.yaml"
    name.write_text("name: [1\n")
    result = subprocess.run(
        [sys.executable, "-m", "cnadvisor.cli", "evaluate", str(name)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert "\\x1b]0;pwned\\x07\\u202e.yaml" in result.stderr


@given(value=st.text())
def test_escaping_leaves_nothing_raw(value):
    assert not RAW.search(plain(value))
    assert "\n" not in markdown(value)
    cell = csv_cell(value)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("value", HOSTILE)
def test_plugin_listing_and_profile_show_hostile_text_safely(plugin_set, value):
    from dataclasses import replace

    from cnadvisor.render.plugins import render_list, render_profile

    item = next(iter(plugin_set.solutions.values()))
    profile = item.profile.model_copy(update={"name": value, "summary": value, "id": value})
    hostile = replace(item, profile=profile)
    shown = render_profile(hostile, None)
    assert not RAW.search(shown.replace("\n", ""))
    listed = render_list(replace(plugin_set, solutions={value: hostile}), "table")
    assert not RAW.search(listed.replace("\n", ""))
