"""JSON output: one document per run, versioned (``schema_version``), documented in the README.

Each evaluation is serialised by pydantic's compiled serializer as soon as it is ready
and written out, so the document streams: memory stays flat in the number of files and
the output is still one valid JSON document (shape version 1, unchanged).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..advisor import SCHEMA_VERSION, Evaluation
from ..loading import InputProblem
from .common import Renderer

if TYPE_CHECKING:
    from ..requirements import Requirements


class JsonRenderer(Renderer):
    def start(self) -> str:
        return f'{{"schema_version": {SCHEMA_VERSION}, "results": ['

    def one(self, evaluation: Evaluation) -> str:
        return ("" if self.count == 1 else ", ") + self._shown(evaluation).model_dump_json()

    def add_encoded(
        self, evaluation: Evaluation, requirements: Requirements | None = None
    ) -> bytes:
        """The same bytes as ``add(...).encode()``, straight from pydantic's serializer
        (``model_dump_json`` is its output decoded to text)."""
        self.count += 1
        shown = Evaluation.__pydantic_serializer__.to_json(self._shown(evaluation))
        return shown if self.count == 1 else b", " + shown

    def _shown(self, evaluation: Evaluation) -> Evaluation:
        ranked = self.batch.ranked(evaluation)
        if ranked is not evaluation.ranked:
            evaluation = evaluation.model_copy(update={"ranked": ranked})
        return evaluation

    def finish(self, problems: Sequence[InputProblem]) -> str:
        errors = [
            {"source": p.source, "line": p.line, "key": p.key, "message": p.message}
            for p in problems
        ]
        return f'], "errors": {json.dumps(errors)}}}\n'
