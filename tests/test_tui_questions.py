"""The questionnaire's plain question table against the requirements model and `cnadvisor
init`'s template. The table exists so the first screen paints without pydantic (issue 16);
these tests keep it from drifting: every question names a real key of the same type, with
the model's choices and bounds, and starts from the template's answer."""

from __future__ import annotations

import enum
import types
import typing
from dataclasses import replace

import annotated_types
import pytest
import yaml
from cnadvisor.questionnaire import NOT_NEEDED, QUESTIONS, Answers, Question
from cnadvisor.requirements import Constraint, Requirements, ThroughputNeed
from cnadvisor.template import TEMPLATE
from pydantic import BaseModel


def _members(annotation: typing.Any) -> tuple[list[typing.Any], bool]:
    """The types of an annotation without None, and whether None is allowed."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        members = list(typing.get_args(annotation))
    else:
        members = [annotation]
    return [m for m in members if m is not type(None)], type(None) in members


def _choices(annotation: typing.Any) -> tuple[str, ...] | None:
    """The allowed words of a Literal or an Enum, else None."""
    if typing.get_origin(annotation) is typing.Literal:
        return tuple(str(a) for a in typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return tuple(str(m.value) for m in annotation)
    return None


def _bounds(metadata: list[typing.Any]) -> tuple[float | None, float | None, bool]:
    low = high = None
    excluded = False
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            low = item.ge
        elif isinstance(item, annotated_types.Gt):
            low, excluded = item.gt, True
        elif isinstance(item, annotated_types.Le):
            high = item.le
    return low, high, excluded


def _expected(path: str) -> tuple[str, tuple[str, ...], tuple] | str:
    """(kind, choices, bounds) the requirements model gives the key `path`, or why it has
    none."""
    model: type[BaseModel] | None = Requirements
    annotation: typing.Any = None
    info = None
    for part in path.split("."):
        if model is None or part not in model.model_fields:
            return f"{path}: no such key in the requirements model"
        info = model.model_fields[part]
        annotation = info.annotation
        found, _ = _members(annotation)
        model = next((m for m in found if isinstance(m, type) and issubclass(m, BaseModel)
                      and not issubclass(m, Constraint | ThroughputNeed)), None)  # fmt: skip
    (core, *more), optional = _members(annotation)
    if more:
        return f"{path}: a union the questionnaire cannot ask ({annotation})"
    metadata = list(info.metadata)
    if isinstance(core, type) and issubclass(core, ThroughputNeed):
        return "need-throughput", (), (None, None, False)
    prefix = ""
    if isinstance(core, type) and issubclass(core, Constraint):
        value = core.model_fields["value"]
        prefix, core, metadata = "need-", value.annotation, list(value.metadata)
    choices = _choices(core)
    if choices is not None:
        kind = "choice"
    elif core is bool:
        kind = "tristate" if optional and not prefix else "bool"
    elif core is int:
        kind = "optional-integer" if optional else "integer"
    elif core is float:
        kind = "number"
    elif core is str:
        kind = "text"
    else:
        return f"{path}: a type the questionnaire cannot ask ({core})"
    return prefix + kind, choices or (), _bounds(metadata)


def drift(questions: dict[str, Question]) -> list[str]:
    """Every way the question table disagrees with the requirements model and the
    template, one line each, naming the question."""
    template = Answers.from_requirements(Requirements.model_validate(yaml.safe_load(TEMPLATE)))
    problems = []
    for path, question in questions.items():
        expected = _expected(path)
        if isinstance(expected, str):
            problems.append(expected)
            continue
        kind, choices, (low, high, excluded) = expected
        if question.kind != kind:
            problems.append(f"{path}: kind {question.kind!r}, the model says {kind!r}")
        if sorted(question.choices) != sorted(choices):
            problems.append(f"{path}: choices {question.choices}, the model has {choices}")
        if (question.low, question.high, question.low_excluded) != (low, high, excluded):
            problems.append(
                f"{path}: bounds {(question.low, question.high, question.low_excluded)}, "
                f"the model has {(low, high, excluded)}"
            )
        if question.default != template.values[path]:
            problems.append(
                f"{path}: default {question.default!r}, the template gives "
                f"{template.values[path]!r}"
            )
    return problems


def test_the_question_table_agrees_with_the_requirements_model_and_the_template():
    assert drift(QUESTIONS) == []


DRIFTS = {  # what is changed: (question, edits, the word naming it)
    "a bound": ("workload.message_size", {"high": 9000}, "bounds"),
    "a lowest value excluded or not": ("environment.nic_gbps", {"low_excluded": False}, "bounds"),
    "a bound inside a constraint": ("workload.latency_budget_us", {"low": None}, "bounds"),
    "a choice the model lacks": (
        "workload.protocol",
        {"choices": ("tcp", "udp", "sctp")},
        "choices",
    ),
    "a choice the model has": (
        "security.network_policy",
        {"choices": ("none", "l3-l4")},
        "choices",
    ),
    "a kind": ("environment.underlay.l2_adjacent", {"kind": "bool"}, "kind"),
    "a constraint asked as a plain value": ("security.encryption", {"kind": "bool"}, "kind"),
    "a key": ("workload.packet_size", {}, "no such key"),
    "a default": ("environment.underlay.mtu", {"default": "9000"}, "default"),
}


@pytest.mark.parametrize("change", DRIFTS.values(), ids=DRIFTS.keys())
def test_a_drifted_question_is_caught_and_named(change):
    """Made to fail by construction: each copy of the table differs from the model or the
    template in one way, and `drift` must name the question and what differs."""
    path, edits, what = change
    original = QUESTIONS.get(path) or QUESTIONS["workload.message_size"]
    drifted = dict(QUESTIONS)
    if path not in QUESTIONS:  # a renamed key: the question moved to a key the model lacks
        del drifted[original.path]
        drifted[path] = replace(original, path=path)
    else:
        drifted[path] = replace(original, **edits)
    problems = drift(drifted)
    assert len(problems) == 1, problems
    assert problems[0].startswith(path + ":") and what in problems[0]


def test_the_default_answers_are_the_templates_and_valid():
    """`Answers.defaults()` reads the table only; it must equal the template read through
    the model, and be valid when checked afresh (its validity is remembered, not checked,
    before the first paint)."""
    defaults = Answers.defaults()
    template = Answers.from_requirements(Requirements.model_validate(yaml.safe_load(TEMPLATE)))
    assert (defaults.name, defaults.description) == (template.name, template.description)
    assert defaults.values == template.values
    assert defaults.needs == template.needs
    assert set(defaults.needs.values()) == {NOT_NEEDED}
    defaults._valid = None  # forget what was remembered: validate through the model
    assert defaults.errors() == {}
    assert defaults.requirements() == Requirements.model_validate(yaml.safe_load(TEMPLATE))


def test_remembered_validity_follows_every_edit():
    """Valid answers are remembered as valid only as they were: any edit (also one made
    around `set`) is checked through the model again."""
    answers = Answers.defaults()
    assert answers.errors() == {}
    answers.set("workload.traffic.intra_host", "0.9")  # 0.9 + 0.5 > 1: a rule across questions
    assert "add up to" in answers.errors()["workload.traffic.intra_host"]
    answers.set("workload.traffic.intra_host", "0.5")
    assert answers.errors() == {}
    answers.values["priorities.performance"] = "500"  # behind `set`'s back
    assert "priorities.performance" in answers.errors()
