"""`cnadvisor plugins new NAME`: a plugin package that installs, passes `plugins check`
and its own tests as generated, for a vendor to fill in with real, cited facts."""

from __future__ import annotations

import re
from pathlib import Path

from .hookspecs import API_VERSION


class ScaffoldError(ValueError):
    pass


NAME = re.compile(r"^[a-z][a-z0-9-]{1,40}$")

PYPROJECT = """\
[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "cnadvisor-{name}"
version = "0.1.0"
description = "cnadvisor plugin: {name}"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["cnadvisor>=0.1"]

[project.optional-dependencies]
test = ["pytest>=8"]

[project.entry-points.cnadvisor]
{name} = "{module}.plugin"

# The profile files must ship in the wheel.
[tool.setuptools.package-data]
{module} = ["profiles/*.yaml"]
"""

PLUGIN = '''\
"""cnadvisor plugin for {name}. Written against cnadvisor's plugin API version {api}.

The facts live in ``profiles/{name}.yaml``; this module only loads them. The guide:
docs/writing-plugins.md in the cnadvisor repository.
"""

from __future__ import annotations

from cnadvisor import SolutionProfile, hookimpl
from cnadvisor.profile_files import load_profiles


@hookimpl
def cnadvisor_solutions() -> list[SolutionProfile]:
    return load_profiles(__package__, "{name}")


@hookimpl
def cnadvisor_stages() -> list[dict]:
    """Datapath stages cnadvisor lacks, if your network crosses one: name, kind,
    header_bytes, description and a reference (see the guide). Usually none."""
    return []


@hookimpl
def cnadvisor_benchmarks() -> list[dict]:
    """Published figures for your profile, one dict per row in the dataset schema."""
    return []
'''

PROFILES = """\
# Profiles of {name}. Replace every fact with what your documentation says, cite it
# under `references`, and leave a fact out (unknown) rather than guess.
# JSON Schema for your editor: `cnadvisor schema --profile > profile.schema.json`, then
# yaml-language-server: $schema=profile.schema.json
references:
  {name}-docs:
    title: {name} documentation (replace with the page that states these facts)
    url: https://example.org/{name}/docs
profiles:
- id: {name}
  name: {name}
  family: kubernetes-cni
  summary: "One or two sentences: what {name} is and its main trade-off."
  references: [{name}-docs]
  datapath:
    # Built-in stage names (the guide's "Datapath stages"), or ones plugin.py registers
    # with cnadvisor_stages; the model predicts from them.
    intra_host: [veth, linux-bridge, veth]
    inter_host: [veth, linux-bridge, vxlan]
    cite: [{name}-docs]
  security: {{isolation: namespace, cite: [{name}-docs]}}
  mobility: {{cite: [{name}-docs]}}
  operations:
    orchestrators: [kubernetes]
    underlay: ip
    cite: [{name}-docs]
# A second mode would say only what differs, e.g.:
# - id: {name}-native
#   extends: {name}
#   name: {name} (native routing)
#   datapath: {{inter_host: [veth, linux-bridge, routed-hop]}}
#   operations: {{underlay: l2}}
"""

TESTS = '''\
"""Tests for the {name} plugin; run them with pytest after `pip install -e .`."""

import importlib.metadata

from cnadvisor.model.data import rows_from_dicts
from cnadvisor.plugins import load_plugins
from cnadvisor.profile import SolutionProfile
from {module} import plugin


def test_profiles_are_valid():
    for profile in plugin.cnadvisor_solutions():
        SolutionProfile.model_validate(profile)


def test_benchmark_rows_are_valid():
    rows_from_dicts(plugin.cnadvisor_benchmarks(), "{name}")


def test_cnadvisor_loads_the_plugin_without_problems():
    names = [ep.name for ep in importlib.metadata.entry_points(group="cnadvisor")]
    assert "{name}" in names
    plugin_set = load_plugins()
    assert plugin_set.solutions["{name}"].plugin == "{name}"
    assert not [p for p in plugin_set.problems if p.plugin == "{name}"]
'''

README = """\
# cnadvisor-{name}

A cnadvisor plugin describing {name}.

    pip install -e .
    cnadvisor plugins check      # validates every installed plugin
    pytest tests                 # this plugin's own tests

Edit `src/{module}/profiles/{name}.yaml`: replace the placeholder reference and facts
with cited ones (see docs/writing-plugins.md in the cnadvisor repository).
"""


def _refuse_builtin_names(name: str) -> None:
    """A built-in's plugin name or solution id would be refused when the new package is
    loaded (the built-in keeps it), so refuse it here, before anything is written."""
    from .plugins import load_plugins

    builtins = load_plugins(builtins_only=True)
    if name in builtins.plugins:
        raise ScaffoldError(
            f"plugin name {name!r} is taken by a built-in plugin; choose another, "
            f"e.g. {name}-enterprise or yourcompany-{name}"
        )
    if name in builtins.solutions:
        raise ScaffoldError(
            f"{name!r} is the id of a built-in solution (plugin "
            f"{builtins.solutions[name].plugin!r}); choose another name"
        )


def write_plugin(name: str, directory: Path) -> Path:
    """Write the package folder `cnadvisor-NAME` under ``directory``; never overwrite."""
    if not NAME.match(name):
        raise ScaffoldError(
            f"plugin name {name!r}: use 2-41 lower-case letters, digits or dashes, "
            "starting with a letter"
        )
    _refuse_builtin_names(name)
    module = "cnadvisor_" + name.replace("-", "_")
    folder = directory / f"cnadvisor-{name}"
    if folder.exists():
        raise ScaffoldError(f"{folder} exists; refusing to overwrite it")
    values = {"name": name, "module": module, "api": API_VERSION}
    files = {
        "pyproject.toml": PYPROJECT,
        "README.md": README,
        f"src/{module}/__init__.py": '"""cnadvisor plugin package for {name}."""\n',
        f"src/{module}/plugin.py": PLUGIN,
        f"src/{module}/profiles/{name}.yaml": PROFILES,
        "tests/test_plugin.py": TESTS,
    }
    for relative, template in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**values), encoding="utf-8")
    return folder
