"""Output renderers: each turns a batch of evaluations into one text format.

Every format is written as a stream: a start, one piece per evaluation as soon as it is
ready, and an end with the inputs that could not be read, so a batch of thousands of
files never holds more than one evaluation in memory.
"""

from __future__ import annotations

from .common import Batch, Renderer


def renderer(batch: Batch, fmt: str, advisor=None) -> Renderer:
    """The streaming renderer for ``fmt``; ``batch`` carries the options (top, excluded).
    HTML also takes the ``Advisor``: its charts predict across message sizes."""
    if fmt == "html":
        from .html import HtmlRenderer

        return HtmlRenderer(batch, advisor)
    if fmt == "json":
        from .json_out import JsonRenderer as chosen
    elif fmt == "csv":
        from .csv_out import CsvRenderer as chosen
    elif fmt == "markdown":
        from .markdown import MarkdownRenderer as chosen
    else:
        from .table import TableRenderer as chosen
    return chosen(batch)


def render(batch: Batch, fmt: str) -> str:
    """The whole output for a batch held in memory (the API and the TUI's export)."""
    chosen = renderer(batch, fmt)
    parts = [chosen.start()]
    parts.extend(chosen.add(evaluation) for evaluation in batch.evaluations)
    parts.append(chosen.finish(batch.problems))
    return "".join(parts)


__all__ = ["Batch", "Renderer", "render", "renderer"]
