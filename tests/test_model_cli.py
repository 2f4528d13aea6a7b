"""`cnadvisor model` and `cnadvisor predict` as a user runs them."""

from __future__ import annotations

import csv
import io
import json

import pytest

from .conftest import cli


def test_model_train_then_info_reports_the_cache():
    trained = cli("model", "train")
    assert trained.returncode == 0, trained.stderr
    assert "observations" in trained.stdout and "cached at" in trained.stdout
    info = json.loads(cli("model", "info", "-f", "json").stdout)
    assert info["anchored_rows"] > 100 and len(info["studies"]) >= 5
    assert info["versions"]["scikit-learn"]


def test_model_report_writes_a_card_with_baselines_and_a_plot(tmp_path):
    """One report run (the slowest command there is) checks the card, the plot, and that
    its progress lines go to stderr only."""
    result = cli("model", "report", "-o", str(tmp_path), "--progress")
    assert result.returncode == 0, result.stderr
    phases = [line for line in result.stderr.splitlines() if line.endswith("…")]
    assert phases[0].startswith("cnadvisor: training")
    assert any("one study out: fold 1/" in line for line in phases)  # each fold is named
    assert any("one solution out: fold " in line for line in phases)
    assert phases[-1].endswith("writing the card and its plot…")
    assert "…" not in result.stdout and result.stdout.startswith("model card: ")
    card = (tmp_path / "model-card.md").read_text()
    for needed in (
        "| one study | throughput |",
        "| one solution | throughput |",
        "| one study | latency |",
        "no overhead",
        "per-solution mean",
        "global mean",
        "physics",
        "Fitted stage costs",
        "Where the model is weak",
        "Spearman",
        "Residual trees",
        "offload_loss",
    ):
        assert needed in card, needed
    assert "Goal: macro-averaged leave-one-study-out MAE" in result.stdout
    png = (tmp_path / "predicted-vs-measured.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


def test_predict_what_if_prints_gbps_mpps_and_intervals():
    result = cli(
        "predict", "calico-vxlan", "antrea-ipsec", "--message-size", "64,512,1400",
        "--virtualization", "vm", "--containers-per-host", "50", "-f", "csv",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 6
    for row in rows:
        assert float(row["ratio_low"]) <= float(row["throughput_ratio"]) <= float(row["ratio_high"])
        assert float(row["throughput_gbps"]) > 0 and float(row["packet_rate_mpps"]) > 0
    table = cli("predict", "calico-vxlan", "--message-size", "64,1400")
    assert "Gbps" in table.stdout and "Mpps" in table.stdout and "80 %" in table.stdout


def test_predict_rejects_unknown_solutions_and_bad_sizes():
    unknown = cli("predict", "calico-vxlna")
    assert unknown.returncode == 2 and "did you mean calico-vxlan" in unknown.stderr
    assert cli("predict", "calico-vxlan", "--message-size", "big").returncode == 2
    assert cli("predict", "calico-vxlan", "--message-size", "0").returncode == 2


def test_analytical_model_stays_available():
    result = cli("predict", "calico-vxlan", "--model", "analytical", "-f", "json")
    (prediction,) = json.loads(result.stdout)
    assert (
        prediction["model"] == "analytical"
        and prediction["throughput_ratio"]["kind"] == "upper-bound"
    )


def test_predict_answers_latency_services_cores_and_bulk_writes():
    result = cli(
        "predict", "calico-bgp", "cilium-native", "--message-size", "1048576",
        "--via-service", "--cores", "4", "--streams", "4", "-f", "csv",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {row["solution"] for row in rows} == {"calico-bgp", "cilium-native"}
    for row in rows:
        assert float(row["latency_low"]) <= float(row["latency_us"]) <= float(row["latency_high"])
        assert float(row["added_latency_us"]) >= 0
    (calico,) = [row for row in rows if row["solution"] == "calico-bgp"]
    assert "netfilter-nat" in calico["basis"]  # kube-proxy's DNAT on the Service hop
    table = cli("predict", "calico-bgp", "--message-size", "64", "--protocol", "udp")
    assert "µs" in table.stdout
    help_text = cli("predict", "--help").stdout
    for option in ("--via-service", "--cores", "--packet-io", "--nic-gbps", "--mtu"):
        assert option in help_text


@pytest.mark.parametrize(
    "arguments",
    [
        ["--nic-gbps", "nan"],
        ["--nic-gbps", "-10"],
        ["--nic-gbps", "inf"],
        ["--mtu", "0"],
        ["--mtu", "70000"],
        ["--message-size", "70000", "--protocol", "udp"],
        ["--message-size", "2000000"],
    ],
)
def test_predict_refuses_impossible_arguments(arguments):
    result = cli("predict", "calico-vxlan", *arguments)
    assert result.returncode == 2, result.stdout
    assert "Traceback" not in result.stderr
