"""JSON output: one document per run, versioned (``schema_version``), documented in the README.

Each evaluation is serialised by pydantic's compiled serializer as soon as it is ready
and written out, so the document streams: memory stays flat in the number of files and
the output is still one valid JSON document (shape version 1, unchanged).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..advisor import SCHEMA_VERSION, Evaluation
from ..loading import InputProblem
from .common import Renderer


class JsonRenderer(Renderer):
    def start(self) -> str:
        return f'{{"schema_version": {SCHEMA_VERSION}, "results": ['

    def one(self, evaluation: Evaluation) -> str:
        ranked = self.batch.ranked(evaluation)
        if ranked is not evaluation.ranked:
            evaluation = evaluation.model_copy(update={"ranked": ranked})
        return ("" if self.count == 1 else ", ") + evaluation.model_dump_json()

    def finish(self, problems: Sequence[InputProblem]) -> str:
        errors = [
            {"source": p.source, "line": p.line, "key": p.key, "message": p.message}
            for p in problems
        ]
        return f'], "errors": {json.dumps(errors)}}}\n'
