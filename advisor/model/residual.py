"""Gradient-boosted trees on what the structure leaves unexplained, for evaluation only.

The issue's rule: keep trees only as a residual on top of the stage-cost structure, and
only if grouped cross-validation says they help. Cross-validation scores this predictor
beside the structural model; the shipped model uses trees only if the card shows a gain.
"""

from __future__ import annotations

import numpy as np

from .observations import Observations
from .structure import WIDTH


def features(observations: Observations) -> np.ndarray:
    """What the trees see: the option's term counts and workload columns, and the metric."""
    return np.hstack([observations.numerator[:, :WIDTH], observations.metric[:, None]])


def residual_predictor(train: Observations, structural_log_ratio: np.ndarray, weights):
    """Fit trees to the training rows' log residuals (anchored rows, host against itself
    left out); return a function giving the corrected log ratio for other rows."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    pick = train.anchored & ~train.host_itself
    if pick.sum() < 20:
        return lambda observations, structural: structural
    trees = HistGradientBoostingRegressor(
        max_iter=100, max_depth=3, learning_rate=0.05, min_samples_leaf=10, random_state=0
    )
    residual = train.log_ratio[pick] - structural_log_ratio[pick]
    trees.fit(features(train.subset(pick)), residual, sample_weight=weights[pick])

    def predict(observations: Observations, structural: np.ndarray) -> np.ndarray:
        return structural + trees.predict(features(observations))

    return predict
