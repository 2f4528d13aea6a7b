"""How sure is the ranking? Perturb the priority weights and count who comes first.

Only an option that the top pick does not dominate on every criterion can ever
overtake it under positive weights, so only those are scored per sample: the
result is exact for "who is first" and cheap even for hundreds of options.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence

SAMPLES = 400
SPREAD = 0.35  # each weight multiplied by exp(N(0, SPREAD)): roughly ±35 %
SEED = 2544


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
    names = list(weights)
    rows = [[option[name] for name in names] for option in criteria]
    top = rows[0]
    contenders = [0] + [
        index
        for index, row in enumerate(rows[1:], start=1)
        if any(mine > theirs for mine, theirs in zip(row, top, strict=True))
    ]
    wins = dict.fromkeys(contenders, 0)
    rng = random.Random(seed)
    base = [weights[name] for name in names]
    for _ in range(samples):
        w = [b * math.exp(rng.gauss(0.0, spread)) for b in base]
        best = max(contenders, key=lambda i: sum(x * y for x, y in zip(rows[i], w, strict=True)))
        wins[best] += 1
    return [wins.get(index, 0) / samples for index in range(len(rows))]
