"""The trained model: exact tree export, honest grouped evaluation, intervals, cache, what-if."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from cnadvisor.model import cache
from cnadvisor.model import evaluate as evaluation_module
from cnadvisor.model.data import load_published
from cnadvisor.model.evaluate import cross_validate
from cnadvisor.model.features import NAMES
from cnadvisor.model.forest import Forest
from cnadvisor.model.train import build_table, fit_forest
from cnadvisor.model.trained import load_or_train
from cnadvisor.performance import WorkloadPoint
from cnadvisor.profile import SolutionProfile

from .test_hooks import MINIMAL


@pytest.fixture(scope="module")
def profiles(plugin_set):
    return {k: v.profile for k, v in plugin_set.solutions.items()}


@pytest.fixture(scope="module")
def table(profiles):
    return build_table(load_published(), profiles)


@pytest.fixture(scope="module")
def by_study(table, profiles):
    return cross_validate(table, profiles, "study")


@pytest.fixture(scope="module")
def model(trained_advisor):
    return trained_advisor.model


def test_exported_forest_predicts_exactly_like_scikit_learn(table):
    from sklearn.ensemble import HistGradientBoostingRegressor

    target = np.where(table.anchored, table.log_value - table.anchor, 0.0)
    estimator = HistGradientBoostingRegressor(max_iter=30, random_state=0)
    estimator.fit(table.features, target)
    forest = Forest.from_estimator(estimator)
    probe = table.features.copy()
    probe[::7, 9] = np.nan  # exercise the missing-value branches too
    np.testing.assert_allclose(forest.predict(probe), estimator.predict(probe), rtol=1e-12)


def test_damaged_forest_arrays_are_refused(table):
    forest = fit_forest(table.subset(table.anchored))
    arrays = forest.arrays()
    arrays["left"] = arrays["left"].copy()
    inner = np.flatnonzero(~arrays["leaf"])
    arrays["left"][inner[0]] = 0  # a cycle back to a root
    with pytest.raises(ValueError, match="out of range"):
        Forest.from_arrays(arrays)


def test_grouped_cv_never_trains_on_the_held_out_study(table, profiles, monkeypatch):
    seen = []
    real = evaluation_module.fit_forest

    def spy(train):
        seen.append(set(train.study))
        return real(train)

    monkeypatch.setattr(evaluation_module, "fit_forest", spy)
    cv = cross_validate(table, profiles, "study")
    held_out = [fold.label for fold in cv.per_fold]
    assert len(seen) == len(held_out) >= 5
    for studies, label in zip(seen, held_out, strict=True):
        assert label not in studies


def test_model_beats_the_global_mean_on_held_out_studies(by_study):
    assert by_study.mae("model") < by_study.mae("global mean")


def test_intervals_cover_held_out_truth_near_their_nominal_rate(by_study):
    assert 0.65 <= by_study.coverage <= 0.95


def test_a_plugin_nobody_benchmarked_gets_a_prediction_with_an_interval(model):
    profile = SolutionProfile.model_validate(MINIMAL)
    prediction = model.predict(profile, WorkloadPoint(message_size=1400))
    ratio = prediction.throughput_ratio
    assert prediction.model == "trained"
    assert ratio.low < ratio.value <= ratio.high <= 1.0
    assert prediction.throughput_gbps.unit == "Gbps" and prediction.throughput_gbps.value > 0


def _predict(model, solution_id, plugin_set, **point):
    return model.predict(plugin_set.solutions[solution_id].profile, WorkloadPoint(**point))


def test_factor_packet_size_lowers_gbps_and_raises_pps(model, plugin_set):
    small = _predict(model, "calico-vxlan", plugin_set, message_size=64)
    large = _predict(model, "calico-vxlan", plugin_set, message_size=1400)
    assert small.throughput_gbps.value < large.throughput_gbps.value
    assert small.packet_rate_mpps.value > large.packet_rate_mpps.value
    assert small.throughput_ratio.value < large.throughput_ratio.value  # headers weigh more


def test_factor_vm_layer_lowers_throughput(model, plugin_set):
    metal = _predict(model, "calico-vxlan", plugin_set, virtualization="bare-metal")
    vm = _predict(model, "calico-vxlan", plugin_set, virtualization="vm")
    assert vm.throughput_gbps.value < metal.throughput_gbps.value
    assert any("VM" in line for line in vm.basis)


def test_factor_encryption_lowers_throughput(model, plugin_set):
    for plain, encrypted in (
        ("antrea-encap", "antrea-ipsec"),
        ("cilium-vxlan", "cilium-wireguard"),
    ):
        point = {"nic_gbps": 40.0, "streams": 8}
        assert (
            _predict(model, encrypted, plugin_set, **point).throughput_ratio.value
            < _predict(model, plain, plugin_set, **point).throughput_ratio.value
        )


def test_factors_without_published_figures_say_so(model, plugin_set):
    dense = _predict(model, "calico-vxlan", plugin_set, containers_per_host=100, cpu_pinning=True)
    assert any("not modelled" in line for line in dense.basis)


def test_predictions_never_exceed_the_physics_bound(model, plugin_set):
    from cnadvisor.performance import AnalyticalModel

    bound = AnalyticalModel()
    for item in plugin_set.solutions.values():
        if item.profile.inter_host:
            point = WorkloadPoint(message_size=64, protocol="udp")
            limit = bound.predict(item.profile, point).throughput_ratio.value
            assert model.predict(item.profile, point).throughput_ratio.high <= limit + 1e-12


def test_a_corrupted_cache_file_is_rebuilt_with_a_warning(profiles, tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    first = load_or_train(profiles)
    (path,) = tmp_path.glob("model-*.npz")
    path.write_bytes(b"PK\x03\x04 this is not a model")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again = load_or_train(profiles)
    assert any("unreadable" in str(w.message) for w in caught)
    assert (tmp_path / path.with_suffix(".bad").name).exists()
    point = WorkloadPoint()
    profile = profiles["calico-vxlan"]
    assert (
        again.predict(profile, point).throughput_ratio
        == first.predict(profile, point).throughput_ratio
    )


def test_a_pickle_planted_in_the_cache_is_never_executed(profiles, tmp_path, monkeypatch):
    import pickle

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    load_or_train(profiles)
    (path,) = tmp_path.glob("model-*.npz")
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    np.savez(path.open("wb"), meta=np.array([Exploit()], dtype=object))
    assert pickle  # the payload above would run on any pickle load
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        load_or_train(profiles)
    assert not marker.exists()


def test_two_processes_training_at_once_leave_a_valid_cache(tmp_path):
    env = dict(os.environ, **{cache.CACHE_ENV: str(tmp_path)})
    code = (
        "from cnadvisor.evaluation import Advisor; a = Advisor.from_plugins(); "
        "assert a.model.name == 'trained', a.model.name"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", code], env=env, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for process in processes:
        assert process.wait(timeout=300) == 0, process.stderr.read()
    (path,) = tmp_path.glob("model-*.npz")
    with np.load(path, allow_pickle=False) as archive:
        assert "meta" in archive.files
    assert not list(tmp_path.glob(".model-*"))  # no temporary file left behind


def test_feature_names_match_the_feature_vector(profiles):
    from cnadvisor.model.features import featurize_point

    assert len(featurize_point(profiles["host"], WorkloadPoint())) == len(NAMES)
