"""The terminal table (rich): ranking with the reasons that cost points, then exclusions.

Every text that came from a file or a plugin goes through ``safetext.markup``: Rich
markup such as ``[/]`` or ``[link=...]`` in it is shown, never obeyed, and terminal
controls are escaped."""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from ..advisor import Evaluation
from ..loading import InputProblem
from ..safetext import markup as safe
from .common import Batch, Renderer, gbps_text, terminal_width, throughput_text


class TableRenderer(Renderer):
    def __init__(self, batch: Batch, *, width: int | None = None, color: bool = False) -> None:
        super().__init__(batch)
        self.width, self.color = width, color

    def _console(self, buffer: io.StringIO) -> Console:
        return Console(
            file=buffer,
            width=self.width or terminal_width(),
            force_terminal=self.color,
            no_color=not self.color,
            emoji=False,
        )

    def one(self, evaluation: Evaluation) -> str:
        buffer = io.StringIO()
        _one(self._console(buffer), evaluation, self.batch)
        return buffer.getvalue()

    def finish(self, problems: Sequence[InputProblem]) -> str:
        """Nothing: each input problem was already said once, on stderr, as it was met (the
        document formats keep them as data; the table is for reading, not a record)."""
        return ""


def render(batch: Batch, *, width: int | None = None, color: bool = False) -> str:
    chosen = TableRenderer(batch, width=width, color=color)
    return "".join([chosen.start(), *map(chosen.add, batch.evaluations),
                    chosen.finish(batch.problems)])  # fmt: skip


WIDE = 120  # below this many columns the table drops the criteria and MTU columns


def _one(console: Console, evaluation: Evaluation, batch: Batch) -> None:
    stays = evaluation.robustness.top_stays_first
    caption = f"model: {evaluation.model.name}" + (
        f" · top pick first in {stays:.0%} of perturbed weightings" if stays is not None else ""
    )
    table = Table(
        title=f"{safe(evaluation.system)}  ({safe(evaluation.source)})", caption=safe(caption)
    )
    wide = console.width >= WIDE
    criteria = ("performance", "security", "mobility", "operability")
    table.add_column("#", justify="right")
    table.add_column("option", no_wrap=True)
    table.add_column("score", justify="right")
    if wide:
        for name in criteria:
            table.add_column(name[:4], justify="right")
    scenario = evaluation.scenario  # where most of this system's traffic goes
    table.add_column(
        f"{scenario} estimate" if wide else f"{scenario} Gbit/s [80 %]", overflow="fold"
    )
    if wide:
        table.add_column("MTU", justify="right")
    table.add_column("why (points lost)", overflow="fold")
    for o in batch.ranked(evaluation):
        cells = [str(o.rank), safe(o.id), f"{o.score:.1f}"]
        if wide:
            cells += [f"{o.criteria[name].score:.2f}" for name in criteria]
        cells.append(throughput_text(o, scenario) if wide else gbps_text(o, scenario))
        if wide:
            cells.append(str(o.effective_mtu or "-"))
        cells.append("\n".join(safe(_short(reason)) for reason in o.reasons) or "-")
        table.add_row(*cells)
    console.print(table)
    if not evaluation.excluded:
        return
    if batch.show_excluded:
        excluded = Table(title="excluded")
        excluded.add_column("option")
        excluded.add_column("requirement")
        excluded.add_column("reason")
        for o in evaluation.excluded:
            for reason in o.reasons:
                said = "" if reason.source == "core" else f" (plugin {reason.source})"
                excluded.add_row(safe(o.id), safe(reason.requirement), safe(reason.message + said))
        console.print(excluded)
    else:
        console.print(
            f"{len(evaluation.excluded)} options excluded by required constraints "
            "(--show-excluded lists them with the reason)."
        )


def _short(reason: str) -> str:
    """'security: isolation (host-stack) −6.2' → 'isolation −6.2' for a narrow column."""
    head, _, points = reason.rpartition(" ")
    factor = head.split(": ", 1)[-1].split(" (", 1)[0]
    return f"{factor} {points}"
