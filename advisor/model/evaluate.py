"""Honest evaluation: grouped cross-validation against naive baselines, in one run.

Folds leave one *study* out (new lab, new hardware) or one *solution* out (a
network nobody benchmarked). Every predictor is scored on the same held-out
anchored rows: the trained model, the global mean, the per-solution mean read
off the training rows (what a reader of benchmark tables does), and the
analytical estimate (exact header arithmetic).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..performance import AnalyticalModel, WorkloadPoint
from ..profile import SolutionProfile
from .train import TrainingTable, fit_forest, predict_log_ratio

PREDICTORS = ("model", "global mean", "per-solution mean", "analytical")
INTERVAL_LEVEL = 0.8


@dataclass
class FoldResult:
    label: str
    rows: int
    mae: dict[str, float]


@dataclass
class CrossValidation:
    """Held-out predictions of every predictor, and the figures the model card reports."""

    by: str
    measured: np.ndarray
    predicted: dict[str, np.ndarray]
    folds: list[str]
    studies: list[str]
    covered: np.ndarray  # held-out row inside its interval (cross-conformal)
    per_fold: list[FoldResult] = field(default_factory=list)

    def mae(self, predictor: str) -> float:
        return float(np.mean(np.abs(self.predicted[predictor] - self.measured)))

    def spearman_within_studies(self, predictor: str) -> float:
        """Mean Spearman rank correlation between predicted and measured, per study."""
        from scipy.stats import spearmanr

        values = []
        studies = np.array(self.studies)
        for study in sorted(set(self.studies)):
            members = studies == study
            measured = self.measured[members]
            predicted = self.predicted[predictor][members]
            if members.sum() >= 3 and np.ptp(measured) > 0 and np.ptp(predicted) > 0:
                values.append(spearmanr(predicted, measured).statistic)
        return float(np.mean(values)) if values else math.nan

    @property
    def coverage(self) -> float:
        return float(self.covered.mean()) if self.covered.size else math.nan


def analytical_ratio(profile: SolutionProfile, row) -> float:
    """The exact-physics bound for a row's conditions (1.0 where it cannot say)."""
    scenario = "intra-host" if row.scenario == "intra-host" else "inter-host"
    size = row.message_size_bytes
    point = WorkloadPoint(
        message_size=int(size) if size == size and size >= 1 else 1400,
        protocol="udp" if row.protocol == "udp" else "tcp",
        scenario=scenario,
        nic_gbps=row.link_gbps if row.link_gbps == row.link_gbps else 10.0,
    )
    value = AnalyticalModel().predict(profile, point).throughput_ratio.value
    return 1.0 if value is None else value


def cross_validate(
    table: TrainingTable, profiles: Mapping[str, SolutionProfile], by: str
) -> CrossValidation:
    key = table.study if by == "study" else table.solution
    labels = np.array(key)
    ratio = table.ratio
    measured, folds, studies = [], [], []
    predicted: dict[str, list[float]] = {name: [] for name in PREDICTORS}
    log_residual_by_fold: dict[str, np.ndarray] = {}
    per_fold = []
    for label in sorted(set(labels[table.anchored])):
        held = (labels == label) & table.anchored
        train = table.subset(labels != label)
        if not train.anchored.any():
            continue
        forest = fit_forest(train)
        test = table.subset(held)
        model = np.exp(predict_log_ratio(forest, test.features))
        train_ratio = train.ratio[train.anchored]
        global_mean = float(train_ratio.mean())
        by_solution: dict[str, list[float]] = {}
        for solution, value in zip(
            np.array(train.solution)[train.anchored], train_ratio, strict=True
        ):
            by_solution.setdefault(solution, []).append(value)
        fold = {
            "model": model,
            "global mean": np.full(len(model), global_mean),
            "per-solution mean": np.array(
                [float(np.mean(by_solution.get(s, [global_mean]))) for s in test.solution]
            ),
            "analytical": np.array(
                [
                    analytical_ratio(profiles[s], r)
                    for s, r in zip(test.solution, test.rows, strict=True)
                ]
            ),
        }
        truth = ratio[held]
        for name in PREDICTORS:
            predicted[name].extend(fold[name])
        measured.extend(truth)
        folds.extend([str(label)] * len(truth))
        studies.extend(test.study)
        log_residual_by_fold[str(label)] = np.abs(np.log(model) - np.log(truth))
        per_fold.append(
            FoldResult(
                str(label),
                int(held.sum()),
                {n: float(np.mean(np.abs(fold[n] - truth))) for n in PREDICTORS},
            )
        )
    covered = []
    for label, residuals in log_residual_by_fold.items():
        others = [r for other, r in log_residual_by_fold.items() if other != label]
        width = np.quantile(np.concatenate(others), INTERVAL_LEVEL) if others else math.inf
        covered.extend(residuals <= width)
    return CrossValidation(
        by=by,
        measured=np.array(measured),
        predicted={name: np.array(values) for name, values in predicted.items()},
        folds=folds,
        studies=studies,
        covered=np.array(covered, dtype=bool),
        per_fold=per_fold,
    )
