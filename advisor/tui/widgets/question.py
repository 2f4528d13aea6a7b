"""One question: its input, whether it is required or preferred, its help, its error."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Select, Static

from ...questionnaire import NEEDS, NO, UNKNOWN, YES, Question, bounds_text
from ...safetext import markup


class QuestionRow(Vertical):
    """Renders a Question; posts Edited when the user changes anything."""

    class Edited(Message):
        def __init__(self, row: QuestionRow, value: str, need: str | None) -> None:
            super().__init__()
            self.row = row
            self.value = value
            self.need = need

    def __init__(self, question: Question, value: str, need: str, error: str | None = None):
        super().__init__(classes="question invalid" if error else "question")
        self.question = question
        self.value = value
        self.need = need
        self.initial_error = error

    @property
    def widget_id(self) -> str:
        return "q-" + self.question.path.replace(".", "-").replace("_", "-")

    def compose(self) -> ComposeResult:
        q = self.question
        with Horizontal(classes="inputs"):
            yield Label(q.label, classes="label")
            if q.kind in ("choice", "need-choice"):
                yield Select(
                    [(c, c) for c in q.choices],
                    value=self.value if self.value in q.choices else q.choices[0],
                    allow_blank=False,
                    id=self.widget_id,
                    compact=True,
                )
            elif q.kind in ("bool", "tristate", "need-bool"):
                options = (UNKNOWN, YES, NO) if q.kind == "tristate" else (YES, NO)
                yield Select(
                    [(o, o) for o in options],
                    value=self.value
                    if self.value in options
                    else (YES if q.kind == "need-bool" else options[-1]),
                    allow_blank=False,
                    id=self.widget_id,
                    compact=True,
                )
            else:
                hint = bounds_text(q.path) or "value"
                yield Input(self.value, id=self.widget_id, placeholder=hint, compact=True,
                            tooltip=hint)  # fmt: skip
            if q.has_need:
                yield Select(
                    [(n, n) for n in NEEDS],
                    value=self.need,
                    allow_blank=False,
                    id=self.widget_id + "-need",
                    classes="need",
                    compact=True,
                )
        yield Static(q.help, classes="help")
        if self.initial_error:  # else added on the first error: one widget less to paint
            yield Static(f"✗ {markup(self.initial_error)}", classes="error")

    def show_error(self, message: str | None) -> None:
        if not self.is_attached:  # being removed with its section
            return
        self.set_class(bool(message), "invalid")
        text = f"✗ {markup(message)}" if message else ""
        found = self.query(".error")
        if found:
            found.first(Static).update(text)
        elif not self.children:  # not composed yet: compose shows it
            self.initial_error = message
        elif message:
            self.mount(Static(text, classes="error"))

    # A widget reports its starting value as a change when it mounts; that is no edit, and
    # passing it on would overwrite newer answers and mark a just-loaded file unsaved.
    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value == self.value:
            return
        self.value = event.value
        self.post_message(self.Edited(self, self.value, None))

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id and event.select.id.endswith("-need"):
            if str(event.value) == self.need:
                return
            self.need = str(event.value)
            self.post_message(self.Edited(self, self.value, self.need))
        elif str(event.value) != self.value:
            self.value = str(event.value)
            self.post_message(self.Edited(self, self.value, None))
