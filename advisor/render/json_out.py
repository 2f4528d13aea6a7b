"""JSON output: one document per run, versioned (``schema_version``), documented in the README.

Each evaluation is serialised by pydantic's compiled serializer and the pieces
are joined, so a batch of a thousand files stays fast.
"""

from __future__ import annotations

import json

from ..evaluation import SCHEMA_VERSION
from .common import Batch


def render(batch: Batch) -> str:
    results = [
        evaluation.model_copy(update={"ranked": batch.ranked(evaluation)}).model_dump_json()
        for evaluation in batch.evaluations
    ]
    errors = [
        {"source": p.source, "line": p.line, "key": p.key, "message": p.message}
        for p in batch.problems
    ]
    return (
        f'{{"schema_version": {SCHEMA_VERSION}, "results": [{", ".join(results)}], '
        f'"errors": {json.dumps(errors, ensure_ascii=False)}}}\n'
    )
