"""JSON output: one document per run, versioned (``schema_version``), documented in the README.

Each evaluation is serialised by pydantic's compiled serializer as soon as it is ready
and written out, so the document streams: memory stays flat in the number of files and
the output is still one valid JSON document (shape version 1, unchanged).

Most options are excluded, and for the same reasons file after file; the model hands out
the same predictions for the same workload, and the ranking the same criterion scores for
the same requirement key: each distinct excluded entry, prediction and criterion score is
serialised once and its bytes reused (together about two thirds of a file's JSON).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import TypeAdapter

from ..advisor import SCHEMA_VERSION, Evaluation, ExcludedOption, RankedOption
from ..loading import InputProblem
from ..memo import IdentityMemo
from ..performance import Prediction
from ..scoring import SHARED_CRITERIA, CriterionScore
from .common import Batch, Renderer

if TYPE_CHECKING:
    from ..requirements import Requirements

_EVALUATION = Evaluation.__pydantic_serializer__.to_json
_RANKED = RankedOption.__pydantic_serializer__.to_json
_PREDICTION = Prediction.__pydantic_serializer__.to_json
_EXCLUDED = ExcludedOption.__pydantic_serializer__.to_json
_CRITERION = TypeAdapter(CriterionScore).serializer.to_json

EXCLUDED_MEMO_LIMIT = 4096  # serialised excluded entries kept; a long batch must not grow
PREDICTION_MEMO_LIMIT = 16384  # serialised predictions kept: as many as the model keeps
CRITERION_MEMO_LIMIT = 8192  # serialised criterion scores kept, as the ranking keeps them
# Where the left-out lists go back: before the field that follows them in their object.
# A key inside a JSON string has escaped quotes, and with the lists left out no nested
# object has this key, so its one unescaped occurrence is the object's own.
_BEFORE_ROBUSTNESS = b',"robustness":'
_BEFORE_EFFECTIVE_MTU = b',"effective_mtu":'
_WITHOUT_LISTS = {"ranked": True, "excluded": True}
_WITHOUT_CRITERIA_AND_PREDICTIONS = {"criteria": True, "predictions": True}


class JsonRenderer(Renderer):
    def __init__(self, batch: Batch) -> None:
        super().__init__(batch)
        self._excluded_json: dict[tuple, bytes] = {}
        self._excluded_by_object: IdentityMemo[bytes] = IdentityMemo()
        self._prediction_json: IdentityMemo[bytes] = IdentityMemo()
        self._criterion_json: IdentityMemo[bytes] = IdentityMemo()
        self._criterion_keys: dict[str, bytes] = {}

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
        """What pydantic's serializer gives for the evaluation as shown, byte for byte,
        assembled from parts: the evaluation without its two lists, each ranked option
        without its predictions, and the remembered bytes of each prediction and each
        excluded entry (both repeat file after file)."""
        shown = self._shown(evaluation)
        head = _EVALUATION(shown, exclude=_WITHOUT_LISTS)
        at = head.rindex(_BEFORE_ROBUSTNESS)
        ranked = b",".join(self._ranked_entry(option) for option in shown.ranked)
        excluded = b",".join(self._excluded_entry(option) for option in shown.excluded)
        return b"".join((head[:at], b',"ranked":[', ranked, b'],"excluded":[', excluded, b"]",
                         head[at:]))  # fmt: skip

    def _ranked_entry(self, option: RankedOption) -> bytes:
        """A ranked option's bytes: its own fields, then its criteria and predictions
        (the two fields before ``effective_mtu``) from their remembered bytes."""
        body = _RANKED(option, exclude=_WITHOUT_CRITERIA_AND_PREDICTIONS)
        at = body.rindex(_BEFORE_EFFECTIVE_MTU)
        criteria = b",".join(
            self._criterion_key(name) + self._criterion_entry(name, criterion)
            for name, criterion in option.criteria.items()
        )
        predictions = b",".join(self._prediction_entry(p) for p in option.predictions)
        return b"".join((body[:at], b',"criteria":{', criteria, b'},"predictions":[',
                         predictions, b"]", body[at:]))  # fmt: skip

    def _criterion_key(self, name: str) -> bytes:
        key = self._criterion_keys.get(name)
        if key is None:
            key = self._criterion_keys[name] = json.dumps(name).encode() + b":"
        return key

    def _criterion_entry(self, name: str, criterion: CriterionScore) -> bytes:
        """A criterion score's bytes, per score object where the ranking hands out the same
        frozen score for the same option and requirement key (`SHARED_CRITERIA`)."""
        if name not in SHARED_CRITERIA:
            return _CRITERION(criterion)
        return self._criterion_json.of(criterion, _CRITERION, CRITERION_MEMO_LIMIT)

    def _prediction_entry(self, prediction: Prediction) -> bytes:
        """A prediction's bytes, remembered per prediction object (the model hands out the
        same frozen object for the same option and workload point)."""
        return self._prediction_json.of(prediction, _PREDICTION, PREDICTION_MEMO_LIMIT)

    def _excluded_entry(self, option: ExcludedOption) -> bytes:
        """An excluded entry's bytes: by object first (the advisor hands out the same
        frozen entry for the same reasons), else by what it holds."""
        return self._excluded_by_object.of(option, self._excluded_by_value, EXCLUDED_MEMO_LIMIT)

    def _excluded_by_value(self, option: ExcludedOption) -> bytes:
        key = (option.id, option.name, option.plugin, tuple(
            (f.severity, f.requirement, f.message, f.source, tuple(f.references))
            for f in option.reasons
        ))  # fmt: skip
        entry = self._excluded_json.get(key)
        if entry is None:
            if len(self._excluded_json) >= EXCLUDED_MEMO_LIMIT:
                self._excluded_json.clear()
            entry = self._excluded_json[key] = _EXCLUDED(option)
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
