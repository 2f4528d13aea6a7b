"""The plugin guide is checked against the code, and its examples run (meta-tests)."""

from __future__ import annotations

import importlib
import inspect
import re
import types
from pathlib import Path

import pytest
from cnadvisor import hookspecs
from cnadvisor.advisor import Advisor
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


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", GUIDE, flags=re.DOTALL)


def _module(name: str, code: str) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(code, f"docs/writing-plugins.md ({name})", "exec"), module.__dict__)
    return module


def test_guide_examples_run_as_real_plugins(tmp_path, monkeypatch):
    """The guide's profile file and hook module, written as a real package on sys.path."""
    check_block, minimal_block = _blocks("python")
    (profile_file,) = _blocks("yaml")
    package = tmp_path / "cnadvisor_acme_guide"
    (package / "profiles").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "plugin.py").write_text(minimal_block)
    (package / "profiles" / "acme.yaml").write_text(profile_file)
    monkeypatch.syspath_prepend(str(tmp_path))
    minimal = importlib.import_module("cnadvisor_acme_guide.plugin")
    checker = _module("acme_check", check_block)
    plugin_set = load_plugins(extra=[("acme", minimal), ("acme-check", checker)])
    assert plugin_set.problems == []
    assert {"acme-geneve", "acme-native"} <= set(plugin_set.solutions)
    native = plugin_set.solutions["acme-native"].profile
    assert native.operations.underlay.value == "l2"
    assert native.security.network_policy.value == "l3-l4"  # inherited from its base
    advisor = Advisor(plugin_set.solutions.values(), plugins=plugin_set, model=AnalyticalModel())
    evaluation = advisor.evaluate(make_requirements(workload={"traffic": {"inter_host": 1.0}}))
    acme = next(o for o in evaluation.ranked if o.id == "acme-geneve")
    assert acme.effective_mtu == 1450


def test_documented_api_version_is_the_real_one():
    assert f"Plugin API version: **{hookspecs.API_VERSION}**" in GUIDE
