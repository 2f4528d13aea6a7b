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

from .conftest import cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "requirements"


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


# --- Output safety (issue 12) ---


def _digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_output_inside_an_input_folder_is_refused(tmp_path):
    target = tmp_path / "in.yaml"
    target.write_text("name: in\n")
    before = _digest(target)
    result = cli("evaluate", str(tmp_path), "-o", str(target), "--force", "-f", "csv")
    assert result.returncode == 2 and "one of the inputs" in result.stderr
    assert _digest(target) == before


def test_output_through_a_hard_link_to_an_input_is_refused(tmp_path):
    import os

    source = tmp_path / "in.yaml"
    source.write_text("name: in\n")
    os.link(source, tmp_path / "alias.csv")
    result = cli("evaluate", str(source), "-o", str(tmp_path / "alias.csv"), "--force")
    assert result.returncode == 2 and "one of the inputs" in result.stderr
    assert source.read_text() == "name: in\n"


def test_output_that_is_stdin_is_refused(tmp_path):
    source = tmp_path / "in.yaml"
    source.write_text("name: in\n")
    with source.open("rb") as handle:
        result = subprocess.run(
            [sys.executable, "-m", "cnadvisor.cli", "evaluate", "-", "-o", str(source), "--force"],
            stdin=handle,
            capture_output=True,
            text=True,
        )
    assert result.returncode == 2 and "one of the inputs" in result.stderr
    assert source.read_text() == "name: in\n"


def test_output_problems_are_found_before_the_work(tmp_path):
    example = str(EXAMPLES / "offline-backup.yaml")
    cases = {
        str(tmp_path / "missing" / "out.csv"): "does not exist",
        str(tmp_path): "is a folder",
    }
    for output, said in cases.items():
        result = cli("evaluate", example, "-o", output)
        assert result.returncode == 2, result.stderr
        assert said in result.stderr and "Traceback" not in result.stderr


def test_a_failed_write_keeps_the_old_file_and_says_so(tmp_path):
    result = cli("evaluate", str(EXAMPLES / "offline-backup.yaml"), "-o", "/dev/full", "--force")
    assert result.returncode == 4, result.stderr
    assert "could not write /dev/full" in result.stderr and "Traceback" not in result.stderr


def test_output_is_replaced_whole_and_keeps_no_temporary(tmp_path):
    out = tmp_path / "report.csv"
    out.write_text("old\n")
    result = cli("evaluate", str(EXAMPLES), "-f", "csv", "-o", str(out), "--force")
    assert result.returncode == 0, result.stderr
    assert out.read_text().startswith("source,system,status")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]


def test_closed_stdout_is_a_clear_error():
    result = subprocess.run(
        [sys.executable, "-m", "cnadvisor.cli", "evaluate", str(EXAMPLES / "offline-backup.yaml")],
        capture_output=False,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: __import__("os").close(1),
    )
    assert result.returncode == 2 and "stdout is closed" in result.stderr
    assert "Traceback" not in result.stderr


def test_init_output_existing_needs_and_honours_force(tmp_path):
    path = tmp_path / "my.yaml"
    path.write_text("keep\n")
    refused = cli("init", "-o", str(path))
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert path.read_text() == "keep\n"
    assert cli("init", "-o", str(path), "--force").returncode == 0
    assert path.read_text() == TEMPLATE


def test_json_streams_as_one_document_with_errors(tmp_path):
    for index in range(3):
        (tmp_path / f"s{index}.yaml").write_text(f"name: s{index}\n")
    (tmp_path / "zz-bad.yaml").write_text("name: [\n")
    result = cli("evaluate", str(tmp_path), "-f", "json", "--top", "1")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert [r["system"] for r in document["results"]] == ["s0", "s1", "s2"]
    assert len(document["errors"]) == 1 and document["errors"][0]["source"].endswith("zz-bad.yaml")


def test_batch_memory_stays_flat_in_the_number_of_files(tmp_path):
    """Streaming: 80 files must not need much more memory than 10 (it grew by about
    1.2 MB per file before, when every evaluation was kept until the end)."""
    peak = (
        "import resource, sys\n"
        "from cnadvisor.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    )
    text = (EXAMPLES / "multi-tenant-saas.yaml").read_text()
    peaks = {}
    for count in (10, 80):
        folder = tmp_path / str(count)
        folder.mkdir()
        for index in range(count):
            (folder / f"s{index:04d}.yaml").write_text(text)
        result = subprocess.run(
            [sys.executable, "-c", peak, "evaluate", str(folder), "-f", "json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            check=True,
        )
        peaks[count] = int(result.stderr.strip().splitlines()[-1]) / 1024  # MiB
    assert peaks[80] - peaks[10] < 30, peaks


def test_plugins_list_marks_a_third_party_plugin_when_too_narrow_for_its_distribution(
    install_plugin,
):
    from .conftest import MINIMAL, plugin_source

    site = install_plugin("third", {"plugin.py": plugin_source(MINIMAL)})
    narrow = cli("plugins", env={"COLUMNS": "80", "PYTHONPATH": str(site)})
    assert narrow.returncode == 0, narrow.stderr
    rows = [line for line in narrow.stdout.splitlines() if "test-overlay" in line]
    assert len(rows) == 1 and "third *" in rows[0]
    assert "* not built in" in narrow.stdout
    assert not [line for line in narrow.stdout.splitlines() if "calico *" in line]
    wide = cli("plugins", env={"COLUMNS": "150", "PYTHONPATH": str(site)})
    assert "cnadvisor-third 0.1" in wide.stdout and "*" not in wide.stdout
