"""The TUI driven from the keyboard alone (issue 16): Textual's pilot presses keys, never
clicks, and the state behind the screens is checked first."""

from __future__ import annotations

from pathlib import Path

from cnadvisor.loading import load_file
from cnadvisor.questionnaire import QUESTIONS, SECTIONS, Answers
from cnadvisor.tui.app import AdvisorApp
from cnadvisor.tui.screens.dialogs import Confirm
from cnadvisor.tui.screens.help import HelpScreen
from cnadvisor.tui.screens.questionnaire import QuestionnaireScreen
from cnadvisor.tui.screens.results import DEBOUNCE, ORCHESTRATOR, ResultsScreen
from cnadvisor.tui.widgets.question import QuestionRow
from textual.widgets import DataTable, Input, Select

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "requirements"
SIZE = (80, 24)


def _loaded(advisor, name: str = "trading-gateway.yaml") -> AdvisorApp:
    requirements = load_file(str(EXAMPLES / name)).requirements
    return AdvisorApp(advisor, Answers.from_requirements(requirements), start_on_results=True)


def _row_of(widget) -> QuestionRow | None:
    node = widget
    while node is not None and not isinstance(node, QuestionRow):
        node = node.parent
    return node


async def test_questionnaire_completes_from_the_keyboard_alone(trained_advisor):
    app = AdvisorApp(trained_advisor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = SECTIONS[0].questions[0]
        assert _row_of(app.focused).question.path == first.path  # no Tab needed to start
        await pilot.press("ctrl+u", *"edge gateway")  # the name field, cleared and typed
        await pilot.press("tab")
        assert _row_of(app.focused).question.path == SECTIONS[0].questions[1].path
        for index in range(1, len(SECTIONS)):
            await pilot.press("ctrl+n")
            await pilot.pause()
            assert isinstance(app.screen, QuestionnaireScreen) and app.screen.section == index
            row = _row_of(app.focused)
            assert row is not None and row.question.path == SECTIONS[index].questions[0].path
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert app.screen.evaluation.system == "edge gateway"
        assert app.answers.requirements().name == "edge gateway"
        assert "name: edge gateway" in app.answers.to_yaml()


async def test_each_results_tab_has_its_key(trained_advisor):
    app = _loaded(trained_advisor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tabs = app.screen.query_one("#tabs")
        for key, tab, focus in (("2", "tab-excluded", "excluded"), ("3", "tab-chart", "chart-pane"),
                                ("1", "tab-ranking", "ranking")):  # fmt: skip
            await pilot.press(key)
            await pilot.pause()
            assert tabs.active == tab and app.focused.id == focus
        await pilot.press("right_square_bracket")
        assert tabs.active == "tab-excluded"
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert tabs.active == "tab-chart"
        footer = " ".join(
            b.binding.description for b in app.screen.active_bindings.values() if b.binding.show
        )
        for shown in ("Ranking", "Excluded", "Chart", "Keys"):
            assert shown in footer


async def test_question_mark_lists_every_key(trained_advisor):
    app = _loaded(trained_advisor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        results = app.screen
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        listed = dict(app.screen.lines)
        expected = {b.binding.description for b in results.active_bindings.values()
                    if b.binding.description}  # fmt: skip
        assert expected <= set(listed.values())
        assert listed["/"] == "Filter exclusions" and listed["1"] == "Ranking"
        await pilot.press("escape")
        assert app.screen is results


async def test_exclusions_sorted_filtered_and_explained(trained_advisor):
    app = _loaded(trained_advisor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#excluded", DataTable)
        keys = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        mismatches = [key == ORCHESTRATOR for key in keys]
        assert any(mismatches) and not all(mismatches)
        assert mismatches == sorted(mismatches)  # orchestrator mismatches last
        telling = [k for k in keys if k != ORCHESTRATOR]
        assert telling == sorted(telling)
        await pilot.press("slash", *"promisc")
        await pilot.pause()
        assert app.screen.query_one("#tabs").active == "tab-excluded"
        assert 0 < table.row_count < len(keys)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert all("promisc" in " ".join(row).lower() for row in rows)
        await pilot.press("enter", "down")
        await pilot.pause()
        chosen = rows[min(1, len(rows) - 1)][1]
        option = next(o for o in app.screen.evaluation.excluded if o.id == chosen)
        reason = str(app.screen.query_one("#excluded-reason").render())
        assert option.reasons[0].message in " ".join(reason.split())  # in full, not cut


async def test_loading_then_quitting_asks_nothing(trained_advisor):
    app = _loaded(trained_advisor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+b")  # the questionnaire's widgets mount with the loaded values
        await pilot.pause()
        assert not app.answers.dirty
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not isinstance(app.screen, Confirm)
    assert app.return_code == 0


async def test_an_edit_after_loading_still_asks(trained_advisor):
    app = _loaded(trained_advisor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+b")
        await pilot.pause()
        await pilot.press("x")  # typed into the focused name field
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)


async def test_what_if_typing_reranks_once_after_a_pause(trained_advisor):
    app = _loaded(trained_advisor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        box = screen.query_one("#wi-message", Input)
        box.focus()
        before = screen.reranks
        await pilot.press("ctrl+u", "1", "4", "0", "0")
        assert screen.reranks == before  # nothing re-ranked while typing
        await pilot.pause(DEBOUNCE * 3)
        assert screen.reranks == before + 1
        assert screen.evaluation == trained_advisor.evaluate(
            app.answers.requirements(), source="questionnaire"
        )
        assert app.answers.requirements().workload.message_size == 1400


async def test_same_host_estimate_and_latency_in_the_ranking(trained_advisor):
    app = _loaded(trained_advisor)  # 90 % of its traffic stays on the host
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#ranking", DataTable)
        labels = [str(column.label) for column in table.columns.values()]
        assert "intra-host Gbit/s" in labels and "latency µs" in labels
        evaluation = app.screen.evaluation
        for index, option in enumerate(evaluation.ranked):
            row = [str(cell) for cell in table.get_row_at(index)]
            same_host = next(p for p in option.predictions if p.scenario == "intra-host")
            assert row[3].startswith(f"{same_host.throughput_gbps.value:.2f}")
            assert row[4].startswith(f"{same_host.latency_us.value:.1f}")


async def test_one_scroll_region_and_visible_focus(trained_advisor):
    app = _loaded(trained_advisor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#ranking", DataTable)
        assert app.focused is table
        await pilot.press("down", "down")
        assert table.cursor_row == 2 and app.screen.scroll_y == 0
        assert not app.screen.query_one("#detail-pane").can_focus
        select = app.screen.query_one("#wi-virtualization", Select)
        plain = select.query_one("SelectCurrent").styles.background
        select.focus()
        await pilot.pause()
        assert select.query_one("SelectCurrent").styles.background != plain


def test_priority_help_says_what_a_weight_trades():
    for name in ("performance", "security", "mobility", "operability"):
        help_text = QUESTIONS[f"priorities.{name}"].help
        assert "Relative weight" not in help_text
        assert "against" in help_text and "over" in help_text  # a trade, with an example


async def test_f1_lists_the_keys_while_typing_an_answer(trained_advisor):
    app = AdvisorApp(trained_advisor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, Input)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "Next section" in dict(app.screen.lines).values()


async def test_exported_report_is_a_decision_record_of_these_answers(
    trained_advisor, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    app = _loaded(trained_advisor)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press("ctrl+u", *"decision.md", "enter")
        await pilot.pause()
        leader = app.screen.evaluation.ranked[0]
    report = (tmp_path / "decision.md").read_text()
    size = app.answers.requirements().workload.message_size
    for heading in ("### Context", "### Options", "### Decision", "### Consequences"):
        assert heading in report
    assert f"{size}-byte messages" in report  # the context comes from the answers
    assert f"Choose **{leader.name}**" in report
