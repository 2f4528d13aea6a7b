"""Finding, loading and calling plugins, one at a time, so one broken plugin never
takes the others down and every error names the plugin that caused it.

Every call into plugin code goes through one door, :meth:`PluginSet.call`: third-party
code runs under :mod:`.pluginguard` (deadline, item cap, stdout to stderr, every
``BaseException`` caught), its result is turned into plain data and validated there,
and the arguments it gets are copies, so it cannot change what the core or the next
plugin sees. Built-in plugins are cnadvisor's own code and are called directly.
"""

from __future__ import annotations

import functools
import importlib.metadata as metadata
import importlib.util
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy
from pydantic import BaseModel, ValidationError

from . import hookspecs, pluginguard, stages
from .findings import Finding
from .profile import SolutionProfile
from .stages import RegisteredStage, StageError

ENTRY_POINT_GROUP = hookspecs.PROJECT
DISABLE_AUTOLOAD_ENV = "CNADVISOR_DISABLE_PLUGIN_AUTOLOAD"
SELECT_ENV = "CNADVISOR_PLUGINS"
BUILTIN_PACKAGE = "cnadvisor_plugins"
SLOW_SECONDS = 1.0  # an import or call slower than this is named in a warning
BUDGET_CALLS = 3  # a plugin may spend this many per-call deadlines in all, per run

# Called as (plugin, distribution, step) before third-party code runs; `plugins check`
# records it, so a process that ends inside plugin code (os._exit) still names the plugin.
on_plugin_code: Callable[[str, str, str], None] | None = None


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


class ItemError(ValueError):
    """One item of a hook's result is invalid; it is reported and left out."""


@dataclass(frozen=True)
class Contribution:
    """One plugin's ``cnadvisor_benchmarks`` after validation and vetting."""

    plugin: str
    rows: list[Any]  # BenchmarkRow: valid, plausible, about the plugin's own solutions
    dropped: list[Any]  # cnadvisor.dataset.contributed.Dropped: valid rows training must not use


SOURCED_KEPT = 4096  # plugin findings kept marked; a long batch must not grow memory


@dataclass
class PluginSet:
    """The loaded plugins, the solutions they registered, and every problem met on the way."""

    manager: pluggy.PluginManager
    plugins: dict[str, PluginInfo] = field(default_factory=dict)
    solutions: dict[str, RegisteredSolution] = field(default_factory=dict)
    stages: dict[str, RegisteredStage] = field(default_factory=dict)
    problems: list[PluginProblem] = field(default_factory=list)
    notes: list[PluginProblem] = field(default_factory=list)  # slow, but not left out
    disabled: set[str] = field(default_factory=set)
    spent: dict[str, tuple[float, int]] = field(default_factory=dict)  # seconds, calls
    guard: pluginguard.Guard = field(default_factory=pluginguard.Guard)
    _notes_seen: int = field(default=0, repr=False)
    _copies: dict[str, dict[int, tuple[SolutionProfile, SolutionProfile]]] = field(
        default_factory=dict, repr=False
    )
    _contributions: list[Contribution] | None = field(default=None, repr=False)
    _sourced: dict[tuple, Finding] = field(default_factory=dict, repr=False)

    def info(self, plugin: str) -> PluginInfo:
        return self.plugins.get(plugin) or PluginInfo(plugin, "unknown", "", plugin, False)

    def report(self, plugin: str, step: str, message: str) -> None:
        """Record a problem once (a hook that fails on every call is named once)."""
        info = self.info(plugin)
        problem = PluginProblem(plugin, info.distribution, step, message)
        if problem not in self.problems:
            self.problems.append(problem)

    def note(self, plugin: str, step: str, message: str) -> None:
        info = self.info(plugin)
        self.notes.append(PluginProblem(plugin, info.distribution, step, message))

    def unseen_notes(self) -> list[PluginProblem]:
        """The notes (slow plugins) not returned by an earlier call, to show each once."""
        fresh = self.notes[self._notes_seen :]
        self._notes_seen = len(self.notes)
        return fresh

    def call(
        self,
        plugin: str,
        step: str,
        job: Callable[[], Any],
        *,
        validate: Callable[[int, Any], Any] | None = None,
        materialise: bool = True,
    ) -> list[Any] | None:
        """The one door to plugin code: run ``job`` (which calls one hook of one plugin)
        and return its result as a list of validated items, or None after reporting why.

        The result is materialised as plain data (``pluginguard.plain``) and each item
        passed through ``validate`` inside the guard, so no plugin code runs after this
        returns. Items ``validate`` rejects with :class:`ItemError` are reported and
        left out. A plugin that misses the deadline, or spends more than its budget over
        a run, is disabled for the rest of the run.
        """
        if plugin in self.disabled:
            return None
        rejected: list[str] = []

        builtin = self.info(plugin).builtin

        def guarded() -> Any:
            returned = job()
            if not materialise:
                return returned
            return _accept(returned, validate, rejected, trusted=builtin)

        if builtin:  # cnadvisor's own code: no thread, no deadline
            try:
                value = guarded()
            except pluginguard.ResultError as error:
                self.report(plugin, step, str(error))
                return None
            except Exception as error:  # a bug in a built-in must not stop the run either
                self.report(plugin, step, pluginguard.describe(error))
                return None
        else:
            if on_plugin_code is not None:
                on_plugin_code(plugin, self.info(plugin).distribution, step)
            outcome = self.guard.run(guarded)
            value = outcome.value
            if self._account(plugin, step, outcome) is None:
                return None
        for message in rejected:
            self.report(plugin, step, message)
        return value

    def _account(self, plugin: str, step: str, outcome: pluginguard.Outcome) -> bool | None:
        """Record the time a call took; report failures, slowness and a spent budget."""
        seconds, calls = self.spent.get(plugin, (0.0, 0))
        seconds, calls = seconds + outcome.seconds, calls + 1
        self.spent[plugin] = (seconds, calls)
        if outcome.timed_out:
            self.disabled.add(plugin)
            self.report(plugin, step, f"{outcome.error}; disabled for the rest of this run")
            return None
        if outcome.error is not None:
            self.report(plugin, step, outcome.error)
            return None
        if outcome.seconds > SLOW_SECONDS and not any(
            n.plugin == plugin and n.step == step for n in self.notes
        ):
            what, waits = {
                "import": ("to import", "every cnadvisor command waits for it"),
                "cnadvisor_check": ("for the options of one file", "every file waits for it"),
            }.get(step, ("in one call", "every cnadvisor command waits for it"))
            self.note(plugin, step, f"took {outcome.seconds:.1f} s {what}; {waits}")
        budget = BUDGET_CALLS * pluginguard.timeout()
        if seconds > budget:
            self.disabled.add(plugin)
            self.report(
                plugin,
                step,
                f"spent {seconds:.1f} s in plugin code over {calls} calls "
                f"({seconds / calls:.2f} s per call), more than the {budget:g} s a plugin "
                "may take per run; disabled for the rest of this run",
            )
        return True

    def call_each(
        self,
        hook_name: str,
        *,
        validate: Callable[[int, Any], Any] | None = None,
        **kwargs: Any,
    ) -> Iterator[tuple[str, list[Any]]]:
        """Call every implementation of a hook through :meth:`call`, yielding
        (plugin, items) for each that answered.

        Implementations receive only the arguments they name; third-party ones get deep
        copies, so nothing they change reaches the core or another plugin.
        """
        caller = getattr(self.manager.hook, hook_name)
        for impl in caller.get_hookimpls():  # registration order
            plugin = impl.plugin_name
            if plugin in self.disabled:
                continue
            builtin = self.info(plugin).builtin
            arguments = {
                name: kwargs[name] if builtin else _copy(kwargs[name]) for name in impl.argnames
            }
            items = self.call(
                plugin,
                hook_name,
                lambda function=impl.function, arguments=arguments: function(**arguments),
                validate=validate,
            )
            if items is not None:
                yield plugin, items

    def contributions(self) -> list[Contribution]:
        """Every plugin's ``cnadvisor_benchmarks``, called once per plugin set and validated
        here only: each row against the dataset schema (a bad row is reported, with its
        number and column, and left out; the plugin's good rows stay), then vetted
        (``cnadvisor.dataset.contributed.vet_contributed``: implausible figures, rows about
        solutions the plugin does not register unless the user trusts it). Training and
        ``plugins check`` both read this."""
        if self._contributions is None:
            from .dataset.contributed import contributed_rows, trusted_plugins, vet_contributed

            trusted = trusted_plugins()
            self._contributions = []
            for plugin, returned in self.call_each("cnadvisor_benchmarks"):
                rows, problems = contributed_rows(returned, f"plugin {plugin}")
                for problem in problems:
                    self.report(plugin, "cnadvisor_benchmarks", problem)
                own = {sid for sid, item in self.solutions.items() if item.plugin == plugin}
                kept, dropped = vet_contributed(rows, plugin, own, plugin in trusted)
                self._contributions.append(Contribution(plugin, kept, dropped))
        return self._contributions

    def benchmark_rows(self) -> list[tuple[str, list[Any]]]:
        """(plugin, rows training may use) for each plugin that contributes rows; the rows
        left out are reported as that plugin's problems."""
        for contribution in self.contributions():
            for dropped in contribution.dropped:
                self.report(contribution.plugin, "cnadvisor_benchmarks", str(dropped))
        return [(c.plugin, c.rows) for c in self.contributions()]

    def checkers(self) -> list[Any]:
        """The ``cnadvisor_check`` implementations, in registration order (batch workers
        run only when every one of them is a built-in plugin's)."""
        return list(self.manager.hook.cnadvisor_check.get_hookimpls())

    def findings_for(
        self,
        solutions: Sequence[SolutionProfile],
        requirements: Any,
        *,
        audit: list[tuple[str, str]] | None = None,
    ) -> list[list[Finding]]:
        """What every ``cnadvisor_check`` says about each solution under one set of
        requirements: one list per solution, each finding validated and marked with the
        plugin that said it. This is the only place the hook is called.

        A third-party plugin is called for all the solutions in one guarded call (one
        deadline per file, not one thread hand-over per option). It works on its own
        copies: of the profiles, made once per run, and of the requirements, per file.
        With ``audit`` (``plugins check``), built-ins get copies too, and each plugin that
        changed what it was given is appended once as (plugin, what it changed).
        """
        found: list[list[Finding]] = [[] for _ in solutions]
        for impl in self.checkers():
            plugin = impl.plugin_name
            if plugin in self.disabled:
                continue
            if self.info(plugin).builtin:
                given = [_copy(s) for s in solutions] if audit is not None else list(solutions)
                given_requirements = _copy(requirements) if audit is not None else requirements
                answers = self._check_builtin(impl, given, given_requirements)
            else:
                given, given_requirements = self._private(plugin, solutions), _copy(requirements)
                answers = self._check_all(impl, given, given_requirements)
            if audit is not None and plugin not in {name for name, _ in audit}:
                change = _changed(solutions, requirements, given, given_requirements)
                if change:
                    audit.append((plugin, change))
            for index, items in enumerate(answers):
                if items:  # most options get no finding from most plugins
                    found[index].extend(self._marked(finding, plugin) for finding in items)
        return found

    def _marked(self, finding: Finding, plugin: str) -> Finding:
        """The finding marked with the plugin that said it: one shared (frozen) object per
        plugin and content, so what is kept per finding downstream (the excluded entry and
        its JSON) is found again when a later file gets the same finding."""
        key = (plugin, finding.severity, finding.requirement, finding.message,
               tuple(finding.references))  # fmt: skip
        marked = self._sourced.get(key)
        if marked is None:
            if len(self._sourced) >= SOURCED_KEPT:
                self._sourced.clear()  # a long batch must not grow memory
            marked = self._sourced[key] = finding.model_copy(update={"source": plugin})
        return marked

    def _check_builtin(
        self, impl: Any, solutions: Sequence[SolutionProfile], requirements: Any
    ) -> list[list[Finding] | None]:
        """A built-in check for every solution: called directly (it is cnadvisor's own
        code, and runs for every option of every file), its failures still reported."""
        answers: list[list[Finding] | None] = []
        rejected: list[str] = []
        function, takes_solution = impl.function, "solution" in impl.argnames
        arguments = _named(impl, None, requirements)
        for solution in solutions:
            try:
                if takes_solution:
                    arguments["solution"] = solution
                returned = function(**arguments)
                # most options get no finding: an empty list needs no walk
                empty = type(returned) is list and not returned
                answers.append([] if empty else _accept(returned, as_finding, rejected,
                                                        trusted=True))  # fmt: skip
            except Exception as error:  # a bug in a built-in must not stop the run either
                rejected.append(pluginguard.describe(error))
                answers.append(None)
        for message in rejected:
            self.report(impl.plugin_name, "cnadvisor_check", message)
        return answers

    def _check_all(
        self, impl: Any, solutions: list[SolutionProfile], requirements: Any
    ) -> list[list[Finding] | None]:
        """One guarded call running a third-party check for every solution, on copies."""
        plugin = impl.plugin_name
        problems: list[str] = []

        def run_all() -> list[list[Finding] | None]:
            answers: list[list[Finding] | None] = []
            for solution in solutions:
                try:
                    returned = impl.function(**_named(impl, solution, requirements))
                    answers.append(_accept(returned, as_finding, problems, trusted=False))
                except BaseException as error:  # in the worker: the plugin's own doing
                    problems.append(pluginguard.describe(error))
                    answers.append(None)
            return answers

        answers = self.call(plugin, "cnadvisor_check", run_all, materialise=False)
        for message in problems:
            self.report(plugin, "cnadvisor_check", message)
        return answers if answers is not None else [None] * len(solutions)

    def _private(self, plugin: str, solutions: Sequence[SolutionProfile]) -> list[SolutionProfile]:
        """This plugin's own deep copies of the profiles, made once per run: what it
        changes in them reaches neither the ranking nor any other plugin."""
        copies = self._copies.setdefault(plugin, {})
        private = []
        for solution in solutions:
            kept = copies.get(id(solution))
            if kept is None or kept[0] is not solution:
                kept = copies[id(solution)] = (solution, _copy(solution))
            private.append(kept[1])
        return private


def _changed(
    solutions: Sequence[SolutionProfile],
    requirements: Any,
    given: Sequence[SolutionProfile],
    given_requirements: Any,
) -> str | None:
    """What a check hook changed in the copies it was given, if anything."""
    for original, copy in zip(solutions, given, strict=True):
        if copy.model_dump() != original.model_dump():
            return f"changed the solution {original.id!r} it was given"
    if given_requirements.model_dump() != requirements.model_dump():
        return f"changed the requirements it was given ({requirements.name})"
    return None


def _named(impl: Any, solution: Any, requirements: Any) -> dict[str, Any]:
    """The arguments a check implementation names (it may take fewer than the spec)."""
    given = {"solution": solution, "requirements": requirements}
    return {name: given[name] for name in impl.argnames}


def _accept(
    returned: Any, validate: Callable[[int, Any], Any] | None, rejected: list[str], *, trusted: bool
) -> list[Any]:
    """A hook's result as a list of validated items; rejected items go to ``rejected``.

    Third-party results are first made plain data (see ``pluginguard.plain``), so no
    plugin code can run once this returns; built-ins' results are only listed."""
    items = pluginguard.listed(returned) if trusted else pluginguard.plain(returned)
    accepted = []
    for index, item in enumerate(items):
        try:
            accepted.append(item if validate is None else validate(index, item))
        except ItemError as error:
            rejected.append(str(error))
    return accepted


def _copy(value: Any) -> Any:
    """A deep copy for a third-party plugin: what it changes stays its own."""
    if isinstance(value, BaseModel):
        return value.model_copy(deep=True)
    import copy

    return copy.deepcopy(value)


def as_finding(index: int, item: Any) -> Finding:
    """One item of a check hook's result as a Finding, or ItemError."""
    if type(item) is Finding:  # only a built-in's result holds models; others are plain
        return item
    try:
        return Finding.model_validate(item)
    except ValidationError as error:
        raise ItemError(f"invalid finding (item {index}): {_errors(error)}") from None


def _errors(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc']) or '(item)'}: {problem['msg']}"
        for problem in error.errors()
    )


def new_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    return manager


def _selected(name: str) -> bool:
    wanted = os.environ.get(SELECT_ENV)
    if not wanted:
        return True
    return name in {part.strip() for part in wanted.split(",")}


def _entry_points() -> list[tuple[metadata.EntryPoint, bool]]:
    """The selected entry points, each with whether it is a built-in, built-ins first.

    Every distribution is read, not one per name (as ``entry_points()`` does), so a
    third-party distribution that calls itself cnadvisor cannot hide the real one.
    """
    folder = _builtin_location()
    declared: dict[tuple[str, str, str], tuple[metadata.EntryPoint, bool]] = {}
    for dist in metadata.distributions():
        ours = [ep for ep in dist.entry_points if ep.group == ENTRY_POINT_GROUP]
        if not ours:
            continue
        name = _dist_name(dist)
        own = name == hookspecs.PROJECT and _is_own_distribution(dist)
        for entry_point in ours:
            key = (name, entry_point.name, entry_point.value)
            builtin = own and _is_builtin_module(entry_point, folder)
            if key not in declared or (builtin and not declared[key][1]):
                declared[key] = (entry_point, builtin)  # one of a declaration found twice
    found = list(declared.values())
    if os.environ.get(DISABLE_AUTOLOAD_ENV):
        found = [(ep, builtin) for ep, builtin in found if builtin]
    # Built-ins first, then third parties in a fixed order: on an id clash the first
    # owner keeps the id, so a third-party plugin can never take over a built-in's.
    found.sort(key=lambda pair: (not pair[1], _dist_name(pair[0].dist) if pair[0].dist else "",
                                 pair[0].name))  # fmt: skip
    return [pair for pair in found if _selected(pair[0].name)]


def _own_tree() -> Path:
    """The folder cnadvisor itself was imported from, one level up: site-packages for an
    installed wheel, the checkout for an editable install. Built-ins live inside it."""
    return Path(__file__).resolve().parent.parent


def _is_own_distribution(dist: metadata.Distribution) -> bool:
    """Whether ``dist`` is the cnadvisor that is running: named cnadvisor, and either
    installed beside it (a wheel's dist-info in the same site-packages) or an editable
    install of this very checkout."""
    own = _own_tree()
    try:
        if Path(str(dist.locate_file(""))).resolve() == own:
            return True
        direct = json.loads(dist.read_text("direct_url.json") or "{}")
    except (OSError, ValueError):
        return False
    url = str(direct.get("url", ""))
    editable = bool(direct.get("dir_info", {}).get("editable"))
    return editable and url.startswith("file://") and Path(url[7:]).resolve() == own


def _builtin_location() -> Path | None:
    """Where ``cnadvisor_plugins`` would be imported from (found, not executed), if that
    is inside cnadvisor's own tree; None when something else would shadow it."""
    try:
        spec = importlib.util.find_spec(BUILTIN_PACKAGE)
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or []) if spec else []
    if len(locations) != 1:
        return None
    folder = Path(locations[0]).resolve()
    return folder if folder.is_relative_to(_own_tree()) else None


def _is_builtin_module(entry_point: metadata.EntryPoint, folder: Path | None) -> bool:
    """Whether the entry point names one of cnadvisor's own plugin modules
    (``cnadvisor_plugins.*``, a file in the folder cnadvisor's own tree provides).

    Together with :func:`_is_own_distribution` this defines a built-in: a distribution
    merely *named* cnadvisor, or a module of that name from elsewhere, is a third party.
    """
    module = entry_point.value.partition(":")[0].strip()
    if folder is None or not module.startswith(BUILTIN_PACKAGE + "."):
        return False
    relative = module.removeprefix(BUILTIN_PACKAGE + ".").replace(".", "/")
    return (folder / f"{relative}.py").is_file() or (folder / relative / "__init__.py").is_file()


@functools.lru_cache(maxsize=256)
def _dist_meta(dist: metadata.Distribution) -> tuple[str, str]:
    """Name and version as the distribution spells them, parsed once per distribution."""
    meta = dist.metadata
    return meta["Name"] or "unknown", meta["Version"] or ""


def _dist_name(dist: metadata.Distribution) -> str:
    """The normalised distribution name, from the folder name when possible (parsing
    every METADATA file costs tens of milliseconds at start-up)."""
    name = getattr(dist, "_normalized_name", None) or dist.metadata["Name"] or ""
    return name.lower().replace("_", "-").replace(".", "-")


def load_plugins(
    *,
    entry_points: bool = True,
    extra: Iterable[tuple[str, object]] = (),
    strict: bool = False,
    builtins_only: bool = False,
    skip: Iterable[tuple[str, str]] = (),
) -> PluginSet:
    """Load plugins from the entry-point group (and ``extra`` (name, module) pairs, for
    tests and notebooks), then collect and validate their solutions. ``skip`` names
    third-party (plugin, distribution) pairs not to load."""
    plugin_set = PluginSet(new_manager())
    skipped = set(skip)
    if entry_points:
        for entry_point, builtin in _entry_points():
            dist = _dist_meta(entry_point.dist)[0] if entry_point.dist else "unknown"
            if not builtin and (builtins_only or (entry_point.name, dist) in skipped):
                continue
            _load_entry_point(plugin_set, entry_point, builtin)
    for name, module in extra:
        plugin_set.plugins.setdefault(
            name, PluginInfo(name, "local", "", getattr(module, "__name__", name), False)
        )
        _register(plugin_set, name, module)
    _collect_stages(plugin_set)  # first: profiles may name the stages plugins add
    _collect_solutions(plugin_set)
    if strict and plugin_set.problems:
        raise PluginLoadError(plugin_set.problems)
    return plugin_set


def _load_entry_point(
    plugin_set: PluginSet, entry_point: metadata.EntryPoint, builtin: bool
) -> None:
    dist = entry_point.dist
    info = PluginInfo(
        name=entry_point.name,
        distribution=_dist_meta(dist)[0] if dist else "unknown",
        version=_dist_meta(dist)[1] if dist else "",
        module=entry_point.value,
        builtin=builtin,
    )
    taken = plugin_set.plugins.get(info.name)
    if taken is not None:  # never let a later plugin take over an earlier one's identity
        owner = "a built-in plugin" if taken.builtin else f"plugin from {taken.distribution}"
        plugin_set.problems.append(
            PluginProblem(
                info.name,
                info.distribution,
                "register",
                f"{owner} is already named {info.name!r}; this one is not loaded "
                "(rename its entry point in the [project.entry-points.cnadvisor] table)",
            )
        )
        return
    plugin_set.plugins[info.name] = info
    if info.builtin:
        try:
            module = entry_point.load()
        except Exception as error:
            plugin_set.report(info.name, "import", f"{type(error).__name__}: {error}")
            return
        _register(plugin_set, info.name, module)
        return
    loaded = plugin_set.call(info.name, "import", entry_point.load, materialise=False)
    if loaded is not None:
        plugin_set.call(
            info.name,
            "register",
            lambda: _register(plugin_set, info.name, loaded),
            materialise=False,
        )


def _register(plugin_set: PluginSet, name: str, module: object) -> None:
    manager = plugin_set.manager
    if manager.has_plugin(name):
        plugin_set.report(name, "register", "a plugin of this name is already loaded")
        return
    if manager.is_registered(module):
        plugin_set.report(
            name, "register", "its module is already loaded as another plugin; left out"
        )
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


def _collect_stages(plugin_set: PluginSet) -> None:
    """Every plugin's ``cnadvisor_stages``, validated; a stage whose name is built in,
    reserved, or taken by an earlier plugin is reported and left out. The result becomes
    the registered stage vocabulary (:func:`cnadvisor.stages.set_registered`)."""
    for plugin, declared in plugin_set.call_each("cnadvisor_stages", validate=_stage_item):
        for item in declared:
            registered = RegisteredStage(item.stage, plugin, item.priors)
            name = registered.stage.name
            owner = plugin_set.stages.get(name)
            if name in stages.STAGES or name in stages.RESERVED_NAMES or owner is not None:
                taken = (
                    f"registered by plugin {owner.plugin!r}" if owner is not None
                    else "built in" if name in stages.STAGES
                    else "reserved for a term of the performance model"
                )  # fmt: skip
                plugin_set.report(
                    plugin,
                    "cnadvisor_stages",
                    f"stage {name!r} is already {taken}; this one is left out "
                    "(a plugin cannot redefine a stage: give yours its own name)",
                )
                continue
            plugin_set.stages[name] = registered
    stages.set_registered(plugin_set.stages)


def _stage_item(index: int, item: Any) -> RegisteredStage:
    """One item of a ``cnadvisor_stages`` result, checked (the plugin is set later)."""
    try:
        return stages.parse_declaration(item, "", index)
    except StageError as error:
        raise ItemError(str(error)) from None


def _collect_solutions(plugin_set: PluginSet) -> None:
    for plugin, profiles in plugin_set.call_each("cnadvisor_solutions", validate=_profile):
        for profile in profiles:
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


def _profile(index: int, item: Any) -> SolutionProfile:
    if type(item) is SolutionProfile:  # only a built-in's result holds models
        return item
    if not isinstance(item, dict):
        raise ItemError(
            f"item {index} is {type(item).__name__}; expected a SolutionProfile or a dict"
        )
    try:
        return SolutionProfile.model_validate(item)
    except ValidationError as error:
        label = item.get("id", f"item {index}")
        raise ItemError(f"profile {label!r} invalid: {_errors(error)}") from None
