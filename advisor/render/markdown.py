"""A readable Markdown report laid out as an architecture decision record: context (the
requirements), options (ranking, why, exclusions), decision, consequences."""

from __future__ import annotations

from collections.abc import Sequence

from ..advisor import Evaluation
from ..loading import InputProblem
from ..requirements import Requirements
from ..safetext import markdown as md
from ..safetext import markdown_code as code
from .common import Batch, Renderer, latency_text, throughput_text, traffic_shares


class MarkdownRenderer(Renderer):
    """Names, file names and plugin texts are escaped: a newline, ``|``, ``[link](...)`` or
    HTML in them cannot add structure to the report."""

    def start(self) -> str:
        return "# cnadvisor report\n\n"

    def add(self, evaluation: Evaluation, requirements: Requirements | None = None) -> str:
        self.count += 1
        return _one(evaluation, self.batch, requirements) + "\n"

    def one(self, evaluation: Evaluation) -> str:
        return _one(evaluation, self.batch, None) + "\n"

    def finish(self, problems: Sequence[InputProblem]) -> str:
        if not problems:
            return ""
        lines = ["## Inputs that could not be evaluated", ""]
        lines += [f"- `{code(problem)}`" for problem in problems]
        return "\n".join(lines) + "\n\n"


ORCHESTRATOR = "environment.orchestrator"  # the least telling exclusion: listed last


def _one(evaluation: Evaluation, batch: Batch, requirements: Requirements | None) -> str:
    lines = [
        f"## {md(evaluation.system)}",
        "",
        f"Source: `{code(evaluation.source)}` · performance model: "
        f"**{md(evaluation.model.name)}** ({md(evaluation.model.description)})",
        "",
        "### Context",
        "",
        *_context(evaluation, requirements),
        "",
        "### Options",
        "",
    ]
    ranked = batch.ranked(evaluation)
    if not ranked:
        lines += ["No option meets every required constraint.", ""]
    else:
        lines += [
            f"| # | option | score | perf | sec | mob | ops | throughput ({evaluation.scenario}) "
            "| latency | MTU | first |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for o in ranked:
            c = o.criteria
            lines.append(
                f"| {o.rank} | {md(o.name)} (`{code(o.id)}`) | {o.score:.1f} | "
                f"{c['performance'].score:.2f} | {c['security'].score:.2f} | "
                f"{c['mobility'].score:.2f} | {c['operability'].score:.2f} | "
                f"{throughput_text(o, evaluation.scenario)} | {latency_text(o)} | "
                f"{o.effective_mtu or '-'} | {o.first_share:.0%} |"
            )
        lines += ["", "#### Why (points lost)", ""]
        for o in ranked:
            why = "; ".join(md(reason) for reason in o.reasons) or "loses no points worth naming"
            lines.append(f"- **{md(o.id)}**: {why}.")
        lines.append("")
    if evaluation.excluded:
        lines += [f"#### Excluded ({len(evaluation.excluded)})", ""]
        by_requirement = sorted(evaluation.excluded, key=_exclusion_order)
        for o in by_requirement:
            reasons = "; ".join(f"`{code(r.requirement)}`: {md(r.message)}" for r in o.reasons)
            lines.append(f"- **{md(o.id)}**: {reasons}")
        lines.append("")
    lines += ["### Decision", ""]
    if not ranked:
        lines += ["None yet: relax a required constraint (see the exclusions).", ""]
        return "\n".join(lines)
    leader = ranked[0]
    margin = (
        f", {leader.score - ranked[1].score:.1f} points ahead of {md(ranked[1].id)}"
        if len(ranked) > 1
        else ""
    )
    lines.append(f"Choose **{md(leader.name)}** (`{code(leader.id)}`), score {leader.score:.1f}"
                 f"{margin}.")  # fmt: skip
    stays = evaluation.robustness.top_stays_first
    if stays is not None:
        lines.append(
            f"It stays first under {stays:.0%} of {evaluation.robustness.samples} perturbed "
            f"weightings (±{evaluation.robustness.spread:.0%})."
        )
    lines += ["", "### Consequences", ""]
    lines.append(
        f"- Effective MTU inside the containers: {leader.effective_mtu}."
        if leader.effective_mtu
        else "- Effective MTU: not applicable (traffic stays on the host)."
    )
    lines += [f"- Gives up: {md(reason)}." for reason in leader.reasons]
    for o in ranked:
        for finding in o.findings:
            if finding.severity.value == "warn":
                who = "" if o.id == leader.id else f"({md(o.id)}) "
                lines.append(f"- Check {who}`{code(finding.requirement)}`: {md(finding.message)}")
    lines.append("")
    return "\n".join(lines)


def _exclusion_order(option) -> tuple[bool, str, str]:
    """The telling exclusions first, by requirement; orchestrator mismatches last."""
    first = option.reasons[0].requirement
    return first == ORCHESTRATOR, first, option.id


def _context(evaluation: Evaluation, requirements: Requirements | None) -> list[str]:
    weights = ", ".join(f"{k} {v:.2f}" for k, v in evaluation.weights.items())
    if requirements is None:
        return [f"Weights: {weights}."]
    lines = [md(" ".join(requirements.description.split())), ""] if requirements.description else []
    w, env = requirements.workload, requirements.environment
    shares = traffic_shares(requirements)
    lines.append(
        (f"Traffic: {shares}. " if shares else "")
        + f"{w.protocol.upper()}, {w.message_size}-byte messages; {env.orchestrator} on "
        f"{env.virtualization}, {env.nic_gbps:g} Gbit/s NIC, underlay MTU {env.underlay.mtu}. "
        f"Weights: {weights}."
    )
    from .html import requirement_rows  # one reading of the requirements for both reports

    for need in ("required", "preferred"):
        items = [
            f"`{code(k)}` {md(v)}" for k, v, n, _ in requirement_rows(requirements) if n == need
        ]
        if items:
            lines += ["", f"{need.capitalize()}: " + "; ".join(items) + "."]
    return lines
