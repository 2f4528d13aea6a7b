"""Output renderers: each turns a batch of evaluations into one text format."""

from __future__ import annotations

from .common import Batch


def render(batch: Batch, fmt: str) -> str:
    if fmt == "json":
        from .json_out import render as chosen
    elif fmt == "csv":
        from .csv_out import render as chosen
    elif fmt == "markdown":
        from .markdown import render as chosen
    else:
        from .table import render as chosen
    return chosen(batch)


__all__ = ["Batch", "render"]
