"""A self-contained HTML report to share a decision with people who will not run a CLI.

One file: inline CSS, charts as inline SVG drawn by matplotlib with their text kept as
text (selectable, searchable), no script, and a Content-Security-Policy that forbids
every fetch, so opening it never touches the network. The layout follows an
architecture decision record: context (the requirements as understood), options (the
ranking, charts, exclusions), decision, consequences (effective MTU, findings to check),
and the model behind the figures. Every string from a file or a plugin is escaped.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel

from ..advisor import Evaluation, RankedOption
from ..loading import InputProblem
from ..performance import Estimate, Prediction
from ..requirements import Constraint, Requirements, ThroughputNeed
from ..safetext import plain
from .common import Batch, Renderer, traffic_shares

if TYPE_CHECKING:
    from ..advisor import Advisor

CHART_OPTIONS = 5  # the top options drawn in the charts
CHART_SIZES = (64, 128, 256, 512, 1024, 1400, 4096, 9000, 16384, 65507)  # bytes, TCP and UDP
# Okabe and Ito's palette: told apart with the common colour-vision deficiencies.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
MARKERS = ("o", "s", "^", "D", "v", "P")
ORCHESTRATOR = "environment.orchestrator"

CSS = """
:root { color-scheme: light; --ink: #1b1f24; --muted: #5b6470; --line: #d8dde3;
  --accent: #0b5cad; --good: #e9f4ec; --warn: #fff6e0; --bg: #ffffff; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 20px 16px 48px; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 36px 0 6px; padding-top: 12px; border-top: 3px solid var(--ink); }
h3 { font-size: 1.08rem; margin: 26px 0 8px; }
p, li { max-width: 78ch; }
.muted, caption { color: var(--muted); }
code { font: 0.9em ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  background: #f2f4f6; padding: 0 3px; border-radius: 3px; overflow-wrap: anywhere; }
.decision { background: var(--good); border-left: 5px solid #2e7d4f; padding: 10px 14px;
  margin: 12px 0; }
.interval { color: var(--muted); font-size: 0.8rem; }
td.option { min-width: 10em; }
td.why { min-width: 13em; }
.decision strong { font-size: 1.1rem; }
.scroll { overflow-x: auto; margin: 8px 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
caption { text-align: left; padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left;
  vertical-align: top; }
th { background: #f2f4f6; font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.leader td { background: var(--good); }
td.default { color: var(--muted); }
.need { font-size: 0.8rem; padding: 0 5px; border-radius: 8px; border: 1px solid var(--line);
  white-space: nowrap; }
.need.required { background: #fde8e8; } .need.preferred { background: var(--warn); }
ul.why { margin: 0; padding-left: 18px; }
.requirements { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr));
  gap: 4px 18px; align-items: start; }
.requirements table { font-size: 0.85rem; }
.requirements td { padding: 2px 6px; }
.requirements td:first-child { width: 55%; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; }
figure { margin: 0; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { font-size: 0.88rem; color: var(--muted); }
.findings li { margin-bottom: 4px; }
details { margin: 8px 0; }
summary { cursor: pointer; font-weight: 600; }
@media (max-width: 600px) {
  body { font-size: 14px; } main { padding: 12px 10px 32px; }
  th, td { padding: 4px 5px; }
  .wide { display: none; }
}
@media print { .scroll { overflow: visible; } details { display: block; } }
"""


def h(text: object) -> str:
    """Untrusted text as HTML text or an attribute value: controls and bidi overrides shown
    as escapes (``safetext.plain``), then ``& < > " '`` escaped."""
    return html.escape(plain(text), quote=True)


class HtmlRenderer(Renderer):
    """One page for the whole batch; each evaluation is a section. Needs the ``Advisor``
    for the charts (predictions across message sizes) and the requirements it evaluated."""

    def __init__(self, batch: Batch, advisor: Advisor | None = None) -> None:
        super().__init__(batch)
        self.advisor = advisor

    def start(self) -> str:
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "style-src 'unsafe-inline'; img-src data:\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="generator" content="cnadvisor">\n'
            "<title>cnadvisor report</title>\n"
            f"<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        )

    def add(self, evaluation: Evaluation, requirements: Requirements | None = None) -> str:
        self.count += 1
        return _section(evaluation, requirements, self.batch, self.advisor, self.count)

    def one(self, evaluation: Evaluation) -> str:
        return _section(evaluation, None, self.batch, self.advisor, self.count)

    def finish(self, problems: Sequence[InputProblem]) -> str:
        parts = []
        if problems:
            parts.append("<h2>Inputs that could not be evaluated</h2>\n<ul>")
            parts += [f"<li><code>{h(problem)}</code></li>" for problem in problems]
            parts.append("</ul>")
        if not self.count and not problems:
            parts.append("<p>No input was evaluated.</p>")
        parts.append("</main>\n</body>\n</html>\n")
        return "\n".join(parts)


def _section(
    evaluation: Evaluation,
    requirements: Requirements | None,
    batch: Batch,
    advisor: Advisor | None,
    index: int,
) -> str:
    ranked = batch.ranked(evaluation)
    sweeps: dict[str, list[Prediction]] = {}
    sizes: list[int] = []
    if advisor is not None and requirements is not None and ranked:
        sizes = _chart_sizes(requirements)
        top = [o.id for o in ranked[:CHART_OPTIONS]]
        sweeps = advisor.sweep(top, requirements, sizes, scenario=evaluation.scenario)
    out = [
        f'<section id="system-{index}">',
        f"<h1>{h(evaluation.system)}</h1>",
        f'<p class="muted">Network decision record by cnadvisor · from <code>'
        f"{h(evaluation.source)}</code></p>",
        _decision_box(evaluation, ranked, index),
        "<h2>Context</h2>",
        _context(requirements, evaluation, index),
        "<h2>Options</h2>",
        _ranking(evaluation, ranked, index),
        _charts(evaluation, ranked, sweeps, sizes, requirements, index),
        _excluded(evaluation),
        "<h2>Decision</h2>",
        _decision_text(evaluation, ranked),
        "<h2>Consequences</h2>",
        _consequences(evaluation, ranked),
        "<h2>How the figures were made</h2>",
        _model(evaluation, advisor, ranked, sweeps),
        _requirements(requirements, index),
        "</section>\n",
    ]
    return "\n".join(part for part in out if part)


# --- context ---------------------------------------------------------------------------


def _context(requirements: Requirements | None, evaluation: Evaluation, index: int) -> str:
    """The requirements in a few sentences; every key is in the appendix."""
    weights = ", ".join(f"{h(k)} {v:.0%}" for k, v in evaluation.weights.items())
    if requirements is None:
        return f"<p>Weights of the criteria: {weights}.</p>"
    parts = []
    if requirements.description:
        parts.append(f"<p>{h(requirements.description)}</p>")
    w, env = requirements.workload, requirements.environment
    shares = traffic_shares(requirements)
    facts = [
        (f"Traffic: {shares}. " if shares else "")
        + f"{h(w.protocol.upper())}, {w.message_size}-byte messages. "
        f"{h(env.orchestrator)} on {h(env.virtualization)}, {env.nic_gbps:g} Gbit/s NIC, "
        f"underlay MTU {env.underlay.mtu}, {env.network_cores} core(s) for the network."
    ]
    needs: dict[str, list[str]] = {"required": [], "preferred": []}
    for key, value, need, _given in requirement_rows(requirements):
        if need in needs:
            needs[need].append(f"<code>{_key(key)}</code> {h(value)}")
    for need, items in needs.items():
        if items:
            facts.append(f"<strong>{need.capitalize()}:</strong> " + "; ".join(items) + ".")
    facts.append(f"Weights of the criteria: {weights}.")
    parts += [f"<p>{fact}</p>" for fact in facts]
    parts.append(
        f'<p class="muted">Every requirement as read, defaults included: '
        f'<a href="#requirements-{index}">appendix</a>.</p>'
    )
    return "\n".join(parts)


def _requirements(requirements: Requirements | None, index: int) -> str:
    """Appendix: every key cnadvisor used, as it read them."""
    if requirements is None:
        return ""
    parts = [
        f'<h2 id="requirements-{index}">Appendix: the requirements as understood</h2>',
        "<p>Every key cnadvisor used, as it read them. Values in grey were not in the file: "
        "they are defaults, or <em>unknown</em> (options that depend on an unknown are kept "
        'and flagged). A <span class="need required">required</span> constraint excludes '
        'options that miss it; a <span class="need preferred">preferred</span> one costs '
        "points.</p>",
    ]
    groups: dict[str, list[str]] = {}
    for key, value, need, given in requirement_rows(requirements):
        section, _, rest = key.partition(".")
        shown = h(value) if given else f'{h(value)} <span class="muted">(default)</span>'
        badge = f' <span class="need {h(need)}">{h(need)}</span>' if need else ""
        groups.setdefault(section, []).append(
            f'<tr><td><code>{_key(rest)}</code></td><td class="{"" if given else "default"}">'
            f"{shown}{badge}</td></tr>"
        )
    parts.append(
        '<div class="requirements">'
        + "".join(
            f"<table><caption><strong>{h(section)}</strong></caption>"
            f"<tbody>{''.join(rows)}</tbody></table>"
            for section, rows in groups.items()
        )
        + "</div>"
    )
    return "\n".join(parts)


def requirement_rows(
    model: BaseModel, prefix: str = "", given: bool = True
) -> Iterator[tuple[str, str, str, bool]]:
    """(dotted key, value, need, in the file) for every leaf of the requirements."""
    for name in type(model).model_fields:
        if not prefix and name in ("name", "description"):
            continue  # shown as the heading and the paragraph above
        key = f"{prefix}{name}"
        value = getattr(model, name)
        here = given and name in model.model_fields_set
        if isinstance(value, Constraint):
            yield key, _value_text(value.value), value.need.value, here
        elif isinstance(value, ThroughputNeed):
            yield key, f"{value.value:g} {value.unit}", value.need.value, here
        elif isinstance(value, BaseModel):
            yield from requirement_rows(value, f"{key}.", here)
        elif value is None:
            yield key, "unknown" if key.startswith("environment.") else "not needed", "", here
        else:
            yield key, _value_text(value), "", here


def _value_text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(getattr(value, "value", value))


# --- options ---------------------------------------------------------------------------


def _scenario_prediction(option: RankedOption, scenario: str) -> Prediction | None:
    chosen = next((p for p in option.predictions if p.scenario == scenario), None)
    return chosen or (option.predictions[0] if option.predictions else None)


def _estimate(estimate: Estimate, digits: int = 2) -> str:
    if estimate.value is None:
        return '<span class="muted">unknown</span>'
    if estimate.kind == "upper-bound":
        return f"≤ {estimate.value:.{digits}f}"
    if estimate.low is not None and estimate.high is not None:
        return (
            f'{estimate.value:.{digits}f}<br><span class="interval">{estimate.low:.{digits}f}–'
            f"{estimate.high:.{digits}f}</span>"
        )
    return f"{estimate.value:.{digits}f}"


def _ranking(evaluation: Evaluation, ranked: list[RankedOption], index: int) -> str:
    if not ranked:
        return "<p><strong>No option meets every required constraint.</strong></p>"
    scenario = evaluation.scenario
    head = (
        "<tr><th class=num>#</th><th>option</th><th class=num>score</th>"
        "<th class='num wide' title='performance'>perf</th>"
        "<th class='num wide' title='security'>sec</th>"
        "<th class='num wide' title='mobility'>mob</th>"
        "<th class='num wide' title='operability'>ops</th>"
        f"<th class=num>{h(scenario)}<br>Gbit/s</th>"
        "<th class=num>latency<br>µs</th><th class='num wide'>MTU</th>"
        "<th>why it loses points</th></tr>"
    )
    rows = []
    for o in ranked:
        p = _scenario_prediction(o, scenario)
        gbps = _estimate(p.throughput_gbps) if p else "-"
        latency = _estimate(p.latency_us, 1) if p else "-"
        if p and p.model.startswith("measured"):
            gbps += f' <span class="need">{h(p.model)}</span>'
        crit = "".join(
            f"<td class='num wide'>{o.criteria[name].score:.2f}</td>"
            for name in ("performance", "security", "mobility", "operability")
        )
        why = "".join(f'<li title="{h(reason)}">{h(_short(reason))}</li>' for reason in o.reasons)
        rows.append(
            f"<tr{' class=leader' if o.rank == 1 else ''}><td class=num>{o.rank}</td>"
            f"<td class=option><strong>{h(o.name)}</strong><br><code>{h(o.id)}</code></td>"
            f"<td class=num>{o.score:.1f}</td>{crit}<td class=num>{gbps}</td>"
            f"<td class=num>{latency}</td><td class='num wide'>{o.effective_mtu or '-'}</td>"
            f"<td class=why>{'<ul class=why>' + why + '</ul>' if why else 'loses no points'}"
            "</td></tr>"
        )
    stays = evaluation.robustness.top_stays_first
    caption = (
        f"Score 0–100 is the weighted sum of the four criteria (each 0–1): performance, "
        f"security, mobility, operability. Estimates, with their 80 % interval below, are for "
        f"{h(scenario)} traffic, where most of this system's traffic goes"
        + (
            f"; the leader stays first under {stays:.0%} of {evaluation.robustness.samples} "
            f"perturbed weightings"
            if stays is not None
            else ""
        )
        + "."
    )
    factors = "".join(_factors(o) for o in ranked)
    return (
        f"<h3>Ranking ({len(ranked)} of {len(evaluation.ranked) + len(evaluation.excluded)} "
        "options kept)</h3>"
        f'<p class="muted">{caption}</p>'
        f'<div class="scroll"><table id="ranking-{index}">'
        f"<thead>{head}</thead><tbody>{''.join(rows)}</tbody></table></div>"
        f"<details><summary>Every factor behind each option's criteria</summary>{factors}"
        "</details>"
    )


def _key(key: str) -> str:
    """A dotted requirement key that may wrap after its dots, never inside a word."""
    return h(key).replace(".", ".<wbr>")


def _short(reason: str) -> str:
    """'security: isolation (host-stack) −6.2' → 'isolation −6.2' for the table; the whole
    reason is in the cell's title and in the factor list."""
    head, _, points = reason.rpartition(" ")
    factor = head.split(": ", 1)[-1].split(" (", 1)[0]
    return f"{factor} {points}"


def _factors(option: RankedOption) -> str:
    items = []
    for name, criterion in option.criteria.items():
        detail = "; ".join(f"{h(f.name)} {f.score:.2f} ({h(f.detail)})" for f in criterion.factors)
        items.append(f"<li><strong>{h(name)} {criterion.score:.2f}</strong>: {detail or '-'}</li>")
    return f"<p><strong>{option.rank}. {h(option.name)}</strong></p><ul>{''.join(items)}</ul>"


def _excluded(evaluation: Evaluation) -> str:
    if not evaluation.excluded:
        return "<h3>Excluded</h3><p>No option was excluded.</p>"
    rows = sorted(
        ((reason.requirement, o, reason) for o in evaluation.excluded for reason in o.reasons),
        key=lambda row: (row[0] == ORCHESTRATOR, row[0], row[1].id),
    )

    def table(chosen: list) -> str:
        body = "".join(
            f"<tr><td><code>{_key(key)}</code></td><td>{h(o.name)}<br><code>{h(o.id)}</code></td>"
            f"<td>{h(reason.message)}"
            + ("" if reason.source == "core" else f" <em>(plugin {h(reason.source)})</em>")
            + "</td></tr>"
            for key, o, reason in chosen
        )
        return (
            '<div class="scroll"><table class="excluded"><thead><tr><th>requirement</th>'
            f"<th>option</th><th>why</th></tr></thead><tbody>{body}</tbody></table></div>"
        )

    main = [row for row in rows if row[0] != ORCHESTRATOR]
    other = [row for row in rows if row[0] == ORCHESTRATOR]
    parts = [
        f"<h3>Excluded ({len(evaluation.excluded)} options)</h3>",
        "<p>Each excluded option with the requirement key that excluded it.</p>",
    ]
    if main:
        parts.append(table(main))
    if other:
        parts.append(
            f"<details><summary>{len(other)} run under another orchestrator</summary>"
            f"{table(other)}</details>"
        )
    return "\n".join(parts)


# --- charts ----------------------------------------------------------------------------


def _chart_sizes(requirements: Requirements) -> list[int]:
    """The chart's message sizes, with this system's own size among them."""
    return sorted({*CHART_SIZES, requirements.workload.message_size})


def _charts(
    evaluation: Evaluation,
    ranked: list[RankedOption],
    sweeps: dict[str, list[Prediction]],
    sizes: list[int],
    requirements: Requirements | None,
    index: int,
) -> str:
    drawn = {k: v for k, v in sweeps.items() if v}
    if not drawn or requirements is None:
        return ""
    names = {o.id: o.name for o in ranked}
    own = requirements.workload.message_size
    scenario = evaluation.scenario
    protocol = requirements.workload.protocol.upper()
    charts = [
        _figure(
            drawn, sizes, own, "throughput_gbps", "Gbit/s", f"throughput-{index}",
            f"Predicted {scenario} throughput of the top options by {protocol} message size",
        ),
        _figure(
            drawn, sizes, own, "latency_us", "µs, one way", f"latency-{index}",
            f"Predicted one-way {scenario} latency by {protocol} message size", log_y=True,
        ),
    ]  # fmt: skip
    skipped = [names.get(k, k) for k, v in sweeps.items() if not v]
    note = (
        f"<p class='muted'>Not drawn (cannot reach another host): {h(', '.join(skipped))}.</p>"
        if skipped
        else ""
    )
    return (
        f"<h3>Predicted throughput and latency by message size</h3>"
        f"<p>Lines are the model's estimates; shaded bands are 80 % intervals. The dotted "
        f"line marks this system's message size ({own} B). Other factors as in the "
        f"requirements.</p><div class=charts>{''.join(c for c in charts if c)}</div>{note}"
        + _chart_data(drawn, sizes, names)
    )


def _figure(
    sweeps: dict[str, list[Prediction]],
    sizes: list[int],
    own: int,
    metric: str,
    unit: str,
    chart_id: str,
    title: str,
    *,
    log_y: bool = False,
) -> str:
    """One chart as inline SVG; empty when the model predicts nothing for this metric."""
    series = {
        solution: [getattr(p, metric) for p in predictions]
        for solution, predictions in sweeps.items()
    }
    if not any(e.value is not None for estimates in series.values() for e in estimates):
        return (
            f"<figure><figcaption>{h(title)}: this model does not predict it.</figcaption></figure>"
        )
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(
        {"svg.fonttype": "none", "svg.hashsalt": f"cnadvisor-{chart_id}", "font.size": 9,
         "font.family": "sans-serif"}
    ):  # fmt: skip
        figure = Figure(figsize=(5.4, 3.4), layout="constrained")
        axes = figure.add_subplot()
        for number, (solution, estimates) in enumerate(series.items()):
            colour = COLOURS[number % len(COLOURS)]
            points = [(s, e) for s, e in zip(sizes, estimates, strict=True) if e.value is not None]
            if not points:
                continue
            xs = [s for s, _ in points]
            axes.plot(
                xs, [e.value for _, e in points], color=colour, marker=MARKERS[number % 6],
                markersize=3.5, linewidth=1.6, label=_chart_label(solution),
                linestyle="--" if points[0][1].kind == "upper-bound" else "-",
            )  # fmt: skip
            band = [(s, e) for s, e in points if e.low is not None and e.high is not None]
            if band:
                axes.fill_between(
                    [s for s, _ in band], [e.low for _, e in band], [e.high for _, e in band],
                    color=colour, alpha=0.09, linewidth=0,
                )  # fmt: skip
        axes.axvline(own, color="#5b6470", linestyle=":", linewidth=1)
        axes.set_xscale("log")
        axes.set_xlabel("message size, bytes (log scale)")
        if log_y:
            axes.set_yscale("log")
            axes.set_ylabel(f"{unit} (log scale)")
        else:
            axes.set_ylabel(unit)
            axes.set_ylim(bottom=0)
        axes.grid(True, color="#e3e7eb", linewidth=0.6)
        axes.spines[["top", "right"]].set_visible(False)
        axes.legend(fontsize=7.5, frameon=False, loc="upper left")
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML declaration and doctype
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg, count=1)
    svg = _scoped_ids(svg, chart_id)
    svg = svg.replace("<svg", f'<svg role="img" aria-label="{h(title)}"', 1)
    return f'<figure id="{h(chart_id)}">{svg}<figcaption>{h(title)}</figcaption></figure>'


def _scoped_ids(svg: str, prefix: str) -> str:
    """matplotlib names elements ``figure_1``, ``patch_1`` in every chart; inline in one
    page they would repeat, and a ``url(#...)`` could point into the wrong chart."""
    names = set(re.findall(r'\bid="([^"]+)"', svg))
    if not names:
        return svg
    pattern = re.compile(r'(\bid="|#)(' + "|".join(map(re.escape, names)) + r')(?=[")])')
    return pattern.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)


def _chart_label(solution_id: str) -> str:
    """A legend entry matplotlib shows as typed: no mathtext (``$``), not hidden (``_``)."""
    text = plain(solution_id).replace("$", r"\$")
    return " " + text if text.startswith("_") else text


def _chart_data(
    sweeps: dict[str, list[Prediction]], sizes: list[int], names: dict[str, str]
) -> str:
    head = "".join(f"<th class=num>{size} B</th>" for size in sizes)
    rows = []
    for solution, predictions in sweeps.items():
        rows.append(
            f"<tr><td>{h(names.get(solution, solution))}</td><td>Gbit/s</td>"
            + "".join(f"<td class=num>{_estimate(p.throughput_gbps)}</td>" for p in predictions)
            + "</tr>"
        )
        rows.append(
            "<tr><td></td><td>latency µs</td>"
            + "".join(f"<td class=num>{_estimate(p.latency_us, 1)}</td>" for p in predictions)
            + "</tr>"
        )
    return (
        '<details><summary>The charts\' figures</summary><div class="scroll"><table>'
        f"<thead><tr><th>option</th><th>metric</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div></details>"
    )


# --- decision, consequences, model -----------------------------------------------------


def _decision_box(evaluation: Evaluation, ranked: list[RankedOption], index: int) -> str:
    if not ranked:
        return (
            '<div class="decision"><strong>No option meets every required constraint.'
            "</strong> See the exclusions below.</div>"
        )
    leader = ranked[0]
    stays = evaluation.robustness.top_stays_first
    runner = f" Runner-up: {h(ranked[1].name)} ({ranked[1].score:.1f})." if len(ranked) > 1 else ""
    return (
        f'<div class="decision">Recommended: <strong id="leader-{index}">{h(leader.name)}</strong> '
        f"(<code>{h(leader.id)}</code>), score {leader.score:.1f} of 100"
        + (f", first under {stays:.0%} of perturbed weightings" if stays is not None else "")
        + f".{runner}</div>"
    )


def _decision_text(evaluation: Evaluation, ranked: list[RankedOption]) -> str:
    if not ranked:
        return "<p>No decision: relax a required constraint (see the exclusions).</p>"
    leader = ranked[0]
    reasons = "".join(f"<li>{h(r)}</li>" for r in leader.reasons)
    lead = ranked[0].score - ranked[1].score if len(ranked) > 1 else None
    margin = f" It leads the next option by {lead:.1f} points." if lead is not None else ""
    return (
        f"<p>Choose <strong>{h(leader.name)}</strong> (<code>{h(leader.id)}</code>), plugin "
        f"<code>{h(leader.plugin)}</code>, family {h(leader.family)}.{margin}</p>"
        + (f"<p>What it gives up (points lost):</p><ul>{reasons}</ul>" if reasons else "")
    )


def _consequences(evaluation: Evaluation, ranked: list[RankedOption]) -> str:
    if not ranked:
        return "<p>None until an option is chosen.</p>"
    leader = ranked[0]
    parts = []
    if leader.effective_mtu:
        parts.append(
            f"<p>Effective MTU inside the containers: <strong>{leader.effective_mtu}</strong> "
            "bytes (the underlay MTU minus the encapsulation and encryption headers on this "
            "option's path). Every option's MTU is in the ranking table.</p>"
        )
    else:
        parts.append("<p>Effective MTU: not applicable (the option never leaves the host).</p>")
    checks = [(o, f) for o in ranked for f in o.findings if f.severity.value in ("warn", "info")]
    mine = [f for o, f in checks if o.id == leader.id]
    parts.append("<h3>Findings to check</h3>")
    if mine:
        parts.append(
            "<ul class=findings>"
            + "".join(
                f"<li><code>{h(f.requirement)}</code>: {h(f.message)}"
                + ("" if f.source == "core" else f" <em>(plugin {h(f.source)})</em>")
                + "</li>"
                for f in mine
            )
            + "</ul>"
        )
    else:
        parts.append(f"<p>Nothing to check for {h(leader.name)}.</p>")
    others = [(o, f) for o, f in checks if o.id != leader.id]
    if others:
        parts.append(
            f"<details><summary>Findings for the other options ({len(others)})</summary>"
            "<ul class=findings>"
            + "".join(
                f"<li><strong>{h(o.id)}</strong> · <code>{h(f.requirement)}</code>: "
                f"{h(f.message)}</li>"
                for o, f in others
            )
            + "</ul></details>"
        )
    return "\n".join(parts)


def _model(
    evaluation: Evaluation,
    advisor: Advisor | None,
    ranked: list[RankedOption],
    sweeps: dict[str, list[Prediction]],
) -> str:
    lines = [
        f"<p>Performance model: <strong>{h(evaluation.model.name)}</strong>: "
        f"{h(evaluation.model.description)}.</p>"
    ]
    calibration = _local_calibration(advisor.model if advisor else None)
    if calibration:
        lines.append(
            f"<p><strong>Measured on this host:</strong> the model is {h(calibration)} "
            "(<code>cnadvisor bench</code>).</p>"
        )
    else:
        lines.append("<p>No figure was measured on this host: the model uses published data.</p>")
    measured = sorted(
        {
            (p.solution_id, p.scenario, p.model)
            for o in ranked
            for p in o.predictions
            if p.model.startswith("measured")
        }
        | {
            (p.solution_id, p.scenario, p.model)
            for predictions in sweeps.values()
            for p in predictions
            if p.model.startswith("measured")
        }
    )
    if measured:
        lines.append(
            "<p><strong>Measured on a cluster</strong> (these replace the prediction):</p><ul>"
            + "".join(f"<li><code>{h(s)}</code> {h(sc)}: {h(m)}</li>" for s, sc, m in measured)
            + "</ul>"
        )
    else:
        lines.append("<p>No figure was measured on a cluster; every figure is a prediction.</p>")
    return "\n".join(lines)


def _local_calibration(model: object) -> str | None:
    """The local-calibration summary of the model (or the model it wraps), if any."""
    for candidate in (model, getattr(model, "inner", None)):
        meta = getattr(candidate, "meta", None)
        if isinstance(meta, dict) and meta.get("calibration"):
            return str(meta["calibration"].get("summary", "calibrated on local measurements"))
    return None
