"""The plugin guide is checked against the code, and its examples run (meta-tests)."""

from __future__ import annotations

import inspect
import re
import types
from pathlib import Path

import pytest
from cnadvisor import hookspecs
from cnadvisor.evaluation import Advisor
from cnadvisor.performance import AnalyticalModel
from cnadvisor.plugins import load_plugins
from cnadvisor.profile import Datapath, Mobility, Operations, Reference, Security, SolutionProfile
from cnadvisor.stages import STAGES

from .conftest import make_requirements

GUIDE = (Path(__file__).resolve().parent.parent / "docs" / "writing-plugins.md").read_text()
HOOKS = [name for name in dir(hookspecs) if name.startswith("cnadvisor_")]


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_heading_with_its_exact_signature(hook):
    signature = str(inspect.signature(getattr(hookspecs, hook))).replace("'", "")
    assert f"### `{hook}{signature}`" in GUIDE


def test_every_stage_is_in_the_guide_with_its_header_bytes():
    for stage in STAGES.values():
        assert f"| `{stage.name}` | {stage.kind.value} | {stage.header_bytes} |" in GUIDE


@pytest.mark.parametrize(
    "model", [SolutionProfile, Reference, Datapath, Security, Mobility, Operations]
)
def test_every_profile_field_is_documented(model):
    for field in model.model_fields:
        if field != "cite":
            assert f"`{field}`" in GUIDE, f"{model.__name__}.{field}"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", GUIDE, flags=re.DOTALL)


def _module(name: str, code: str) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(code, f"docs/writing-plugins.md ({name})", "exec"), module.__dict__)
    return module


def test_guide_examples_run_as_real_plugins():
    check_block, minimal_block = _python_blocks()
    minimal = _module("acme", minimal_block)
    checker = _module("acme_check", check_block)
    plugin_set = load_plugins(extra=[("acme", minimal), ("acme-check", checker)])
    assert plugin_set.problems == []
    advisor = Advisor(plugin_set.solutions.values(), plugins=plugin_set, model=AnalyticalModel())
    evaluation = advisor.evaluate(make_requirements(workload={"traffic": {"inter_host": 1.0}}))
    acme = next(o for o in evaluation.ranked if o.id == "acme-geneve")
    assert acme.effective_mtu == 1450


def test_documented_api_version_is_the_real_one():
    assert f"Plugin API version: **{hookspecs.API_VERSION}**" in GUIDE
