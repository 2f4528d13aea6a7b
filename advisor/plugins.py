"""Finding, loading and calling plugins, one at a time, so one broken plugin never
takes the others down and every error names the plugin that caused it."""

from __future__ import annotations

import importlib.metadata as metadata
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pluggy
from pydantic import ValidationError

from . import hookspecs
from .profile import SolutionProfile

ENTRY_POINT_GROUP = hookspecs.PROJECT
DISABLE_AUTOLOAD_ENV = "CNADVISOR_DISABLE_PLUGIN_AUTOLOAD"
SELECT_ENV = "CNADVISOR_PLUGINS"
BUILTIN_DISTRIBUTION = "cnadvisor"


class PluginLoadError(RuntimeError):
    """Raised under ``strict`` when any plugin fails; carries every problem found."""

    def __init__(self, problems: list[PluginProblem]):
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class PluginProblem:
    """What went wrong with which plugin, at which step."""

    plugin: str
    distribution: str
    step: str  # import | register | hook name
    message: str

    def __str__(self) -> str:
        return f"plugin {self.plugin!r} ({self.distribution}): {self.step}: {self.message}"


@dataclass(frozen=True)
class PluginInfo:
    name: str
    distribution: str
    version: str
    module: str
    builtin: bool


@dataclass(frozen=True)
class RegisteredSolution:
    profile: SolutionProfile
    plugin: str


@dataclass
class PluginSet:
    """The loaded plugins, the solutions they registered, and every problem met on the way."""

    manager: pluggy.PluginManager
    plugins: dict[str, PluginInfo] = field(default_factory=dict)
    solutions: dict[str, RegisteredSolution] = field(default_factory=dict)
    problems: list[PluginProblem] = field(default_factory=list)

    def info(self, plugin: str) -> PluginInfo:
        return self.plugins.get(plugin) or PluginInfo(plugin, "unknown", "", plugin, False)

    def report(self, plugin: str, step: str, message: str) -> None:
        info = self.info(plugin)
        self.problems.append(PluginProblem(plugin, info.distribution, step, message))

    def call_each(self, hook_name: str, **kwargs: Any) -> Iterator[tuple[str, Any]]:
        """Call every implementation of a hook separately, yielding (plugin, result).

        A plugin whose implementation raises is reported and skipped; the
        others still run. Implementations receive only the arguments they name.
        """
        caller = getattr(self.manager.hook, hook_name)
        for impl in caller.get_hookimpls():  # registration order
            arguments = {name: kwargs[name] for name in impl.argnames}
            try:
                yield impl.plugin_name, impl.function(**arguments)
            except Exception as error:  # a plugin's bug must not stop the run
                self.report(impl.plugin_name, hook_name, f"raised {error!r}")


def new_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    return manager


def _selected(name: str) -> bool:
    wanted = os.environ.get(SELECT_ENV)
    if not wanted:
        return True
    return name in {part.strip() for part in wanted.split(",")}


def _entry_points() -> list[metadata.EntryPoint]:
    found = list(metadata.entry_points(group=ENTRY_POINT_GROUP))
    if os.environ.get(DISABLE_AUTOLOAD_ENV):
        found = [ep for ep in found if ep.dist and ep.dist.name == BUILTIN_DISTRIBUTION]
    # Built-ins first, then third parties in a fixed order: on an id clash the first
    # owner keeps the id, so a third-party plugin can never take over a built-in's.
    found.sort(key=lambda ep: (not _is_builtin(ep), ep.dist.name if ep.dist else "", ep.name))
    return [ep for ep in found if _selected(ep.name)]


def _is_builtin(entry_point: metadata.EntryPoint) -> bool:
    return bool(entry_point.dist and entry_point.dist.name == BUILTIN_DISTRIBUTION)


def load_plugins(
    *,
    entry_points: bool = True,
    extra: Iterable[tuple[str, object]] = (),
    strict: bool = False,
) -> PluginSet:
    """Load plugins from the entry-point group (and ``extra`` (name, module) pairs, for
    tests and notebooks), then collect and validate their solutions."""
    plugin_set = PluginSet(new_manager())
    if entry_points:
        for entry_point in _entry_points():
            dist = entry_point.dist
            info = PluginInfo(
                name=entry_point.name,
                distribution=dist.name if dist else "unknown",
                version=dist.version if dist else "",
                module=entry_point.value,
                builtin=_is_builtin(entry_point),
            )
            plugin_set.plugins[info.name] = info
            try:
                module = entry_point.load()
            except Exception as error:  # broken third-party code must not stop the rest
                plugin_set.report(info.name, "import", f"{type(error).__name__}: {error}")
                continue
            _register(plugin_set, info.name, module)
    for name, module in extra:
        plugin_set.plugins.setdefault(
            name, PluginInfo(name, "local", "", getattr(module, "__name__", name), False)
        )
        _register(plugin_set, name, module)
    _collect_solutions(plugin_set)
    if strict and plugin_set.problems:
        raise PluginLoadError(plugin_set.problems)
    return plugin_set


def _register(plugin_set: PluginSet, name: str, module: object) -> None:
    manager = plugin_set.manager
    if manager.has_plugin(name):
        plugin_set.report(name, "register", "a plugin of this name is already loaded")
        return
    try:
        manager.register(module, name=name)
        manager.check_pending()
    except (pluggy.PluginValidationError, ValueError) as error:
        if manager.is_registered(module):
            manager.unregister(module)
        plugin_set.report(name, "register", str(error))
        return
    if not any(
        impl.plugin_name == name
        for caller in manager.get_hookcallers(module) or []
        for impl in caller.get_hookimpls()
    ):
        plugin_set.report(name, "register", "implements no cnadvisor hook")


def _collect_solutions(plugin_set: PluginSet) -> None:
    for plugin, returned in plugin_set.call_each("cnadvisor_solutions"):
        for index, item in _items(plugin_set, plugin, "cnadvisor_solutions", returned):
            profile = _validate_profile(plugin_set, plugin, index, item)
            if profile is None:
                continue
            clash = plugin_set.solutions.get(profile.id)
            if clash is not None:
                plugin_set.report(
                    plugin,
                    "cnadvisor_solutions",
                    f"solution id {profile.id!r} is already registered by plugin "
                    f"{clash.plugin!r}; this one is left out",
                )
                continue
            plugin_set.solutions[profile.id] = RegisteredSolution(profile, plugin)


def _items(
    plugin_set: PluginSet, plugin: str, hook: str, returned: Any
) -> Iterator[tuple[int, Any]]:
    """The items a list-returning hook gave, or a problem if it gave something else."""
    if returned is None:
        return
    if isinstance(returned, (str, bytes, dict)) or not isinstance(returned, Iterable):
        plugin_set.report(
            plugin, hook, f"returned {type(returned).__name__}; expected a list of items"
        )
        return
    yield from enumerate(returned)


def _validate_profile(
    plugin_set: PluginSet, plugin: str, index: int, item: Any
) -> SolutionProfile | None:
    if isinstance(item, SolutionProfile):
        return item
    if not isinstance(item, dict):
        plugin_set.report(
            plugin,
            "cnadvisor_solutions",
            f"item {index} is {type(item).__name__}; expected a SolutionProfile or a dict",
        )
        return None
    try:
        return SolutionProfile.model_validate(item)
    except ValidationError as error:
        label = item.get("id", f"item {index}")
        details = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or '(profile)'}: {problem['msg']}"
            for problem in error.errors()
        )
        plugin_set.report(plugin, "cnadvisor_solutions", f"profile {label!r} invalid: {details}")
        return None
