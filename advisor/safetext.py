"""Untrusted text made safe to show: file names, requirement names, unknown keys and
plugin strings reach terminals, Markdown and spreadsheets, and must not steer them.

A terminal obeys ANSI/OSC escape sequences, carriage returns and backspaces; bidi
overrides (U+202E) reorder what is shown; Rich interprets ``[markup]``; Markdown
interprets ``|`` and line breaks; spreadsheets run a cell that starts with ``=``.
Each output escapes what its reader would obey, visibly, so nothing is hidden.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the bidirectional controls (embeddings, overrides,
# isolates, marks) that reorder what is shown, so a name can display as something it is
# not (CVE-2021-42574, "Trojan Source").
_UNSAFE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
_UNSAFE_KEEP_LINES = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def unsafe_characters(text: str, *, allow_newlines: bool = False) -> list[str]:
    """The characters of ``text`` a terminal would obey or hide (for rejecting names)."""
    pattern = _UNSAFE_KEEP_LINES if allow_newlines else _UNSAFE
    return sorted({m.group() for m in pattern.finditer(text)})


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def plain(text: object, *, keep_newlines: bool = False) -> str:
    """``text`` with every control and bidi character shown as an escape (``\\x1b``).

    With ``keep_newlines`` a line break (and tab) stays, for multi-line fields."""
    pattern = _UNSAFE_KEEP_LINES if keep_newlines else _UNSAFE
    return pattern.sub(_escape, str(text))


def markup(text: object) -> str:
    """Plain text for a Rich console or widget that interprets markup: brackets escaped."""
    from rich.markup import escape

    return escape(plain(text))


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def markdown(text: object) -> str:
    """One line of plain text inside Markdown: no structure, no links, no HTML."""
    return _MD_SPECIAL.sub(r"\\\1", plain(text))


def markdown_code(text: object) -> str:
    """Text shown inside a Markdown code span: backticks and table pipes cannot end it."""
    return plain(text).replace("`", "'").replace("|", "\\|")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: a string that starts like a formula gets a
    leading apostrophe (as OWASP's CSV-injection guidance recommends); numbers stay."""
    if not isinstance(value, str):
        return value
    cleaned = plain(value)
    if value.startswith(FORMULA_START):
        return "'" + cleaned
    return cleaned
