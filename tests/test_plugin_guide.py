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


def _python_block(defines: str) -> str:
    """The guide's one Python example that contains ``defines``."""
    (block,) = [block for block in _blocks("python") if defines in block]
    return block


def _module(name: str, code: str) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(code, f"docs/writing-plugins.md ({name})", "exec"), module.__dict__)
    return module


def test_guide_examples_run_as_real_plugins(tmp_path, monkeypatch):
    """The guide's profile file and hook module, written as a real package on sys.path."""
    assert len(_blocks("python")) == 3  # each is run by a test here
    check_block, minimal_block = (
        _python_block("def cnadvisor_check"),
        _python_block("load_profiles"),
    )
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


def test_guide_stage_example_registers_a_stage_a_profile_can_use():
    """The guide's cnadvisor_stages example, with another plugin's profile naming its stage:
    the container MTU the guide states."""
    stage_plugin = _module("fou_stage", _python_block("def cnadvisor_stages"))
    cited = {"cite": ["d"]}
    profile = {
        "id": "guide-fou",
        "name": "Guide FOU example",
        "family": "overlay",
        "summary": "A profile naming the stage the guide registers.",
        "references": [{"id": "d", "title": "docs", "url": "https://example.org/"}],
        "datapath": {"intra_host": ["veth"], "inter_host": ["veth", "ipip-fou"], **cited},
        "security": {"isolation": "namespace", **cited},
        "mobility": cited,
        "operations": {"orchestrators": ["kubernetes"], "underlay": "ip", **cited},
    }
    user = _module("fou_user", f"from cnadvisor import hookimpl\n\n@hookimpl\n"
                   f"def cnadvisor_solutions():\n    return [{profile!r}]\n")  # fmt: skip
    plugin_set = load_plugins(extra=[("fou-stage", stage_plugin), ("fou-user", user)])
    assert plugin_set.problems == []
    assert plugin_set.stages["ipip-fou"].stage.header_bytes == 28
    advisor = Advisor(plugin_set.solutions.values(), plugins=plugin_set, model=AnalyticalModel())
    evaluation = advisor.evaluate(make_requirements(workload={"traffic": {"inter_host": 1.0}}))
    option = next(o for o in evaluation.ranked if o.id == "guide-fou")
    assert option.effective_mtu == 1472 and "container MTU of 1472" in GUIDE
