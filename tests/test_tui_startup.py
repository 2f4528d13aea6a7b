"""The TUI paints the questionnaire first and loads the Advisor behind it (issue 16): the
first screen takes keys before the Advisor exists, results wait for it, and a failed load
is reported, not swallowed. Order is asserted with events the test controls, not timing."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cnadvisor.questionnaire import SECTIONS, Answers
from cnadvisor.tui.app import AdvisorApp, run_app
from cnadvisor.tui.messages import LOADING
from cnadvisor.tui.screens.questionnaire import QuestionnaireScreen
from cnadvisor.tui.screens.results import ResultsScreen
from cnadvisor.tui.widgets.question import QuestionRow

SIZE = (80, 24)
WAIT = 60  # seconds a blocked loader waits at most, so a failing test cannot hang


class HeldLoader:
    """Makes the Advisor only when the test releases it, and records the order of events."""

    def __init__(self, advisor) -> None:
        self.advisor = advisor
        self.started = threading.Event()
        self.release = threading.Event()
        self.events: list[str] = []

    def __call__(self):
        self.started.set()
        self.release.wait(WAIT)
        self.events.append("advisor made")
        return self.advisor


def _row_of(widget) -> QuestionRow | None:
    while widget is not None and not isinstance(widget, QuestionRow):
        widget = widget.parent
    return widget


async def test_the_first_screen_takes_keys_before_the_advisor_exists(trained_advisor):
    loader = HeldLoader(trained_advisor)
    app = AdvisorApp(loader)
    try:
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(100):  # bounded; a blocking wait here would stop the app's loop
                await pilot.pause()
                if loader.started.is_set():
                    break
            assert loader.started.is_set()  # loading began once the screen was up ...
            assert isinstance(app.screen, QuestionnaireScreen) and app.advisor is None
            assert _row_of(app.focused).question.path == SECTIONS[0].questions[0].path
            await pilot.press("ctrl+u", *"early bird")  # ... and keys work meanwhile
            await pilot.pause()
            loader.events.append("typed")
            assert app.answers.values["name"] == "early bird"
            await pilot.press("ctrl+r")  # results before the options are ready: it says so
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ResultsScreen) and screen.evaluation is None
            assert LOADING in str(screen.query_one("#summary").render())
            loader.release.set()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert loader.events == ["typed", "advisor made"]
            assert app.advisor is trained_advisor
            assert screen.evaluation is not None and screen.evaluation.system == "early bird"
            assert screen.query_one("#ranking").row_count == len(screen.evaluation.ranked) > 0
    finally:
        loader.release.set()


async def test_a_loader_given_an_advisor_directly_is_not_called(trained_advisor):
    """An Advisor instance is used as it is (tests and scripts pass one): no thread."""
    app = AdvisorApp(trained_advisor, start_on_results=True, answers=Answers.defaults())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.advisor is trained_advisor and not list(app.workers)
        assert app.screen.evaluation is not None


def test_a_failed_load_leaves_the_app_and_raises_with_answers_saved(tmp_path, capsys):
    answers = Answers.defaults()
    answers.set("name", "typed before the failure")
    ready = threading.Event()

    def broken():
        ready.wait(WAIT)
        print("cnadvisor: warning: a plugin said something", file=sys.stderr)
        raise SystemExit(3)  # what a strict plugin load does

    app = AdvisorApp(broken, answers, answers_path=tmp_path / "mine.yaml")

    async def let_it_fail(pilot):
        ready.set()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    with pytest.raises(SystemExit) as raised:
        run_app(app, headless=True, size=SIZE, auto_pilot=let_it_fail)
    assert raised.value.code == 3
    said = "".join(text for text, to_stderr in app.printed if to_stderr)
    assert "cnadvisor: warning: a plugin said something\n" in said  # printed again on exit
    (saved,) = tmp_path.glob("mine.recovered-*.yaml")
    assert "typed before the failure" in saved.read_text()
    assert str(saved) in capsys.readouterr().err


HEAVY = (
    "cnadvisor.advisor",
    "cnadvisor.plugins",
    "cnadvisor.model",
    "cnadvisor.performance",
    "cnadvisor.tui.screens.results",
    "numpy",
    "pandas",
    "scipy",
    "sklearn",
    "rich.markdown",
)


def test_the_first_screen_imports_nothing_heavy():
    """The questionnaire's import path leaves the Advisor, the model and their libraries to
    the loading thread (checked in a fresh interpreter, as `python -X importtime` would)."""
    code = "import sys, cnadvisor.tui.app; print(' '.join(sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).parent)  # fmt: skip
    assert "cnadvisor.tui.app" in done.stdout.split()
    heavy = [m for m in done.stdout.split() if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert heavy == []


PAINTED = """
import asyncio, sys
from pathlib import Path
import cnadvisor.tui.app
from cnadvisor.tui.app import AdvisorApp

class Painted(AdvisorApp):
    CSS_PATH = Path(cnadvisor.tui.app.__file__).with_name("advisor.tcss")  # run from -c

    def on_ready(self):  # the first paint: the first screenful of questions, focused
        print(self.focused.id, " ".join(sys.modules), flush=True)

async def main():
    app = Painted(lambda: None)  # the Advisor's loader runs only after the first paint
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.screen.settled()

asyncio.run(main())
"""

NOT_BEFORE_PAINT = (
    "pydantic",
    "pydantic_core",
    "yaml",
    "cnadvisor.requirements",
    "cnadvisor.profile",
    "cnadvisor.vocabulary",
    "cnadvisor.tui.screens.dialogs",
)


def test_the_first_paint_needs_neither_pydantic_nor_yaml_nor_the_models():
    """Until the first screen is painted (Textual's Ready, in a fresh interpreter), the
    questionnaire works from its plain question table: no pydantic, no YAML, neither the
    requirements nor the profile models (issue 16: first paint)."""
    done = subprocess.run([sys.executable, "-c", PAINTED], capture_output=True, text=True,
                          cwd=Path(__file__).parent, timeout=120)  # fmt: skip
    focused, *modules = done.stdout.split()
    assert focused == "q-name", done.stdout[:200] + done.stderr[-2000:]
    assert "cnadvisor.questionnaire" in modules
    early = [m for m in modules if any(m == n or m.startswith(n + ".") for n in NOT_BEFORE_PAINT)]
    assert early == []


CLI_TO_TUI = """
import io, sys
import cnadvisor.tui.app as tui_app

class Terminal(io.StringIO):
    def isatty(self):
        return True

def started(advisor, requirements=None, path=None):  # where the TUI would start painting
    print(" ".join(sys.modules), file=sys.__stdout__, flush=True)
    return 0

tui_app.run = started
sys.stdin, sys.stdout = Terminal(), Terminal()
from cnadvisor.cli.app import main
raise SystemExit(main([]))
"""


def test_cnadvisor_alone_starts_the_tui_before_the_models_load():
    """`cnadvisor` on a terminal reaches the TUI with nothing heavy imported by the CLI on
    the way (its error handling and renderers' types included), so the user sees the same
    first paint as the benchmark measures."""
    done = subprocess.run([sys.executable, "-c", CLI_TO_TUI], capture_output=True, text=True,
                          cwd=Path(__file__).parent, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    modules = done.stdout.split()
    assert "cnadvisor.cli.tui" in modules
    heavy = NOT_BEFORE_PAINT + HEAVY + ("pluggy",)
    early = [m for m in modules if any(m == n or m.startswith(n + ".") for n in heavy)]
    assert early == []


async def test_a_file_opened_on_results_ranks_once_the_advisor_loads(trained_advisor):
    """`cnadvisor tui FILE` starts on the results, with the questionnaire beneath it."""
    from cnadvisor.loading import load_file

    examples = Path(__file__).resolve().parent.parent / "examples" / "requirements"
    requirements = load_file(str(examples / "trading-gateway.yaml")).requirements
    loader = HeldLoader(trained_advisor)
    app = AdvisorApp(loader, Answers.from_requirements(requirements), start_on_results=True)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ResultsScreen) and screen.evaluation is None
            loader.release.set()
            for _ in range(100):  # bounded: a loader never started fails here
                await pilot.pause()
                if screen.evaluation is not None:
                    break
            assert loader.events == ["advisor made"]
            expected = trained_advisor.evaluate(requirements)
            assert [o.id for o in screen.evaluation.ranked] == [o.id for o in expected.ranked]
    finally:
        loader.release.set()


async def test_quitting_before_the_rows_have_mounted_exits_cleanly(trained_advisor, tmp_path):
    """Ctrl+Q pressed at once, while the rows below the first ones still mount and the
    Advisor still loads: a clean exit, and no recovery file (nothing went wrong)."""
    loader = HeldLoader(trained_advisor)
    app = AdvisorApp(loader, answers_path=tmp_path / "mine.yaml")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("ctrl+q")
            await pilot.pause()
    finally:
        loader.release.set()
    assert app.return_code in (0, None)
    assert list(tmp_path.iterdir()) == []
