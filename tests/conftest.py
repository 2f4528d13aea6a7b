"""Shared fixtures. Plugins installed on this machine by other packages are kept out of
the run (as pytest's own PYTEST_DISABLE_PLUGIN_AUTOLOAD does), so results do not depend
on the machine; tests that exercise third-party discovery turn autoload back on."""

from __future__ import annotations

from typing import Any

import pytest
from cnadvisor.evaluation import Advisor
from cnadvisor.plugins import DISABLE_AUTOLOAD_ENV, SELECT_ENV, load_plugins
from cnadvisor.requirements import Requirements


@pytest.fixture(autouse=True)
def _builtins_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DISABLE_AUTOLOAD_ENV, "1")
    monkeypatch.delenv(SELECT_ENV, raising=False)


@pytest.fixture(scope="session")
def plugin_set():
    import os

    os.environ[DISABLE_AUTOLOAD_ENV] = "1"
    return load_plugins()


@pytest.fixture(scope="session")
def advisor(plugin_set) -> Advisor:
    return Advisor(plugin_set.solutions.values(), plugins=plugin_set)


def make_requirements(**sections: Any) -> Requirements:
    """Requirements from nested dicts, e.g. make_requirements(workload={...})."""
    return Requirements.model_validate(sections)
