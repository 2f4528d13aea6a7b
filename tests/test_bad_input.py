"""The bad-input corpus: one test per case, each asserting a clear error that names
the file, the line and the key where there is one, and that the batch goes on."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from cnadvisor.loading import MAX_BYTES, RequirementsError, load_file
from hypothesis import given, settings
from hypothesis import strategies as st


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
    assert "expected at most 1 (got 1.5)" in problem.message


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


# --- Hostile input (issue 12): every case is one clear error, never a traceback or a hang ---

BAD_DOCUMENTS = {
    "python-object": "name: x\nworkload: !!python/object/apply:os.system ['true']\n",
    "python-name": "name: !!python/name:os.system\n",
    "unknown-tag": "name: !foo bar\n",
    "bad-binary": 'name: x\ndescription: !!binary "%%%"\n',
    "bad-int": 'name: x\nenvironment: {containers_per_host: !!int "abc"}\n',
    "bad-timestamp": 'name: x\ndescription: !!timestamp "2001-99-99"\n',
    "merge-scalar": "name: x\nworkload:\n  <<: 5\n",
    "alias-as-key": "a: &a [1, 2]\n*a : 3\n",
    "huge-int": "name: x\nenvironment: {containers_per_host: " + "9" * 4301 + "}\n",
    "deep": "name: x\ndescription: " + "[" * 500 + "]" * 500 + "\n",
    "bracket-key": "name: x\nwork[load: 1\n",
    "nested-bracket-key": "name: x\nworkload:\n  traffic:\n    intra[host: 1\n",
    "duplicate": "name: x\nworkload: {message_size: 64}\nworkload: {message_size: 128}\n",
    "sexagesimal": "name: x\nworkload: {message_size: 1:30}\n",
    "bool-as-number": "name: x\nenvironment: {containers_per_host: true}\n",
    "latency-nan": "name: x\nworkload: {latency_budget_us: .nan}\n",
    "latency-negative": "name: x\nworkload: {latency_budget_us: -5}\n",
    "latency-minus-inf": "workload:\n  latency_budget_us: {value: -.inf, need: preferred}\n",
    "escape-in-name": 'name: "evil\\e]8;;http://x\\e\\\\"\n',
    "bidi-in-name": 'name: "abc\\u202Edcba"\n',
}


@pytest.mark.parametrize("case", sorted(BAD_DOCUMENTS))
def test_hostile_document_is_one_clear_error(tmp_path, case):
    path = _write(tmp_path, f"{case}.yaml", BAD_DOCUMENTS[case])
    problem = _problem(path)
    assert problem.message
    text = str(problem)
    assert "\x1b" not in text and "\u202e" not in text


def test_bracket_key_is_blamed_where_it_is(tmp_path):
    problem = _problem(_write(tmp_path, "k.yaml", BAD_DOCUMENTS["nested-bracket-key"]))
    assert problem.key == "workload.traffic.intra[host"
    assert problem.line == 4
    assert "intra_host" in problem.message  # suggested from the right section


def test_duplicate_key_names_both_lines(tmp_path):
    problem = _problem(_write(tmp_path, "d.yaml", BAD_DOCUMENTS["duplicate"]))
    assert problem.key == "workload" and problem.line == 3 and "line 2" in problem.message


def test_sexagesimal_is_not_ninety(tmp_path):
    problem = _problem(_write(tmp_path, "s.yaml", BAD_DOCUMENTS["sexagesimal"]))
    assert problem.key == "workload.message_size" and "'1:30'" in problem.message


def test_date_like_text_stays_text(tmp_path):
    path = _write(tmp_path, "d.yaml", "name: x\ndescription: 2001-02-30\n")
    assert load_file(str(path)).requirements.description == "2001-02-30"


def test_many_plain_keys_are_not_called_aliases(tmp_path):
    body = "".join(f"k{i}: 1\n" for i in range(100_000))
    problem = _problem(_write(tmp_path, "wide.yaml", body))
    assert "refused" in problem.message and "alias" not in problem.message


def test_aliased_long_string_error_is_small_and_fast(tmp_path):
    """One 200 KB string reached through 19,000 aliases must not be repr'd whole."""
    import resource
    import time

    body = "description: &s " + "x" * 200_000 + "\nworkload: {protocol: ["
    body += ", ".join(["*s"] * 19_000) + "]}\n"
    path = _write(tmp_path, "amp.yaml", body)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    problem = _problem(path)
    assert time.perf_counter() - started < 3
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB
    assert len(problem.message) < 300


@pytest.mark.parametrize("suffix", [".YAML", ".Yml", ".yMl"])
def test_folder_expansion_takes_any_case_of_the_suffix(tmp_path, suffix):
    from cnadvisor.loading import expand_inputs

    (tmp_path / f"a{suffix}").write_text("name: x\n")
    assert list(expand_inputs([str(tmp_path)])) == [str(tmp_path / f"a{suffix}")]


def test_fifo_is_refused_without_blocking(tmp_path):
    import os

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    result = subprocess.run(
        [sys.executable, "-m", "cnadvisor.cli", "evaluate", str(fifo), "-f", "csv"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "FIFO" in result.stderr and str(fifo) in result.stderr


def test_fifo_swapped_into_a_folder_mid_batch_is_refused(tmp_path, monkeypatch):
    import os

    from cnadvisor import loading

    (tmp_path / "a.yaml").write_text("name: a\n")
    (tmp_path / "b.yaml").write_text("name: b\n")
    items = loading.expand_inputs([str(tmp_path)])
    first = next(items)
    (tmp_path / "b.yaml").unlink()
    os.mkfifo(tmp_path / "b.yaml")  # swapped after the folder was listed
    assert loading.load_file(first).requirements.name == "a"
    with pytest.raises(RequirementsError) as error:
        loading.load_file(next(items))
    assert "FIFO" in error.value.problems[0].message


def test_closed_stdin_is_an_input_error():
    result = subprocess.run(
        [sys.executable, "-m", "cnadvisor.cli", "evaluate", "-", "-f", "csv"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        preexec_fn=lambda: __import__("os").close(0),
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "stdin" in result.stderr


@settings(max_examples=60, deadline=None)
@given(
    prefix=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=10),
    bad=st.sampled_from(["\x1b", "\r", "\b", "\x00", "\x7f", "\u202e", "\u2066", "\x9b"]),
)
def test_names_with_control_or_bidi_characters_are_refused(prefix, bad):
    """Any name holding a terminal control or bidi override is refused with its code point."""
    from cnadvisor.requirements import Requirements
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as error:
        Requirements.model_validate({"name": prefix + bad})
    assert f"U+{ord(bad):04X}" in str(error.value)


@settings(max_examples=60, deadline=None)
@given(key=st.text(min_size=1, max_size=30).filter(lambda k: k.strip() == k and k))
def test_any_unknown_key_is_one_clean_error(key):
    """Any unknown top-level key (brackets, controls, bidi) gives one error, safe to print."""
    import json

    from cnadvisor.loading import parse_requirements

    document = f"name: x\n{json.dumps(key)}: 1\n".encode()
    with pytest.raises(RequirementsError) as error:
        parse_requirements(document, "k.yaml")
    (problem,) = error.value.problems
    text = str(problem)
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or c == "\u202e" for c in text)


_SCALARS = st.one_of(
    st.tuples(st.sampled_from(["", "-", "+"]), st.text("0123456789", min_size=1, max_size=5000))
    .map("".join),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from([".nan", "-.inf", ".inf", "1:30", "1_000", "0x1F", "0o17", "true", "no",
                     "~", "''", "1e3", "2001-02-30", "!!int '12'", "!!float 'x'", "!!bool 'maybe'",
                     "!!str 5", "!!timestamp 2001-99-99", "!!null ''", "!!binary AAAA"]),
    st.text(min_size=1, max_size=12).map(lambda t: json_quote(t)),
)  # fmt: skip


def json_quote(text: str) -> str:
    import json

    return json.dumps(text)


@settings(max_examples=150, deadline=None)
@given(
    key=st.sampled_from(
        [
            "environment.containers_per_host",
            "environment.nic_gbps",
            "workload.message_size",
            "workload.latency_budget_us",
            "workload.traffic.inter_host",
            "priorities.security",
            "environment.underlay.mtu",
        ]
    ),
    scalar=_SCALARS,
)
def test_any_scalar_for_a_number_is_a_finite_in_range_number_or_one_clear_error(key, scalar):
    """Numbers, tags, YAML 1.1 forms, huge integers, NaN: valid and finite, or refused."""
    import math

    from cnadvisor.loading import parse_requirements

    *parents, last = key.split(".")
    document = "".join(f"{'  ' * i}{p}:\n" for i, p in enumerate(parents))
    document += f"{'  ' * len(parents)}{last}: {scalar}\n"
    try:
        requirements = parse_requirements(document.encode(), "n.yaml")
    except RequirementsError as error:
        assert len(error.problems) >= 1 and all(p.source == "n.yaml" for p in error.problems)
        return
    value = requirements.model_dump()
    for part in key.split("."):
        value = value[part]
    if isinstance(value, dict):
        value = value["value"]
    assert value is None or (
        not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)
    )
