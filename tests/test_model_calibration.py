"""Calibration on this host's rows moves only what was measured, and the CPU speed."""

from __future__ import annotations

import numpy as np
import pytest
from cnadvisor.model.data import rows_from_dicts
from cnadvisor.model.fitting import calibrate, fit
from cnadvisor.model.observations import build
from cnadvisor.model.structure import INDEX, TERMS


def _local_rows(values: dict[tuple[str, str], float]) -> list:
    """Rows shaped like `cnadvisor bench` output: UDP 64 B packet rate against the same
    run's host baseline, and the host's own absolute figure."""
    items = []
    for (solution, scenario), ratio in values.items():
        items.append(
            {
                "source_id": "local-testhost", "locator": "iperf3 -u -l 64", "solution_label":
                solution, "solution_id": solution, "scenario": scenario,
                "virtualization": "vm", "protocol": "udp", "message_size_bytes": "64",
                "link_gbps": "", "encryption": "none", "streams": "1", "metric": "packet_rate",
                "unit": "Mpps", "value": f"{0.5 * ratio:.6g}", "baseline_value": "0.5",
                "baseline_label": "host, same run", "relative_to": "",
                "notes": "local measurement for the calibration test",
            }
        )  # fmt: skip
    return rows_from_dicts(items, "local test rows")


@pytest.fixture(scope="module")
def profiles(plugin_set):
    return {k: v.profile for k, v in plugin_set.solutions.items()}


@pytest.fixture(scope="module")
def published(profiles):
    from cnadvisor.dataset.load import underlay_mtus
    from cnadvisor.model.data import load_published

    return fit(build(load_published(), profiles, underlay_mtus())).costs_


def test_calibration_moves_only_measured_stages_and_the_cpu_scale(profiles, published):
    rows = _local_rows({("bridge", "intra-host"): 0.4, ("bridge-nat", "inter-host"): 0.3})
    local = build(rows, profiles)
    measured = {"veth", "linux-bridge", "netfilter-nat", "routed-hop"}
    calibrated, scale = calibrate(published, local, measured)
    assert scale > 0
    for term in TERMS:
        row = INDEX[term]
        if term in measured:
            continue
        np.testing.assert_allclose(calibrated.table[row, :2], published.table[row, :2] * scale,
                                   rtol=1e-9)  # fmt: skip
        np.testing.assert_allclose(calibrated.table[row, 2], published.table[row, 2], rtol=1e-9)
    moved = [t for t in measured if not np.allclose(calibrated.table[INDEX[t]],
             published.table[INDEX[t]] * [scale, scale, 1.0])]  # fmt: skip
    assert moved, "the measured stages should absorb what the CPU scale does not explain"


def test_calibration_pulls_predictions_toward_the_measured_ratios(profiles, published):
    from cnadvisor.model.fitting import predicted_log_ratio

    rows = _local_rows({("bridge", "intra-host"): 0.3, ("overlay-vxlan", "inter-host"): 0.2})
    local = build(rows, profiles)
    design = local.subset(local.anchored & ~local.host_itself).design()
    truth = np.array([0.3, 0.2])
    before = np.exp(predicted_log_ratio(design, published))
    calibrated, _ = calibrate(published, local, {"veth", "linux-bridge", "vxlan"})
    after = np.exp(predicted_log_ratio(design, calibrated))
    assert np.abs(after - truth).sum() < np.abs(before - truth).sum()


def test_calibration_ignores_latency_and_absolute_rows(profiles, published):
    """On a shared host a ping-pong time or an absolute rate also measures the neighbours,
    so neither may move the costs (they once pushed the CPU factor to x13)."""
    rows = _local_rows({("bridge", "intra-host"): 0.5})
    only_rates, _ = calibrate(published, build(rows, profiles), {"veth", "linux-bridge"})
    noisy = rows + rows_from_dicts(
        [
            {
                "source_id": "local-testhost", "locator": "sockperf ping-pong",
                "solution_label": "bridge", "solution_id": "bridge", "scenario": "intra-host",
                "virtualization": "vm", "protocol": "udp", "message_size_bytes": "64",
                "link_gbps": "", "encryption": "none", "streams": "1", "metric": "latency",
                "unit": "us", "value": "900", "baseline_value": "30",
                "baseline_label": "host, same run", "relative_to": "", "notes": "loaded host",
            }
        ],
        "local latency row",
    )  # fmt: skip
    with_latency, scale = calibrate(published, build(noisy, profiles), {"veth", "linux-bridge"})
    np.testing.assert_allclose(with_latency.table, only_rates.table, rtol=1e-6)
    assert scale == pytest.approx(1.0, abs=0.05)  # CPU-bound ratios do not pin the CPU speed


def test_a_stage_costlier_per_packet_here_does_not_copy_more_per_byte(profiles, published):
    """Small-packet rows that find the bridge dear on this host raise its per-packet cost
    more than its per-byte cost, which they hardly measure (one shift for both would
    inflate the bridge's copies with its packet handling and sink TCP bulk predictions)."""
    rows = _local_rows({("bridge", "intra-host"): 0.5})
    calibrated, _ = calibrate(published, build(rows, profiles), {"veth", "linux-bridge"})
    for stage in ("veth", "linux-bridge"):
        per_packet, per_byte = (
            calibrated.table[INDEX[stage], :2] / published.table[INDEX[stage], :2]
        )
        assert per_packet > 1.05 and per_packet > per_byte * 1.02


def test_each_held_out_topology_reports_its_own_error(profiles, published):
    """The leave-one-topology-out score says which topology the model misses: per-topology
    errors that add up, row-weighted, to the overall one, before and after calibration."""
    from cnadvisor.model.evaluate import local_errors

    rows = _local_rows({("bridge", "intra-host"): 0.5, ("overlay-vxlan", "inter-host"): 0.3})
    errors = local_errors(published, build(rows, profiles))
    parts = errors["by_topology"]
    assert set(parts) == {"bridge", "overlay-vxlan"}
    assert sum(p["rows"] for p in parts.values()) == errors["rows"]
    for when in ("before", "after"):
        weighted = sum(p[when] * p["rows"] for p in parts.values()) / errors["rows"]
        assert weighted == pytest.approx(errors[when])
    assert all(p["before"] > 0.1 for p in parts.values())  # both far from 0.98 predicted
