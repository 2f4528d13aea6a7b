"""`plugins check`, `plugins new`, bad contributed rows, and the example package installed
into a fresh virtual environment next to cnadvisor."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest
from cnadvisor import hookimpl
from cnadvisor.plugincheck import check, render
from cnadvisor.plugins import load_plugins

from .venvs import make_venv

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cnadvisor.cli", *args], capture_output=True, text=True
    )


EXAMPLE = ROOT / "examples" / "cnadvisor-spiderpool"


def test_check_passes_on_the_builtins_and_lists_warnings():
    result = cli("plugins", "check")
    assert result.returncode == 0, result.stdout
    assert "0 problems" in result.stdout and "unknown facts" in result.stdout
    assert cli("plugins", "check", "--strict").returncode == 1
    only = cli("plugins", "check", "docker")
    assert only.stdout.startswith("docker (cnadvisor") and "calico" not in only.stdout
    assert cli("plugins", "check", "no-such-plugin").returncode == 2


def test_bad_contributed_rows_are_reported_by_plugin_and_left_out():
    module = types.ModuleType("bad_rows")
    module.cnadvisor_benchmarks = hookimpl(
        lambda: [{"source_id": "vendor", "locator": "t1", "metric": "speed", "value": "x"}]
    )
    plugin_set = load_plugins(extra=[("bad-rows", module)])
    (report,) = [r for r in check(plugin_set) if r.name == "bad-rows"]
    assert any("column metric: 'speed'" in p for p in report.problems)
    text, code = render([report], strict=False)
    assert code == 1 and "bad-rows" in text


def test_scaffold_refuses_bad_names_and_overwrites(tmp_path):
    assert cli("plugins", "new", "Bad Name!", "-d", str(tmp_path)).returncode == 2
    assert cli("plugins", "new", "mycni", "-d", str(tmp_path)).returncode == 0
    again = cli("plugins", "new", "mycni", "-d", str(tmp_path))
    assert again.returncode == 2 and "refusing to overwrite" in again.stderr


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory) -> Path:
    """cnadvisor's wheel, the example plugin and a scaffolded plugin in a new venv."""
    work = tmp_path_factory.mktemp("plugin-venv")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work), str(ROOT)],
        check=True, capture_output=True,
    )  # fmt: skip
    (wheel,) = work.glob("cnadvisor-*.whl")
    subprocess.run(
        [sys.executable, "-m", "cnadvisor.cli", "plugins", "new", "scaffolded", "-d", str(work)],
        check=True, capture_output=True,
    )  # fmt: skip
    environment = work / "venv"
    make_venv(environment)  # sees this interpreter's dependencies, also from a venv
    subprocess.run(
        [str(environment / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
         "--ignore-installed", str(wheel), str(EXAMPLE), str(work / "cnadvisor-scaffolded")],
        check=True, capture_output=True,
    )  # fmt: skip
    return environment


def _autoload_env(**extra: str) -> dict[str, str]:
    """The environment a user has: third-party plugins load."""
    env = dict(os.environ, **extra)
    env.pop("CNADVISOR_DISABLE_PLUGIN_AUTOLOAD", None)
    return env


def _run(environment: Path, *args: str, tmp: Path) -> subprocess.CompletedProcess:
    env = _autoload_env(CNADVISOR_CACHE_DIR=str(tmp / "cache"))
    return subprocess.run(
        [str(environment / "bin" / "cnadvisor"), *args],
        capture_output=True, text=True, env=env, cwd=tmp,
    )  # fmt: skip


def test_example_plugin_is_listed_checked_predicted_and_ranked(fresh_venv, tmp_path):
    where = subprocess.run(
        [str(fresh_venv / "bin" / "python"), "-c",
         "import cnadvisor_spiderpool; print(cnadvisor_spiderpool.__file__)"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert str(fresh_venv) in where
    listing = json.loads(_run(fresh_venv, "plugins", "-f", "json", tmp=tmp_path).stdout)
    example = next(p for p in listing["plugins"] if p["name"] == "spiderpool")
    assert example["distribution"] == "cnadvisor-spiderpool"
    assert example["solutions"] == ["spiderpool-macvlan"]
    checked = _run(fresh_venv, "plugins", "check", "spiderpool", tmp=tmp_path)
    assert checked.returncode == 0
    assert "spiderpool (cnadvisor-spiderpool 0.1.0): ok" in checked.stdout
    info = _run(fresh_venv, "model", "train", tmp=tmp_path)
    assert info.returncode == 0, info.stderr
    predicted = json.loads(
        _run(fresh_venv, "predict", "spiderpool-macvlan", "-f", "json", tmp=tmp_path).stdout
    )
    assert predicted[0]["model"] == "trained" and predicted[0]["throughput_gbps"]["value"] > 0
    requirements = tmp_path / "nfv.yaml"
    requirements.write_text(
        "workload: {traffic: {inter_host: 1.0}, message_size: 64, protocol: udp}\n"
        "environment: {orchestrator: kubernetes, underlay: {l2_adjacent: true}}\n"
    )
    ranked = json.loads(_run(fresh_venv, "evaluate", str(requirements), "-f", "json",
                             tmp=tmp_path).stdout)  # fmt: skip
    ids = [o["id"] for o in ranked["results"][0]["ranked"]]
    assert "spiderpool-macvlan" in ids


def test_contributed_rows_reach_the_training_data(fresh_venv, tmp_path):
    code = (
        "from cnadvisor.plugins import load_plugins; "
        "from cnadvisor.model.trained import training_data; "
        "rows, _ = training_data(load_plugins()); "
        "print(sum(r.solution_id == 'spiderpool-macvlan' for r in rows()))"
    )
    out = subprocess.run(
        [str(fresh_venv / "bin" / "python"), "-c", code],
        capture_output=True, text=True, check=True, env=_autoload_env(),
    ).stdout  # fmt: skip
    assert int(out) == 7


def test_scaffolded_plugin_passes_check_and_its_own_tests(fresh_venv, tmp_path):
    checked = _run(fresh_venv, "plugins", "check", "scaffolded", tmp=tmp_path)
    assert checked.returncode == 0, checked.stdout
    assert "placeholder URL" in checked.stdout  # a warning until the author cites a source
    tests = Path(fresh_venv).parent / "cnadvisor-scaffolded" / "tests"
    result = subprocess.run(
        [str(fresh_venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(tests)],
        capture_output=True, text=True, cwd=tests.parent, env=_autoload_env(),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout
