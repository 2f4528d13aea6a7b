"""How sure is the ranking? Perturb the priority weights and count who comes first.

Only an option that the top pick does not dominate on every criterion can ever
overtake it under positive weights, so only those are scored per sample: the
result is exact for "who is first" and cheap even for hundreds of options.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

SAMPLES = 200
SPREAD = 0.35  # each weight multiplied by exp(N(0, SPREAD)): roughly ±35 %
SEED = 2544


@cache
def _noise(samples: int, spread: float, seed: int, width: int) -> tuple[tuple[float, ...], ...]:
    """The same multiplicative perturbations for every evaluation: results are repeatable."""
    rng = random.Random(seed)
    return tuple(
        tuple(math.exp(rng.gauss(0.0, spread)) for _ in range(width)) for _ in range(samples)
    )


@cache
def _noise_matrix(samples: int, spread: float, seed: int, width: int) -> Any:
    """``_noise`` as a read-only array, built once (not per file)."""
    import numpy as np

    matrix = np.array(_noise(samples, spread, seed, width))
    matrix.setflags(write=False)
    return matrix


def first_place_shares(
    criteria: Sequence[Mapping[str, float]],
    weights: Mapping[str, float],
    *,
    samples: int = SAMPLES,
    spread: float = SPREAD,
    seed: int = SEED,
) -> list[float]:
    """For each option (same order as ``criteria``, best first), the share of perturbed
    weightings under which it ranks first."""
    if not criteria:
        return []
    import numpy as np  # imported here: only evaluation needs it, not `plugins` or `init`

    names = list(weights)
    rows = np.array([[option[name] for name in names] for option in criteria])
    # the top pick, and every option better than it on some criterion
    contenders = np.flatnonzero(np.concatenate(([True], (rows[1:] > rows[0]).any(axis=1))))
    noise = _noise_matrix(samples, spread, seed, len(names))  # samples x criteria
    scaled = rows[contenders] * np.array([weights[n] for n in names])
    winners = contenders[np.argmax(scaled @ noise.T, axis=0)]
    return (np.bincount(winners, minlength=len(rows)) / samples).tolist()
