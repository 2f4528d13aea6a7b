"""The TUI driven by Textual's pilot: state first, then a few snapshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from cnadvisor.loading import load_file
from cnadvisor.questionnaire import QUESTIONS, SECTIONS, Answers
from cnadvisor.tui.app import AdvisorApp
from cnadvisor.tui.screens.dialogs import AskPath, Confirm
from cnadvisor.tui.screens.questionnaire import QuestionnaireScreen
from cnadvisor.tui.screens.results import ResultsScreen
from cnadvisor.tui.widgets.question import QuestionRow

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "requirements"
SIZE = (80, 24)


def _ids(evaluation) -> list[str]:
    return [o.id for o in evaluation.ranked]


async def test_full_questionnaire_reaches_results_equal_to_evaluate(trained_advisor):
    app = AdvisorApp(trained_advisor)
    async with app.run_test(size=SIZE) as pilot:
        for _ in SECTIONS:
            assert isinstance(app.screen, QuestionnaireScreen)
            await pilot.press("ctrl+n")
        assert isinstance(app.screen, ResultsScreen)
        expected = trained_advisor.evaluate(app.answers.requirements())
        assert _ids(app.screen.evaluation) == _ids(expected)
        table = app.screen.query_one("#ranking")
        assert table.row_count == len(expected.ranked)


async def test_loading_a_yaml_fills_every_field(trained_advisor):
    requirements = load_file(str(EXAMPLES / "telco-packet-function.yaml")).requirements
    answers = Answers.from_requirements(requirements)
    app = AdvisorApp(trained_advisor, answers)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        seen = set()
        for index, _section in enumerate(SECTIONS):
            screen.show_section(index)
            await pilot.pause()
            for row in screen.query(QuestionRow):
                seen.add(row.question.path)
                assert row.value == answers.values[row.question.path]
                widget = (
                    row.query_one(f"#{row.widget_id}") if row.question.kind != "need-bool" else None
                )
                if widget is not None:
                    assert str(widget.value) == answers.values[row.question.path]
        assert seen == set(QUESTIONS)
        assert app.answers.requirements() == requirements


async def test_opening_a_file_goes_straight_to_results(trained_advisor):
    requirements = load_file(str(EXAMPLES / "trading-gateway.yaml")).requirements
    app = AdvisorApp(
        trained_advisor, Answers.from_requirements(requirements), start_on_results=True
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert _ids(app.screen.evaluation) == _ids(trained_advisor.evaluate(requirements))


async def test_what_if_change_reranks(trained_advisor):
    requirements = load_file(str(EXAMPLES / "multi-tenant-saas.yaml")).requirements
    app = AdvisorApp(
        trained_advisor, Answers.from_requirements(requirements), start_on_results=True
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = app.screen.evaluation
        app.screen.query_one("#wi-encryption").value = "not needed"
        await pilot.pause()
        after = app.screen.evaluation
        assert len(after.ranked) > len(before.ranked)  # encryption no longer excludes
        app.screen.query_one("#wi-message").value = "64"
        await pilot.pause()
        small = app.screen.evaluation
        top = small.ranked[0].id
        assert small.ranked[0].score != after.ranked[0].score or _ids(small) != _ids(after)
        assert app.answers.requirements().workload.message_size == 64
        assert top in _ids(trained_advisor.evaluate(app.answers.requirements()))[:1]
        app.screen.query_one("#wi-w-security").value = "0"
        app.screen.query_one("#wi-w-performance").value = "10"
        await pilot.pause()
        weighted = app.screen.evaluation
        assert weighted.weights["performance"] > 0.8
        assert [o.score for o in weighted.ranked] != [o.score for o in small.ranked]


async def test_invalid_input_is_refused_with_a_message(trained_advisor):
    app = AdvisorApp(trained_advisor)
    async with app.run_test(size=SIZE) as pilot:
        row = next(
            r for r in app.screen.query(QuestionRow) if r.question.path == "workload.message_size"
        )
        row.query_one(f"#{row.widget_id}").value = "huge"
        await pilot.pause()
        assert "not a whole number" in str(row.query_one(".error").render())
        assert row.has_class("invalid")
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, QuestionnaireScreen)  # refused to show results


async def test_saving_round_trips_and_never_overwrites_without_asking(
    trained_advisor, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    requirements = load_file(str(EXAMPLES / "cross-dc-microservices.yaml")).requirements
    app = AdvisorApp(trained_advisor, Answers.from_requirements(requirements))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AskPath)
        app.screen.query_one("#path").value = "saved.yaml"
        await pilot.press("enter")
        await pilot.pause()
        saved = tmp_path / "saved.yaml"
        assert load_file(str(saved)).requirements == requirements
        saved.write_text("keep me")
        await pilot.press("ctrl+s")
        await pilot.pause()
        app.screen.query_one("#path").value = "saved.yaml"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        await pilot.pause()
        assert saved.read_text() == "keep me"


async def test_quitting_with_unsaved_answers_asks(trained_advisor):
    app = AdvisorApp(trained_advisor)
    async with app.run_test(size=SIZE) as pilot:
        row = next(iter(app.screen.query(QuestionRow)))
        row.query_one(f"#{row.widget_id}").value = "0.7"
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, Confirm)
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code in (0, None)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_questionnaire(snap_compare, trained_advisor, size):
    assert snap_compare(AdvisorApp(trained_advisor), terminal_size=size)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot_results(snap_compare, trained_advisor, size):
    requirements = load_file(str(EXAMPLES / "telco-packet-function.yaml")).requirements
    app = AdvisorApp(
        trained_advisor, Answers.from_requirements(requirements), start_on_results=True
    )
    assert snap_compare(app, terminal_size=size)
