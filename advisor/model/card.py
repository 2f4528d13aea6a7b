"""The model card: data, method, honest cross-validated figures, and where the model is weak.

Every figure is computed when the card is written (`cnadvisor model report`), so the
card cannot drift from the code or the data.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .evaluate import (
    INTERVAL_FOLDS,
    INTERVAL_LEVEL,
    PREDICTORS,
    RESIDUAL,
    SCORED,
    SMALL_DATAGRAM_BYTES,
    CrossValidation,
    cross_validate,
)
from .fitting import LEVEL_SIGMA, OFFLOAD_PRIOR, OFFLOAD_SIGMA, PRIOR_SIGMA, STAGE_SIGMA
from .observations import METRIC_NAMES, PACKET_RATE, THROUGHPUT, Observations
from .structure import PARAMETERS, TERMS
from .trained import TrainedModel


def _fmt(value: float | None) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.3f}"


def _plot(cv: CrossValidation, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = [m for m in SCORED if cv.rows(m)]
    figure, axes = plt.subplots(1, len(metrics), figsize=(5.5 * len(metrics), 5.5), dpi=100)
    axes = np.atleast_1d(axes)
    for axis, metric in zip(axes, metrics, strict=True):
        pick = cv.select(metric)
        for study in sorted(set(cv.studies[pick])):
            rows = pick & (cv.studies == study)
            axis.scatter(cv.measured[rows], cv.predicted["model"][rows], s=14, alpha=0.7,
                         label=study)  # fmt: skip
        top = max(1.4, float(cv.measured[pick].max()), float(cv.predicted["model"][pick].max()))
        axis.plot([0, top], [0, top], color="grey", linewidth=1)
        axis.set_xlabel(f"measured {METRIC_NAMES[metric]} ratio to host")
        axis.set_ylabel("predicted (study left out)")
        axis.set_title(f"{METRIC_NAMES[metric]}, leave-one-study-out")
        axis.legend(fontsize=6, loc="upper left")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)


def _table(cvs: list[CrossValidation]) -> list[str]:
    lines = [
        "| held out | metric | rows (studies) | "
        + " | ".join(f"{p} (pooled / per study)" for p in PREDICTORS)
        + " | Spearman model | 80 % coverage (pooled / per study) |",
        "|---|---|---|" + "---|" * (len(PREDICTORS) + 2),
    ]
    for cv in cvs:
        for metric in SCORED:
            if not cv.rows(metric):
                continue
            lines.append(
                f"| one {cv.by} | {METRIC_NAMES[metric]} | {cv.rows(metric)} "
                f"({cv.studies_scored(metric)}) | "
                + " | ".join(
                    f"{_fmt(cv.mae(p, metric))} / {_fmt(cv.macro_mae(p, metric))}"
                    for p in PREDICTORS
                )
                + f" | {_fmt(cv.spearman_within_studies('model', metric))}"
                + f" | {cv.coverage(metric):.0%} / {cv.macro_coverage(metric):.0%} |"
            )
    return lines


def _goal(cv: CrossValidation) -> tuple[str, dict[str, float]]:
    model = cv.macro_mae("model")
    rivals = {p: cv.macro_mae(p) for p in ("no overhead", "per-solution mean", "physics")}
    gains = {p: 1 - model / value for p, value in rivals.items() if value and value > 0}
    met = all(g >= 0.25 for g in gains.values())
    text = ", ".join(f"{p} {g:+.0%}" for p, g in gains.items())
    verdict = "met" if met else "**not met**"
    goal = (f"Goal: macro-averaged leave-one-study-out MAE of the throughput ratio at least 25 % "
            f"below each naive baseline: {text} ({verdict}).")  # fmt: skip
    if not met:
        needed = 0.75 * min(rivals.values())
        oracle = cv.macro_mae_knowing_each_study("model")
        goal += (f" It needs {needed:.3f}. For scale: multiplying each held-out study's "
                 "predictions by the one factor that fits that study best (an oracle that "
                 f"sees the answers) gives {oracle:.3f}; what remains is error within "
                 "studies, which no per-lab correction removes.")  # fmt: skip
    return goal, gains


def _shipped_coverage(cv: CrossValidation, widths: dict[int, float]) -> str:
    """What the intervals users see cover of the leave-one-study-out rows."""
    parts = []
    for metric in SCORED:
        if cv.rows(metric) and metric in widths:
            pooled, per_study = cv.covered_by(widths, metric)
            parts.append(f"{METRIC_NAMES[metric]} ×/÷ {math.exp(widths[metric]):.2f}: "
                         f"{pooled:.0%} pooled, {per_study:.0%} per study")  # fmt: skip
    return ("Shipped 80 % intervals (the trained model's half-widths) around the "
            f"leave-one-study-out predictions above cover: {'; '.join(parts)}.")  # fmt: skip


def _residual_verdict(cv: CrossValidation) -> str:
    """Whether gradient-boosted trees on the structure's residuals earn their place."""
    parts = []
    helps = True
    for metric in SCORED:
        if cv.rows(metric):
            model, trees = cv.macro_mae("model", metric), cv.macro_mae(RESIDUAL, metric)
            helps &= trees < model
            parts.append(f"{METRIC_NAMES[metric]} {trees:.3f} against {model:.3f}")
    if helps:
        verdict = "they help, and the shipped model should use them"
    else:
        verdict = "they do not help everywhere, so the shipped model is the structure alone"
    return (
        "Residual trees (gradient boosting on the structure's log errors, fitted in each "
        f"fold): macro-averaged leave-one-study-out MAE {', '.join(parts)}; {verdict}."
    )


def write_card(
    observations: Observations,
    model: TrainedModel,
    meta: dict,
    folder: Path,
    progress: Callable[[str], None] | None = None,
) -> tuple[Path, dict]:
    """Run both cross-validations, write model-card.md and its plot; return the headlines.
    ``progress`` hears each fold and phase (the CLI shows them on a terminal)."""
    from threadpoolctl import threadpool_limits

    folder.mkdir(parents=True, exist_ok=True)
    published = observations.subset(~observations.local)
    with threadpool_limits(limits=1):
        by_study = cross_validate(published, "study", progress, residual=True)
        by_solution = cross_validate(published, "solution", progress, residual=True)
    stated_pps = int((by_study.metric == PACKET_RATE).sum())
    small_udp = by_study.rows(PACKET_RATE) - stated_pps
    if progress:
        progress("writing the card and its plot…")
    plot = folder / "predicted-vs-measured.png"
    _plot(by_study, plot)
    goal, gains = _goal(by_study)
    used = Counter(published.study.astype(str))
    scored = Counter(published.study[by_study_mask(published)].astype(str))
    costs = model.costs
    lines = [
        "# Model card: cnadvisor structural stage-cost model",
        "",
        "Generated by `cnadvisor model report`; every figure below is computed from the "
        "shipped data and code when the card is written.",
        "",
        "## Intended use",
        "Rank container-network options by what they cost on the user's workload: throughput "
        "(Gbit/s, and the ratio to host networking under the same workload), packet rate "
        "(Mpps) and one-way latency (µs), each with an 80 % interval; answer what-if "
        "questions (message size, protocol, VM layer, link speed, cores, Service hop, "
        "kernel-bypass packet IO). Not a substitute for measuring the user's own hosts "
        "(`cnadvisor bench`, then `cnadvisor model train --with-local`).",
        "",
        "## Data",
        f"{len(published)} observations from {len(used)} sources (see `datasets/README.md`), "
        f"of which {int((published.anchored & ~published.host_itself).sum())} have a host "
        f"baseline from the same source and test, plus {meta.get('priors', 0)} documented "
        "per-stage costs from `datasets/stage_priors.csv`.",
        "",
        "| source | observations | scored (anchored, not host vs itself) |",
        "|---|---|---|",
        *(f"| {s} | {used[s]} | {scored.get(s, 0)} |" for s in sorted(used)),
        "",
        "## Method",
        "A flow is limited by the wire or by the CPU. **Link rate**: NIC speed times the "
        "payload share of wire bytes, TCP segmented at the MSS of the effective MTU as a "
        "stream, UDP fragmented. **CPU rate**: cores used divided by the time one message "
        "costs: socket calls per message, each stage's per-packet cost per packet the CPU "
        "sees, and per-byte costs. A TCP stream reaches the CPU in 64 KiB GSO/GRO "
        "super-packets, except the share of its bytes that the path's stages hand over "
        "in MSS-sized segments: each stage's *offload loss*, 1 for WireGuard, IPsec and a "
        "user-space forwarder (documented), fitted per stage kind for the others (a logit "
        f"centred on {OFFLOAD_PRIOR:.0%} with sd {OFFLOAD_SIGMA}), combined along the path "
        "as 1 − ∏(1 − loss). Throughput is the "
        "lower of the two; latency is each stage's CPU time plus its delay. The host's own "
        "stack, the socket calls, a VM's virtio/vhost layer and kernel-bypass frameworks "
        "(DPDK, AF_XDP) are terms like any stage. Each cost is exp(kind level + stage "
        f"deviation): deviations ~ N(0, {STAGE_SIGMA}), levels loosely centred "
        f"(sd {LEVEL_SIGMA}), documented figures pulling their cost with sd {PRIOR_SIGMA} "
        "(log scale). Fitted by robust (soft-L1) least squares with an analytic Jacobian "
        "(`StageCostRegressor`, a scikit-learn estimator) to log ratios between the option "
        "and host networking in the same test; tests without a host baseline enter with a "
        "free offset; studies are weighted 1/sqrt(rows). Host networking against itself "
        "is never fitted nor scored. Intervals, per metric: held-out absolute log errors, "
        "each row weighted 1/sqrt(rows of its study) (a study's errors move together), "
        f"their quantile at {INTERVAL_LEVEL:.0%} × (1 + 1/K) for K studies (the "
        "finite-sample correction of split conformal prediction). Training takes these "
        f"errors from {INTERVAL_FOLDS} folds of whole studies, each fitted from scratch. "
        "The coverage in the table takes each held-out study's width from the other "
        "studies' errors alone; the shipped widths are checked against the same held-out "
        "rows below the table.",
        "",
        "## Evaluation (all predictors scored on the same held-out rows in one run)",
        "",
        "MAE of the ratio to host networking (throughput, packet rate, latency), pooled over "
        "rows / averaged per held-out study. *Leave one solution out* also drops the whole "
        "study the held-out rows come from. Baselines: *no overhead* (ratio 1), the global "
        "and per-solution means of the training rows, and *physics* (header arithmetic at "
        "line rate alone). *Packet rate* scores the rows stated in packets per second and "
        f"the throughput rows of UDP datagrams of at most {SMALL_DATAGRAM_BYTES} bytes: at "
        "one datagram size the ratio of two throughputs is the ratio of their packet rates "
        f"(those rows are scored under throughput too). Scored here: {stated_pps} row(s) "
        f"stated in packets per second and {small_udp} small-datagram throughput rows"
        + (
            "; no packet-rate row in the data names a profile and its host baseline."
            if not stated_pps
            else "."
        ),
        "",
        *_table([by_study, by_solution]),
        "",
        goal,
        "",
        _residual_verdict(by_study),
        "",
        _shipped_coverage(by_study, model.widths),
        "",
        f"![predicted vs measured]({plot.name})",
        "",
        "## Fitted stage costs",
        "",
        "| term | " + " | ".join(PARAMETERS) + " | offload_loss |",
        "|---|" + "---|" * (len(PARAMETERS) + 1),
        *(
            f"| {term} | "
            + " | ".join(f"{v:.4g}" for v in costs.table[i])
            + f" | {costs.offload_loss[i]:.3f} |"
            for i, term in enumerate(TERMS)
        ),
        "",
        "## Where the model is weak",
        "- Absolute figures rest on per-core rates from one paper (the XDP paper, CoNEXT "
        "2018) and on host throughput rows; ratios are what the data validate.",
        "- Latency rows come from few studies, with tools that disagree on one-way vs "
        "round-trip; latency intervals are wide and coverage is reported above.",
        "- No published source gives density or CPU-pinning figures the model can use: "
        "containers per host move a prediction only for an option whose density the user's "
        "host measured (`cnadvisor bench run --pairs N`, then `model train --with-local`), "
        "and CPU pinning never does.",
        "- A stage nobody measured costs what its kind costs (e.g. an SR-IOV VF is priced "
        "like a software switch stage), which is pessimistic for hardware offloads.",
        "",
        "## Versions",
        f"{meta.get('versions', {})}; training took {meta.get('seconds', 'n/a')} s.",
        "",
    ]
    card = folder / "model-card.md"
    card.write_text("\n".join(lines), encoding="utf-8")
    (folder / "headline.md").write_text("\n".join(headline_lines(by_study, by_solution, goal)),
                                        encoding="utf-8")  # fmt: skip
    summary = [
        f"leave-one-study-out throughput MAE {by_study.mae('model'):.3f} pooled, "
        f"{by_study.macro_mae('model'):.3f} per study (no overhead "
        f"{by_study.macro_mae('no overhead'):.3f}, per-solution mean "
        f"{by_study.macro_mae('per-solution mean'):.3f}, physics "
        f"{by_study.macro_mae('physics'):.3f}); coverage {by_study.coverage(THROUGHPUT):.0%}",
        goal,
    ]
    return card, {"study": by_study, "solution": by_solution, "gains": gains,
                  "summary": summary}  # fmt: skip


def by_study_mask(observations: Observations) -> np.ndarray:
    from .evaluate import scoreable

    return scoreable(observations)


HEADLINE_BEGIN = "<!-- begin generated: model-headline (cnadvisor model report --readme) -->"
HEADLINE_END = "<!-- end generated: model-headline -->"


def headline_lines(by_study: CrossValidation, by_solution: CrossValidation, goal: str) -> list:
    """The README's short version of the card: macro-averaged MAE per metric and fold."""
    lines = [
        "| held out | metric | rows (studies) | model | no overhead | per-solution mean | "
        "physics | 80 % coverage (pooled / per study) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for cv in (by_study, by_solution):
        for metric in SCORED:
            if cv.rows(metric):
                lines.append(
                    f"| one {cv.by} | {METRIC_NAMES[metric]} | {cv.rows(metric)} "
                    f"({cv.studies_scored(metric)}) | "
                    + " | ".join(_fmt(cv.macro_mae(p, metric)) for p in
                                 ("model", "no overhead", "per-solution mean", "physics"))
                    + f" | {cv.coverage(metric):.0%} / {cv.macro_coverage(metric):.0%} |"
                )  # fmt: skip
    return [*lines, "", goal, ""]


def update_readme(readme: Path, folder: Path) -> bool:
    """Replace the README's generated model headline with the card's; False if unmarked."""
    text = readme.read_text(encoding="utf-8")
    if HEADLINE_BEGIN not in text or HEADLINE_END not in text:
        return False
    head, rest = text.split(HEADLINE_BEGIN, 1)
    _, tail = rest.split(HEADLINE_END, 1)
    block = (folder / "headline.md").read_text(encoding="utf-8")
    readme.write_text(f"{head}{HEADLINE_BEGIN}\n{block}{HEADLINE_END}{tail}", encoding="utf-8")
    return True
