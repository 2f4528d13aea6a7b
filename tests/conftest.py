"""Shared fixtures. Plugins installed on this machine by other packages are kept out of
the run (as pytest's own PYTEST_DISABLE_PLUGIN_AUTOLOAD does), so results do not depend
on the machine; tests that exercise third-party discovery turn autoload back on."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cnadvisor.advisor import Advisor
from cnadvisor.plugins import DISABLE_AUTOLOAD_ENV, SELECT_ENV, load_plugins
from cnadvisor.requirements import Requirements


@pytest.fixture(scope="session", autouse=True)
def _private_model_cache(tmp_path_factory: pytest.TempPathFactory):
    """Tests train into their own cache (shared by the CLI subprocesses they start)."""
    from cnadvisor.model.cache import CACHE_ENV

    previous = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("model-cache"))
    yield
    if previous is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = previous


@pytest.fixture(autouse=True)
def _builtins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DISABLE_AUTOLOAD_ENV, "1")
    monkeypatch.delenv(SELECT_ENV, raising=False)


@pytest.fixture(autouse=True)
def _no_leftover_plugin_stages() -> Iterator[None]:
    """Stages a test's plugins registered do not outlive the test."""
    yield
    from cnadvisor.stages import set_registered

    set_registered({})


@pytest.fixture
def install_plugin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Path]]:
    """A factory that installs a real plugin distribution, laid out as pip would: the
    package and its dist-info folder (with the ``cnadvisor`` entry point) in a site folder
    put on sys.path. Autoload is turned back on. Returns the site folder (for PYTHONPATH
    of a subprocess; several plugins given the same ``site`` share one); the package's
    modules are forgotten afterwards."""
    packages: list[str] = []

    def install(
        name: str, files: dict[str, str], version: str = "0.1", site: str | None = None
    ) -> Path:
        package = "cnadvisor_" + name.replace("-", "_")
        folder = tmp_path / (site or f"site-{name}")
        for relative, text in {"__init__.py": "", **files}.items():
            path = folder / package / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        dist_info = folder / f"{package}-{version}.dist-info"
        dist_info.mkdir()
        (dist_info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: cnadvisor-{name}\nVersion: {version}\n"
        )
        (dist_info / "entry_points.txt").write_text(f"[cnadvisor]\n{name} = {package}.plugin\n")
        if str(folder) not in sys.path:
            monkeypatch.syspath_prepend(str(folder))
        packages.append(package)
        importlib.invalidate_caches()
        return folder

    monkeypatch.delenv(DISABLE_AUTOLOAD_ENV, raising=False)
    yield install
    for module in [m for m in sys.modules if m.split(".")[0] in packages]:
        sys.modules.pop(module, None)


@pytest.fixture(scope="session")
def plugin_set():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DISABLE_AUTOLOAD_ENV, "1")
        return load_plugins()


@pytest.fixture(scope="session")
def advisor(plugin_set) -> Advisor:
    """The analytical advisor: exact physics only, for rules that must not hinge on data."""
    from cnadvisor.performance import AnalyticalModel

    return Advisor(plugin_set.solutions.values(), plugins=plugin_set, model=AnalyticalModel())


@pytest.fixture(scope="session")
def trained_advisor(plugin_set, _private_model_cache) -> Advisor:
    """The advisor as users get it: the trained model by default."""
    return Advisor.from_plugins()


# A third-party profile nobody has benchmarked, described only by its datapath.
MINIMAL = {
    "id": "test-overlay",
    "name": "Test overlay",
    "family": "kubernetes-cni",
    "summary": "A CNI nobody has benchmarked, described only by its datapath.",
    "references": [{"id": "docs", "title": "Test docs", "url": "https://example.org/docs"}],
    "datapath": {
        "intra_host": ["veth", "linux-bridge", "veth"],
        "inter_host": ["veth", "linux-bridge", "geneve"],
        "cite": ["docs"],
    },
    "security": {"isolation": "namespace", "network_policy": "l3-l4", "cite": ["docs"]},
    "mobility": {"cite": ["docs"]},
    "operations": {"orchestrators": ["kubernetes"], "underlay": "ip", "cite": ["docs"]},
}


def plugin_source(*profiles: dict[str, Any]) -> str:
    """A plugin module's text whose ``cnadvisor_solutions`` returns ``profiles``, for
    ``install_plugin`` (e.g. ``MINIMAL | {"id": "Bad Id!"}``)."""
    return (
        "from cnadvisor import hookimpl\n\n"
        f"PROFILES = {list(profiles)!r}\n\n"
        "@hookimpl\ndef cnadvisor_solutions():\n    return PROFILES\n"
    )


def cli(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run the cnadvisor command line in a fresh interpreter (``env`` added to ours)."""
    return subprocess.run(
        [sys.executable, "-m", "cnadvisor.cli", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=None if env is None else os.environ | env,
    )


def make_requirements(**sections: Any) -> Requirements:
    """Requirements from nested dicts, e.g. make_requirements(workload={...})."""
    return Requirements.model_validate(sections)
