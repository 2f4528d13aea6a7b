"""The questionnaire: one section at a time, validated as you type."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ...questionnaire import SECTIONS, Answers
from ...safetext import markup
from ..widgets.question import QuestionRow


class QuestionnaireScreen(Screen):
    BINDINGS = [
        Binding("f1", "app.help", "Keys"),  # `?` is typed into the focused answer here
        Binding("ctrl+n", "next", "Next section"),
        Binding("ctrl+b", "back", "Back"),
        Binding("ctrl+r", "results", "Results"),
        Binding("ctrl+s", "app.save_answers", "Save answers"),
        Binding("ctrl+q", "app.request_quit", "Quit"),
    ]

    def __init__(self, answers: Answers) -> None:
        super().__init__()
        self.answers = answers
        self.section = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="progress")
        yield Static("", id="intro")
        yield VerticalScroll(id="questions")
        yield Footer(show_command_palette=False, compact=True)

    def on_mount(self) -> None:
        self.show_section(0)

    def show_section(self, index: int) -> None:
        self.section = index
        section = SECTIONS[index]
        steps = " › ".join(
            f"[b]{s.title}[/b]" if i == index else s.title for i, s in enumerate(SECTIONS)
        )
        self.query_one("#progress", Static).update(f"{index + 1}/{len(SECTIONS)}  {steps}")
        self.query_one("#intro", Static).update(section.intro)
        container = self.query_one("#questions", VerticalScroll)
        container.remove_children()
        errors = self.answers.errors()
        rows = [
            QuestionRow(
                question,
                self.answers.values.get(question.path, ""),
                self.answers.needs.get(question.path, "not needed"),
                errors.get(question.path),
            )
            for question in section.questions
        ]
        container.mount_all(rows)
        container.scroll_home(animate=False)
        self.call_after_refresh(self.focus_first_question)

    def focus_first_question(self) -> None:
        """Keys go to the section's first question at once: no Tab needed to start."""
        for row in self.query(QuestionRow):
            for widget in row.query("Input, Select"):
                if widget.focusable:
                    widget.focus(scroll_visible=False)
                    return

    def on_question_row_edited(self, event: QuestionRow.Edited) -> None:
        """Record the edit, then show every problem of this section afresh: a rule across
        questions (shares summing over 1) appears or clears as any of them changes."""
        error = self.answers.set(event.row.question.path, event.value, event.need)
        errors = self.answers.errors()
        for row in self.query(QuestionRow):
            row.show_error(error if row is event.row and error else errors.get(row.question.path))

    def action_next(self) -> None:
        if self.section + 1 < len(SECTIONS):
            self.show_section(self.section + 1)
        else:
            self.action_results()

    def action_back(self) -> None:
        if self.section > 0:
            self.show_section(self.section - 1)

    def action_results(self) -> None:
        errors = self.answers.errors()
        if errors:
            path, message = next(iter(errors.items()))
            index = next(
                (i for i, s in enumerate(SECTIONS) if any(q.path == path for q in s.questions)),
                self.section,
            )
            self.show_section(index)
            self.notify(f"{path}: {markup(message)}", title="Please fix first", severity="error")
            return
        self.app.show_results()
