"""The questionnaire: one section at a time, validated as you type."""

from __future__ import annotations

import asyncio

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widget import AwaitMount
from textual.widgets import Footer, Header, Static

from ...questionnaire import SECTIONS, Answers, Question
from ...safetext import markup
from ..widgets.question import QuestionRow


class QuestionnaireScreen(Screen):
    AUTO_FOCUS = "QuestionRow Input, QuestionRow Select"  # the first question, once mounted
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
        self._shown = 0  # counts show_section calls
        self._rest: list[QuestionRow] = []  # rows of the section mounted after the first paint
        self._mounting: AwaitMount | None = None
        self._showing = asyncio.Lock()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="progress")
        yield Static("", id="intro")
        yield VerticalScroll(id="questions")
        yield Footer(show_command_palette=False, compact=True)

    async def on_mount(self) -> None:
        await self.show_section(0)

    async def show_section(self, index: int) -> None:
        """Show section `index`: its first screenful of rows is mounted (and the first
        question focused) before this returns, so the screen's first paint already shows a
        question and its help; the rows below are mounted right after that paint."""
        async with self._showing:  # one section at a time, also when called from outside
            if self._mounting is not None:
                await self._mounting  # removing a drop-down while it mounts breaks it
            await self._show(index)

    async def _show(self, index: int) -> None:
        self.section = index
        self._shown += 1  # rows still waiting to mount for an older section are dropped
        shown = self._shown
        section = SECTIONS[index]
        steps = " › ".join(
            f"[b]{s.title}[/b]" if i == index else s.title for i, s in enumerate(SECTIONS)
        )
        self.query_one("#progress", Static).update(f"{index + 1}/{len(SECTIONS)}  {steps}")
        self.query_one("#intro", Static).update(section.intro)
        container = self.query_one("#questions", VerticalScroll)
        await container.remove_children()
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
        # A row is a dozen widgets (tens of milliseconds each to mount): the first few a
        # user reads are mounted and painted first, the rest right after that paint.
        first = min(FIRST_PAINT_ROWS, screenful(section.questions, self.app.size.width,
                                                self.app.size.height))  # fmt: skip
        self._rest, self._mounting = rows[first:], None
        await container.mount_all(rows[:first])
        if shown != self._shown:  # another section was asked for meanwhile
            return
        container.scroll_home(animate=False)
        self.focus_first_question()  # keys first, then the rest
        if self._rest:
            self.call_after_refresh(self._mount_rest, shown)

    def _mount_rest(self, shown: int) -> None:
        if shown == self._shown and self._rest:  # still the same section, not yet mounted
            rows, self._rest = self._rest, []
            self._mounting = self.query_one("#questions", VerticalScroll).mount_all(rows)

    async def settled(self) -> None:
        """Wait until every row of the section is mounted: leaving the app while a
        drop-down is still mounting breaks it."""
        self._mount_rest(self._shown)
        if self._mounting is not None:
            await self._mounting

    def focus_first_question(self) -> None:
        """Keys go to the section's first question at once: no Tab needed to start."""
        for row in self.query(QuestionRow):
            for widget in row.query("Input, Select"):
                if widget.focusable:  # at once, not after the app's queued messages
                    self.set_focus(widget, scroll_visible=False)
                    return

    def on_question_row_edited(self, event: QuestionRow.Edited) -> None:
        """Record the edit, then show every problem of this section afresh: a rule across
        questions (shares summing over 1) appears or clears as any of them changes."""
        error = self.answers.set(event.row.question.path, event.value, event.need)
        errors = self.answers.errors()
        for row in self.query(QuestionRow):
            row.show_error(error if row is event.row and error else errors.get(row.question.path))

    async def action_next(self) -> None:
        if self.section + 1 < len(SECTIONS):
            await self.show_section(self.section + 1)
        else:
            await self.action_results()

    async def action_back(self) -> None:
        if self.section > 0:
            await self.show_section(self.section - 1)

    async def action_results(self) -> None:
        errors = self.answers.errors()
        if errors:
            path, message = next(iter(errors.items()))
            index = next(
                (i for i, s in enumerate(SECTIONS) if any(q.path == path for q in s.questions)),
                self.section,
            )
            await self.show_section(index)
            self.notify(f"{path}: {markup(message)}", title="Please fix first", severity="error")
            return
        self.app.show_results()


CHROME = 4  # lines around the questions: header, progress, intro, footer
# Rows mounted before the first paint: the first question and the two a reader reaches
# next (6 rows cost about 220 ms of CPU before Textual's first paint here, 3 rows 105 ms).
FIRST_PAINT_ROWS = 3


def screenful(questions: tuple[Question, ...], width: int, height: int) -> int:
    """How many question rows fill a terminal of this size, at least: each is a line of
    inputs, its help wrapped to the width, and a blank line."""
    room, width = height - CHROME, max(20, width - 4)
    for count, question in enumerate(questions, 1):
        room -= 2 + -(-len(question.help) // width)
        if room <= 0:
            return count
    return len(questions)
