"""JSON output: one document per run, versioned (``schema_version``), documented in the README."""

from __future__ import annotations

import json

from ..evaluation import SCHEMA_VERSION
from .common import Batch


def render(batch: Batch) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "results": [
            evaluation.model_dump(mode="json")
            | {"ranked": [o.model_dump(mode="json") for o in batch.ranked(evaluation)]}
            | (
                {}
                if batch.show_excluded
                else {
                    "excluded": [
                        {"id": o.id, "reasons": [r.model_dump(mode="json") for r in o.reasons]}
                        for o in evaluation.excluded
                    ]
                }
            )
            for evaluation in batch.evaluations
        ],
        "errors": [
            {"source": p.source, "line": p.line, "key": p.key, "message": p.message}
            for p in batch.problems
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
