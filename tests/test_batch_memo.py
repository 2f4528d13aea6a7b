"""The batch path's memos: what one file's evaluation remembers must never change another's.

Each memo is checked two ways: what it keys on is traced against what the code it stands
for reads, and a batch evaluated with warm memos must equal each file evaluated alone.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from cnadvisor import constraints
from cnadvisor.advisor import Advisor
from cnadvisor.requirements import Requirements
from pydantic import BaseModel


class _Reads:
    """An object seen through a proxy that records each plain value read, by dotted path
    (a model read on the way is not a value: its fields are)."""

    def __init__(self, target: Any, log: set[str], path: str = "") -> None:
        self._target, self._log, self._path = target, log, path

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        path = f"{self._path}.{name}" if self._path else name
        if isinstance(value, BaseModel):
            return _Reads(value, self._log, path)
        self._log.add(path)
        return value


def _maybe(rng: random.Random, value: Any) -> Any:
    return rng.choice([None, value, {"value": value, "need": "preferred"}])


def varied_requirements(count: int, seed: int = 7) -> list[Requirements]:
    """Systems that vary every key the rules and criteria read, boundaries included
    (no traffic, all on one host, cross-datacentre, MAC limits at the edge)."""
    rng = random.Random(seed)
    systems = []
    for index in range(count):
        intra = rng.choice([0.0, 0.0, 0.3, 1.0, round(rng.random(), 2)])
        cross = rng.choice([0.0, 0.0, round((1 - intra) / 2, 2)])
        inter = rng.choice([0.0, round(1 - intra - cross, 2)])
        limit = rng.choice([None, None, 2, 11, 50])
        data: dict[str, Any] = {
            "name": f"varied {index}",
            "workload": {
                "traffic": {"intra_host": intra, "inter_host": inter, "cross_datacenter": cross},
                "protocol": rng.choice(["tcp", "udp"]),
                "message_size": rng.choice([64, 1400, 9000]),
                "packet_io": _maybe(rng, rng.choice([True, False])),
                "discovery": _maybe(rng, rng.choice([True, False])),
                "same_port": rng.choice([True, False]),
                "separate_data_plane": rng.random() < 0.15,
            },
            "environment": {
                "orchestrator": rng.choice(["docker", "kubernetes", "standalone"]),
                "virtualization": rng.choice(["bare-metal", "vm"]),
                "platform": rng.choice(["on-premises", "aws", "azure", "gcp", "eks", "gke"]),
                "containers_per_host": rng.choice([1, 10, 49, 50, 200]),
                "windows_nodes": rng.random() < 0.2,
                "ip_family": rng.choice(["ipv4", "ipv6", "dual-stack"]),
                "underlay": {
                    "mtu": rng.choice([1280, 1500, 9000]),
                    "l2_adjacent": rng.choice([True, False, None]),
                    "bgp_peering": rng.choice([True, False, None]),
                    "promiscuous_allowed": rng.choice([True, False, None]),
                    "mac_limit_per_port": limit,
                },
            },
            "security": {
                "isolation": _maybe(rng, rng.choice(["shared-namespace", "namespace"])),
                "network_policy": _maybe(rng, rng.choice(["none", "l3-l4", "l7"])),
                "encryption": _maybe(rng, rng.choice([True, False])),
                "multi_tenant": _maybe(rng, rng.choice([True, False])),
            },
            "mobility": {
                key: _maybe(rng, rng.choice([True, False]))
                for key in ("ip_kept_on_move", "routable_ips", "external_access")
            },
            "priorities": {"performance": rng.randint(1, 5), "security": rng.randint(0, 5)},
        }
        if rng.random() < 0.3:
            need = rng.choice(["required", "preferred"])
            data["workload"]["throughput"] = {"value": rng.choice([1, 9.5, 40]), "need": need}
        if rng.random() < 0.3:
            data["workload"]["latency_budget_us"] = _maybe(rng, rng.choice([1, 30, 500])) or 30
        systems.append(Requirements.model_validate(data))
    return systems


def test_the_varied_systems_reach_every_kind_of_finding(plugin_set):
    """The systems below exercise the rules: each rule excludes some option in some system
    (else the comparisons below would prove little)."""
    profiles = [item.profile for item in plugin_set.solutions.values()]
    excluding = set()
    for requirements in varied_requirements(120):
        for profile in profiles:
            for rule in constraints.RULE_KEYS:
                if any(f.severity == "exclude" for f in rule(profile, requirements, None)):
                    excluding.add(rule.__name__)
    kept_by_all = {"role", "host_reach", "maintenance", "windows", "mac_limit"} - excluding
    assert excluding >= {r.__name__ for r in constraints.RULE_KEYS} - kept_by_all - {
        "role", "host_reach", "maintenance"}  # fmt: skip
    assert {"traffic", "underlay", "mac_limit", "encryption", "mobility", "cloud"} <= excluding


def test_every_memoised_rule_reads_only_what_its_key_reads(plugin_set):
    """A rule whose findings are reused across files must depend on nothing its key leaves
    out: every requirement value the rule reads, the key reads too (traced, per call)."""
    assert set(constraints.RULE_KEYS) == set(constraints.RULES) - constraints.PREDICTION_RULES
    _assert_each_reads_only_its_key(
        plugin_set, constraints.RULE_KEYS, lambda rule, profile, r: list(rule(profile, r, None))
    )


def _assert_each_reads_only_its_key(plugin_set, keys: dict, call) -> None:
    """For 60 varied systems and every option: each requirement value ``call(function,
    profile, requirements)`` reads, the function's key reads too (both traced)."""
    profiles = [item.profile for item in plugin_set.solutions.values()]
    for requirements in varied_requirements(60):
        for function, key in keys.items():
            keyed: set[str] = set()
            key(_Reads(requirements, keyed))
            for profile in profiles:
                read: set[str] = set()
                call(function, profile, _Reads(requirements, read))
                assert read <= keyed, f"{function.__name__} reads {read - keyed} outside its key"


def test_remembered_rule_findings_equal_the_rules_run_afresh(plugin_set):
    """One memo across many systems gives each option exactly what the rules give it alone."""
    profiles = [item.profile for item in plugin_set.solutions.values()]
    memo = constraints.RuleMemo(profiles)
    for requirements in varied_requirements(150):
        for profile, staged in zip(profiles, memo.checks(requirements), strict=True):
            assert staged.solution is profile
            assert staged.finish(None) == constraints.check(profile, requirements, None)
            fresh = constraints.StagedCheck(profile, requirements)
            assert staged.blockers == fresh.blockers


@pytest.mark.parametrize("model", ["analytical", "trained"])
def test_a_batch_with_warm_memos_equals_each_file_alone(model, advisor, trained_advisor):
    """What the ranking remembers from earlier files never leaks into a later one: a batch
    through one advisor serialises as each file through a fresh advisor, byte for byte
    with the analytical model. The trained model's figures are compared to 12 digits: its
    vectorised pass may round the last bit differently for another set of options."""
    warm = advisor if model == "analytical" else trained_advisor
    systems = varied_requirements(40, seed=11)
    batch = [warm.evaluate(r, source=r.name).model_dump_json() for r in systems]
    for requirements, output in zip(systems, batch, strict=True):
        alone = Advisor(warm.solutions, plugins=warm.plugins,
                        model=type(warm.model)(**_fields(warm.model)))  # fmt: skip
        fresh = alone.evaluate(requirements, source=requirements.name).model_dump_json()
        if model == "analytical":
            assert fresh == output
        else:
            assert _rounded(fresh) == _rounded(output)


def _rounded(document: str) -> Any:
    return json.loads(document, parse_float=lambda text: float(f"{float(text):.12g}"))


def _fields(model: Any) -> dict[str, Any]:
    """A model's constructor arguments without its prediction cache: a fresh copy."""
    import dataclasses

    return {f.name: getattr(model, f.name) for f in dataclasses.fields(model)
            if not f.name.startswith("_")}  # fmt: skip


def test_two_files_differing_only_in_message_size_get_their_own_predictions(trained_advisor):
    """The same system at 64 and at 9000 bytes: each gets the predictions of its own size,
    in whichever order the batch meets them."""
    small = varied_requirements(1, seed=3)[0]
    large = small.model_copy(update={"workload": small.workload.model_copy(
        update={"message_size": 9000})})  # fmt: skip
    small = small.model_copy(update={"workload": small.workload.model_copy(
        update={"message_size": 64})})  # fmt: skip
    first = [trained_advisor.evaluate(r) for r in (small, large, small)]
    gbps = [{o.id: [p.throughput_gbps.value for p in o.predictions] for o in e.ranked}
            for e in first]  # fmt: skip
    assert gbps[0] == gbps[2]
    assert gbps[0] != gbps[1]
    for evaluation, size in zip(first, (64, 9000, 64), strict=True):
        for option in evaluation.ranked:
            assert all(f"{size}-byte" in " ".join(p.basis) for p in option.predictions)


def test_every_memoised_criterion_reads_only_what_its_key_reads(plugin_set):
    """A criterion score reused across files depends on nothing its key leaves out."""
    from cnadvisor import scoring

    assert set(scoring.CRITERION_KEYS) == {scoring.security, scoring.mobility}
    memoised = {criterion.__name__ for criterion in scoring.CRITERION_KEYS}
    assert memoised | {"operability"} == scoring.SHARED_CRITERIA
    _assert_each_reads_only_its_key(
        plugin_set, scoring.CRITERION_KEYS, lambda criterion, profile, r: criterion(profile, r)
    )


def _inter_host(advisor: Advisor, profile: Any, requirements: Requirements) -> Any:
    """The option's cross-host prediction for this system, or None."""
    found = advisor.predict(profile, requirements)
    return next((p for p in found if p.scenario == "inter-host"), None)


def test_operability_reads_only_what_its_key_reads(trained_advisor):
    """Operability is kept per option and `operability_key`, which reads the requirements
    and the cross-host prediction: every value operability reads of either, the key reads
    too (traced; the prediction's reads under ``inter``)."""
    from cnadvisor import scoring

    profiles = [item.profile for item in trained_advisor.solutions]
    mtus_read = 0
    for requirements in varied_requirements(40, seed=13):
        for profile in profiles:
            inter = _inter_host(trained_advisor, profile, requirements)
            keyed: set[str] = set()
            wrapped = None if inter is None else _Reads(inter, keyed, "inter")
            scoring.operability_key(_Reads(requirements, keyed), wrapped)
            read: set[str] = set()
            wrapped = None if inter is None else _Reads(inter, read, "inter")
            scoring.operability(profile, _Reads(requirements, read), wrapped)
            assert read <= keyed, f"operability reads {read - keyed} outside its key"
            mtus_read += "inter.effective_mtu" in read
    assert mtus_read > 100  # the prediction's reads were traced, not skipped


def test_remembered_criteria_equal_the_criteria_worked_out_afresh(trained_advisor):
    from cnadvisor import scoring

    profiles = [item.profile for item in trained_advisor.solutions]
    memo = scoring.CriteriaMemo()
    for requirements in varied_requirements(150, seed=5):
        for profile in profiles:
            inter = _inter_host(trained_advisor, profile, requirements)
            remembered = scoring.score(profile, requirements, inter, None, memo)
            assert remembered == scoring.score(profile, requirements, inter, None)


def test_the_shared_criteria_are_the_ones_handed_out_again(trained_advisor):
    """Renderers keep what they work out from a score per object for `SHARED_CRITERIA`
    only: those, and no other, come back as the same object for the same key."""
    from cnadvisor import scoring

    profiles = [item.profile for item in trained_advisor.solutions]
    memo = scoring.CriteriaMemo()  # 20 systems stay below its limit: nothing is dropped
    for requirements in varied_requirements(20, seed=19):
        for profile in profiles:
            inter = _inter_host(trained_advisor, profile, requirements)
            first = scoring.score(profile, requirements, inter, None, memo)
            again = scoring.score(profile, requirements, inter, None, memo)
            assert {name for name in again if again[name] is first[name]} == (
                scoring.SHARED_CRITERIA
            )


@pytest.mark.parametrize("model", ["analytical", "trained"])
@pytest.mark.parametrize("limit", [4096, 7])
def test_json_assembled_from_remembered_parts_is_what_pydantic_writes(
    model, limit, advisor, trained_advisor, monkeypatch
):
    """The JSON renderer reuses the bytes of each distinct excluded entry and prediction:
    every result must still be the evaluation's own serialisation, byte for byte, also
    when the memos are cleared on the way, and when strings hold the keys the parts are
    put back before, or a top-N cut leaves a ranked list short or empty."""
    from cnadvisor.render import json_out, renderer
    from cnadvisor.render.common import Batch

    monkeypatch.setattr(json_out, "EXCLUDED_MEMO_LIMIT", limit)
    monkeypatch.setattr(json_out, "PREDICTION_MEMO_LIMIT", limit)
    warm = advisor if model == "analytical" else trained_advisor
    systems = varied_requirements(60, seed=13)
    tricky = ',"robustness":{} ,"effective_mtu":1 "excluded":[] "ranked":[]'
    systems[5] = systems[5].model_copy(update={"name": tricky})
    render, cut = renderer(Batch(), "json", warm), renderer(Batch(top=1), "json", warm)
    reused = 0
    for requirements in systems:
        evaluation = warm.evaluate(requirements, source=tricky)
        remembered = len(render._excluded_json)
        written = render.add_encoded(evaluation, requirements).removeprefix(b", ")
        assert written == evaluation.model_dump_json().encode("utf-8")
        assert json.loads(written)["system"] == requirements.name
        shorter = evaluation.model_copy(update={"ranked": evaluation.ranked[:1]})
        assert cut.add_encoded(evaluation).removeprefix(b", ") == shorter.model_dump_json(
        ).encode("utf-8")  # fmt: skip
        reused += remembered > 0 and len(render._excluded_json) < remembered + len(
            evaluation.excluded
        )
    none_ranked = evaluation.model_copy(update={"ranked": []})
    assert render.add_encoded(none_ranked).removeprefix(b", ") == (
        none_ranked.model_dump_json().encode("utf-8")
    )
    assert reused > 40  # the memo was used, not bypassed
    assert len(render._excluded_json) <= limit and len(render._prediction_json) <= limit
    assert len(render._excluded_by_object) <= limit


def test_a_remembered_estimate_text_is_the_estimates_own(monkeypatch):
    """Texts are remembered per estimate object: each estimate, asked again, after the memo
    is cleared, or at other digits, gets the text of its own figures."""
    from cnadvisor import performance
    from cnadvisor.performance import Estimate

    monkeypatch.setattr(performance, "TEXT_MEMO_LIMIT", 5)
    rng = random.Random(3)
    estimates = []
    for _ in range(40):
        value = rng.uniform(0, 10)
        estimates.append(Estimate(value=value, low=value / 2, high=value * 2, unit="Gbps"))
    estimates += [Estimate.upper_bound(3.14159, "ratio"), Estimate.unknown("us")]
    for _ in range(3):
        for estimate in estimates:
            for digits in (1, 2, 3):
                expected = estimate._text(digits)
                assert estimate.text(digits) == expected
                if estimate.value is not None:
                    assert f"{estimate.value:.{digits}f}" in expected
    assert len(performance._TEXTS) <= 5


@pytest.mark.parametrize("kept", [8192, 9])
def test_remembered_excluded_entries_are_each_files_own(advisor, monkeypatch, kept):
    """The advisor hands out the same excluded entry when a later file excludes an option
    for the very same reasons: each file must still get its own reasons, also when the
    memo is cleared on the way."""
    from cnadvisor import advisor as advisor_module

    monkeypatch.setattr(advisor_module, "EXCLUDED_KEPT", kept)
    warm = Advisor(advisor.solutions, plugins=advisor.plugins, model=advisor.model)
    evaluations = []  # all kept alive: an object's id is then its own
    for requirements in varied_requirements(40, seed=17):
        evaluations.append(warm.evaluate(requirements))
        fresh = Advisor(advisor.solutions, plugins=advisor.plugins,
                        model=advisor.model).evaluate(requirements)  # fmt: skip
        assert evaluations[-1].excluded == fresh.excluded
    objects = [id(option) for e in evaluations for option in e.excluded]
    if kept > 9:
        assert len(set(objects)) < len(objects) / 2  # most entries came back as they were
    assert len(warm._excluded) <= kept


def test_an_identity_memo_keeps_values_per_object_not_per_equal_value():
    """Equal but distinct objects get their own values, the extra key separates entries
    for one object, and at the limit every entry is dropped."""
    from cnadvisor.memo import IdentityMemo

    memo: IdentityMemo[int] = IdentityMemo()
    first, second = [1, 2], [1, 2]  # equal, not the same object
    made: list[str] = []

    def make(label: str) -> int:
        made.append(label)
        return len(made)

    assert memo.get((first,), lambda: make("a"), 10) == 1
    assert memo.get((first,), lambda: make("again"), 10) == 1
    assert memo.get((second,), lambda: make("b"), 10) == 2
    assert memo.get((first,), lambda: make("c"), 10, extra="digits 3") == 3
    assert memo.get((first, second), lambda: make("d"), 10) == 4
    assert made == ["a", "b", "c", "d"] and len(memo) == 4
    memo.get((made,), lambda: make("e"), 4)  # at the limit: dropped, then this one kept
    assert len(memo) == 1
    assert memo.get((first,), lambda: make("f"), 10) == 6


def test_the_cloud_check_reads_only_what_it_keeps_its_answers_by(plugin_set):
    """The built-in cloud check keeps each option's answer per platform and whether traffic
    leaves the host: it must read nothing else of the requirements (``cloud`` and
    ``managed`` are the platform's), and a kept answer equals a fresh one."""
    from cnadvisor_plugins import cloud_platforms

    keyed = {"environment.platform", "environment.cloud", "environment.managed",
             "workload.traffic.leaves_host"}  # fmt: skip
    profiles = [item.profile for item in plugin_set.solutions.values()]
    said = 0
    for requirements in varied_requirements(60, seed=17):
        for profile in profiles:
            read: set[str] = set()
            fresh = cloud_platforms._findings(profile, _Reads(requirements, read))
            assert read <= keyed, f"the cloud check reads {read - keyed}"
            assert cloud_platforms.cnadvisor_check(profile, requirements) == fresh
            said += bool(fresh)
    assert said > 100  # the systems meet the check's findings, not only silence
