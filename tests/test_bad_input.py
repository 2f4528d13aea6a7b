"""The bad-input corpus: one test per case, each asserting a clear error that names
the file, the line and the key where there is one, and that the batch goes on."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from cnadvisor.loading import MAX_BYTES, RequirementsError, load_file


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def _problem(path: Path):
    with pytest.raises(RequirementsError) as error:
        load_file(str(path))
    (problem,) = error.value.problems
    assert problem.source == str(path)
    return problem


def test_malformed_yaml_names_the_line(tmp_path):
    path = _write(tmp_path, "bad.yaml", "workload:\n  traffic: {intra_host: 0.5\nname: x\n")
    problem = _problem(path)
    assert "not valid YAML" in problem.message
    assert problem.line in (2, 3)


def test_alias_bomb_is_refused_before_expansion(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    path = _write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    problem = _problem(path)
    assert "aliases" in problem.message and "refused" in problem.message


def test_oversized_file_is_refused(tmp_path):
    path = _write(tmp_path, "big.yaml", "# " + "x" * MAX_BYTES + "\nname: x\n")
    assert "refused" in _problem(path).message


def test_wrong_type_names_key_and_line(tmp_path):
    path = _write(tmp_path, "t.yaml", "name: x\nenvironment:\n  containers_per_host: many\n")
    problem = _problem(path)
    assert problem.key == "environment.containers_per_host"
    assert problem.line == 3
    assert "'many'" in problem.message


def test_misspelled_key_suggests_the_right_one(tmp_path):
    path = _write(tmp_path, "typo.yaml", "name: x\nsecurity:\n  netwrok_policy: l7\n")
    problem = _problem(path)
    assert problem.key == "security.netwrok_policy"
    assert problem.line == 3
    assert "did you mean 'network_policy'" in problem.message


def test_out_of_range_value(tmp_path):
    path = _write(tmp_path, "range.yaml", "workload:\n  traffic:\n    inter_host: 1.5\n")
    problem = _problem(path)
    assert problem.key == "workload.traffic.inter_host"
    assert problem.line == 3
    assert "less than or equal to 1" in problem.message


def test_constraint_with_bad_need(tmp_path):
    path = _write(tmp_path, "need.yaml", "security:\n  encryption: {value: true, need: maybe}\n")
    problem = _problem(path)
    assert problem.key == "security.encryption.need"
    assert problem.line == 2
    assert "'required' or 'preferred'" in problem.message


def test_empty_file(tmp_path):
    assert "file is empty" in _problem(_write(tmp_path, "empty.yaml", "\n\n")).message


def test_non_utf8_bytes_name_the_line(tmp_path):
    problem = _problem(_write(tmp_path, "latin1.yaml", b"name: x\ndescription: caf\xe9\n"))
    assert "not UTF-8" in problem.message and problem.line == 2


def test_missing_file(tmp_path):
    assert "No such file" in _problem(tmp_path / "absent.yaml").message


def test_top_level_list(tmp_path):
    assert "expected a mapping" in _problem(_write(tmp_path, "list.yaml", "- a\n- b\n")).message


def test_two_documents(tmp_path):
    path = _write(tmp_path, "two.yaml", "name: a\n---\nname: b\n")
    assert "several YAML documents" in _problem(path).message


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cnadvisor.cli", *args], capture_output=True, text=True
    )


def test_folder_without_yaml(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    result = _cli("evaluate", str(tmp_path))
    assert result.returncode == 1
    assert f"{tmp_path}: folder holds no .yaml or .yml files" in result.stderr


def test_one_bad_file_never_stops_the_batch_nor_is_written_to(tmp_path):
    good = _write(tmp_path, "a-good.yaml", "name: good one\nworkload: {traffic: {inter_host: 1}}\n")
    bad = _write(tmp_path, "b-bad.yaml", "name: bad\nworkload: {protocol: sctp}\n")
    also_good = _write(tmp_path, "c-good.yaml", "name: second good\n")
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (good, bad, also_good)}
    result = _cli("evaluate", str(tmp_path), "--format", "json")
    assert result.returncode == 1
    assert f"{bad}:2: workload.protocol:" in result.stderr
    import json

    document = json.loads(result.stdout)
    assert [r["system"] for r in document["results"]] == ["good one", "second good"]
    assert document["errors"][0]["key"] == "workload.protocol"
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (good, bad, also_good)}
    assert before == after


def test_output_never_overwrites_an_input_or_an_existing_file(tmp_path):
    good = _write(tmp_path, "sys.yaml", "name: x\n")
    original = good.read_text()
    result = _cli("evaluate", str(good), "--output", str(good))
    assert result.returncode == 2 and "refusing" in result.stderr
    existing = _write(tmp_path, "report.md", "keep me")
    result = _cli("evaluate", str(good), "-f", "markdown", "-o", str(existing))
    assert result.returncode == 2 and "--force" in result.stderr
    assert existing.read_text() == "keep me" and good.read_text() == original


def test_stdin_is_read_with_dash():
    result = subprocess.run(
        [sys.executable, "-m", "cnadvisor.cli", "evaluate", "-", "-f", "csv"],
        input="name: from stdin\n",
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0
    assert "<stdin>,from stdin,ranked,1," in result.stdout
