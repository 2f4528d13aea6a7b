"""What every renderer needs: the batch of results and short texts for estimates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: `cnadvisor` (the TUI) imports this before its first paint
    from ..advisor import Evaluation, RankedOption
    from ..loading import InputProblem
    from ..requirements import Requirements


@dataclass
class Batch:
    """Evaluations and input problems of one run, in input order."""

    evaluations: list[Evaluation] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    top: int | None = None
    show_excluded: bool = False

    def ranked(self, evaluation: Evaluation) -> list[RankedOption]:
        return evaluation.ranked[: self.top] if self.top else evaluation.ranked


class Renderer:
    """One output format written piece by piece: ``start``, ``add`` per evaluation,
    ``finish`` with the input problems. Each returns text to write at once."""

    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.count = 0

    def start(self) -> str:
        return ""

    def add(self, evaluation: Evaluation, requirements: Requirements | None = None) -> str:
        """``requirements`` (what was evaluated) is for formats that show or re-predict it."""
        self.count += 1
        return self.one(evaluation)

    def add_encoded(
        self, evaluation: Evaluation, requirements: Requirements | None = None
    ) -> bytes:
        """``add`` as UTF-8 bytes, what batch workers hand over; a format that serialises
        to bytes itself overrides this and skips a decode and an encode per result."""
        return self.add(evaluation, requirements).encode("utf-8")

    def one(self, evaluation: Evaluation) -> str:
        raise NotImplementedError

    def finish(self, problems: Sequence[InputProblem]) -> str:
        return ""


def traffic_shares(requirements: Requirements) -> str:
    """Where the system's traffic goes, in words ("90% on the same host, 10% to other
    hosts"); empty when no share is declared."""
    traffic = requirements.workload.traffic
    return ", ".join(
        f"{share:.0%} {where}"
        for share, where in (
            (traffic.intra_host, "on the same host"),
            (traffic.inter_host, "to other hosts"),
            (traffic.cross_datacenter, "to other data centres"),
        )
        if share > 0
    )


def terminal_width(default: int = 140) -> int:
    """The terminal's width when writing to one (tables fit the window); for files and
    pipes ``COLUMNS`` if set (``COLUMNS=80 cnadvisor ... | less``), else a fixed width so
    they get the same layout on every machine."""
    import os
    import shutil
    import sys

    if sys.stdout.isatty():
        return max(60, shutil.get_terminal_size((default, 24)).columns)
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(40, int(columns))
    return default


def inter_host(option: RankedOption, scenario: str = "inter-host"):
    """The option's prediction for ``scenario`` (where most of the system's traffic goes)."""
    return next((p for p in option.predictions if p.scenario == scenario), None)


def throughput_text(option: RankedOption, scenario: str = "inter-host") -> str:
    prediction = inter_host(option, scenario)
    if prediction is None:
        return "same host only" if option.predictions else "-"
    return f"{prediction.throughput_gbps.text(2)} · {prediction.packet_rate_mpps.text(3)}"


def gbps_text(option: RankedOption, scenario: str = "inter-host") -> str:
    """Gbit/s for ``scenario`` with its 80 % interval, compact enough for a narrow column."""
    prediction = inter_host(option, scenario)
    if prediction is None:
        return "same host" if option.predictions else "-"
    estimate = prediction.throughput_gbps
    if estimate.value is None:
        return "unknown"
    if estimate.low is None:
        return f"≤ {estimate.value:.2f}"
    return f"{estimate.value:.2f} [{estimate.low:.1f}–{estimate.high:.1f}]"


def latency_text(option: RankedOption) -> str:
    for prediction in option.predictions:
        if prediction.added_latency_us.value is not None:
            return prediction.added_latency_us.text(1)
    return "unknown"
