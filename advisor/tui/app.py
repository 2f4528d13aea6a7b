"""The cnadvisor TUI application. It takes the Advisor in its constructor (tests pass
their own) and holds no ranking logic: every ranking comes from `Advisor.evaluate`.

The Advisor may also be given as a function that makes one: the questionnaire is then
painted first and the Advisor (plugins, the model cache, NumPy) loads in a thread behind
it, so a user can start answering at once. Nothing imported here imports the Advisor."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.app import App
from textual.binding import Binding

from ..questionnaire import Answers, requirements_yaml
from .messages import AdvisorReady
from .screens.questionnaire import QuestionnaireScreen

if TYPE_CHECKING:
    from ..advisor import Advisor, Evaluation

EVALUATIONS_KEPT = 32  # evaluations remembered for what-if answers revisited


class AdvisorApp(App):
    CSS_PATH = "advisor.tcss"
    TITLE = "cnadvisor"
    SUB_TITLE = "container-network advisor"
    BINDINGS = [
        Binding("ctrl+q", "request_quit", "Quit", priority=True),
        Binding("question_mark", "help", "Keys"),
        Binding("f1", "help", "Keys", show=False, priority=True),
    ]

    def __init__(
        self,
        advisor: Advisor | Callable[[], Advisor],
        answers: Answers | None = None,
        *,
        start_on_results: bool = False,
        answers_path: Path | None = None,
    ) -> None:
        super().__init__()
        loader = advisor if callable(advisor) and not hasattr(advisor, "evaluate") else None
        self._load: Callable[[], Advisor] | None = loader
        self.advisor: Advisor | None = None if loader else advisor
        self.load_error: BaseException | None = None
        self.printed: list[tuple[str, bool]] = []  # (text, to stderr) printed while running
        self.answers = answers or Answers.defaults()
        self.start_on_results = start_on_results
        self.answers_path = answers_path or Path("my-system.yaml")
        self.last_evaluation: Evaluation | None = None
        self._evaluations: dict[str, Evaluation] = {}  # by the requirements' JSON, oldest first
        self.recovery_path: Path | None = None

    def on_mount(self) -> None:
        # What the loader prints (a plugin's warning, the training notice) would be lost
        # under the full-screen app: it is shown as a notice and printed again on exit.
        self.begin_capture_print(self, stdout=True, stderr=True)
        self.push_screen(QuestionnaireScreen(self.answers))
        if self.start_on_results and not self.answers.errors():
            self.show_results()

    def on_ready(self) -> None:
        """The first screen is painted (Textual's Ready event). Load the Advisor after the
        screen's own work that follows the paint (its first question focused, the rest of
        its rows mounted): a thread importing at the same time would slow that down."""
        if self._load is not None and self.advisor is None:
            self.screen.call_after_refresh(self._load_when_settled)

    async def _load_when_settled(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, QuestionnaireScreen):
                await screen.settled()
        self.run_worker(self._load_in_thread, thread=True, name="load-advisor")

    def _load_in_thread(self) -> None:
        """Runs in a worker thread; every outcome goes back to the app's own thread."""
        try:
            advisor = self._load()
            from .screens import results  # noqa: F401  (warm: the results screen's imports)
        except BaseException as error:  # SystemExit from a strict plugin load included
            self.call_from_thread(self._load_failed, error)
            return
        self.call_from_thread(self._loaded, advisor)

    def _loaded(self, advisor: Advisor) -> None:
        self.advisor = advisor
        for screen in self.screen_stack:
            screen.post_message(AdvisorReady())

    async def _load_failed(self, error: BaseException) -> None:
        """The Advisor could not be made: leave, and let `run_app` report it on the
        terminal (the answers typed so far are saved first)."""
        self.load_error = error
        for screen in self.screen_stack:
            if isinstance(screen, QuestionnaireScreen):
                await screen.settled()
        self.exit(return_code=1)

    def on_print(self, event: events.Print) -> None:
        self.printed.append((event.text, event.stderr))
        said = event.text.strip()
        if event.stderr and said:
            warns = "warning" in said or "error" in said
            self.notify(said, severity="warning" if warns else "information", markup=False)

    def evaluate(self, answers: Answers) -> Evaluation:
        """The Advisor's evaluation of these answers; answers seen a moment ago (a what-if
        drop-down toggled back, a size typed again) are ranked from memory."""
        if self.advisor is None:
            raise RuntimeError("the Advisor has not loaded yet")
        requirements = answers.requirements()
        key = requirements.model_dump_json()
        evaluation = self._evaluations.pop(key, None)
        if evaluation is None:
            evaluation = self.advisor.evaluate(requirements, source="questionnaire")
        self._evaluations[key] = evaluation  # the most recent last
        while len(self._evaluations) > EVALUATIONS_KEPT:
            del self._evaluations[next(iter(self._evaluations))]
        self.last_evaluation = evaluation
        return evaluation

    def show_results(self) -> None:
        from .screens.results import ResultsScreen

        self.push_screen(ResultsScreen(self.answers))

    # Saving: never overwrite without asking.
    def _save(self, title: str, default: Path, content: callable, after=None) -> None:
        from .screens.dialogs import AskPath, Confirm  # not needed for the first paint

        def chosen(path: str | None) -> None:
            if not path:
                return
            target = Path(path)

            def write(confirmed: bool) -> None:
                if not confirmed:
                    self.notify("Not saved.")
                    return
                target.write_text(content(), encoding="utf-8")
                self.notify(f"Saved {target}")
                if after:
                    after(target)

            if target.exists():
                self.push_screen(Confirm(f"{target} exists. Overwrite it?"), write)
            else:
                write(True)

        self.push_screen(AskPath(title, str(default)), chosen)

    def action_save_answers(self) -> None:
        if self.answers.errors():
            self.notify("Some answers are invalid; fix them first.", severity="error")
            return

        def saved(path: Path) -> None:
            self.answers.dirty = False
            self.answers_path = path

        self._save(
            "Save answers as requirements YAML", self.answers_path, self.answers.to_yaml, saved
        )

    def action_export_report(self) -> None:
        from ..render import Batch

        evaluation = self.last_evaluation
        if evaluation is None:
            self.notify("No results yet.", severity="warning")
            return
        default = self.answers_path.with_suffix(".md")
        requirements = self.answers.requirements() if not self.answers.errors() else None

        def report() -> str:  # the decision record, its context from these answers
            from ..render.markdown import MarkdownRenderer

            writer = MarkdownRenderer(Batch())
            return writer.start() + writer.add(evaluation, requirements) + writer.finish([])

        self._save("Export the results as a Markdown report", default, report)

    def save_recovery(self) -> Path | None:
        """Write every answer to a new file beside the answers file (or in the temporary
        folder when that is not writable), once; the path, or None if nothing could be
        written."""
        if self.recovery_path is not None:
            return self.recovery_path
        import tempfile

        try:
            text = self.answers.recovery_yaml()
        except Exception:  # answers too broken to write as YAML: keep the raw values
            text = repr({"values": self.answers.values, "needs": self.answers.needs}) + "\n"
        stamp = time.strftime("%Y%m%d-%H%M%S")
        name = f"{self.answers_path.stem}.recovered-{stamp}.yaml"
        for folder in (self.answers_path.parent, Path(tempfile.gettempdir())):
            target = folder / name
            try:
                with open(target, "x", encoding="utf-8") as handle:
                    handle.write(text)
            except OSError:
                continue
            self.recovery_path = target
            return target
        return None

    def _handle_exception(self, error: Exception) -> None:
        # Textual's hook for an unhandled error (it then exits with code 1): the answers
        # are saved before anything else happens.
        try:
            self.save_recovery()
        finally:
            super()._handle_exception(error)

    def action_help(self) -> None:
        """The `?` overlay listing every key of the current screen."""
        from .screens.help import HelpScreen, key_lines

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(key_lines(self.screen)))

    async def action_request_quit(self) -> None:
        from .screens.dialogs import Confirm  # not needed for the first paint

        for screen in self.screen_stack:  # leaving while a drop-down mounts breaks it
            if isinstance(screen, QuestionnaireScreen):
                await screen.settled()
        if not self.answers.dirty:
            self.exit()
            return
        self.push_screen(
            Confirm("You have unsaved answers. Quit anyway?"),
            lambda yes: self.exit() if yes else None,
        )


def run(advisor: Advisor | Callable[[], Advisor], requirements=None,
        path: Path | None = None) -> int:  # fmt: skip
    """Run the TUI; give `advisor` as a function that makes one to paint first and load it
    behind the questionnaire."""
    answers = Answers.from_requirements(requirements) if requirements else None
    app = AdvisorApp(advisor, answers, start_on_results=requirements is not None,
                     answers_path=path)  # fmt: skip
    return run_app(app)


def run_app(app: AdvisorApp, **options) -> int:
    """Run the app; after a crash, say where the answers were saved and return 1. If the
    Advisor failed to load, what its loader printed is printed again on the terminal and
    its error raised here, as if it had been loaded before the app started."""
    try:
        app.run(**options)
    except BaseException:
        saved = app.save_recovery()
        _tell_recovery(saved)
        raise
    if not options.get("headless"):  # headless, Textual printed it already
        for text, to_stderr in app.printed:
            (sys.stderr if to_stderr else sys.stdout).write(text)
    if app.load_error is not None:
        if app.answers.dirty:
            _tell_recovery(app.save_recovery())
        raise app.load_error
    if app.return_code:
        _tell_recovery(app.save_recovery())
        return 1
    return 0


def _tell_recovery(saved: Path | None) -> None:
    where = f"your answers are saved in {saved}" if saved else "your answers could not be saved"
    print(f"cnadvisor: the questionnaire stopped on an error; {where}", file=sys.stderr)


__all__ = ["AdvisorApp", "requirements_yaml", "run", "run_app"]
