"""Training the overhead model on benchmark rows from many labs.

Target: the log of throughput relative to host networking measured by the same
source in the same test. Rows whose test has a host baseline are *anchored*
(their ratio is known). Rows of a test without one (e.g. InfraBuilder 2020)
still say how CNIs compare with each other within that test; they enter with a
per-test offset that is estimated while fitting (alternating with the trees),
so they teach relative costs, such as encryption's, without a fake baseline.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ..profile import SolutionProfile
from .data import BenchmarkRow
from .features import MONOTONE, NAMES, featurize, matrix
from .forest import Forest

HOST_ID = "host"
# Bump when training or evaluation changes what a cached model means (part of its key).
TRAINING_REVISION = 2
OFFSET_ROUNDS = 4
# Chosen among five settings by the cross-validated errors of the model card, so those
# errors are slightly optimistic; small trees and strong regularisation won.
HYPERPARAMETERS = {
    "max_iter": 150,
    "learning_rate": 0.08,
    "max_leaf_nodes": 7,
    "min_samples_leaf": 20,
    "l2_regularization": 10.0,
    "random_state": 0,
}


@dataclass
class TrainingTable:
    """One line per usable throughput row: features, log value, test group, anchor."""

    features: np.ndarray
    log_value: np.ndarray  # log Gbps, or log ratio for relative rows
    group: list[str]  # source + test condition
    anchor: np.ndarray  # log baseline of the group, NaN when unknown (free offset)
    study: list[str]
    solution: list[str]
    rows: list[BenchmarkRow] = field(repr=False)

    @property
    def anchored(self) -> np.ndarray:
        return ~np.isnan(self.anchor)

    @property
    def ratio(self) -> np.ndarray:
        """Measured throughput ratio to host (NaN where not anchored)."""
        return np.exp(self.log_value - self.anchor)

    def subset(self, mask: np.ndarray) -> TrainingTable:
        index = np.flatnonzero(mask)
        pick = lambda seq: [seq[i] for i in index]  # noqa: E731
        return TrainingTable(
            self.features[index],
            self.log_value[index],
            pick(self.group),
            self.anchor[index],
            pick(self.study),
            pick(self.solution),
            pick(self.rows),
        )


def _condition(row: BenchmarkRow) -> str:
    test = re.sub(r"\.results$|-run\d+\.tsv$", "", row.locator.rsplit("/", 1)[-1])
    variant = row.locator.split("/")[1] if row.source_id == "infrabuilder-2020" else ""
    variant = variant.split(".", 1)[1] if "." in variant else ""
    parts = (
        row.source_id,
        row.scenario,
        row.virtualization,
        row.protocol,
        f"{row.message_size_bytes:g}",
        f"{row.streams:g}",
        "service" if row.via_service else "pod",
        variant if row.source_id == "infrabuilder-2020" else test,
    )
    return "|".join(parts)


def _stated_container_mtu(row: BenchmarkRow) -> float | None:
    match = re.search(r"pod MTU (\d+)", row.notes)
    return float(match.group(1)) if match else None


def underlay_mtus_from_sources() -> dict[str, float]:
    """Each source's stated underlay MTU (from sources.csv conditions), where it states one."""
    from .data import shipped_sources

    found = {}
    for source_id, source in shipped_sources().items():
        match = re.search(r"MTU (\d+)", source.get("conditions", ""))
        if match:
            found[source_id] = float(match.group(1))
    return found


def build_table(
    rows: list[BenchmarkRow],
    profiles: Mapping[str, SolutionProfile],
    underlay_mtus: Mapping[str, float] | None = None,
) -> TrainingTable:
    if underlay_mtus is None:
        underlay_mtus = underlay_mtus_from_sources()
    usable: list[tuple[BenchmarkRow, float, float]] = []  # row, log value, anchor
    for row in rows:
        profile = profiles.get(row.solution_id)
        if profile is None:
            continue
        if row.metric == "throughput" and row.unit in ("Gbps", "Mbps"):
            value = row.throughput_gbps
            baseline = row.baseline_value * (value / row.value) if row.value else math.nan
            anchor = math.log(baseline) if baseline > 0 else math.nan
            if value > 0:
                usable.append((row, math.log(value), anchor))
        elif (
            row.metric == "throughput_loss" and row.unit == "percent" and row.relative_to == HOST_ID
        ):
            usable.append((row, math.log(1 - row.value / 100), 0.0))
    # A host row in a test without per-row baselines anchors the whole test.
    host_logs: dict[str, list[float]] = defaultdict(list)
    for row, log_value, _ in usable:
        if row.solution_id == HOST_ID:
            host_logs[_condition(row)].append(log_value)
    features, logs, groups, anchors, studies, solutions, kept = [], [], [], [], [], [], []
    for row, log_value, anchor in usable:
        group = _condition(row)
        if math.isnan(anchor) and host_logs.get(group):
            anchor = float(np.median(host_logs[group]))
        features.append(
            featurize(
                profiles[row.solution_id],
                scenario=row.scenario,
                message_size=row.message_size_bytes,
                protocol=row.protocol,
                streams=row.streams,
                virtualization=row.virtualization,
                link_gbps=row.link_gbps,
                via_service=row.via_service,
                underlay_mtu=underlay_mtus.get(row.source_id),
                container_mtu=_stated_container_mtu(row),
            )
        )
        logs.append(log_value)
        groups.append(group)
        anchors.append(anchor)
        studies.append(row.source_id)
        solutions.append(row.solution_id)
        kept.append(row)
    return TrainingTable(
        matrix(features),
        np.array(logs),
        groups,
        np.array(anchors, dtype=float),
        studies,
        solutions,
        kept,
    )


def _estimator():
    from sklearn.ensemble import HistGradientBoostingRegressor

    monotone = [MONOTONE.get(name, 0) for name in NAMES]
    return HistGradientBoostingRegressor(monotonic_cst=monotone, **HYPERPARAMETERS)


def fit_forest(table: TrainingTable) -> Forest:
    """Fit the trees, estimating free per-test offsets in alternation."""
    groups = np.array(table.group)
    offsets = table.anchor.copy()
    free = np.isnan(offsets)
    for group in set(groups[free]):
        members = groups == group
        offsets[members] = table.log_value[members].max()  # start: best CNI ≈ host
    estimator = None
    for _ in range(OFFSET_ROUNDS if free.any() else 1):
        estimator = _estimator().fit(table.features, table.log_value - offsets)
        if not free.any():
            break
        predicted = estimator.predict(table.features)
        for group in set(groups[free]):
            members = groups == group
            offsets[members] = float(np.median(table.log_value[members] - predicted[members]))
    return Forest.from_estimator(estimator)


PHYSICS = NAMES.index("physics_ratio")


PATH_FEATURES = [
    NAMES.index(name)
    for name in NAMES
    if name.startswith("stages_") or name in ("encap_bytes", "uses_ebpf", "uses_ovs", "uses_bridge")
]


def is_host_path(features: np.ndarray) -> np.ndarray:
    """Rows whose datapath adds nothing to the host's own stack: host networking itself,
    the baseline every target is relative to, so their ratio is exactly 1."""
    return np.all(features[:, PATH_FEATURES] == 0, axis=1)


def predict_log_ratio(forest: Forest, features: np.ndarray) -> np.ndarray:
    """The deployed prediction: the trees, capped by the physics bound and by 1 (host),
    and exactly 1 for a datapath that is the host's own."""
    bound = np.nan_to_num(features[:, PHYSICS], nan=1.0)
    capped = np.minimum(forest.predict(features), np.log(np.minimum(bound, 1.0)))
    return np.where(is_host_path(features), 0.0, capped)


def grouped_residuals(
    table: TrainingTable, by: Callable[[int], str]
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Held-out log-ratio predictions for anchored rows, leaving one group out at a time.

    Returns (predicted log ratio, measured log ratio, fold label) for every
    anchored row whose group had other data to learn from.
    """
    labels = np.array([by(i) for i in range(len(table.log_value))])
    predicted, measured, folds = [], [], []
    for label in sorted(set(labels[table.anchored])):
        held = labels == label
        train = table.subset(~held)
        if not train.anchored.any():
            continue
        forest = fit_forest(train)
        test = table.subset(held & table.anchored)
        predicted.extend(predict_log_ratio(forest, test.features))
        measured.extend(test.log_value - test.anchor)
        folds.extend([label] * len(test.log_value))
    return np.array(predicted), np.array(measured), folds
