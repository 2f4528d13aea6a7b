"""A readable Markdown report: ranking, why, and what was excluded and why."""

from __future__ import annotations

from collections.abc import Sequence

from ..evaluation import Evaluation
from ..loading import InputProblem
from ..safetext import markdown as md
from ..safetext import markdown_code as code
from .common import Batch, Renderer, latency_text, throughput_text


class MarkdownRenderer(Renderer):
    """Names, file names and plugin texts are escaped: a newline, ``|``, ``[link](...)`` or
    HTML in them cannot add structure to the report."""

    def start(self) -> str:
        return "# cnadvisor report\n\n"

    def one(self, evaluation: Evaluation) -> str:
        return _one(evaluation, self.batch) + "\n"

    def finish(self, problems: Sequence[InputProblem]) -> str:
        if not problems:
            return ""
        lines = ["## Inputs that could not be evaluated", ""]
        lines += [f"- `{code(problem)}`" for problem in problems]
        return "\n".join(lines) + "\n\n"


def _one(evaluation: Evaluation, batch: Batch) -> str:
    lines = [
        f"## {md(evaluation.system)}",
        "",
        f"Source: `{code(evaluation.source)}` · performance model: "
        f"**{md(evaluation.model.name)}** ({md(evaluation.model.description)}) · weights: "
        + ", ".join(f"{k} {v:.2f}" for k, v in evaluation.weights.items()),
        "",
    ]
    ranked = batch.ranked(evaluation)
    if not ranked:
        lines += ["No option meets every required constraint.", ""]
    else:
        if evaluation.robustness.top_stays_first is not None:
            lines += [
                f"The top pick stays first under {evaluation.robustness.top_stays_first:.0%} of "
                f"{evaluation.robustness.samples} perturbed weightings "
                f"(±{evaluation.robustness.spread:.0%}).",
                "",
            ]
        lines += [
            "| # | option | score | perf | sec | mob | ops | throughput (inter-host) "
            "| latency | MTU | first |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for o in ranked:
            c = o.criteria
            lines.append(
                f"| {o.rank} | {md(o.name)} (`{code(o.id)}`) | {o.score:.1f} | "
                f"{c['performance'].score:.2f} | {c['security'].score:.2f} | "
                f"{c['mobility'].score:.2f} | {c['operability'].score:.2f} | "
                f"{throughput_text(o)} | {latency_text(o)} | {o.effective_mtu or '-'} | "
                f"{o.first_share:.0%} |"
            )
        lines += ["", "### Why", ""]
        for o in ranked:
            why = "; ".join(md(reason) for reason in o.reasons) or "loses no points worth naming"
            lines.append(f"- **{md(o.id)}**: {why}.")
            for finding in o.findings:
                if finding.severity.value == "warn":
                    lines.append(f"  - check `{code(finding.requirement)}`: {md(finding.message)}")
        lines.append("")
    if evaluation.excluded:
        lines += [f"### Excluded ({len(evaluation.excluded)})", ""]
        for o in evaluation.excluded:
            reasons = "; ".join(f"`{code(r.requirement)}`: {md(r.message)}" for r in o.reasons)
            lines.append(f"- **{md(o.id)}**: {reasons}")
        lines.append("")
    return "\n".join(lines)
