"""Honest evaluation: grouped cross-validation against naive baselines, in one run.

Folds leave one *study* out (new lab, new hardware), or one *solution* out
together with the lab that measured it (a network nobody benchmarked, on
hardware the model never saw). Host networking measured against itself is never
scored. Every predictor is scored on the same held-out rows, for throughput,
packet rate and latency, pooled and averaged per study:

* ``model``: the structural stage-cost model;
* ``no overhead``: every option as fast as host networking (ratio 1);
* ``global mean`` and ``per-solution mean`` of the training ratios;
* ``physics``: header arithmetic at line rate alone (no CPU cost).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .fitting import fit, study_weights, weights_by_study
from .forked import ordered_map
from .observations import LATENCY, PACKET_RATE, THROUGHPUT, Observations
from .residual import residual_predictor
from .structure import WORKLOAD, link_gbps

RESIDUAL = "model + residual trees"
PREDICTORS = ("model", RESIDUAL, "no overhead", "global mean", "per-solution mean", "physics")
SCORED = (THROUGHPUT, PACKET_RATE, LATENCY)
INTERVAL_LEVEL = 0.8
INTERVAL_FOLDS = 4  # groups of studies held out in turn when training sets the widths
# At one message size the ratio of two throughputs is the ratio of their packet rates, and
# small UDP datagrams are CPU-bound: such throughput rows also score the packet-rate regime.
SMALL_DATAGRAM_BYTES = 512


@dataclass
class CrossValidation:
    """Held-out predictions of every predictor (ratios), and what the card reports."""

    by: str
    metric: np.ndarray
    measured: np.ndarray
    predicted: dict[str, np.ndarray]
    folds: list[str]
    studies: np.ndarray
    covered: np.ndarray  # held-out row inside its cross-conformal 80 % interval
    widths: dict[int, float] = field(default_factory=dict)  # log half-width per metric
    small_datagram: np.ndarray | None = None  # UDP throughput rows of <= 512-byte datagrams

    def select(self, metric: int) -> np.ndarray:
        """The rows scored under ``metric``; packet rate also takes the throughput rows of
        small UDP datagrams (which the throughput line counts too)."""
        chosen = self.metric == metric
        if metric == PACKET_RATE and self.small_datagram is not None:
            chosen = chosen | self.small_datagram
        return chosen

    def mae(self, predictor: str, metric: int = THROUGHPUT) -> float:
        pick = self.select(metric)
        if not pick.any():
            return math.nan
        return float(np.mean(np.abs(self.predicted[predictor][pick] - self.measured[pick])))

    def macro_mae(self, predictor: str, metric: int = THROUGHPUT) -> float:
        """MAE averaged over held-out studies, so one large lab does not dominate."""
        pick = self.select(metric)
        values = []
        for study in sorted(set(self.studies[pick])):
            rows = pick & (self.studies == study)
            values.append(np.mean(np.abs(self.predicted[predictor][rows] - self.measured[rows])))
        return float(np.mean(values)) if values else math.nan

    def macro_mae_knowing_each_study(self, predictor: str, metric: int = THROUGHPUT) -> float:
        """Macro MAE if each held-out study's predictions were multiplied by the one factor
        that fits that study best (the median log ratio of truth to prediction): an oracle
        that sees the answers, to show how much of the error a per-lab offset explains."""
        pick = self.select(metric)
        values = []
        for study in sorted(set(self.studies[pick])):
            rows = pick & (self.studies == study)
            predicted, measured = self.predicted[predictor][rows], self.measured[rows]
            factor = np.exp(np.median(np.log(measured) - np.log(predicted)))
            values.append(np.mean(np.abs(predicted * factor - measured)))
        return float(np.mean(values)) if values else math.nan

    def spearman_within_studies(self, predictor: str, metric: int = THROUGHPUT) -> float:
        from scipy.stats import spearmanr

        values = []
        pick = self.select(metric)
        for study in sorted(set(self.studies[pick])):
            rows = pick & (self.studies == study)
            measured, predicted = self.measured[rows], self.predicted[predictor][rows]
            if rows.sum() >= 3 and np.ptp(measured) > 0 and np.ptp(predicted) > 0:
                values.append(spearmanr(predicted, measured).statistic)
        return float(np.mean(values)) if values else math.nan

    def coverage(self, metric: int = THROUGHPUT) -> float:
        pick = self.select(metric)
        return float(self.covered[pick].mean()) if pick.any() else math.nan

    def macro_coverage(self, metric: int = THROUGHPUT) -> float:
        """Coverage averaged over held-out studies: one large lab's rows (e.g. 80 ping-pong
        runs of one setup) do not decide it alone."""
        pick = self.select(metric)
        values = [self.covered[pick & (self.studies == s)].mean() for s in set(self.studies[pick])]
        return float(np.mean(values)) if values else math.nan

    def covered_by(self, widths: dict[int, float], metric: int = THROUGHPUT) -> tuple[float, float]:
        """How much of the held-out truth these log half-widths (a trained model's) cover
        around the model's predictions: pooled over rows, and averaged per study."""
        pick = self.select(metric)
        if not pick.any() or metric not in widths:
            return math.nan, math.nan
        error = np.abs(np.log(self.predicted["model"]) - np.log(self.measured))
        inside = error <= widths[metric]
        per_study = [inside[pick & (self.studies == s)].mean() for s in set(self.studies[pick])]
        return float(inside[pick].mean()), float(np.mean(per_study))

    def rows(self, metric: int = THROUGHPUT) -> int:
        return int(self.select(metric).sum())

    def studies_scored(self, metric: int = THROUGHPUT) -> int:
        return len(set(self.studies[self.select(metric)]))


def small_datagrams(observations: Observations) -> np.ndarray:
    """Throughput rows of UDP datagrams of at most :data:`SMALL_DATAGRAM_BYTES`."""
    x = observations.numerator
    return (
        (observations.metric == THROUGHPUT)
        & (x[:, WORKLOAD["udp"]] > 0)
        & (x[:, WORKLOAD["message_size"]] <= SMALL_DATAGRAM_BYTES)
    )


def scoreable(observations: Observations) -> np.ndarray:
    return (
        observations.anchored
        & ~observations.host_itself
        & np.isin(observations.metric, SCORED)
        & ~observations.local
    )


def physics_ratio(observations: Observations) -> np.ndarray:
    """Header arithmetic at line rate: the link-rate ratio (1 where no wire is involved)."""
    numerator = observations.numerator
    denominator = observations.denominator
    with np.errstate(invalid="ignore"):
        ratio = link_gbps(numerator) / link_gbps(denominator)
    ratio = np.where(np.isfinite(ratio), ratio, 1.0)
    return np.where(observations.metric == LATENCY, 1.0, ratio)


MIN_FOLDS = 4  # fewer folds run in turn: starting workers would cost more than they save


def _fold_predictions(
    train: Observations, test: Observations, residual: bool = False
) -> dict[str, np.ndarray]:
    estimator = fit(train)  # from scratch: a fold started from the full fit stops near it
    structural = estimator.predict(test.design())
    model = np.exp(structural)
    corrected = structural
    if residual:
        trees = residual_predictor(train, estimator.predict(train.design()), study_weights(train))
        corrected = trees(test, structural)
    pick = scoreable(train)
    ratios = np.exp(train.log_ratio[pick])
    metrics = train.metric[pick]
    solutions = train.solution[pick]
    global_mean = {m: float(ratios[metrics == m].mean()) if (metrics == m).any() else 1.0
                   for m in SCORED}  # fmt: skip
    per_solution = []
    for solution, metric in zip(test.solution, test.metric, strict=True):
        same = (solutions == solution) & (metrics == metric)
        per_solution.append(float(ratios[same].mean()) if same.any() else global_mean[metric])
    return {
        "model": model,
        RESIDUAL: np.exp(corrected),
        "no overhead": np.ones(len(test)),
        "global mean": np.array([global_mean[m] for m in test.metric]),
        "per-solution mean": np.array(per_solution),
        "physics": physics_ratio(test),
    }


def cross_validate(
    observations: Observations,
    by: str,
    progress: Callable[[str], None] | None = None,
    residual: bool = False,
) -> CrossValidation:
    """``by="study"``: leave one study out. ``by="study-groups"``: leave out each of
    :data:`INTERVAL_FOLDS` groups of whole studies in turn. ``by="solution"``: leave one
    solution out, and with it every row of the study whose rows of that solution are
    scored. Each fold is fitted from scratch. ``residual`` also scores the structure plus
    residual trees (the card's comparison; without it that predictor repeats the model)."""
    target = scoreable(observations)
    folds: list[tuple[str, np.ndarray, np.ndarray]] = []
    if by == "study":
        for study in sorted(set(observations.study[target])):
            held = target & (observations.study == study)
            folds.append((study, held, observations.study != study))
    elif by == "study-groups":
        for group in study_groups(observations.study[target], INTERVAL_FOLDS):
            out = np.isin(observations.study, group)
            folds.append((", ".join(group), target & out, ~out))
    else:
        pairs = sorted({(s, st) for s, st in zip(observations.solution[target],
                        observations.study[target], strict=True)})  # fmt: skip
        for solution, study in pairs:
            held = target & (observations.solution == solution) & (observations.study == study)
            keep = (observations.solution != solution) & (observations.study != study)
            folds.append((f"{solution} @ {study}", held, keep))
    metric, measured, labels, studies, small = [], [], [], [], []
    predicted: dict[str, list[np.ndarray]] = {name: [] for name in PREDICTORS}
    residual_by_fold: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    folds = [f for f in folds if scoreable(observations.subset(f[2])).any()]

    def one_fold(index: int) -> dict[str, np.ndarray]:
        _, held, keep = folds[index]
        return _fold_predictions(observations.subset(keep), observations.subset(held), residual)

    for number, ((label, held, _), fold) in enumerate(
        zip(folds, ordered_map(one_fold, len(folds), minimum=MIN_FOLDS), strict=True), start=1
    ):
        if progress:
            progress(f"cross-validating, one {by} out: fold {number}/{len(folds)} ({label})…")
        test = observations.subset(held)
        truth = np.exp(test.log_ratio)
        for name in PREDICTORS:
            predicted[name].append(fold[name])
        metric.append(test.metric)
        measured.append(truth)
        labels.extend([label] * len(truth))
        studies.append(test.study)
        small.append(small_datagrams(test))
        residual_by_fold[label] = (test.metric, np.abs(np.log(fold["model"]) - np.log(truth)),
                                   test.study.astype(str))  # fmt: skip
    covered = []
    widths = {}
    for m in SCORED:
        width = interval_width(*_pool(residual_by_fold.values(), m))
        widths[m] = width if math.isfinite(width) else math.nan
    for label, (kinds, residuals, _) in residual_by_fold.items():
        inside = np.zeros(len(residuals), dtype=bool)
        for m in SCORED:
            others = [fold for other, fold in residual_by_fold.items() if other != label]
            inside[kinds == m] = residuals[kinds == m] <= interval_width(*_pool(others, m))
        covered.append(inside)
    join = lambda parts: np.concatenate(parts) if parts else np.zeros(0)  # noqa: E731
    return CrossValidation(
        by=by,
        metric=join(metric).astype(int),
        measured=join(measured),
        predicted={name: join(values) for name, values in predicted.items()},
        folds=labels,
        studies=join(studies).astype(object) if studies else np.zeros(0, dtype=object),
        covered=join(covered).astype(bool),
        widths=widths,
        small_datagram=join(small).astype(bool),
    )


def _pool(folds, metric: int) -> tuple[np.ndarray, np.ndarray]:
    """The held-out absolute log errors of one metric over these folds, and their studies."""
    parts = [(r[k == metric], st[k == metric]) for k, r, st in folds]
    if not parts:
        return np.zeros(0), np.zeros(0, dtype=str)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def interval_width(residuals: np.ndarray, studies: np.ndarray) -> float:
    """The log half-width meant to cover :data:`INTERVAL_LEVEL` of a new study's rows.

    Held-out errors of one study move together (same lab, same hardware), so the study is
    the unit, not the row: each row weighs 1/sqrt(rows of its study), as in the fit, and
    the level is raised by 1 + 1/K for K studies, the finite-sample correction of split
    conformal prediction. The plain row quantile covered 75 % of throughput rows and 65 %
    of a latency study's rows on average when each study was held out (model card)."""
    if not len(residuals):
        return math.inf
    level = min(1.0, INTERVAL_LEVEL * (1 + 1 / len(np.unique(studies))))
    order = np.argsort(residuals, kind="stable")
    weights = weights_by_study(studies)[order]
    share = np.cumsum(weights) / weights.sum()
    return float(residuals[order][min(np.searchsorted(share, level), len(order) - 1)])


def study_groups(studies: np.ndarray, groups: int) -> list[list[str]]:
    """The studies dealt into ``groups`` folds of about equal rows: largest study first, each
    to the fold with the fewest rows so far (ties by name: the same folds every time)."""
    names, counts = np.unique(studies.astype(str), return_counts=True)
    folds: list[list[str]] = [[] for _ in range(min(groups, len(names)))]
    sizes = [0] * len(folds)
    for count, name in sorted(zip(counts.tolist(), names.tolist(), strict=True),
                              key=lambda pair: (-pair[0], pair[1])):  # fmt: skip
        smallest = sizes.index(min(sizes))
        folds[smallest].append(name)
        sizes[smallest] += count
    return [sorted(fold) for fold in folds]


def interval_widths(observations: Observations) -> dict[int, float]:
    """80 % log half-widths per metric (what training stores with the model), from the
    held-out errors of :data:`INTERVAL_FOLDS` folds of whole studies, each fitted from
    scratch. Folds warm-started from the full fit (as this did before) stop near it: their
    throughput errors gave a log half-width of 0.71 where cold leave-one-study-out folds
    give 1.00, so the intervals were too narrow. Metrics with no held-out rows borrow
    throughput's width."""
    widths = cross_validate(observations, "study-groups").widths
    fallback = widths.get(THROUGHPUT)
    if fallback is None or not math.isfinite(fallback):
        fallback = math.log(2.0)
    return {m: (w if w is not None and math.isfinite(w) else fallback)
            for m, w in {m: widths.get(m) for m in SCORED}.items()}  # fmt: skip


def local_errors(costs, local: Observations) -> dict | None:
    """This host's measured ratios against the model before calibration (published data
    only) and after (calibrated on the other local topologies, each held out in turn):
    mean absolute error of the ratio, over throughput, packet-rate and latency rows."""
    from .fitting import calibrate, predicted_log_ratio
    from .structure import TERMS as ALL_TERMS

    target = local.anchored & ~local.host_itself & np.isin(local.metric, SCORED)
    if not target.any():
        return None
    truth = np.exp(local.log_ratio[target])
    held_rows = local.subset(target)
    before = np.exp(predicted_log_ratio(held_rows.design(), costs))
    after = np.empty_like(before)
    for solution in sorted(set(held_rows.solution.astype(str))):
        rows = held_rows.solution.astype(str) == solution
        others = local.subset(local.solution.astype(str) != solution)
        used = others.numerator[:, : len(ALL_TERMS)].sum(axis=0) > 0
        measured = {ALL_TERMS[t] for t in np.flatnonzero(used)}
        calibrated, _ = calibrate(costs, others, measured)
        after[rows] = np.exp(predicted_log_ratio(held_rows.subset(rows).design(), calibrated))
    names = held_rows.solution.astype(str)
    by_topology = {
        name: {
            "rows": int((names == name).sum()),
            "before": float(np.mean(np.abs(before - truth)[names == name])),
            "after": float(np.mean(np.abs(after - truth)[names == name])),
        }
        for name in sorted(set(names))
    }
    return {
        "rows": int(target.sum()),
        "topologies": len(by_topology),
        "before": float(np.mean(np.abs(before - truth))),
        "after": float(np.mean(np.abs(after - truth))),
        "by_topology": by_topology,  # which held-out topology the model misses, and by how much
    }
