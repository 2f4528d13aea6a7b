"""Solution profiles written as YAML files inside a plugin package, turned into
:class:`SolutionProfile` objects.

Profiles are facts with citations, not code, so they live in data files that an
editor can complete and check against ``cnadvisor schema --profile``. One file
holds one product's modes; a package may add a shared ``references.yaml`` so a
source used by several files is declared once.

File shape (``<package>/profiles/<name>.yaml``)::

    references:            # id -> title, url, optional locator
      calico-overlay: {title: ..., url: https://...}
    profiles:
      - id: calico-bgp     # a complete profile; `references` lists ids
        ...
      - id: calico-vxlan
        extends: calico-bgp  # the merge rule below
        datapath: {inter_host: [veth, iptables, routed-hop, vxlan]}

Merge rule for ``extends`` (explicit, one level): the variant starts as a copy of
its base (another profile of the same file, itself possibly a variant). Each key
the variant gives replaces the base's; inside the four sections (``datapath``,
``security``, ``mobility``, ``operations``) each field the variant gives replaces
that field, and the base's other fields stay. Lists are replaced whole, never
appended. Write ``null`` (or ``[]``) to clear a field the base sets.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

import yaml
from pydantic import ValidationError

from .parsed_cache import parsed
from .profile import Reference, SolutionProfile

SECTIONS = ("datapath", "security", "mobility", "operations")
SHARED_FILE = "references"
FOLDER = "profiles"
_TOP_KEYS = {"references", "profiles"}
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ProfileFileError(ValueError):
    """A profile file that cannot be read: names the file, the YAML line and the key."""


def load_profiles(package: str, *names: str) -> list[SolutionProfile]:
    """Read ``<package>/profiles/<name>.yaml`` for each name, in order, and validate them.

    ``package`` is the plugin's import package (``__package__`` inside a plugin module).
    A ``profiles/references.yaml`` in the package, if present, supplies references any
    file may list by id.
    """
    folder = resources.files(package) / FOLDER
    shared_file = folder / f"{SHARED_FILE}.yaml"
    shared: dict[str, dict[str, Any]] = {}
    if shared_file.is_file():
        label = f"{package}/{FOLDER}/{SHARED_FILE}.yaml"
        text = shared_file.read_text(encoding="utf-8")
        shared = _references(_parse(text, label), text, label)
    profiles: list[SolutionProfile] = []
    for name in names:
        label = f"{package}/{FOLDER}/{name}.yaml"
        path = folder / f"{name}.yaml"
        if not path.is_file():
            raise ProfileFileError(f"{label}: no such profile file in package {package!r}")
        profiles.extend(profiles_from_text(path.read_text(encoding="utf-8"), label, shared))
    return profiles


def profiles_from_text(
    text: str, label: str, shared: Mapping[str, Mapping[str, Any]] | None = None
) -> list[SolutionProfile]:
    """Validate the profiles of one file's text; ``label`` names the file in errors."""
    data = _parse(text, label)
    references = {**(shared or {})}
    own = _references(data, text, label)
    for ref_id, body in own.items():
        if ref_id in references and references[ref_id] != body:
            raise ProfileFileError(
                f"{label}:{_line(text, ('references', ref_id))}: references.{ref_id}: "
                "already declared differently in the package's references.yaml; "
                "declare it once"
            )
    references.update(own)
    entries = data.get("profiles")
    if not isinstance(entries, list) or not entries:
        raise ProfileFileError(f"{label}: 'profiles' must be a non-empty list of profiles")
    by_id: dict[str, tuple[int, dict[str, Any]]] = {}
    for index, entry in enumerate(entries):
        # the line is looked up only for an error: finding it parses the file again
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise ProfileFileError(
                f"{label}:{_line(text, ('profiles', index))}: profiles[{index}]: a mapping "
                "with an 'id' expected"
            )
        if entry["id"] in by_id:
            raise ProfileFileError(
                f"{label}:{_line(text, ('profiles', index))}: profiles[{index}].id: "
                f"{entry['id']!r} is repeated"
            )
        by_id[entry["id"]] = (index, entry)
    return [
        _validate(profile_id, by_id, references, text, label)
        for profile_id in by_id  # file order
    ]


def _parse(text: str, label: str) -> dict[str, Any]:
    try:  # the data of a text parsed before is read back from the cache, as JSON
        data = parsed(text, "profiles", _yaml)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ProfileFileError(f"{label}{line}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ProfileFileError(f"{label}: expected a mapping with 'profiles' (and 'references')")
    unknown = sorted(set(map(str, data)) - _TOP_KEYS)
    if unknown:
        raise ProfileFileError(
            f"{label}:{_line(text, (unknown[0],))}: {unknown[0]}: unknown key; "
            f"expected {sorted(_TOP_KEYS)}"
        )
    return data


def _yaml(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)  # a SafeLoader: same as yaml.safe_load


def _references(data: dict[str, Any], text: str, label: str) -> dict[str, dict[str, Any]]:
    raw = data.get("references") or {}
    if not isinstance(raw, dict):
        raise ProfileFileError(
            f"{label}:{_line(text, ('references',))}: references: a mapping id -> "
            "{title, url, locator} expected"
        )
    out: dict[str, dict[str, Any]] = {}
    for ref_id, body in raw.items():
        try:
            if not isinstance(body, dict):
                raise ValueError("a mapping with title, url and optional locator expected")
            out[str(ref_id)] = Reference.model_validate({"id": ref_id, **body}).model_dump(
                exclude_unset=True
            )
        except (ValidationError, ValueError) as exc:
            raise ProfileFileError(
                f"{label}:{_line(text, ('references', ref_id))}: references.{ref_id}: {_short(exc)}"
            ) from None
    return out


def _resolve(
    profile_id: str, by_id: Mapping[str, tuple[int, dict[str, Any]]], label: str, text: str
) -> tuple[dict[str, Any], list[int]]:
    """The merged mapping of one profile and the chain of entry indexes, variant first."""
    chain: list[int] = []
    current = profile_id
    entries: list[dict[str, Any]] = []
    while True:
        index, entry = by_id[current]
        if index in chain:
            raise ProfileFileError(
                f"{label}:{_line(text, ('profiles', index, 'extends'))}: "
                f"profiles[{index}].extends: {profile_id!r} extends itself through a cycle"
            )
        chain.append(index)
        entries.append(entry)
        base = entry.get("extends")
        if base is None:
            break
        if base not in by_id:
            raise ProfileFileError(
                f"{label}:{_line(text, ('profiles', index, 'extends'))}: "
                f"profiles[{index}].extends: {base!r} is not a profile of this file "
                f"(known: {', '.join(by_id)})"
            )
        current = base
    merged: dict[str, Any] = {}
    for entry in reversed(entries):
        merged = merge(merged, entry)
    merged["id"] = profile_id
    return merged, chain


def merge(base: Mapping[str, Any], variant: Mapping[str, Any]) -> dict[str, Any]:
    """The documented ``extends`` rule: top-level keys replace; section fields replace."""
    out = copy.deepcopy(dict(base))
    for key, value in variant.items():
        if key == "extends":
            continue
        if key in SECTIONS and isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **copy.deepcopy(value)}
        else:
            out[key] = copy.deepcopy(value)
    return out


def _validate(
    profile_id: str,
    by_id: Mapping[str, tuple[int, dict[str, Any]]],
    references: Mapping[str, Mapping[str, Any]],
    text: str,
    label: str,
) -> SolutionProfile:
    merged, chain = _resolve(profile_id, by_id, label, text)
    ref_ids = merged.get("references")
    if not isinstance(ref_ids, list) or not all(isinstance(r, str) for r in ref_ids):
        where = _line_in_chain(text, chain, ("references",))
        raise ProfileFileError(
            f"{label}:{where}: {profile_id}.references: a list of reference ids expected"
        )
    for position, ref_id in enumerate(ref_ids):
        if ref_id not in references:
            where = _line_in_chain(text, chain, ("references", position))
            raise ProfileFileError(
                f"{label}:{where}: {profile_id}.references[{position}]: {ref_id!r} is not "
                f"declared under 'references' (known: {', '.join(sorted(references))})"
            )
    merged["references"] = [dict(references[ref_id]) for ref_id in ref_ids]
    try:
        return SolutionProfile.model_validate(merged)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        key = ".".join(str(part) for part in loc) or "(profile)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ProfileFileError(
            f"{label}:{_line_in_chain(text, chain, loc)}: {profile_id}.{key}: {error['msg']}{more}"
        ) from None


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        return f"{'.'.join(map(str, error['loc']))}: {error['msg']}"
    return str(exc)


def _line_in_chain(text: str, chain: Iterable[int], loc: tuple[Any, ...]) -> int:
    """The line of ``loc`` in the first profile of the chain that writes it (the variant
    first, then its bases), else the variant's own line."""
    chain = list(chain)
    for index in chain:
        line = _line(text, ("profiles", index, *loc), exact=True)
        if line:
            return line
    return _line(text, ("profiles", chain[0]))


def _line(text: str, loc: tuple[Any, ...], *, exact: bool = False) -> int:
    """1-based line of the node at ``loc`` (keys and list indexes); the deepest node found
    when the path stops early, or 0 with ``exact`` if it does not reach the end."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return 0
    line = node.start_mark.line + 1 if node is not None else 0
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    child = value
                    line = key.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            return 0 if exact else line
        node = child
    return line


def profile_file_schema() -> dict[str, Any]:
    """JSON Schema of a profile file, generated from :class:`SolutionProfile`.

    A complete profile has the model's required fields; a variant (``extends``) may give
    any subset. ``references`` inside a profile lists ids declared at the top of the file.
    """
    full = SolutionProfile.model_json_schema()
    defs = full.pop("$defs", {})
    reference = copy.deepcopy(defs.pop("Reference"))
    reference["properties"].pop("id", None)
    reference["required"] = [r for r in reference.get("required", []) if r != "id"]
    full["properties"]["references"] = {
        "type": "array",
        "items": {"type": "string"},
        "minItems": 1,
        "description": "ids of references declared under the file's (or package's) 'references'",
    }
    full["properties"]["extends"] = {
        "type": "string",
        "description": "id of another profile of this file: start from it, then replace "
        "the keys (and section fields) given here",
    }
    partial_defs = {}
    for section in SECTIONS:
        name = full["properties"][section]["$ref"].rsplit("/", 1)[-1]
        partial = copy.deepcopy(defs[name])
        partial.pop("required", None)
        partial_defs[f"{name}Change"] = partial
    variant = copy.deepcopy(full)
    variant["required"] = ["id", "extends"]
    for section in SECTIONS:
        name = full["properties"][section]["$ref"].rsplit("/", 1)[-1]
        variant["properties"][section] = {"$ref": f"#/$defs/{name}Change"}
    complete = copy.deepcopy(full)
    complete["properties"].pop("extends")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "cnadvisor profile file",
        "description": "Solution profiles of one plugin file; see docs/writing-plugins.md.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "references": {
                "type": "object",
                "propertyNames": {"pattern": "^[a-z0-9][a-z0-9._-]*$"},
                "additionalProperties": {"$ref": "#/$defs/ReferenceBody"},
            },
            "profiles": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "oneOf": [
                        {"$ref": "#/$defs/Variant"},
                        {"$ref": "#/$defs/Profile"},
                    ]
                },
            },
        },
        "$defs": {
            **defs,
            **partial_defs,
            "ReferenceBody": reference,
            "Profile": complete,
            "Variant": variant,
        },
    }
