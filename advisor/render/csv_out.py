"""CSV output: one row per option per requirements file, ranked and excluded alike.

Text cells pass through ``csv_cell``: controls are escaped and a cell that a spreadsheet
would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR first) starts with ``'``."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from ..advisor import Evaluation
from ..loading import InputProblem
from ..safetext import csv_cell
from .common import Renderer, inter_host

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


class CsvRenderer(Renderer):
    def _rows(self, rows: list[dict[str, Any]], header: bool = False) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        if header:
            writer.writeheader()
        for row in rows:
            writer.writerow({key: csv_cell(value) for key, value in row.items()})
        return out.getvalue()

    def start(self) -> str:
        return self._rows([], header=True)

    def one(self, evaluation: Evaluation) -> str:
        common = {
            "source": evaluation.source,
            "system": evaluation.system,
            "model": evaluation.model.name,
        }
        rows = []
        for option in self.batch.ranked(evaluation):
            prediction = inter_host(option)
            rows.append(
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
            rows.append(
                common
                | {
                    "status": "excluded",
                    "id": option.id,
                    "name": option.name,
                    "plugin": option.plugin,
                    "reasons": " | ".join(f"{r.requirement}: {r.message}" for r in option.reasons),
                }
            )
        return self._rows(rows)

    def finish(self, problems: Sequence[InputProblem]) -> str:
        return self._rows(
            [{"source": p.source, "status": "invalid", "reasons": str(p)} for p in problems]
        )


def _value(prediction, field: str):
    if prediction is None:
        return ""
    value = getattr(prediction, field).value
    return "" if value is None else round(value, 6)
