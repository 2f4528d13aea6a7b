"""Reading requirement files safely, with errors that name the file, the line and the key.

Files are only ever read. YAML goes through the safe loader; aliases are
counted before anything is built, so an alias bomb is refused instead of
expanded; size, encoding and shape are checked before validation.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .requirements import Requirements

MAX_BYTES = 1024 * 1024
MAX_NODES = 20_000
YAML_SUFFIXES = (".yaml", ".yml")
STDIN = "-"
# libyaml's safe loader where PyYAML was built with it (same safe constructor, C parser).
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class InputProblem:
    """One clear complaint about one input."""

    source: str
    message: str
    line: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        where = self.source + (f":{self.line}" if self.line else "")
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {self.message}"


class RequirementsError(ValueError):
    def __init__(self, problems: list[InputProblem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class Loaded:
    source: str
    requirements: Requirements


def expand_inputs(arguments: list[str]) -> Iterator[str | InputProblem]:
    """Files as given, folders as their YAML files in name order, '-' as stdin."""
    for argument in arguments:
        if argument == STDIN:
            yield STDIN
            continue
        path = Path(argument)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in YAML_SUFFIXES and p.is_file())
            if not found:
                yield InputProblem(argument, "folder holds no .yaml or .yml files")
            yield from (str(p) for p in found)
        elif not path.exists():
            yield InputProblem(argument, "no such file or folder")
        else:
            yield argument


def read_source(source: str) -> bytes:
    if source == STDIN:
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        with open(source, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise RequirementsError(
            [InputProblem(_label(source), f"larger than {MAX_BYTES // 1024} KiB; refused")]
        )
    return data


def _label(source: str) -> str:
    return "<stdin>" if source == STDIN else source


def load_file(source: str) -> Loaded:
    """Read and validate one requirements file (or '-' for stdin)."""
    label = _label(source)
    try:
        data = read_source(source)
    except OSError as error:
        raise RequirementsError([InputProblem(label, error.strerror or str(error))]) from None
    return Loaded(label, parse_requirements(data, label))


def parse_requirements(data: bytes, label: str = "<string>") -> Requirements:
    """Parse YAML bytes into :class:`Requirements`, or raise one clear error."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise RequirementsError(
            [InputProblem(label, f"not UTF-8 text (byte {error.start})", line=line)]
        ) from None
    if not text.strip():
        raise RequirementsError(
            [InputProblem(label, "file is empty; expected a mapping such as `workload:` ...")]
        )
    loader = _Loader(text)
    try:
        node = _compose(loader, label)
        _check_size(node, label)
        raw = loader.construct_document(node)
    finally:
        loader.dispose()
    if not isinstance(raw, dict):
        raise RequirementsError(
            [
                InputProblem(
                    label,
                    f"top level is a {type(raw).__name__}; expected a mapping of sections",
                    line=1,
                )
            ]
        )
    try:
        return Requirements.model_validate(raw)
    except ValidationError as error:
        raise RequirementsError(_explain(error, node, label)) from None


def _compose(loader: yaml.SafeLoader, label: str) -> yaml.Node:
    """Parse to a node graph only (nothing constructed yet), insisting on one document."""
    try:
        node = loader.get_single_node()
    except yaml.composer.ComposerError as error:
        if "expected a single document" in str(error):
            raise RequirementsError(
                [InputProblem(label, "holds several YAML documents; expected exactly one")]
            ) from None
        raise _yaml_problem(error, label) from None
    except yaml.YAMLError as error:
        raise _yaml_problem(error, label) from None
    if node is None:
        raise RequirementsError([InputProblem(label, "holds no YAML document")])
    return node


def _yaml_problem(error: yaml.YAMLError, label: str) -> RequirementsError:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        message = " ".join(part for part in (error.context, error.problem) if part)
        return RequirementsError([InputProblem(label, f"not valid YAML: {message}", line=line)])
    return RequirementsError([InputProblem(label, f"not valid YAML: {error}")])


def _check_size(root: yaml.Node, label: str) -> None:
    """Refuse documents whose aliases would expand past MAX_NODES (billion laughs)."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        sizes[key] = MAX_NODES + 1  # a node reached again while sizing it: recursive
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(item) for item in node.value)
        else:
            total = 1
        sizes[key] = min(total, MAX_NODES + 1)
        return sizes[key]

    if size(root) > MAX_NODES:
        raise RequirementsError(
            [
                InputProblem(
                    label,
                    f"expands to more than {MAX_NODES} YAML nodes (aliases); refused",
                    line=root.start_mark.line + 1,
                )
            ]
        )


def _line_of(node: yaml.Node, location: tuple[Any, ...]) -> int | None:
    """The line of the deepest node along a pydantic error location."""
    line = node.start_mark.line + 1
    for part in location:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if match is None:
                key_node = next(
                    (k for k, _ in node.value if getattr(k, "value", None) == part), None
                )
                return key_node.start_mark.line + 1 if key_node else line
            node = match
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line


def _model_at(location: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model a location's parent points into, for key suggestions."""
    model: Any = Requirements
    for part in location:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        if field is None:
            return None
        annotation = field.annotation
        candidates = getattr(annotation, "__args__", (annotation,))
        model = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if model is None:
            return None
    return model


def _explain(error: ValidationError, root: yaml.Node, label: str) -> list[InputProblem]:
    problems = []
    for item in error.errors():
        location = tuple(part for part in item["loc"] if not _is_union_tag(part))
        key = ".".join(str(part) for part in location) or None
        line = _line_of(root, location)
        if item["type"] == "extra_forbidden":
            parent = _model_at(location[:-1])
            known = sorted(parent.model_fields) if parent else []
            close = difflib.get_close_matches(str(location[-1]), known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            message = f"unknown key; {hint}expected one of: {', '.join(known)}"
        else:
            message = _describe(item)
        problems.append(InputProblem(label, message, line=line, key=key))
    return problems


def _is_union_tag(part: Any) -> bool:
    # pydantic inserts the chosen union member, e.g. 'Constraint[bool]', into locations
    return isinstance(part, str) and ("[" in part or part in ("function-before[_shorthand()]",))


def _describe(item: dict[str, Any]) -> str:
    got = item.get("input")
    shown = repr(got) if not isinstance(got, dict) else "a mapping"
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{item['msg']} (got {shown})"
