"""The Markdown report keeps an architecture-decision-record layout: context, options,
decision, consequences, in that order, with the telling exclusions first."""

from __future__ import annotations

import re
from pathlib import Path

from cnadvisor.loading import load_file
from cnadvisor.render import Batch
from cnadvisor.render.markdown import MarkdownRenderer

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "requirements" / "trading-gateway.yaml"


def _report(advisor) -> tuple[str, object, object]:
    loaded = load_file(str(EXAMPLE))
    evaluation = advisor.evaluate(loaded.requirements, source=loaded.source)
    renderer = MarkdownRenderer(Batch())
    text = renderer.start() + renderer.add(evaluation, loaded.requirements)
    return text + renderer.finish([]), evaluation, loaded.requirements


def test_sections_follow_a_decision_record(trained_advisor):
    text, evaluation, requirements = _report(trained_advisor)
    headings = re.findall(r"^### (\w+)", text, flags=re.MULTILINE)
    assert headings == ["Context", "Options", "Decision", "Consequences"]
    context = text.split("### Context", 1)[1].split("### Options", 1)[0]
    assert f"{requirements.workload.message_size}-byte messages" in context
    assert "`workload.latency_budget_us`" in context  # a preferred key, named
    leader = evaluation.ranked[0]
    decision = text.split("### Decision", 1)[1].split("### Consequences", 1)[0]
    assert f"Choose **{leader.name}** (`{leader.id}`)" in decision
    consequences = text.split("### Consequences", 1)[1]
    if leader.effective_mtu:
        assert f"Effective MTU inside the containers: {leader.effective_mtu}." in consequences


def test_table_names_the_scenario_most_traffic_uses(trained_advisor):
    text, evaluation, requirements = _report(trained_advisor)
    traffic = requirements.workload.traffic
    expected = "intra-host" if traffic.intra_host > traffic.leaves_host else "inter-host"
    assert evaluation.scenario == expected
    assert f"| throughput ({expected}) |" in text


def test_orchestrator_mismatches_are_listed_last(trained_advisor):
    text, evaluation, _ = _report(trained_advisor)
    excluded = text.split("#### Excluded", 1)[1].split("### Decision", 1)[0]
    keys = re.findall(r"^- \*\*[^*]+\*\*: `([^`]+)`", excluded, flags=re.MULTILINE)
    assert len(keys) == len(evaluation.excluded)
    orchestrator = [k == "environment.orchestrator" for k in keys]
    assert any(orchestrator) and not all(orchestrator)
    assert orchestrator == sorted(orchestrator), "an orchestrator mismatch came before another"
