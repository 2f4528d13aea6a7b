"""Messages between the app and its screens that are not tied to one widget."""

from __future__ import annotations

from textual.message import Message

LOADING = "loading options…"  # shown where results need the Advisor before it is ready


class AdvisorReady(Message):
    """The Advisor finished loading in its thread: screens waiting for it fill in."""
