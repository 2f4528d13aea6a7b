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
