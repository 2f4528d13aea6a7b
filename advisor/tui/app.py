"""The cnadvisor TUI application. It takes the Advisor in its constructor (tests pass
their own) and holds no ranking logic: every ranking comes from `Advisor.evaluate`."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from ..advisor import Advisor, Evaluation
from ..questionnaire import Answers, requirements_yaml
from .screens.dialogs import AskPath, Confirm
from .screens.questionnaire import QuestionnaireScreen
from .screens.results import ResultsScreen


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
        advisor: Advisor,
        answers: Answers | None = None,
        *,
        start_on_results: bool = False,
        answers_path: Path | None = None,
    ) -> None:
        super().__init__()
        self.advisor = advisor
        self.answers = answers or Answers.defaults()
        self.start_on_results = start_on_results
        self.answers_path = answers_path or Path("my-system.yaml")
        self.last_evaluation: Evaluation | None = None
        self.recovery_path: Path | None = None

    def on_mount(self) -> None:
        self.push_screen(QuestionnaireScreen(self.answers))
        if self.start_on_results and not self.answers.errors():
            self.show_results()

    def evaluate(self, answers: Answers) -> Evaluation:
        self.last_evaluation = self.advisor.evaluate(answers.requirements(), source="questionnaire")
        return self.last_evaluation

    def show_results(self) -> None:
        self.push_screen(ResultsScreen(self.answers))

    # Saving: never overwrite without asking.
    def _save(self, title: str, default: Path, content: callable, after=None) -> None:
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

    def action_request_quit(self) -> None:
        if not self.answers.dirty:
            self.exit()
            return
        self.push_screen(
            Confirm("You have unsaved answers. Quit anyway?"),
            lambda yes: self.exit() if yes else None,
        )


def run(advisor: Advisor, requirements=None, path: Path | None = None) -> int:
    answers = Answers.from_requirements(requirements) if requirements else None
    app = AdvisorApp(advisor, answers, start_on_results=requirements is not None,
                     answers_path=path)  # fmt: skip
    return run_app(app)


def run_app(app: AdvisorApp, **options) -> int:
    """Run the app; after a crash, say where the answers were saved and return 1."""
    try:
        app.run(**options)
    except BaseException:
        saved = app.save_recovery()
        _tell_recovery(saved)
        raise
    if app.return_code:
        _tell_recovery(app.save_recovery())
        return 1
    return 0


def _tell_recovery(saved: Path | None) -> None:
    where = f"your answers are saved in {saved}" if saved else "your answers could not be saved"
    print(f"cnadvisor: the questionnaire stopped on an error; {where}", file=sys.stderr)


__all__ = ["AdvisorApp", "requirements_yaml", "run", "run_app"]
