"""The `?` overlay: every key of the screen beneath, read from its live bindings, so the
list cannot drift from what the keys do."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

EXTRA = (  # keys that belong to widgets rather than bindings
    ("tab / shift+tab", "next / previous box"),
    ("up / down", "move in a table or a drop-down"),
    ("enter", "open a drop-down, choose"),
)


def key_lines(screen: Screen) -> list[tuple[str, str]]:
    """(key, what it does) for every binding active on ``screen``, the app's included."""
    seen: dict[str, str] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description:
            continue
        shown = screen.app.get_key_display(binding)
        seen.setdefault(shown, binding.description)
    return list(seen.items()) + list(EXTRA)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q,f1", "dismiss", "Close")]

    def __init__(self, lines: list[tuple[str, str]]) -> None:
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        width = max((len(key) for key, _ in self.lines), default=4) + 2
        text = Text("Keys\n\n", style="bold")
        for key, description in self.lines:
            text.append(f"{key:<{width}}", style="bold")
            text.append(f"{description}\n")
        text.append("\nEsc or ? closes this list.", style="italic")
        with VerticalScroll(id="help"):
            yield Static(text, id="help-text")
