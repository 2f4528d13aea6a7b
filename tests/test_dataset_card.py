"""The data card's generated parts agree with the data (and with the schema's checks)."""

from __future__ import annotations

import pytest
from cnadvisor.dataset import card
from cnadvisor.dataset.schema import RULES


@pytest.fixture(scope="module")
def regenerated():
    return card.regenerate()


def test_the_generated_parts_of_the_readmes_are_up_to_date(regenerated):
    installed_elsewhere = not (card.readme_paths()[0].parent.parent / "pyproject.toml").exists()
    # the data card and the project README in a checkout; a wheel ships the card alone
    assert len(regenerated) == (1 if installed_elsewhere else 2)
    for path, (current, fresh) in regenerated.items():
        assert current == fresh, f"{path} is stale: run python3 -m cnadvisor.dataset.card"


def test_the_card_lists_every_check_the_loader_makes(regenerated):
    text = next(iter(regenerated.values()))[0]
    for rule in RULES:
        assert f"- {rule.statement}" in text


def test_fill_replaces_only_between_markers():
    begin, end = card.BEGIN.format("x"), card.END.format("x")
    text = f"a {begin}old{end} b\n{begin}\nold\n{end}\n"
    assert card.fill(text, {"x": "new"}) == f"a {begin}new{end} b\n{begin}new{end}\n"
    assert card.fill(text, {"x": "1\n2"}).count("\n1\n2\n") == 2
    assert card.missing_markers(text, ["x", "y"]) == ["y"]


def test_stage_coverage_counts_rows_through_each_stage():
    import pandas as pd

    profiles = card.builtin_profiles()
    frame = pd.DataFrame(
        {"solution_id": ["calico-ipip", "calico-ipip", "none"], "metric": ["throughput"] * 3,
         "scenario": ["inter-host", "intra-host", "intra-host"]}
    )  # fmt: skip
    priors = pd.DataFrame(
        {"stage": ["vxlan", "xdp"], "parameter": ["a", "b"], "source_id": ["s", "s"]}
    )
    text = card.stage_coverage(frame, profiles, priors)
    assert "| `ipip` | 1 | 1 | · |" in text  # only the cross-host row crosses the tunnel
    assert "| `veth` | 2 | 1 | · |" in text and "| `vxlan` | · | · | 1 |" in text
    gaps = text.split("neither a row nor a prior:")[1].split(".")[0]
    assert "`geneve`" in gaps and "`vxlan`" not in gaps and "`ipip`" not in gaps
    assert "outside the stage vocabulary: `xdp` (1)." in text
