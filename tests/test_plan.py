"""`cnadvisor plan`: a k8s-netperf config in its documented shape with the workload's
message size, the commands per top option, and a sensitivity that really is where the
ranking flips."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from cnadvisor.cli import main
from cnadvisor.importers.plan import _score, sensitivities
from cnadvisor.loading import load_file

ROOT = Path(__file__).parent.parent
SAAS = ROOT / "examples" / "requirements" / "multi-tenant-saas.yaml"
# k8s-netperf's docs/configuration.md ("Config File v2"): the fields of one test, and the
# profiles its "Supported Benchmarks" table lists.
DOCUMENTED_FIELDS = {"parallelism", "profile", "duration", "samples", "messagesize", "burst",
                     "service"}  # fmt: skip
DOCUMENTED_PROFILES = {"TCP_STREAM", "UDP_STREAM", "TCP_RR", "UDP_RR", "TCP_CRR"}


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("plan")
    assert main(["plan", str(SAAS), "--top", "3", "-o", str(folder), "--cluster", "prod"]) == 0
    return folder


def test_config_has_the_documented_shape_and_the_workload_sizes(planned: Path) -> None:
    requirements = load_file(str(SAAS)).requirements
    config = yaml.safe_load((planned / "k8s-netperf.yml").read_text())
    assert set(config) == {"tests"} and config["tests"]
    names, sizes = set(), set()
    for test in config["tests"]:
        # Each item: the test's name as a key with no value, then the documented fields.
        name = [key for key, value in test.items() if value is None]
        assert len(name) == 1 and name[0] not in DOCUMENTED_FIELDS
        names.add(name[0])
        fields = set(test) - set(name)
        assert fields <= DOCUMENTED_FIELDS
        assert {"parallelism", "profile", "duration", "samples", "messagesize"} <= fields
        assert test["profile"] in DOCUMENTED_PROFILES
        assert test["profile"].startswith(requirements.workload.protocol.upper())
        assert isinstance(test["service"], bool) and test["parallelism"] >= 1
        sizes.add(test["messagesize"])
    assert len(names) == len(config["tests"])  # names are unique
    assert requirements.workload.message_size in sizes
    assert {t["service"] for t in config["tests"]} == {True, False}  # Kubernetes: both paths
    flows = {t["parallelism"] for t in config["tests"]}
    assert flows == {1, min(8, requirements.environment.containers_per_host)}


def test_plan_names_commands_for_the_top_options(planned: Path) -> None:
    import re

    text = (planned / "plan.md").read_text()
    table, commands = text.split("## Commands")
    ranked = re.findall(r"^\| (\d+) \| (\S+) \|", table, flags=re.MULTILINE)
    assert [int(rank) for rank, _ in ranked] == [1, 2, 3]
    for _, option in ranked:
        assert f"--solution {option} --cluster prod" in commands
        assert (
            f"knb -cn NODE_A -sn NODE_B -d 60 -ot p2ptcp,p2stcp -o json -f knb-{option}" in commands
        )
    fourth = re.search(r"falls below #4 (\S+) ", table)
    assert fourth and f"--solution {fourth.group(1)} " not in commands
    assert "k8s-netperf --config k8s-netperf.yml --all --local" in commands  # 30 % same node
    assert "Nothing here was run" in table


def test_refuses_to_overwrite(planned: Path, capsys: pytest.CaptureFixture) -> None:
    before = (planned / "plan.md").read_text()
    assert main(["plan", str(SAAS), "-o", str(planned)]) == 2
    assert "pass --force" in capsys.readouterr().err
    assert (planned / "plan.md").read_text() == before


def test_sensitivity_is_where_the_ranking_flips() -> None:
    from cnadvisor.advisor import Advisor

    advisor = Advisor.from_plugins()
    requirements = load_file(str(SAAS)).requirements
    evaluation = advisor.evaluate(requirements)
    found = sensitivities(advisor, requirements, evaluation, 3)
    assert [s.option.id for s in found] == [o.id for o in evaluation.ranked[:3]]
    flips = 0
    for sens in found:
        option = sens.option
        # Unscaled, the recomputed score is the ranking's own.
        assert _score(advisor, requirements, evaluation, option, 1.0) == pytest.approx(
            option.score, abs=0.01
        )
        for crossing, upward in ((sens.up, True), (sens.down, False)):
            if crossing is None or crossing.factor is None:
                continue
            flips += 1
            target = crossing.neighbour.score
            at = _score(advisor, requirements, evaluation, option, crossing.factor)
            just_before = _score(
                advisor, requirements, evaluation, option,
                crossing.factor / 1.001 if upward else crossing.factor * 1.001,
            )  # fmt: skip
            assert (at > target) if upward else (at < target)
            assert (just_before <= target + 1e-6) if upward else (just_before >= target - 1e-6)
            assert crossing.ratio == pytest.approx(sens.ratio * crossing.factor)
    assert flips >= 2  # the plan has something to say


def test_plan_without_kubernetes(tmp_path: Path) -> None:
    """A Docker system gets iperf3/sockperf commands and a host baseline, no k8s-netperf."""
    system = ROOT / "examples" / "requirements" / "mac-limited-switch.yaml"
    requirements = load_file(str(system)).requirements
    assert requirements.environment.orchestrator.value != "kubernetes"
    assert main(["plan", str(system), "--top", "2", "-o", str(tmp_path)]) == 0
    assert not (tmp_path / "k8s-netperf.yml").exists()
    text = (tmp_path / "plan.md").read_text()
    size = requirements.workload.message_size
    assert "### Host-network baseline (once, for every option)" in text
    assert f"iperf3 -c SERVER_IP -J -t 30 -l {size} > iperf3-host-inter-host.json" in text
    assert "--solution host --scenario inter-host --no-service" in text
    assert "k8s-netperf --config" not in text
