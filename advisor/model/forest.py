"""A trained tree ensemble as plain arrays: saved without pickle, evaluated with numpy.

Training uses scikit-learn's HistGradientBoostingRegressor; prediction does not
import scikit-learn at all. The trees are copied out of the fitted estimator
into flat arrays (one .npz, loaded with ``allow_pickle=False``), so the model
cache holds data only and can never run code when it is read, and a cold
``cnadvisor evaluate`` pays for numpy, not for scikit-learn and SciPy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

FIELDS = ("feature", "threshold", "missing_left", "left", "right", "leaf", "value", "roots")


@dataclass(frozen=True)
class Forest:
    feature: np.ndarray  # int: feature tested at each node
    threshold: np.ndarray  # float: go left when x <= threshold
    missing_left: np.ndarray  # bool: where NaN goes
    left: np.ndarray  # int: global index of the left child
    right: np.ndarray
    leaf: np.ndarray  # bool
    value: np.ndarray  # float: leaf value
    roots: np.ndarray  # int: global index of each tree's root
    base: float  # the estimator's baseline prediction

    @classmethod
    def from_estimator(cls, estimator: Any) -> Forest:
        """Copy the trees out of a fitted HistGradientBoostingRegressor (numeric features)."""
        parts = {name: [] for name in FIELDS}
        offset = 0
        for (predictor,) in estimator._predictors:
            nodes = predictor.nodes
            if nodes["is_categorical"].any():
                raise ValueError("categorical splits are not supported")
            parts["feature"].append(nodes["feature_idx"].astype(np.int64))
            parts["threshold"].append(nodes["num_threshold"].astype(float))
            parts["missing_left"].append(nodes["missing_go_to_left"].astype(bool))
            parts["left"].append(nodes["left"].astype(np.int64) + offset)
            parts["right"].append(nodes["right"].astype(np.int64) + offset)
            parts["leaf"].append(nodes["is_leaf"].astype(bool))
            parts["value"].append(nodes["value"].astype(float))
            parts["roots"].append(np.array([offset]))
            offset += len(nodes)
        arrays = {name: np.concatenate(chunks) for name, chunks in parts.items()}
        return cls(**arrays, base=float(np.ravel(estimator._baseline_prediction)[0]))

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Sum of every tree's leaf value plus the baseline, for each row."""
        rows = np.asarray(features, dtype=float)
        node = np.broadcast_to(self.roots, (len(rows), len(self.roots))).copy()
        row_index = np.arange(len(rows))[:, None]
        while True:
            active = ~self.leaf[node]
            if not active.any():
                break
            x = rows[row_index, self.feature[node]]
            go_left = np.where(np.isnan(x), self.missing_left[node], x <= self.threshold[node])
            nxt = np.where(go_left, self.left[node], self.right[node])
            node = np.where(active, nxt, node)
        return self.base + self.value[node].sum(axis=1)

    def arrays(self) -> dict[str, np.ndarray]:
        out = {name: getattr(self, name) for name in FIELDS}
        out["base"] = np.array(self.base)
        return out

    @classmethod
    def from_arrays(cls, arrays: Any, prefix: str = "") -> Forest:
        values = {name: np.asarray(arrays[prefix + name]) for name in FIELDS}
        forest = cls(**values, base=float(arrays[prefix + "base"]))
        forest._check()
        return forest

    def _check(self) -> None:
        """Refuse arrays that do not form trees (a damaged or foreign file)."""
        size = len(self.feature)
        if not all(len(getattr(self, n)) == size for n in FIELDS[:7]):
            raise ValueError("forest arrays differ in length")
        inner = ~self.leaf
        position = np.arange(size)[inner]
        for name in ("left", "right"):
            child = getattr(self, name)[inner]
            if child.size and (child.max() >= size or (child <= position).any()):
                # children always come after their parent: this also rules out cycles
                raise ValueError(f"forest {name} index out of range")
        if self.roots.size == 0 or self.roots.min() < 0 or self.roots.max() >= size:
            raise ValueError("forest roots out of range")
