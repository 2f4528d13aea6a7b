"""Re-ranking after a what-if edit (issue 16): the table is rewritten in place when the
same options rank in the same order, and everything shown still matches the evaluation;
the chart is drawn when its tab is shown."""

from __future__ import annotations

from pathlib import Path

from cnadvisor.loading import load_file
from cnadvisor.questionnaire import Answers
from cnadvisor.render.common import gbps_text
from cnadvisor.tui.app import AdvisorApp
from cnadvisor.tui.screens.results import COLUMNS, latency_text

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "requirements"
SIZE = (120, 40)


def _app(advisor) -> AdvisorApp:
    requirements = load_file(str(EXAMPLES / "multi-tenant-saas.yaml")).requirements
    return AdvisorApp(advisor, Answers.from_requirements(requirements), start_on_results=True)


def _shown(screen) -> list[list[str]]:
    table = screen.query_one("#ranking")
    return [[str(table.get_cell(o.id, c)) for c in COLUMNS] for o in screen.evaluation.ranked]


def _expected(evaluation) -> list[list[str]]:
    s = evaluation.scenario
    return [[str(o.rank), o.id, f"{o.score:.1f}", gbps_text(o, s), latency_text(o, s),
             f"{o.first_share:.0%}"] for o in evaluation.ranked]  # fmt: skip


async def test_a_what_if_rewrites_the_table_to_match_the_new_evaluation(trained_advisor):
    app = _app(trained_advisor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#ranking")
        await pilot.press("down")  # the user looks at the second option
        await pilot.pause()
        before = screen.evaluation
        looked_at = before.ranked[1]
        kept = 0
        for size in (1300, 1200, 64):  # nearby sizes keep the order; 64 B may not
            app.answers.set("workload.message_size", str(size))
            screen.refresh_results()
            await pilot.pause()
            after = screen.evaluation
            assert _expected(after) != _expected(before)  # the estimates moved
            assert _shown(screen) == _expected(after)  # every cell, rewritten or rebuilt
            assert table.row_count == len(after.ranked)
            if [o.id for o in after.ranked] == [o.id for o in before.ranked]:
                kept += 1  # rewritten in place: the cursor stays where the user put it
                assert table.cursor_row == 1 and after.ranked[1].id == looked_at.id
            shown = after.ranked[table.cursor_row]
            assert shown.name in str(screen.query_one("#detail").render())
            before = after
        assert kept  # the in-place path was taken at least once


async def test_the_chart_is_drawn_when_its_tab_is_shown(trained_advisor):
    app = _app(trained_advisor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.answers.set("workload.message_size", "512")
        app.screen.refresh_results()
        await pilot.press("3")
        await pilot.pause()
        chart = str(app.screen.query_one("#chart").render())
        assert "Predicted" in chart and app.screen.evaluation.ranked[0].id in chart


class _Counting:
    """The real advisor, counting its evaluations."""

    def __init__(self, real) -> None:
        self._real = real
        self.evaluations = 0

    def __getattr__(self, name):
        return getattr(self._real, name)

    def evaluate(self, *args, **kwargs):
        self.evaluations += 1
        return self._real.evaluate(*args, **kwargs)


async def test_answers_toggled_back_rank_from_memory(trained_advisor):
    counting = _Counting(trained_advisor)
    app = _app(counting)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        first = screen.evaluation
        box = screen.query_one("#wi-virtualization")
        original = str(box.value)
        other = "vm" if original == "bare-metal" else "bare-metal"
        for value in (other, original, other, original):
            box.value = value
            await pilot.pause()
        assert screen.reranks == 5 and counting.evaluations == 2  # two distinct answers
        assert screen.evaluation is first
        expected = trained_advisor.evaluate(app.answers.requirements(), source="questionnaire")
        assert screen.evaluation == expected  # what memory gave is what evaluating gives
