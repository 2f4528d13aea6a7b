"""The loader's one-pass size check must pass exactly what the full check passes, and leave
every refusal (and its wording and line) to the full check."""

from __future__ import annotations

import pytest
from cnadvisor import loading
from cnadvisor.loading import RequirementsError, parse_requirements


def _nested(depth: int) -> str:
    """A document whose deepest node is ``depth`` levels down (the root is level 1)."""
    inner = "x"
    for _ in range(depth - 2):
        inner = "{a: " + inner + "}"
    return f"description: {inner}\n"


DOCUMENTS = {
    "ordinary": "name: web\nworkload:\n  traffic: {inter_host: 0.5}\n",
    "deep at the bound": _nested(loading.MAX_DEPTH),
    "one level too deep": _nested(loading.MAX_DEPTH + 1),
    "many nodes at the bound": "description: [" + ", ".join(["1"] * 19_997) + "]\n",
    "one node too many": "description: [" + ", ".join(["1"] * 19_999) + "]\n",
    "scalar alias": "name: &n web\ndescription: *n\n",
    "mapping alias": "workload:\n  traffic: &t {inter_host: 0.5}\nsecurity: *t\n",
    "alias bomb": "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcd", "bcde", strict=True)
    ),
    "recursive alias": "description: &r [*r]\n",
}


def _outcome(text: str):
    try:
        return parse_requirements(text.encode(), "doc.yaml")
    except RequirementsError as error:
        return [(p.message, p.line, p.key) for p in error.problems]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_fast_size_check_changes_no_outcome(name, monkeypatch):
    fast = _outcome(DOCUMENTS[name])
    monkeypatch.setattr(loading, "_plainly_small", lambda root: False)
    assert fast == _outcome(DOCUMENTS[name])


def test_the_fast_size_check_passes_ordinary_files_and_nothing_at_a_bound():
    import yaml

    def plain(text: str) -> bool:
        return loading._plainly_small(yaml.compose(text, Loader=loading._Loader))

    assert plain(DOCUMENTS["ordinary"]) and plain(DOCUMENTS["deep at the bound"])
    for name in ("one level too deep", "one node too many", "scalar alias", "recursive alias"):
        assert not plain(DOCUMENTS[name]), name


# Plain scalars YAML 1.1 reads as something other than a string, explicit tags, merge keys,
# aliases, complex and repeated keys: each document must build the same data on the one-walk
# path as through the full checks and PyYAML's constructor (or be left to that path).
TRICKY_SCALARS = [
    "web", "1", "01", "0o17", "0x1F", "0b101", "-0", "+12", "1_000", "1:30", "1.5", "1e3",
    "1.0e+3", ".inf", "-.Inf", ".nan", "yes", "No", "on", "OFF", "true", "False", "~", "null",
    "2001-12-14", "''", "'1'", '"yes"', "!!str 1", "!!int '12'", "!!float 1", "!!bool yes",
    "!!int abc", "!!binary aGk=", "!!timestamp 2001-12-14", "!custom x", "!!null ''",
]  # fmt: skip
TRICKY_DOCUMENTS = [
    "a: 1\nb: 2\n",
    "a: 1\na: 2\n",
    "1: a\n01: b\n",  # different keys that build to the same integer: the last one stays
    "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",
    "? [a, b]\n: 1\n",
    "a: !!set {x, y}\n",
    "a: !!omap [{x: 1}]\n",
    "a: !!map {x: 1}\nb: !!seq [1]\n",
    "a: !!str [1]\n",
    "a: &x 1\nb: *x\n",
    "- 1\n- [2, {c: 3}]\n",
    "just text\n",
    "a: {b: {c: {d: [1, [2, [3]]]}}}\n",
]


def _typed(value):
    """``value`` with every scalar's type spelled out: ``True == 1 == 1.0`` must not pass."""
    if isinstance(value, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    if isinstance(value, float) and value != value:
        return ("float", "nan")
    return (type(value).__name__, value)


def _both_ways(text: str):
    import yaml

    loader = loading._Loader(text)
    try:
        node = loader.get_single_node()
        fast = loading._built_plainly(loader, node)
        try:
            full = _typed(loading._Loader(text).get_single_data())
        except yaml.YAMLError:
            full = "refused"
    finally:
        loader.dispose()
    return fast, full


@pytest.mark.parametrize(
    "text",
    TRICKY_DOCUMENTS + [f"a: {scalar}\n" for scalar in TRICKY_SCALARS]
    + [f"{scalar}: a\n" for scalar in TRICKY_SCALARS if not scalar.startswith("!")],
)  # fmt: skip
def test_the_one_walk_builds_what_the_constructor_builds_or_declines(text):
    fast, full = _both_ways(text)
    if fast is loading._NOT_PLAIN:
        return  # the full path decides: covered by the outcome test below
    assert _typed(fast) == full


@pytest.mark.parametrize("text", TRICKY_DOCUMENTS + [f"a: {s}\n" for s in TRICKY_SCALARS])
def test_the_one_walk_changes_no_outcome(text, monkeypatch):
    fast = _outcome(text)
    monkeypatch.setattr(loading, "_built_plainly", lambda loader, root: loading._NOT_PLAIN)
    assert fast == _outcome(text)


def test_the_one_walk_declines_aliases_repeats_merges_and_odd_tags():
    declined = [
        "a: 1\na: 2\n", "base: &b {x: 1}\nother:\n  <<: *b\n", "? [a, b]\n: 1\n",
        "a: !!set {x, y}\n", "a: &x 1\nb: *x\n", "a: !!binary aGk=\n", "a: !custom x\n",
        "a: !!int abc\n", DOCUMENTS["one level too deep"], DOCUMENTS["one node too many"],
    ]  # fmt: skip
    for text in declined:
        assert _both_ways(text)[0] is loading._NOT_PLAIN, text
    assert _both_ways(DOCUMENTS["ordinary"])[0] == {
        "name": "web", "workload": {"traffic": {"inter_host": 0.5}},
    }  # fmt: skip


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_one_walk_changes_no_outcome_at_the_bounds(name, monkeypatch):
    fast = _outcome(DOCUMENTS[name])
    monkeypatch.setattr(loading, "_built_plainly", lambda loader, root: loading._NOT_PLAIN)
    assert fast == _outcome(DOCUMENTS[name])


@pytest.mark.parametrize("length", [0, 1, 99, 100, 101, 70_000, 200_000])
@pytest.mark.parametrize("stated", ["exact", "zero", "larger"])
def test_a_file_is_read_whole_up_to_the_limit_whatever_size_it_stated(tmp_path, length, stated):
    """The reader asks first for the size the file stated (a file may grow, or state 0 as
    /proc files do): it still reads to the end of the file, and never past the limit."""
    import os

    from cnadvisor.loading import _read_at_most

    data = bytes(range(256)) * (length // 256 + 1)
    path = tmp_path / "f"
    path.write_bytes(data[:length])
    size = {"exact": length, "zero": 0, "larger": length + 5000}[stated]
    for limit in (100, 150_000):
        descriptor = os.open(path, os.O_RDONLY)
        try:
            assert _read_at_most(descriptor, limit, size) == data[: min(length, limit)]
        finally:
            os.close(descriptor)


def test_a_scalar_resolves_alike_from_the_kept_tags_and_afresh():
    """Tags are kept per scalar text and quoting: the same text plain and quoted, and
    YAML 1.1's look-alikes this loader keeps as strings, read the same warm as cold."""
    import yaml

    texts = ["12", "012", "0x1F", "1:30", "2024-01-01", "1e3", "1.5", ".inf", "yes", "on",
             "~", "null", "true", "web", "", "a-b"]  # fmt: skip
    document = "".join(f"p{i}: {t}\nq{i}: '{t}'\n" for i, t in enumerate(texts))

    def read() -> object:
        return yaml.load(document, Loader=loading._Loader)

    loading._RESOLVED.clear()
    cold = read()
    assert len(loading._RESOLVED) > len(texts)
    warm = read()
    assert warm == cold
    assert [type(cold[f"q{i}"]) for i in range(len(texts))] == [str] * len(texts)
    assert cold["p0"] == 12 and cold["p3"] == "1:30" and cold["p4"] == "2024-01-01"
