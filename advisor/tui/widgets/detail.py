"""The ranking's detail pane as one Rich Text: the highlighted option's criteria, datapath,
estimates, checks and sources.

Built as styled Text rather than Markdown: Rich's Markdown renderer laid this pane out
in about a third of the time from a what-if edit to the painted screen, and the pane is
redrawn on every re-rank and every move of the table's cursor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from ...safetext import plain

if TYPE_CHECKING:
    from ...advisor import RankedOption
    from ...profile import SolutionProfile

BULLET = "• "


def detail_text(option: RankedOption, profile: SolutionProfile) -> Text:
    text = Text()
    text.append(f"{option.rank}. {plain(profile.name)}\n", style="bold underline")
    text.append(f"\n{plain(profile.summary)}\n\n")
    for name, criterion in option.criteria.items():
        text.append(BULLET)
        text.append(plain(name), style="bold")
        text.append(f" {criterion.score:.2f}: " + "; ".join(
            f"{plain(f.name)} {f.score:.2f} ({plain(f.detail)})" for f in criterion.factors
        ) + "\n")  # fmt: skip
    text.append("\nDatapath", style="bold")
    text.append(" same host: " + " → ".join(plain(s) for s in profile.datapath.intra_host) + "\n")
    if profile.datapath.inter_host is not None:
        path = " → ".join(plain(s) for s in profile.datapath.inter_host) or "host stack"
        text.append(f"other host: {path}\n")
    for prediction in option.predictions:
        text.append(
            f"{BULLET}{prediction.scenario}: {prediction.throughput_ratio.text()} of host, "
            f"{prediction.throughput_gbps.text()}, {prediction.packet_rate_mpps.text(3)}, "
            f"latency {prediction.latency_us.text(1)} one way "
        )
        if prediction.model.startswith("measured"):
            text.append(f"({plain(prediction.model)})\n", style="bold")
        else:
            text.append("(predicted)\n")
    checks = [f for f in option.findings if f.severity.value != "exclude"]
    if checks:
        text.append("\nCheck\n", style="bold")
        for finding in checks:
            text.append(f"{BULLET}{plain(finding.requirement)}: {plain(finding.message)}\n")
    text.append("\nSources\n", style="bold")
    for reference in profile.references:
        text.append(f"{BULLET}{plain(reference.title)}: {plain(reference.url)}\n")
    text.rstrip()
    return text
