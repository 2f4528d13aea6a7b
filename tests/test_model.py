"""The structural model: physics properties, honest grouped evaluation, intervals, cache."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from cnadvisor.dataset.load import underlay_mtus
from cnadvisor.model import cache, forked
from cnadvisor.model import evaluate as evaluation_module
from cnadvisor.model.data import load_published
from cnadvisor.model.evaluate import cross_validate
from cnadvisor.model.fitting import StageCostRegressor, fit
from cnadvisor.model.observations import LATENCY, THROUGHPUT, build
from cnadvisor.model.trained import load_or_train
from cnadvisor.performance import WorkloadPoint
from cnadvisor.profile import SolutionProfile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import MINIMAL


@pytest.fixture(scope="module")
def profiles(plugin_set):
    return {k: v.profile for k, v in plugin_set.solutions.items()}


@pytest.fixture(scope="module")
def observations(profiles):
    return build(load_published(), profiles, underlay_mtus())


@pytest.fixture(scope="module")
def by_study(observations):
    return cross_validate(observations.subset(~observations.local), "study")


@pytest.fixture(scope="module")
def model(trained_advisor):
    return trained_advisor.model


def _predict(model, solution_id, plugin_set, **point):
    return model.predict(plugin_set.solutions[solution_id].profile, WorkloadPoint(**point))


def test_the_estimator_is_a_scikit_learn_regressor(observations):
    from sklearn.base import clone, is_regressor

    estimator = StageCostRegressor()
    assert is_regressor(estimator) and clone(estimator).get_params() == estimator.get_params()
    data = observations.subset(~observations.host_itself & observations.anchored)
    fitted = fit(observations)
    predicted = fitted.predict(data.design())
    assert predicted.shape == data.log_ratio.shape and np.isfinite(predicted).all()
    assert (fitted.costs_.table >= 0).all()


def test_grouped_cv_never_trains_on_the_held_out_studies(observations, monkeypatch):
    """The folds that set the shipped intervals: each group of studies is held out whole,
    and every scored study is held out once."""
    seen = []
    real = evaluation_module.fit

    def spy(train, *args, **kwargs):
        seen.append(set(train.study))
        return real(train, *args, **kwargs)

    monkeypatch.setattr(evaluation_module, "fit", spy)
    monkeypatch.setenv(forked.OPT_OUT, "0")  # the spy sees only the folds fitted here
    cv = cross_validate(observations, "study-groups")
    groups = [set(label.split(", ")) for label in dict.fromkeys(cv.folds)]
    assert len(seen) == len(groups) == evaluation_module.INTERVAL_FOLDS
    for studies, group in zip(seen, groups, strict=True):
        assert not studies & group
    assert set().union(*groups) == set(cv.studies)
    assert sum(len(group) for group in groups) == len(set(cv.studies))


def test_host_against_itself_is_never_scored(by_study, observations):
    assert not observations.host_itself[evaluation_module.scoreable(observations)].any()
    assert by_study.rows(THROUGHPUT) == int(
        evaluation_module.scoreable(observations.subset(~observations.local))[
            observations.subset(~observations.local).metric == THROUGHPUT
        ].sum()
    )


def test_model_beats_no_overhead_on_held_out_studies(by_study):
    assert by_study.macro_mae("model") < by_study.macro_mae("no overhead")
    assert by_study.mae("model") < by_study.mae("global mean")


def test_intervals_cover_held_out_truth_near_their_nominal_rate(by_study):
    """80 % intervals, each held-out study's width taken from the other studies' errors:
    pooled over rows and averaged per study, throughput and latency."""
    for metric in (THROUGHPUT, LATENCY):
        assert 0.75 <= by_study.coverage(metric) <= 0.95
        assert 0.75 <= by_study.macro_coverage(metric) <= 0.95


def test_one_large_study_does_not_set_the_interval_alone():
    """100 rows of one lab with small errors, one row each of four labs with large ones:
    a row quantile would say 0.1; per study, most new labs miss by 1.0."""
    from cnadvisor.model.evaluate import interval_width

    residuals = np.array([0.1] * 100 + [1.0] * 4)
    studies = np.array(["big"] * 100 + ["a", "b", "c", "d"])
    assert np.quantile(residuals, 0.8) == pytest.approx(0.1)
    assert interval_width(residuals, studies) == pytest.approx(1.0)
    # equal studies: the finite-sample correction raises the level from 0.8 to 0.96
    even = np.arange(1, 101) / 100
    assert interval_width(even, np.array([str(i % 5) for i in range(100)])) >= 0.95
    assert interval_width(np.zeros(0), np.zeros(0, dtype=str)) == float("inf")


def test_a_plugin_nobody_benchmarked_gets_a_prediction_with_an_interval(model):
    profile = SolutionProfile.model_validate(MINIMAL)
    prediction = model.predict(profile, WorkloadPoint(message_size=1400))
    ratio = prediction.throughput_ratio
    assert prediction.model == "trained"
    assert ratio.low < ratio.value <= ratio.high <= 1.0
    assert prediction.throughput_gbps.unit == "Gbps" and prediction.throughput_gbps.value > 0
    assert prediction.latency_us.value > 0 and prediction.added_latency_us.value >= 0


def test_factor_packet_size_lowers_gbps_and_raises_pps(model, plugin_set):
    small = _predict(model, "calico-vxlan", plugin_set, message_size=64, protocol="udp")
    large = _predict(model, "calico-vxlan", plugin_set, message_size=1400, protocol="udp")
    assert small.throughput_gbps.value < large.throughput_gbps.value
    assert small.packet_rate_mpps.value > large.packet_rate_mpps.value


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
        point = {"nic_gbps": 40.0, "streams": 8, "cores": 8}
        assert (
            _predict(model, encrypted, plugin_set, **point).throughput_ratio.value
            < _predict(model, plain, plugin_set, **point).throughput_ratio.value
        )


def test_factors_without_published_figures_say_so(model, plugin_set):
    dense = _predict(model, "calico-vxlan", plugin_set, containers_per_host=100, cpu_pinning=True)
    assert any("not modelled" in line for line in dense.basis)


def test_host_networking_is_the_baseline_exactly(model, plugin_set):
    host = _predict(model, "host", plugin_set, message_size=64, protocol="udp")
    assert host.throughput_ratio.value == host.throughput_ratio.low == 1.0
    assert host.added_latency_us.value == 0.0


# --- physics properties (hypothesis) -------------------------------------------------------

KERNEL_MPPS_PER_CORE_CEILING = 5.0  # XDP paper: Linux drops at most 4.8 Mpps per core


@st.composite
def workloads(draw):
    protocol = draw(st.sampled_from(["tcp", "udp"]))
    largest = 65507 if protocol == "udp" else 1 << 20
    return {
        "protocol": protocol,
        "message_size": draw(st.integers(1, largest)),
        "scenario": draw(st.sampled_from(["inter-host", "intra-host"])),
        "virtualization": draw(st.sampled_from(["bare-metal", "vm"])),
        "nic_gbps": draw(st.sampled_from([1.0, 10.0, 25.0, 40.0, 100.0])),
        "underlay_mtu": draw(st.sampled_from([1500, 9000])),
        "cores": draw(st.integers(1, 16)),
        "streams": draw(st.integers(1, 16)),
    }


PROPERTY = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


@PROPERTY
@given(point=workloads(), solution=st.sampled_from(["calico-vxlan", "cilium-wireguard",
       "bridge-nat", "flannel-vxlan", "weave-sleeve", "macvlan-bridge"]))  # fmt: skip
def test_tcp_gbps_never_falls_as_messages_grow_or_links_speed_up(model, plugin_set, point,
                                                                 solution):  # fmt: skip
    point["protocol"] = "tcp"
    base = _predict(model, solution, plugin_set, **point).throughput_gbps.value
    bigger = dict(point, message_size=min(point["message_size"] * 2, 1 << 20))
    faster = dict(point, nic_gbps=point["nic_gbps"] * 2)
    assert _predict(model, solution, plugin_set, **bigger).throughput_gbps.value >= base * 0.9999
    assert _predict(model, solution, plugin_set, **faster).throughput_gbps.value >= base * 0.9999


@PROPERTY
@given(point=workloads(), solution=st.sampled_from(["calico-ipip", "cilium-native", "bridge",
       "overlay-vxlan", "antrea-ipsec", "host"]))  # fmt: skip
def test_a_vm_layer_never_raises_throughput(model, plugin_set, point, solution):
    metal = _predict(model, solution, plugin_set, **dict(point, virtualization="bare-metal"))
    vm = _predict(model, solution, plugin_set, **dict(point, virtualization="vm"))
    assert vm.throughput_gbps.value <= metal.throughput_gbps.value * 1.0001


@PROPERTY
@given(point=workloads(), extra=st.sampled_from(["iptables", "netfilter-nat", "vxlan",
       "wireguard", "ovs", "userspace-proxy", "ebpf"]))  # fmt: skip
def test_adding_a_stage_never_raises_throughput_nor_lowers_latency(model, point, extra):
    base = dict(MINIMAL)
    longer = {**MINIMAL, "id": "longer",
              "datapath": {**MINIMAL["datapath"],
                           "inter_host": [*MINIMAL["datapath"]["inter_host"], extra],
                           "intra_host": [*MINIMAL["datapath"]["intra_host"], extra]}}  # fmt: skip
    a = model.predict(SolutionProfile.model_validate(base), WorkloadPoint(**point))
    b = model.predict(SolutionProfile.model_validate(longer), WorkloadPoint(**point))
    assert b.throughput_gbps.value <= a.throughput_gbps.value * 1.0001
    assert b.latency_us.value >= a.latency_us.value - 1e-9


@PROPERTY
@given(point=workloads())
def test_no_kernel_datapath_beats_the_per_core_kernel_packet_rate(model, plugin_set, point):
    for item in plugin_set.solutions.values():
        prediction = model.predict(item.profile, WorkloadPoint(**point))
        cores = max(1, min(point["cores"], point["streams"]))
        assert prediction.packet_rate_mpps.value <= KERNEL_MPPS_PER_CORE_CEILING * cores


def test_the_host_baseline_is_cpu_bound_at_small_packets(model, plugin_set):
    host = _predict(model, "host", plugin_set, message_size=64, protocol="udp", nic_gbps=25)
    line_rate_mpps = 25e9 / ((64 + 8 + 20 + 38) * 8) / 1e6
    assert host.packet_rate_mpps.high < line_rate_mpps / 2


def test_no_cliff_at_the_mtu_in_a_tcp_sweep(model, plugin_set):
    """Once a 1-byte larger write gave 39.4 then 21.7 Gbit/s (flannel-vxlan, MTU 9000, 40 G)."""
    values = [
        _predict(
            model,
            "flannel-vxlan",
            plugin_set,
            underlay_mtu=9000,
            nic_gbps=40,
            message_size=size,
            cores=8,
            streams=8,
        ).throughput_gbps.value
        for size in range(8800, 9100, 25)
    ]
    assert all(b >= a * 0.9999 for a, b in itertools.pairwise(values))
    fast = _predict(model, "cilium-wireguard", plugin_set, nic_gbps=40, message_size=1400)
    slow = _predict(model, "cilium-wireguard", plugin_set, nic_gbps=25, message_size=1400)
    assert fast.throughput_gbps.value >= slow.throughput_gbps.value


def test_a_packet_rate_that_only_kernel_bypass_can_meet(trained_advisor):
    """64-byte UDP at 20 Mpps on 25 GbE bare metal: every kernel datapath is excluded or
    flagged; only options giving the pod a kernel-bypass interface can meet it."""
    from .conftest import make_requirements

    requirements = make_requirements(
        workload={"traffic": {"inter_host": 1.0}, "protocol": "udp", "message_size": 64,
                  "throughput": {"value": 20, "unit": "mpps", "need": "required"},
                  "packet_io": {"value": True, "need": "preferred"}},
        environment={"nic_gbps": 25, "virtualization": "bare-metal", "network_cores": 2},
    )  # fmt: skip
    evaluation = trained_advisor.evaluate(requirements)
    for option in evaluation.ranked:
        profile = trained_advisor.solution(option.id).profile
        assert any(f.value in ("dpdk", "af_xdp") for f in profile.operations.packet_io), option.id
    excluded = {item.id for item in evaluation.excluded}
    assert {"calico-bgp", "cilium-native", "host", "macvlan-bridge"} <= excluded


def test_a_corrupted_cache_file_is_rebuilt_with_a_warning(profiles, tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    first = load_or_train(profiles)
    (path,) = tmp_path.glob("model-*.npz")
    path.write_bytes(b"PK\x03\x04 this is not a model")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again = load_or_train(profiles)
    assert any("unreadable" in str(w.message) for w in caught)
    assert list(tmp_path.glob(f"{path.name}.bad*")) or list(tmp_path.glob(f"{path.stem}.bad*"))
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
        "from cnadvisor.advisor import Advisor; a = Advisor.from_plugins(); "
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


def test_the_offload_derivative_matches_finite_differences(observations):
    """The fit's analytic Jacobian for the offload-loss logits (a wrong sign or a missed
    term would steer the fit the wrong way without failing anything else)."""
    from cnadvisor.model import fitting

    design = observations.design()
    rng = np.random.default_rng(7)
    theta = fitting.PARAMS.initial() + rng.normal(0.0, 0.3, fitting.PARAMS.size)
    offload = fitting.PARAMS.offload
    theta[offload] = rng.normal(-1.5, 0.8, offload.stop - offload.start)
    scale = np.exp(rng.normal(0.0, 0.3, len(design)))
    costs = fitting.PARAMS.costs(theta)
    _, _, analytic = fitting._prediction_jacobian(design, costs, scale)
    base = fitting.predicted_log_ratio(design, costs, scale)
    for k in range(offload.stop - offload.start):
        moved = theta.copy()
        moved[offload.start + k] += 1e-6
        numeric = (fitting.predicted_log_ratio(design, fitting.PARAMS.costs(moved), scale)
                   - base) / 1e-6  # fmt: skip
        assert np.allclose(analytic[:, k], numeric, atol=1e-5)


def test_losing_segmentation_offload_costs_bulk_tcp_throughput(model):
    """A stage that hands the CPU MTU-sized segments (offload loss 1) makes the CPU see
    about 45 times more packets in a 64 KiB TCP write, so a CPU-bound stream slows down."""
    from cnadvisor.model.structure import INDEX, PathSpec, StageCosts, encode, throughput_gbps

    spec = PathSpec(("kernel-stack", "socket", "veth"), 65536, False, 1, float("inf"), 1500, 0)
    keeps = model.costs
    loss = keeps.offload_loss.copy()
    loss[INDEX["veth"]] = 1.0
    loses = StageCosts(keeps.table, loss)
    x = encode([spec])
    assert throughput_gbps(x, loses)[0] < 0.9 * throughput_gbps(x, keeps)[0]


def test_the_cache_keeps_the_fitted_offload_losses(profiles, tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    trained = load_or_train(profiles)
    cached = load_or_train(profiles)
    assert cached is not trained
    fitted = ~np.isin(trained.costs.offload_loss, (0.0, 1.0))
    assert fitted.any()  # some kinds' losses are fitted, not fixed
    assert np.array_equal(cached.costs.offload_loss, trained.costs.offload_loss)


def test_residual_trees_are_scored_beside_the_structure(observations, by_study):
    """The card compares the structure with structure + residual trees; without the flag the
    trees are not fitted (training stays fast) and that column repeats the model."""
    from cnadvisor.model.evaluate import RESIDUAL
    from cnadvisor.model.fitting import study_weights
    from cnadvisor.model.residual import residual_predictor

    assert np.array_equal(by_study.predicted[RESIDUAL], by_study.predicted["model"])
    data = observations.subset(~observations.local)
    structural = fit(data).predict(data.design())
    corrected = residual_predictor(data, structural, study_weights(data))(data, structural)
    pick = data.anchored & ~data.host_itself
    assert np.isfinite(corrected).all() and not np.allclose(corrected, structural)
    # in sample, trees fitted to the residuals must shrink them
    before = np.abs(structural[pick] - data.log_ratio[pick]).mean()
    assert np.abs(corrected[pick] - data.log_ratio[pick]).mean() < before


def test_a_cache_with_impossible_offload_losses_is_retrained(profiles, tmp_path, monkeypatch):
    """A cached share outside [0, 1] (a hand-edited or foreign file) must not reach a
    prediction: the model is rebuilt, with a warning."""
    from cnadvisor.model.data import shipped_fingerprint
    from cnadvisor.model.trained import cache_key

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    trained = load_or_train(profiles)
    key = cache_key(shipped_fingerprint(), profiles)
    arrays, meta = cache.load(key)
    cache.save(key, {"costs": arrays["costs"], "offload_loss": arrays["offload_loss"] + 2.0},
               {k: v for k, v in meta.items() if k not in ("key", "format")})  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again = load_or_train(profiles)
    assert any("damaged" in str(w.message) for w in caught)
    assert np.array_equal(again.costs.offload_loss, trained.costs.offload_loss)


def test_a_full_prediction_cache_still_answers_every_option(model, plugin_set, monkeypatch):
    """When the cache is full it is emptied, and options cached earlier at the same point
    are predicted again rather than looked up in the emptied cache."""
    from cnadvisor.model import trained

    inner = getattr(model, "model", model)
    assert isinstance(inner, trained.TrainedModel)
    monkeypatch.setattr(trained, "CACHE_LIMIT", 1)
    monkeypatch.setattr(inner, "_cache", {})
    profiles = [plugin_set.solutions[i].profile for i in ("calico-vxlan", "flannel-vxlan")]
    point = WorkloadPoint(message_size=777)
    first = inner.predict_many(profiles[:1], point)
    inner.predict_many([profiles[1]], WorkloadPoint(message_size=778))  # fills the cache
    both = inner.predict_many(profiles, point)
    assert [p.solution_id for p in both] == ["calico-vxlan", "flannel-vxlan"]
    assert both[0] == first[0]


def test_packet_rate_is_scored_on_pps_rows_and_small_datagrams(by_study, observations):
    """At one datagram size a throughput ratio is a packet-rate ratio: the card scores
    small-UDP throughput rows (and any row stated in pps) under packet rate."""
    from cnadvisor.model.evaluate import SMALL_DATAGRAM_BYTES, scoreable
    from cnadvisor.model.observations import PACKET_RATE, THROUGHPUT
    from cnadvisor.model.structure import WORKLOAD

    x = observations.numerator
    small = (
        (observations.metric == THROUGHPUT)
        & (x[:, WORKLOAD["udp"]] > 0)
        & (x[:, WORKLOAD["message_size"]] <= SMALL_DATAGRAM_BYTES)
    )
    expected = scoreable(observations) & (small | (observations.metric == PACKET_RATE))
    assert by_study.rows(PACKET_RATE) == int(expected.sum()) >= 5
    assert by_study.studies_scored(PACKET_RATE) >= 2
    assert np.isfinite(by_study.macro_mae("model", PACKET_RATE))


def test_a_single_flow_netperf_request_rate_is_read_as_round_trip_latency(profiles):
    """netperf's manual: a one-transaction-at-a-time rate inverts to the round-trip latency.
    Only one-flow netperf rows are read so; other request rates stay unused."""
    from dataclasses import replace

    from cnadvisor.model.data import BenchmarkRow
    from cnadvisor.model.observations import LATENCY

    row = BenchmarkRow(
        source_id="rr-test", locator="table 1", solution_label="overlay",
        solution_id="antrea-encap", scenario="inter-host", virtualization="bare-metal",
        protocol="tcp", message_size_bytes=float("nan"), link_gbps=float("nan"),
        encryption="none", streams=1.0, metric="request_rate", unit="requests_per_s",
        value=25_000.0, baseline_value=40_000.0, relative_to="",
        notes="netperf -t TCP_RR, one flow", origin="test", baseline_label="host row",
        row_number=2,
    )  # fmt: skip
    read = build([row], profiles)
    assert list(read.metric) == [LATENCY]
    assert read.log_ratio[0] == pytest.approx(np.log(40_000 / 25_000))  # 40 µs against 25 µs
    assert read.baseline_latency_us[0] == pytest.approx(1e6 / 40_000 / 2)  # one way
    for other in (replace(row, streams=8.0), replace(row, notes="sockperf, one flow")):
        assert len(build([other], profiles).metric) == 0


def test_an_unnamed_nic_is_at_least_as_fast_as_what_its_wire_carried(profiles):
    """A source that names no NIC but measured 37 Gbit/s across it had at least a 40 GbE
    link: a 10 GbE default would cap host and container alike and hide every overhead."""
    from dataclasses import replace

    from cnadvisor.model.data import BenchmarkRow
    from cnadvisor.model.observations import measured_link_floors, unstated_link_gbps

    assert [unstated_link_gbps(g) for g in (0.0, 9.4, 10.0, 10.5, 37.0, 99.0, 500.0)] == [
        10.0, 10.0, 10.0, 25.0, 40.0, 100.0, 500.0,
    ]  # fmt: skip
    row = BenchmarkRow(
        source_id="fast-wire", locator="table 1", solution_label="NAT", solution_id="bridge-nat",
        scenario="inter-host", virtualization="bare-metal", protocol="tcp",
        message_size_bytes=131072.0, link_gbps=float("nan"), encryption="none", streams=1.0,
        metric="throughput", unit="Gbps", value=20.0, baseline_value=37.0, relative_to="",
        notes="iperf3", origin="test", baseline_label="host row", row_number=2,
    )  # fmt: skip
    assert max(measured_link_floors([row]).values()) == 37.0
    fast = build([row], profiles)
    named = build([replace(row, link_gbps=10.0)], profiles)
    from cnadvisor.model.structure import WORKLOAD

    assert fast.numerator[0, WORKLOAD["link_gbps"]] == 40.0
    assert named.numerator[0, WORKLOAD["link_gbps"]] == 10.0


def test_host_networking_in_a_vm_against_bare_metal_prices_the_vm_layer(profiles):
    """A row measured in VMs against a bare-metal baseline (baseline_virtualization) is
    not host against itself: its numerator has the VM layer, its denominator none."""
    from dataclasses import replace

    from cnadvisor.model.data import BenchmarkRow
    from cnadvisor.model.structure import INDEX, VM_LAYER

    row = BenchmarkRow(
        source_id="vm-test", locator="table 1", solution_label="VM to VM", solution_id="host",
        scenario="inter-host", virtualization="vm", protocol="tcp",
        message_size_bytes=float("nan"), link_gbps=25.0, encryption="none", streams=1.0,
        metric="throughput", unit="Gbps", value=10.6, baseline_value=23.5, relative_to="",
        notes="iperf3", origin="test", baseline_label="bare-metal row", row_number=2,
        baseline_virtualization="bare-metal",
    )  # fmt: skip
    read = build([row], profiles)
    assert not read.host_itself[0] and read.anchored[0]
    assert read.numerator[0, INDEX[VM_LAYER]] == 1 and read.denominator[0, INDEX[VM_LAYER]] == 0
    same_nodes = build([replace(row, baseline_virtualization="")], profiles)
    assert same_nodes.host_itself[0]
    assert same_nodes.denominator[0, INDEX[VM_LAYER]] == 1


@pytest.mark.parametrize("solution_id", ["host", "calico-bgp", "flannel-vxlan", "macvlan-bridge"])
def test_no_interval_reaches_above_what_the_nic_carries(model, plugin_set, solution_id):
    """The 80 % interval is the CPU's uncertainty: its top stops at the NIC's goodput."""
    for size in (64, 1400, 131072):
        prediction = _predict(model, solution_id, plugin_set, message_size=size, nic_gbps=10.0,
                              scenario="inter-host")  # fmt: skip
        gbps, mpps = prediction.throughput_gbps, prediction.packet_rate_mpps
        assert gbps.low <= gbps.value <= gbps.high < 10.0
        assert mpps.high == pytest.approx(mpps.value * gbps.high / gbps.value, rel=1e-6)


def test_a_prediction_is_the_same_bits_alone_or_among_many(model, observations):
    """Batch workers each keep their own prediction cache, which is sound only if a row's
    figures do not depend on how many rows are predicted with it (BLAS products do)."""
    from cnadvisor.model.structure import one_way_latency_us, throughput_gbps

    x = observations.numerator[:300]
    together = throughput_gbps(x, model.costs), one_way_latency_us(x, model.costs)
    for i in range(0, len(x), 37):
        alone = (
            throughput_gbps(x[i : i + 1], model.costs),
            one_way_latency_us(x[i : i + 1], model.costs),
        )
        assert alone[0][0] == together[0][i] and alone[1][0] == together[1][i]


def test_rates_in_one_pass_are_the_figures_each_function_gives(model, observations):
    """A prediction asks for goodput, packet rate, latency and the link's goodput in one
    pass that shares the packet geometry; it must give the bits the separate functions
    give (the card and the fit use those), alone or among many rows."""
    from cnadvisor.model import structure

    x = observations.numerator[:300]
    together = structure.rates(x, model.costs)
    expected = {
        "gbps": structure.throughput_gbps(x, model.costs),
        "mpps": structure.packet_rate_mpps(x, model.costs),
        "latency_us": structure.one_way_latency_us(x, model.costs),
        "link_gbps": structure.link_gbps(x),
    }
    for name, values in expected.items():
        assert np.array_equal(getattr(together, name), values, equal_nan=True), name
    for i in range(0, len(x), 37):
        alone = structure.rates(x[i : i + 1], model.costs)
        assert alone.gbps[0] == together.gbps[i] and alone.latency_us[0] == together.latency_us[i]


def test_the_cards_oracle_removes_each_studys_offset_and_nothing_else():
    """The card's scale for the 25 % goal: predictions off by one factor per study are
    perfect once that factor is known; spread inside a study stays."""
    from cnadvisor.model.evaluate import CrossValidation

    measured = np.array([0.5, 0.8, 0.4, 0.6])
    predicted = np.array([1.0, 1.6, 0.2, 0.3])  # study a: ×2, study b: ×0.5
    cv = CrossValidation(
        by="study", metric=np.zeros(4, dtype=int), measured=measured,
        predicted={"model": predicted}, folds=["a", "a", "b", "b"],
        studies=np.array(["a", "a", "b", "b"], dtype=object), covered=np.ones(4, dtype=bool),
        widths={}, small_datagram=np.zeros(4, dtype=bool),
    )  # fmt: skip
    assert cv.macro_mae("model") > 0.2
    assert cv.macro_mae_knowing_each_study("model") == pytest.approx(0.0)
    cv.predicted["model"] = np.array([1.0, 1.0, 0.2, 0.3])  # study a also spreads
    assert cv.macro_mae_knowing_each_study("model") > 0.05


def test_library_versions_in_the_cache_key_read_as_importlib_reads_them():
    from importlib import metadata

    from cnadvisor.model.trained import _version

    for name in ("scikit-learn", "scipy", "numpy", "pydantic"):
        assert _version(name) == metadata.version(name)
    assert _version("no-such-distribution-anywhere") == "absent"


def test_a_damaged_distribution_metadata_still_gives_a_cache_key(tmp_path, monkeypatch):
    """A METADATA without a Version header (a hand-edited or half-written install) must not
    break every cold start: the key names it "unknown"."""
    import sys

    from cnadvisor.model.trained import _version

    info = tmp_path / "broken_dist-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-dist\n\nno version\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    assert _version("broken-dist") == "unknown"
