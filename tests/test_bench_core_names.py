"""No built-in solution id in the core (issue 13): the ids belong to the plugins.

Every file under ``advisor/`` is searched for the ids the built-in plugins register, as
``grep`` would, and every hit must be on the allow-list below with its reason: a file-shape
example, the kernel's own word that a short id happens to equal, the old bench topology
names still read from stored files, or code outside the bench not yet reshaped.

Two kinds of hit: a hyphenated id (``bridge-nat``, ``calico-bgp``) anywhere in a string or
comment, as a whole word (``veth-bridge-nat`` is another word); a one-word id (``host``,
``bridge``) only as a whole string literal (``"host"``), since as a word in prose it is
English. Ids that are also names of the core's own stages (``ipvlan-l2``) or its
vocabulary (``none``) name those, not the solution.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest
from cnadvisor.bench.topologies import RENAMED, TOPOLOGIES
from cnadvisor.plugins import load_plugins
from cnadvisor.stages import STAGES

ADVISOR = Path(__file__).resolve().parent.parent / "advisor"
WORD = re.compile(r"[a-z0-9][a-z0-9-]*[a-z0-9]|[a-z0-9]")
VOCABULARY = {"none"}  # the schema's "no encryption / no policy / no virtualization" value
OLD_NAMES = "the bench's old topology names (topologies.RENAMED), mapped on load"

ALLOWED: dict[tuple[str, str], str] = {
    ("bench/topologies.py", "bridge"): "iproute2's link type, macvlan's mode, a kernel module",
    **{("bench/topologies.py", old): OLD_NAMES for old in RENAMED},
    ("profile_files.py", "calico-bgp"): "the docstring's example of a profile file",
    ("profile_files.py", "calico-vxlan"): "the docstring's example of a profile file",
    # The dataset format's reserved word for host-network rows, spelled in one place.
    ("dataset/schema.py", "host"): "HOST_NETWORKING, the dataset format's word for host "
    "networking (its host rows and relative_to), defined once",
}


def builtin_ids() -> set[str]:
    plugin_set = load_plugins()
    ids = {
        solution_id
        for solution_id, solution in plugin_set.solutions.items()
        if plugin_set.info(solution.plugin).builtin
    }
    return ids - set(STAGES) - VOCABULARY


def hits(path: Path, text: str, ids: set[str]) -> dict[str, list[int]]:
    """id -> lines where a .py file's strings and comments name it (see the docstring)."""
    found: dict[str, list[int]] = {}
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    for token in tokens:
        if token.type not in (tokenize.STRING, tokenize.COMMENT):
            continue
        words = {w for w in WORD.findall(token.string) if "-" in w and w in ids}
        whole = re.fullmatch(r"[rRbBuUfF]{0,2}(['\"])([a-z0-9-]+)\1", token.string)
        if whole and whole.group(2) in ids:
            words.add(whole.group(2))
        for word in words:
            found.setdefault(word, []).append(token.start[0])
    return found


def every_hit() -> dict[tuple[str, str], list[int]]:
    ids = builtin_ids()
    found: dict[tuple[str, str], list[int]] = {}
    for path in sorted(ADVISOR.rglob("*.py")):
        relative = path.relative_to(ADVISOR).as_posix()
        for word, lines in hits(path, path.read_text(encoding="utf-8"), ids).items():
            found[(relative, word)] = lines
    return found


def test_no_builtin_solution_id_under_advisor_outside_the_allow_list() -> None:
    found = every_hit()
    unexpected = {f"advisor/{p}:{lines[0]}: {word!r}" for (p, word), lines in found.items()
                  if (p, word) not in ALLOWED}  # fmt: skip
    assert not unexpected, (
        "built-in solution ids named in the core (they belong to the plugins): "
        + "; ".join(sorted(unexpected))
    )
    # no entry is stale: each allowed word is still where the list says
    ids = builtin_ids()
    stale = [k for k in ALLOWED if k[1] in ids and k not in found]
    assert not stale, stale


def test_no_bench_topology_is_named_like_a_solution() -> None:
    assert not set(TOPOLOGIES) & builtin_ids()
    assert set(RENAMED.values()) <= set(TOPOLOGIES)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('if row.solution_id == "host":\n', {"host"}),
        ("NAME = 'bridge-nat'\n", {"bridge-nat"}),
        (
            'x = f"measured {y} like calico-bgp"  # and macvlan-vepa\n',
            {"calico-bgp", "macvlan-vepa"},
        ),
        ('"""A host and a bridge, in prose."""\n', set()),
        ('TOPOLOGY = "veth-bridge-nat"  # not bridge-nat\'s word\n', {"bridge-nat"}),
        ('"ipvlan-l2"  # a stage of the core\n', set()),
    ],
)
def test_the_search_finds_what_grep_would(source: str, expected: set[str]) -> None:
    """The search itself: a hyphenated id anywhere in strings and comments, a one-word id
    only as a whole literal; another word containing an id is not the id."""
    assert set(hits(Path("x.py"), source, builtin_ids())) == expected
