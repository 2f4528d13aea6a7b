"""A readable Markdown report: ranking, why, and what was excluded and why."""

from __future__ import annotations

from ..evaluation import Evaluation
from .common import Batch, latency_text, throughput_text


def render(batch: Batch) -> str:
    parts = ["# cnadvisor report\n"]
    for evaluation in batch.evaluations:
        parts.append(_one(evaluation, batch))
    if batch.problems:
        parts.append("## Inputs that could not be evaluated\n")
        parts.extend(f"- `{problem}`" for problem in batch.problems)
        parts.append("")
    return "\n".join(parts)


def _one(evaluation: Evaluation, batch: Batch) -> str:
    lines = [
        f"## {evaluation.system}",
        "",
        f"Source: `{evaluation.source}` · performance model: **{evaluation.model.name}** "
        f"({evaluation.model.description}) · weights: "
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
                f"| {o.rank} | {o.name} (`{o.id}`) | {o.score:.1f} | "
                f"{c['performance'].score:.2f} | {c['security'].score:.2f} | "
                f"{c['mobility'].score:.2f} | {c['operability'].score:.2f} | "
                f"{throughput_text(o)} | {latency_text(o)} | {o.effective_mtu or '-'} | "
                f"{o.first_share:.0%} |"
            )
        lines += ["", "### Why", ""]
        for o in ranked:
            why = "; ".join(o.reasons) or "loses no points worth naming"
            lines.append(f"- **{o.id}**: {why}.")
            for finding in o.findings:
                if finding.severity.value == "warn":
                    lines.append(f"  - check `{finding.requirement}`: {finding.message}")
        lines.append("")
    if evaluation.excluded:
        lines += [f"### Excluded ({len(evaluation.excluded)})", ""]
        for o in evaluation.excluded:
            reasons = "; ".join(f"`{r.requirement}`: {r.message}" for r in o.reasons)
            lines.append(f"- **{o.id}**: {reasons}")
        lines.append("")
    return "\n".join(lines)
