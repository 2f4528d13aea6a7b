"""CSV output: one row per option per requirements file, ranked and excluded alike."""

from __future__ import annotations

import csv
import io

from .common import Batch, inter_host

COLUMNS = [
    "source",
    "system",
    "status",
    "rank",
    "id",
    "name",
    "family",
    "plugin",
    "score",
    "performance",
    "security",
    "mobility",
    "operability",
    "first_share",
    "throughput_ratio",
    "throughput_gbps",
    "packet_rate_mpps",
    "added_latency_us",
    "estimate_kind",
    "effective_mtu",
    "model",
    "reasons",
]


def render(batch: Batch) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for evaluation in batch.evaluations:
        common = {
            "source": evaluation.source,
            "system": evaluation.system,
            "model": evaluation.model.name,
        }
        for option in batch.ranked(evaluation):
            prediction = inter_host(option)
            writer.writerow(
                common
                | {
                    "status": "ranked",
                    "rank": option.rank,
                    "id": option.id,
                    "name": option.name,
                    "family": option.family,
                    "plugin": option.plugin,
                    "score": option.score,
                    **{name: round(c.score, 4) for name, c in option.criteria.items()},
                    "first_share": option.first_share,
                    "throughput_ratio": _value(prediction, "throughput_ratio"),
                    "throughput_gbps": _value(prediction, "throughput_gbps"),
                    "packet_rate_mpps": _value(prediction, "packet_rate_mpps"),
                    "added_latency_us": _value(prediction, "added_latency_us"),
                    "estimate_kind": prediction.throughput_gbps.kind if prediction else "",
                    "effective_mtu": option.effective_mtu or "",
                    "reasons": " | ".join(option.reasons),
                }
            )
        for option in evaluation.excluded:
            writer.writerow(
                common
                | {
                    "status": "excluded",
                    "id": option.id,
                    "name": option.name,
                    "plugin": option.plugin,
                    "reasons": " | ".join(f"{r.requirement}: {r.message}" for r in option.reasons),
                }
            )
    for problem in batch.problems:
        writer.writerow({"source": problem.source, "status": "invalid", "reasons": str(problem)})
    return out.getvalue()


def _value(prediction, field: str):
    if prediction is None:
        return ""
    value = getattr(prediction, field).value
    return "" if value is None else round(value, 6)
