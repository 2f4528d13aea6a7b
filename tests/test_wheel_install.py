"""A non-editable install from a built wheel works as well as a checkout.

Builds the wheel, installs it (without dependencies, which this environment
already has) into a fresh virtual environment, and runs the installed command
from outside the checkout, so nothing can come from the source tree. The venv
sees the dependencies of whatever interpreter runs the tests (see tests/venvs.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .venvs import make_venv

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = work.glob("cnadvisor-*.whl")
    environment = work / "venv"
    make_venv(environment)
    python = environment / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--ignore-installed", str(wheel)],
        check=True,
        capture_output=True,
    )
    return environment


def _run(environment: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env.pop("CNADVISOR_DISABLE_PLUGIN_AUTOLOAD", None)
    return subprocess.run(
        [str(environment / "bin" / "cnadvisor"), *args],
        capture_output=True,
        text=True,
        cwd=environment,
        env=env,
    )


def test_installed_wheel_lists_builtins_from_site_packages(installed):
    probe = subprocess.run(
        [
            str(installed / "bin" / "python"),
            "-c",
            "import cnadvisor, cnadvisor_plugins; print(cnadvisor.__file__); "
            "print(cnadvisor_plugins.__file__)",
        ],
        capture_output=True,
        text=True,
        cwd=installed,
        check=True,
    )
    assert all(str(installed) in line for line in probe.stdout.split())
    result = _run(installed, "plugins", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert sum(len(p["solutions"]) for p in document["plugins"]) >= 40


def test_installed_wheel_ships_the_benchmark_data(installed):
    probe = subprocess.run(
        [str(installed / "bin" / "python"), "-c",
         "import cnadvisor_datasets; from cnadvisor.model.data import load_published; "
         "print(cnadvisor_datasets.__file__); print(len(load_published()))"],
        capture_output=True, text=True, cwd=installed, check=True,
    )  # fmt: skip
    location, count = probe.stdout.split()
    assert str(installed) in location and int(count) >= 400


def test_installed_wheel_evaluates_an_example(installed):
    example = ROOT / "examples" / "requirements" / "telco-packet-function.yaml"
    result = _run(installed, "evaluate", str(example), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["results"][0]["ranked"]
