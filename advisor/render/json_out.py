"""JSON output: one document per run, versioned (``schema_version``), documented in the README.

Each evaluation is serialised by pydantic's compiled serializer as soon as it is ready
and written out, so the document streams: memory stays flat in the number of files and
the output is still one valid JSON document (shape version 1, unchanged).

Most options are excluded, and for the same reasons file after file: each distinct
excluded entry is serialised once and its bytes reused (about 40 % of a file's JSON).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..advisor import SCHEMA_VERSION, Evaluation, ExcludedOption
from ..loading import InputProblem
from .common import Batch, Renderer

if TYPE_CHECKING:
    from ..requirements import Requirements


EXCLUDED_MEMO_LIMIT = 4096  # serialised excluded entries kept; a long batch must not grow
_EMPTY_EXCLUDED = b'"excluded":[]'


class JsonRenderer(Renderer):
    def __init__(self, batch: Batch) -> None:
        super().__init__(batch)
        self._excluded_json: dict[tuple, bytes] = {}

    def start(self) -> str:
        return f'{{"schema_version": {SCHEMA_VERSION}, "results": ['

    def one(self, evaluation: Evaluation) -> str:
        return ("" if self.count == 1 else ", ") + self._encoded(evaluation).decode("utf-8")

    def add_encoded(
        self, evaluation: Evaluation, requirements: Requirements | None = None
    ) -> bytes:
        """The same bytes as ``add(...).encode()``, without the decode and encode."""
        self.count += 1
        shown = self._encoded(evaluation)
        return shown if self.count == 1 else b", " + shown

    def _encoded(self, evaluation: Evaluation) -> bytes:
        """What pydantic's serializer gives for the evaluation as shown, byte for byte: the
        evaluation without its excluded entries, with their remembered bytes put back in
        the empty list (the last ``"excluded":[]`` is the top level's: it comes after
        every ranked option, and a key inside a JSON string has escaped quotes)."""
        shown = self._shown(evaluation)
        serialise = Evaluation.__pydantic_serializer__.to_json
        if not shown.excluded:
            return serialise(shown)
        head = serialise(shown.model_copy(update={"excluded": []}))
        at = head.rindex(_EMPTY_EXCLUDED) + len(_EMPTY_EXCLUDED) - 1
        entries = b",".join(self._excluded_entry(option) for option in shown.excluded)
        return head[:at] + entries + head[at:]

    def _excluded_entry(self, option: ExcludedOption) -> bytes:
        key = (option.id, option.name, option.plugin, tuple(
            (f.severity, f.requirement, f.message, f.source, tuple(f.references))
            for f in option.reasons
        ))  # fmt: skip
        entry = self._excluded_json.get(key)
        if entry is None:
            if len(self._excluded_json) >= EXCLUDED_MEMO_LIMIT:
                self._excluded_json.clear()
            entry = self._excluded_json[key] = ExcludedOption.__pydantic_serializer__.to_json(
                option
            )
        return entry

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
