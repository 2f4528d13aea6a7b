"""The command line end to end, as a user runs it (a real subprocess)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import yaml
from cnadvisor.requirements import Requirements, json_schema
from cnadvisor.template import TEMPLATE

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "requirements"


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cnadvisor.cli", *args], capture_output=True, text=True, input=stdin
    )


def test_init_template_is_valid_and_evaluates(tmp_path):
    result = cli("init")
    assert result.returncode == 0 and result.stdout == TEMPLATE
    Requirements.model_validate(yaml.safe_load(result.stdout))
    path = tmp_path / "mine.yaml"
    assert cli("init", "-o", str(path)).returncode == 0
    assert cli("init", "-o", str(path)).returncode == 2  # never overwrites
    evaluated = cli("evaluate", str(path))
    assert evaluated.returncode == 0
    assert "my system" in evaluated.stdout and "why (points lost)" in evaluated.stdout


def test_schema_is_json_schema_that_accepts_every_example():
    import jsonschema

    result = cli("schema")
    schema = json.loads(result.stdout)
    assert schema == json.loads(json.dumps(json_schema()))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for example in EXAMPLES.glob("*.yaml"):
        assert not list(validator.iter_errors(yaml.safe_load(example.read_text()))), example
    assert list(validator.iter_errors({"workload": {"protocol": "sctp"}}))


def test_folder_as_json_has_the_documented_shape():
    result = cli("evaluate", str(EXAMPLES), "--format", "json", "--top", "3")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1 and document["errors"] == []
    assert len(document["results"]) >= 6
    for evaluation in document["results"]:
        assert len(evaluation["ranked"]) <= 3
        assert {"source", "system", "model", "weights", "ranked", "excluded", "robustness"} <= set(
            evaluation
        )
        first = evaluation["ranked"][0]
        assert {"rank", "id", "score", "criteria", "predictions", "reasons", "findings"} <= set(
            first
        )
        for prediction in first["predictions"]:
            assert prediction["model"] == "trained"
            ratio = prediction["throughput_ratio"]
            if prediction["scenario"] == "inter-host":
                assert ratio["low"] <= ratio["value"] <= ratio["high"]
            assert prediction["throughput_gbps"]["unit"] == "Gbps"
            assert prediction["packet_rate_mpps"]["unit"] == "Mpps"
            assert prediction["added_latency_us"]["unit"] == "us"


def test_csv_lists_ranked_and_excluded_rows():
    result = cli("evaluate", str(EXAMPLES / "mac-limited-switch.yaml"), "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    statuses = {row["status"] for row in rows}
    assert statuses == {"ranked", "excluded"}
    macvlan = next(row for row in rows if row["id"] == "macvlan-bridge")
    assert macvlan["status"] == "excluded"
    assert "environment.underlay.promiscuous_allowed" in macvlan["reasons"]
    ranked = [row for row in rows if row["status"] == "ranked"]
    assert [int(row["rank"]) for row in ranked] == list(range(1, len(ranked) + 1))


def test_markdown_report_explains_and_lists_exclusions():
    result = cli("evaluate", str(EXAMPLES / "multi-tenant-saas.yaml"), "-f", "markdown")
    assert result.returncode == 0
    assert "### Why" in result.stdout and "### Excluded" in result.stdout
    assert "`security.encryption`: does not encrypt traffic between hosts" in result.stdout
    assert "`environment.platform`: Azure's network fabric blocks IP-in-IP" in result.stdout


def test_table_show_excluded_names_the_requirement():
    result = cli("evaluate", str(EXAMPLES / "offline-backup.yaml"), "--show-excluded")
    assert result.returncode == 0
    assert "excluded" in result.stdout


def test_plugins_lists_at_least_forty_variants_from_twenty_plugins():
    result = cli("plugins", "--format", "json")
    document = json.loads(result.stdout)
    with_solutions = [p for p in document["plugins"] if p["solutions"]]
    assert sum(len(p["solutions"]) for p in with_solutions) >= 40
    assert len(document["plugins"]) >= 20
    assert all(p["distribution"] == "cnadvisor" and p["version"] for p in document["plugins"])
    table = cli("plugins")
    assert "solutions from" in table.stdout and "macvlan-bridge" in table.stdout


def test_plugins_show_prints_profile_with_sources():
    result = cli("plugins", "show", "macvlan-bridge")
    assert result.returncode == 0
    assert "references:" in result.stdout and "https://" in result.stdout
    assert "needs_promiscuous: True" in result.stdout
    missing = cli("plugins", "show", "macvlan-brigde")
    assert missing.returncode == 2 and "did you mean macvlan-bridge" in missing.stderr


def test_tui_without_a_terminal_says_what_to_use_instead():
    result = cli("tui")
    assert result.returncode == 2 and "needs a terminal" in result.stderr


def test_usage_errors_exit_2():
    assert cli("evaluate").returncode == 2
    assert cli("evaluate", "x.yaml", "--format", "xml").returncode == 2
    assert cli().returncode == 2
