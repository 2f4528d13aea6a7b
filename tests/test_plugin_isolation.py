"""Broken plugins of every kind are reported by name and left out; the rest still run.

The broken plugins here are real distributions found through the `cnadvisor`
entry-point group: a dist-info folder on sys.path, as pip would install it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cnadvisor.plugins import PluginLoadError, load_plugins

from .conftest import MINIMAL, plugin_source

BROKEN = {
    "import_error": "import does_not_exist_anywhere\n",
    "raises": "from cnadvisor import hookimpl\n"
    "@hookimpl\ndef cnadvisor_solutions():\n    raise RuntimeError('vendor bug')\n",
    "invalid_profile": plugin_source(MINIMAL | {"id": "Bad Id!"}),
    "wrong_type": "from cnadvisor import hookimpl\n"
    "@hookimpl\ndef cnadvisor_solutions():\n    return 42\n",
    "duplicate_id": plugin_source(MINIMAL | {"id": "calico-vxlan"}),
    "misspelled_hook": "from cnadvisor import hookimpl\n"
    "@hookimpl\ndef cnadvisor_solution():\n    return []\n",
}

EXPECTED = {
    "import_error": "import: raised ModuleNotFoundError",
    "raises": "cnadvisor_solutions: raised RuntimeError('vendor bug')",
    "invalid_profile": "profile 'Bad Id!' invalid: id:",
    "wrong_type": "returned int; expected a list",
    "duplicate_id": "already registered by plugin 'calico'",
    "misspelled_hook": "unknown hook 'cnadvisor_solution'",
}


@pytest.fixture
def broken_distribution(install_plugin) -> Path:
    """One real distribution per broken kind, all in one site folder (a subprocess's
    PYTHONPATH); returns that folder."""
    for kind, source in BROKEN.items():
        site = install_plugin(f"broken-{kind}", {"plugin.py": source}, site="site-broken")
    return site


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_each_broken_plugin_is_named_and_left_out(broken_distribution, kind):
    plugin_set = load_plugins()
    problems = [p for p in plugin_set.problems if p.plugin == f"broken-{kind}"]
    assert len(problems) == 1, plugin_set.problems
    (problem,) = problems
    assert problem.distribution == f"cnadvisor-broken-{kind}"
    assert EXPECTED[kind] in str(problem)
    # the built-ins are all still there, and the clash kept the first owner
    assert len(plugin_set.solutions) >= 40
    assert plugin_set.solutions["calico-vxlan"].plugin == "calico"


def test_strict_makes_any_broken_plugin_fatal(broken_distribution):
    with pytest.raises(PluginLoadError) as error:
        load_plugins(strict=True)
    assert {p.plugin for p in error.value.problems} == {f"broken-{k}" for k in BROKEN}


def test_cli_warns_and_still_evaluates_then_fails_under_strict(broken_distribution, tmp_path):
    requirements = tmp_path / "system.yaml"
    requirements.write_text("workload: {traffic: {inter_host: 1.0}}\n")
    env = {"PYTHONPATH": str(broken_distribution), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "cnadvisor.cli", "evaluate", str(requirements)]
    relaxed = subprocess.run(command, capture_output=True, text=True, env=env)
    assert relaxed.returncode == 0, relaxed.stderr
    assert "plugin 'broken-raises' (cnadvisor-broken-raises)" in relaxed.stderr
    assert "calico" in relaxed.stdout
    strict = subprocess.run(
        [sys.executable, "-m", "cnadvisor.cli", "--strict-plugins", *command[3:]],
        capture_output=True,
        text=True,
        env=env,
    )
    assert strict.returncode == 3
    assert "broken-import_error" in strict.stderr


def test_check_names_every_broken_plugin(broken_distribution):
    env = dict(os.environ, PYTHONPATH=str(broken_distribution))
    env.pop("CNADVISOR_DISABLE_PLUGIN_AUTOLOAD", None)
    result = subprocess.run(
        [sys.executable, "-m", "cnadvisor.cli", "plugins", "check"],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert result.returncode == 1
    for kind in ("import_error", "raises", "invalid_profile", "wrong_type", "duplicate_id",
                 "misspelled_hook"):  # fmt: skip
        assert f"broken-{kind} (cnadvisor-broken-{kind} 0.1): FAILED" in result.stdout


def test_select_env_loads_only_the_named_plugins(monkeypatch):
    monkeypatch.setenv("CNADVISOR_PLUGINS", "docker,macvlan")
    plugin_set = load_plugins()
    assert {item.plugin for item in plugin_set.solutions.values()} == {"docker", "macvlan"}
