"""The advisor: candidates → hard constraints → estimates → criteria → ranking → robustness.

This module knows no solution by name. What it knows about any option comes
from the profiles and checks that plugins registered.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from . import combinations, constraints, scoring
from .findings import Finding, Severity
from .memo import IdentityMemo
from .performance import AnalyticalModel, PerformanceModel, Prediction, WorkloadPoint
from .plugins import PluginSet, RegisteredSolution, load_plugins
from .profile import SolutionProfile
from .requirements import Requirements
from .robustness import SAMPLES, SPREAD, first_place_shares

SCHEMA_VERSION = 1
MEMOS_KEPT = 64  # option lists whose rule findings are remembered (pairs vary by file)
EXCLUDED_KEPT = 8192  # excluded entries remembered; a long batch must not grow memory


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class RankedOption(_Out):
    rank: int
    id: str
    name: str
    family: str
    plugin: str
    score: float  # 0..100
    first_share: float  # share of perturbed weightings under which this option ranks first
    criteria: dict[str, scoring.CriterionScore]
    predictions: list[Prediction]
    effective_mtu: int | None
    reasons: list[str]  # the factors that cost the most points, worst first
    findings: list[Finding]


class ExcludedOption(_Out):
    id: str
    name: str
    plugin: str
    reasons: list[Finding]


class ModelInfo(_Out):
    name: str
    description: str


class Robustness(_Out):
    samples: int
    spread: float
    top_stays_first: float | None


class Evaluation(_Out):
    """The whole answer for one requirements file; its JSON shape is versioned."""

    schema_version: int = SCHEMA_VERSION
    source: str
    system: str
    model: ModelInfo
    weights: dict[str, float]
    scenario: str = "inter-host"  # where most of the traffic goes; estimates shown for it
    ranked: list[RankedOption]
    excluded: list[ExcludedOption]
    robustness: Robustness


class Advisor:
    """Ranks the registered options against requirements. The CLI, TUI and API share it."""

    def __init__(
        self,
        solutions: Iterable[RegisteredSolution | SolutionProfile],
        *,
        model: PerformanceModel | None = None,
        plugins: PluginSet | None = None,
    ):
        self.solutions = [
            item if isinstance(item, RegisteredSolution) else RegisteredSolution(item, "api")
            for item in solutions
        ]
        self.model: PerformanceModel = model or AnalyticalModel()
        self.plugins = plugins
        self._pairs: dict[tuple[str, str], RegisteredSolution] = {}
        # Rule findings per option list; the memo holds its profiles, so an id is not reused.
        self._memos: dict[tuple[int, ...], constraints.RuleMemo] = {}
        self._criteria = scoring.CriteriaMemo()
        # Excluded entries per option and reasons (by identity: rule findings are shared)
        self._excluded: IdentityMemo[ExcludedOption] = IdentityMemo()

    @classmethod
    def from_plugins(
        cls,
        *,
        strict: bool = False,
        model: PerformanceModel | None = None,
        notice: Callable[[Path], None] | None = None,
        **kwargs: Any,
    ) -> Advisor:
        """``notice(cache_path)`` is called before the model must be trained (a CLI tells a
        user at a terminal why the first run waits)."""
        plugin_set = load_plugins(strict=strict, **kwargs)
        if model is None:
            model = default_model(plugin_set, notice=notice)
        return cls(plugin_set.solutions.values(), model=model, plugins=plugin_set)

    def solution(self, solution_id: str) -> RegisteredSolution:
        for item in [*self.solutions, *self._pairs.values()]:
            if item.profile.id == solution_id:
                return item
        raise KeyError(solution_id)

    def predict(
        self,
        solution: SolutionProfile,
        requirements: Requirements,
        points: tuple[WorkloadPoint, ...] | None = None,
    ) -> list[Prediction]:
        """The model's estimates for each scenario this system's traffic uses."""
        return [
            self.model.predict(solution, point)
            for point in points or workload_points(requirements)
            if point.scenario == "intra-host" or solution.inter_host
        ]

    def _predict_all(
        self, profiles: Sequence[SolutionProfile], points: tuple[WorkloadPoint, ...]
    ) -> list[list[Prediction]]:
        """What `predict` gives for each profile, in one vectorised pass per point when the
        model has one (the ranking's hot path: no second lookup per option)."""
        batch = getattr(self.model, "predict_many", None) or (
            lambda some, point: [self.model.predict(profile, point) for profile in some]
        )
        result: list[list[Prediction]] = [[] for _ in profiles]
        for point in points:
            reach = [
                i for i, p in enumerate(profiles) if point.scenario == "intra-host" or p.inter_host
            ]
            for i, prediction in zip(
                reach, batch([profiles[i] for i in reach], point), strict=True
            ):
                result[i].append(prediction)
        return result

    def sweep(
        self,
        solution_ids: Sequence[str],
        requirements: Requirements,
        sizes: Sequence[int],
        *,
        scenario: str | None = None,
    ) -> dict[str, list[Prediction]]:
        """Each option's predictions across message sizes, all else as this system has it:
        the one way charts and what-if views predict. An option that cannot reach another
        host gets no inter-host predictions (an empty list)."""
        scenario = scenario or main_scenario(requirements)
        base = WorkloadPoint.from_requirements(requirements, scenario)
        reachable = [
            solution_id
            for solution_id in solution_ids
            if scenario != "inter-host" or self.solution(solution_id).profile.inter_host
        ]
        predicted = self.predict_sizes(reachable, base, sizes)
        return {solution_id: predicted.get(solution_id, []) for solution_id in solution_ids}

    def predict_sizes(
        self, solution_ids: Sequence[str], base: WorkloadPoint, sizes: Sequence[int]
    ) -> dict[str, list[Prediction]]:
        """Each option's predictions at ``base`` for each message size: what `sweep` and
        `cnadvisor predict` (a workload given on the command line) both use."""
        return {
            solution_id: [
                self.model.predict(self.solution(solution_id).profile,
                                   replace(base, message_size=size))
                for size in sizes
            ]
            for solution_id in solution_ids
        }  # fmt: skip

    def _plugin_findings(
        self, requirements: Requirements, solutions: Sequence[RegisteredSolution]
    ) -> list[list[Finding]]:
        """What the plugins' checks say about each option, in order (guarded, validated,
        on copies; each third-party plugin called once per file)."""
        if self.plugins is None:
            return [[] for _ in solutions]
        return self.plugins.findings_for([item.profile for item in solutions], requirements)

    def _rule_memo(self, solutions: Sequence[RegisteredSolution]) -> constraints.RuleMemo:
        """The rule memo for this list of options (the registered ones, or one file's
        pairs), kept for the next file with the same list."""
        key = tuple(id(item.profile) for item in solutions)
        memo = self._memos.get(key)
        if memo is None:
            if len(self._memos) >= MEMOS_KEPT:
                self._memos.clear()
            memo = self._memos[key] = constraints.RuleMemo([item.profile for item in solutions])
        return memo

    def _combinations(self, requirements: Requirements) -> list[RegisteredSolution]:
        """Primary + secondary pairs when the data plane has its own interface: the best
        control-plane options (ranked without the data plane's demands) with each
        secondary network. Pairs are built once per advisor and reused."""
        if not requirements.workload.separate_data_plane:
            return []
        secondaries = [i for i in self.solutions if combinations.can_be_secondary(i.profile)]
        if not secondaries:
            return []
        control = self._score(combinations.control_plane(requirements), self.solutions)[0]
        control.sort(key=lambda entry: (-entry[0], entry[1].profile.id))
        primaries = [
            entry[1] for entry in control if combinations.can_be_primary(entry[1].profile)
        ][: combinations.PRIMARIES_TRIED]
        pairs = []
        for primary in primaries:
            for secondary in secondaries:
                if primary.profile.id == secondary.profile.id or not combinations.can_pair(
                    primary.profile, secondary.profile
                ):
                    continue
                key = (primary.profile.id, secondary.profile.id)
                if key not in self._pairs:
                    self._pairs[key] = RegisteredSolution(
                        combinations.combine(primary.profile, secondary.profile),
                        f"{primary.plugin}+{secondary.plugin}",
                    )
                pairs.append(self._pairs[key])
        return pairs

    def _score(
        self, requirements: Requirements, solutions: Sequence[RegisteredSolution]
    ) -> tuple[list, list[ExcludedOption]]:
        """Each option's findings, exclusions and criteria scores under these weights."""
        weights_raw = requirements.priorities.as_dict()
        total_weight = sum(weights_raw.values())
        weights = {name: value / total_weight for name, value in weights_raw.items()}
        scored: list[tuple[float, RegisteredSolution, dict, list[Prediction], list[Finding]]] = []
        excluded: list[ExcludedOption] = []
        points = workload_points(requirements)
        plugin_said = self._plugin_findings(requirements, solutions)
        # Rules that need no prediction go first: an option they (or a plugin) exclude is
        # never predicted, which is most options in most systems.
        staged = self._rule_memo(solutions).checks(requirements)
        open_indices = []
        for index, (item, check, said) in enumerate(zip(solutions, staged, plugin_said,
                                                        strict=True)):  # fmt: skip
            blockers = check.blockers + [f for f in said if f.severity is Severity.EXCLUDE]
            if blockers:
                excluded.append(self._excluded_entry(item, blockers))
            else:
                open_indices.append(index)
        predicted = self._predict_all([solutions[i].profile for i in open_indices], points)
        for index, predictions in zip(open_indices, predicted, strict=True):
            item, said = solutions[index], plugin_said[index]
            profile = item.profile
            inter = next((p for p in predictions if p.scenario == "inter-host"), None)
            findings = staged[index].finish(inter) + said
            blockers = [f for f in findings if f.severity is Severity.EXCLUDE]
            if blockers:
                excluded.append(self._excluded_entry(item, blockers))
                continue
            intra = next((p for p in predictions if p.scenario == "intra-host"), None)
            criteria = scoring.score(profile, requirements, inter, intra, self._criteria)
            total = sum(weights[name] * criteria[name].score for name in weights)
            scored.append((total, item, criteria, predictions, findings))
        return scored, excluded

    def _excluded_entry(self, item: RegisteredSolution, blockers: list[Finding]) -> ExcludedOption:
        """The excluded entry for this option and these reasons; the same frozen entry
        again when a later file excludes it for the very same reasons (most do)."""
        return self._excluded.get(
            (item, *blockers), lambda: _excluded(item, blockers), EXCLUDED_KEPT
        )

    def evaluate(self, requirements: Requirements, *, source: str = "<api>") -> Evaluation:
        weights_raw = requirements.priorities.as_dict()
        total_weight = sum(weights_raw.values())
        weights = {name: value / total_weight for name, value in weights_raw.items()}
        scored, excluded = self._score(requirements, self.solutions)
        pairs = self._combinations(requirements)
        if pairs:  # ranked like any option; a pair that cannot work is simply not offered
            scored += self._score(requirements, pairs)[0]
        scored.sort(key=lambda entry: (-entry[0], entry[1].profile.id))
        shares = first_place_shares(
            [{name: c.score for name, c in entry[2].items()} for entry in scored], weights
        )
        ranked = [
            RankedOption(
                rank=rank,
                id=item.profile.id,
                name=item.profile.name,
                family=item.profile.family.value,
                plugin=item.plugin,
                score=round(total * 100, 2),
                first_share=share,
                criteria=criteria,
                predictions=predictions,
                effective_mtu=next(
                    (p.effective_mtu for p in predictions if p.effective_mtu is not None), None
                ),
                reasons=_costliest(criteria, weights),
                findings=findings,
            )
            for rank, ((total, item, criteria, predictions, findings), share) in enumerate(
                zip(scored, shares, strict=True), start=1
            )
        ]
        return Evaluation(
            source=source,
            system=requirements.name,
            model=ModelInfo(name=self.model.name, description=self.model.description),
            weights=weights,
            scenario=main_scenario(requirements),
            ranked=ranked,
            excluded=sorted(excluded, key=lambda option: option.id),
            robustness=Robustness(
                samples=SAMPLES,
                spread=SPREAD,
                top_stays_first=shares[0] if shares else None,
            ),
        )


def default_model(
    plugin_set: PluginSet, *, notice: Callable[[Path], None] | None = None
) -> PerformanceModel:
    """The trained model (cached; trained on first use) on the shipped data plus what plugins
    contribute; the analytical one when training is impossible, with the reason."""
    try:
        from .model.trained import cache_key, load_or_train, training_data

        profiles = {k: v.profile for k, v in plugin_set.solutions.items()}
        rows, fingerprint = training_data(plugin_set)
        if notice is not None:
            from .model import cache

            target = cache.path_for(cache_key(fingerprint, profiles))
            if not os.path.lexists(target):
                notice(target)
        from .importers.measured import calibrated  # the user's cluster measurements

        return calibrated(load_or_train(profiles, rows, fingerprint))
    except Exception as error:  # no scikit-learn, unreadable data: rank on physics alone
        import warnings

        warnings.warn(
            f"trained model unavailable ({error}); using the analytical model", stacklevel=2
        )
        return AnalyticalModel()


def main_scenario(requirements: Requirements) -> str:
    """The scenario most of this system's traffic uses (inter-host on a tie)."""
    traffic = requirements.workload.traffic
    return "intra-host" if traffic.intra_host > traffic.leaves_host else "inter-host"


def workload_points(requirements: Requirements) -> tuple[WorkloadPoint, ...]:
    """The workload points this system's traffic uses, one per scenario."""
    traffic = requirements.workload.traffic
    scenarios = ["intra-host"] if traffic.intra_host > 0 else []
    if traffic.leaves_host > 0:
        scenarios.append("inter-host")
    return tuple(WorkloadPoint.from_requirements(requirements, s) for s in scenarios)


def _excluded(item: RegisteredSolution, blockers: list[Finding]) -> ExcludedOption:
    profile = item.profile
    return ExcludedOption(id=profile.id, name=profile.name, plugin=item.plugin, reasons=blockers)


def _costliest(
    criteria: dict[str, scoring.CriterionScore], weights: dict[str, float], limit: int = 3
) -> list[str]:
    """The factors that cost this option the most points, as readable lines."""
    losses = []
    for name, criterion in criteria.items():
        weight = weights[name]
        factor_weight, costing = (
            _LOSERS.of(criterion, _losers, LOSERS_KEPT)
            if name in scoring.SHARED_CRITERIA
            else _losers(criterion)
        )
        for factor, missing in costing:
            lost = weight * factor.weight / factor_weight * missing * 100
            if lost >= 0.5:
                losses.append((lost, name, factor))
    losses.sort(key=lambda entry: -entry[0])  # stable: equal losses keep the criteria order
    return [
        f"{name}: {factor.name} ({factor.detail}) −{lost:.1f}"
        for lost, name, factor in losses[:limit]
    ]


LOSERS_KEPT = 8192  # as many as the ranking keeps criterion scores
_LOSERS: IdentityMemo[tuple[float, list[tuple[scoring.Factor, float]]]] = IdentityMemo()


def _losers(criterion: scoring.CriterionScore) -> tuple[float, list[tuple[scoring.Factor, float]]]:
    """A criterion's factor weight and the factors below full score (a factor at full
    score costs nothing), each with its missing share: once per score object for the
    criteria the ranking hands out again (`scoring.SHARED_CRITERIA`)."""
    factors = criterion.factors
    return sum(f.weight for f in factors), [(f, 1 - f.score) for f in factors if f.score < 1.0]
