"""Reading requirement files safely, with errors that name the file, the line and the key.

Files are only ever read. YAML goes through the safe loader; aliases are
counted before anything is built, so an alias bomb is refused instead of
expanded; size, encoding and shape are checked before validation.
"""

from __future__ import annotations

import difflib
import os
import re
import reprlib
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import yaml
from pydantic import BaseModel, ValidationError

from .requirements import Requirements
from .safetext import plain

MAX_BYTES = 1024 * 1024
MAX_NODES = 20_000
MAX_DEPTH = 32  # a requirements file is 4 levels deep; 32 leaves room and stops recursion
YAML_SUFFIXES = (".yaml", ".yml")  # compared case-insensitively
STDIN = "-"
_INT, _FLOAT, _TIMESTAMP = (f"tag:yaml.org,2002:{t}" for t in ("int", "float", "timestamp"))


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's safe loader (where PyYAML has it) without YAML 1.1's surprises: ``1:30``
    is not the base-60 number 90 and a date-like string stays a string. A constructor's
    own error (``!!int "abc"``, a 4,301-digit integer) becomes a YAML error with a line."""

    yaml_implicit_resolvers: ClassVar[dict[str, list]] = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_INT, _FLOAT, _TIMESTAMP)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        """A node's tag, kept per plain scalar text: libyaml asks for every scalar, and the
        same keys and values come back file after file (the answer depends on nothing
        else: this loader has no path resolvers)."""
        if kind is not yaml.ScalarNode or len(value) > RESOLVED_LENGTH:
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        tag = _RESOLVED.get(key)
        if tag is None:
            if len(_RESOLVED) >= RESOLVED_KEPT:
                _RESOLVED.clear()
            tag = _RESOLVED[key] = super().resolve(kind, value, implicit)
        return tag

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (
            Exception
        ) as error:  # any constructor failure (`!!bool maybe`: KeyError) is bad input
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read this value ({error})", node.start_mark
            ) from None


RESOLVED_KEPT = 4096  # scalar texts whose tag is kept; a long batch must not grow memory
RESOLVED_LENGTH = 64  # longer texts are resolved each time (kept texts stay small)
_RESOLVED: dict[tuple[str, Any], str] = {}


def _no_binary(loader: yaml.BaseLoader, node: yaml.Node) -> Any:
    raise yaml.constructor.ConstructorError(
        None, None, "binary values (!!binary) are not accepted here", node.start_mark
    )


_Loader.add_constructor("tag:yaml.org,2002:binary", _no_binary)
_Loader.add_implicit_resolver(
    _INT,
    re.compile(
        r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0[0-7_]+
        |[-+]?(?:0|[1-9][0-9_]*)
        |[-+]?0x[0-9a-fA-F_]+)$""",
        re.X,
    ),
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
        |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


@dataclass(frozen=True)
class InputProblem:
    """One clear complaint about one input."""

    source: str
    message: str
    line: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        where = plain(self.source) + (f":{self.line}" if self.line else "")
        key = f" {plain(self.key)}:" if self.key else ""
        return f"{where}:{key} {plain(self.message)}"


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
            try:
                found = sorted(
                    p for p in path.iterdir() if p.suffix.lower() in YAML_SUFFIXES and p.is_file()
                )
            except OSError as error:
                yield InputProblem(argument, f"cannot list this folder: {error.strerror}")
                continue
            if not found:
                yield InputProblem(argument, "folder holds no .yaml or .yml files")
            yield from (str(p) for p in found)
        elif not path.exists():
            yield InputProblem(argument, "no such file or folder")
        else:
            yield argument


def _kind(mode: int) -> str:
    kinds = (
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def read_source(source: str) -> bytes:
    """At most MAX_BYTES + 1 bytes of a regular file (or stdin). The file is opened without
    blocking and checked before reading, so a FIFO or device is refused instead of hanging."""
    if source == STDIN:
        if sys.stdin is None or sys.stdin.closed:
            raise RequirementsError([InputProblem("<stdin>", "stdin is closed; nothing to read")])
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        descriptor = os.open(source, flags)
        try:
            status = os.fstat(descriptor)
            if not stat.S_ISREG(status.st_mode):
                kind = _kind(status.st_mode)
                raise RequirementsError(
                    [InputProblem(source, f"is {kind}; expected a regular YAML file")]
                )
            data = _read_at_most(descriptor, MAX_BYTES + 1, status.st_size)
        finally:
            os.close(descriptor)
    if len(data) > MAX_BYTES:
        raise RequirementsError(
            [InputProblem(_label(source), f"larger than {MAX_BYTES // 1024} KiB; refused")]
        )
    return data


def _read_at_most(descriptor: int, limit: int, expected: int) -> bytes:
    """Up to ``limit`` bytes, read straight from the descriptor (no buffered file object
    per file of a batch). The first read asks for the size the file had (plus one byte, to
    meet its end), not the whole limit: a 512 KiB buffer per file costs more than the read;
    a file that grew meanwhile is read on until its end or the limit."""
    parts = []
    size = 0
    ask = min(limit, expected + 1)
    while size < limit:
        part = os.read(descriptor, ask)
        if not part:
            break
        parts.append(part)
        size += len(part)
        ask = min(limit - size, max(ask, 65536))
    return parts[0] if len(parts) == 1 else b"".join(parts)


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
        raw = _built_plainly(loader, node)
        if raw is _NOT_PLAIN:  # anything unusual takes the full checks and the constructor
            _check_size(node, label)
            _check_duplicates(node, label)
            raw = loader.construct_document(node)
    except yaml.YAMLError as error:
        raise _yaml_problem(error, label) from None
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


_NOT_PLAIN = object()
_PLAIN_SCALARS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null")}
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


def _built_plainly(loader: yaml.SafeLoader, root: yaml.Node) -> Any:
    """The document's data built in one walk, for a document every check would pass
    untouched: no node reached twice (no alias), within MAX_NODES and MAX_DEPTH, no key
    given twice, only plain scalar, mapping and sequence tags, no merge key. Scalars go
    through the loader's own constructors, so values are the same as the full path's.
    Anything else, or any constructor error, gives ``_NOT_PLAIN``: the full path then
    decides, and words any refusal (every ordinary file takes one walk instead of four)."""
    try:
        return _plain(root, 1, loader, set())
    except Exception:  # LookupError below, or a constructor's own error: the full path
        return _NOT_PLAIN


def _plain(node: yaml.Node, depth: int, loader: yaml.SafeLoader, seen: set[int]) -> Any:
    """One node of `_built_plainly`'s walk. A function of its own, not a closure: a
    closure that calls itself is a reference cycle, which kept each file's loader (and its
    text) alive until the garbage collector's next full pass."""
    if depth > MAX_DEPTH or id(node) in seen or len(seen) >= MAX_NODES:
        raise LookupError
    seen.add(id(node))
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        if tag not in _PLAIN_SCALARS:
            raise LookupError
        return loader.yaml_constructors[tag](loader, node)
    if isinstance(node, yaml.MappingNode) and tag == _MAP:
        data: dict[Any, Any] = {}
        keys: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.value in keys:
                raise LookupError
            keys.add(key_node.value)
            data[_plain(key_node, depth + 1, loader, seen)] = _plain(
                value_node, depth + 1, loader, seen
            )
        return data
    if isinstance(node, yaml.SequenceNode) and tag == _SEQ:
        return [_plain(child, depth + 1, loader, seen) for child in node.value]
    raise LookupError


def _yaml_problem(error: yaml.YAMLError, label: str) -> RequirementsError:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        message = " ".join(part for part in (error.context, error.problem) if part)
        return RequirementsError([InputProblem(label, f"not valid YAML: {message}", line=line)])
    return RequirementsError([InputProblem(label, f"not valid YAML: {error}")])


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _plainly_small(root: yaml.Node) -> bool:
    """True when one cheap pass shows the document within every bound `_check_size` sets:
    no node reached twice (so no alias to expand), at most MAX_NODES nodes, at most
    MAX_DEPTH deep. Any other document gets the full check, which words the refusal."""
    seen: set[int] = set()
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH or id(node) in seen or len(seen) >= MAX_NODES:
            return False
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
    return True


def _check_size(root: yaml.Node, label: str) -> None:
    """Refuse documents that are too big, too deep or recursive once aliases are expanded
    (billion laughs), before anything is built. Iterative: deep nesting cannot overflow
    Python's stack here."""
    if _plainly_small(root):  # every ordinary file: the full walk below costs 3x more
        return
    sizes: dict[int, int] = {}  # expanded size of each distinct node, capped
    heights: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    line = root.start_mark.line + 1

    def refuse(message: str, node: yaml.Node) -> RequirementsError:
        return RequirementsError([InputProblem(label, message, line=node.start_mark.line + 1)])

    while stack:
        node, finished = stack.pop()
        key = id(node)
        children = _children(node)
        if finished:
            sizes[key] = min(1 + sum(sizes[id(c)] for c in children), MAX_NODES + 1)
            heights[key] = 1 + max((heights[id(c)] for c in children), default=0)
            open_nodes.discard(key)
            if heights[key] > MAX_DEPTH:
                raise refuse(f"nested deeper than {MAX_DEPTH} levels; refused", node)
            continue
        if key in sizes:
            continue
        if key in open_nodes:  # reached again below itself: a recursive alias
            raise refuse("holds a recursive alias; refused", node)
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(children) if id(child) not in sizes)
        if len(open_nodes) > MAX_DEPTH + 1:
            raise refuse(f"nested deeper than {MAX_DEPTH} levels; refused", node)
    if len(sizes) > MAX_NODES:
        raise RequirementsError(
            [InputProblem(label, f"has more than {MAX_NODES} YAML nodes; refused", line=line)]
        )
    if sizes[id(root)] > MAX_NODES:
        raise RequirementsError(
            [
                InputProblem(
                    label,
                    f"expands to more than {MAX_NODES} YAML nodes (aliases); refused",
                    line=line,
                )
            ]
        )


def _check_duplicates(root: yaml.Node, label: str) -> None:
    """A key given twice in one mapping is an error: YAML loaders silently keep the last."""
    stack, seen_nodes = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, _ in node.value:
                if isinstance(key, yaml.ScalarNode):
                    line = key.start_mark.line + 1
                    if key.value in first:
                        raise RequirementsError(
                            [
                                InputProblem(
                                    label,
                                    f"key given twice (first on line {first[key.value]})",
                                    line=line,
                                    key=_short_text(key.value),
                                )
                            ]
                        )
                    first[key.value] = line
        stack.extend(_children(node))


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
    for item in error.errors(include_url=False, include_context=False):
        *parents, last = item["loc"] or ("",)
        location = tuple(part for part in parents if not _is_union_tag(part))
        if item["type"] == "extra_forbidden" or not _is_union_tag(last):
            location += (last,)  # an unknown key is the user's text: never a union tag
        key = ".".join(_short_text(part) for part in location) or None
        line = _line_of(root, location)
        if item["type"] == "extra_forbidden":
            parent = _model_at(location[:-1])
            known = sorted(parent.model_fields) if parent else []
            close = difflib.get_close_matches(_short_text(location[-1]), known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            message = f"unknown key; {hint}expected one of: {', '.join(known)}"
        else:
            message = _describe(item)
        problems.append(InputProblem(label, message, line=line, key=key))
    return problems


def _is_union_tag(part: Any) -> bool:
    # pydantic inserts the chosen union member, e.g. 'Constraint[bool]', into locations
    return isinstance(part, str) and ("[" in part or part in ("function-before[_shorthand()]",))


_REPR = reprlib.Repr()
for _name, _limit in (("maxstring", 60), ("maxother", 60), ("maxlist", 4), ("maxtuple", 4),
                      ("maxlevel", 2), ("maxlong", 40), ("maxdict", 4), ("maxset", 4)):  # fmt: skip
    setattr(_REPR, _name, _limit)


def _short_text(value: Any, limit: int = 60) -> str:
    """At most ``limit`` characters of a key or value, never building the whole text."""
    text = value if isinstance(value, str) else _REPR.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# pydantic's error types in the words of a requirements file (pydantic says "dictionary",
# "instance of Underlay", "Value error, ..."; a user wrote YAML).
_PLAIN_WORDS = {
    "model_type": "expected a section of keys (key: value)",
    "model_attributes_type": "expected a section of keys (key: value)",
    "dict_type": "expected a section of keys (key: value)",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected yes or no (true/false)",
    "bool_parsing": "expected yes or no (true/false)",
    "string_type": "expected text",
    "list_type": "expected a list",
    "missing": "required key missing",
}


_COMPARISONS = (("less than or equal to", "at most"), ("greater than or equal to", "at least"),
                ("greater than", "more than"))  # fmt: skip


def _describe(item: dict[str, Any]) -> str:
    """The problem in a requirements file's words and a short view of the input. The view
    is built with reprlib's limits: the input may be one long string reached through
    thousands of aliases, and a full repr would be gigabytes."""
    kind, got = item["type"], item.get("input")
    if kind in ("value_error", "assertion_error"):  # our validators' own sentence
        message = item["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if isinstance(got, dict):
            return message  # a check across a whole section: the section is not one value
    else:
        message = _PLAIN_WORDS.get(kind) or item["msg"].replace("Input should be", "expected", 1)
        for said, plain_words in _COMPARISONS:
            message = message.replace(said, plain_words)
    if kind == "missing":
        return message
    if isinstance(got, dict):
        keys = ", ".join(_short_text(key, 20) for key in list(got)[:4])
        shown = f"a section with keys {keys}" if got else "an empty section"
    else:
        shown = _short_text(_REPR.repr(got))
    return f"{message} (got {shown})"
