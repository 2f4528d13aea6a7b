"""The command line reads well (issue 16): each error said once, in a requirements file's
words; tables fit 80 columns without broken words and honour COLUMNS when piped; the first
run that trains the model says so on a terminal and keeps stdout clean. Real subprocesses,
and a real pseudo-terminal where the behaviour depends on one."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "requirements"
BAD = {
    "range.yaml": "name: x\nworkload:\n  traffic: {inter_host: 2}\n",
    "mapping.yaml": "name: x\nworkload: {message_size: {a: 1}}\n",
    "section.yaml": "name: x\nenvironment:\n  underlay: 5\n",
    "validator.yaml": "name: x\npriorities: {performance: 0, security: 0, mobility: 0, "
    "operability: 0}\n",
    "choice.yaml": "name: x\nsecurity:\n  isolation: {value: foo}\n",
    "number.yaml": "name: x\nenvironment: {nic_gbps: fast}\n",
}
PYDANTIC_WORDS = ("Value error", "got a mapping", "Input should", "dictionary", "instance of")


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cnadvisor.cli", *args],
        capture_output=True,
        text=True,
        env=os.environ | (env or {}),
        timeout=300,
    )


def on_terminal(*args: str, stdout_too: bool, env: dict[str, str] | None = None):
    """Run with stderr (and stdout if asked) on a pseudo-terminal; (terminal text, piped
    stdout). The terminal is read while the command runs, so it never blocks on a full pty."""
    main, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "cnadvisor.cli", *args],
        stdin=subprocess.DEVNULL,
        stdout=secondary if stdout_too else subprocess.PIPE,
        stderr=secondary,
        env=os.environ | {"COLUMNS": "100", "LINES": "40"} | (env or {}),
    )
    os.close(secondary)
    seen = bytearray()
    piped = b""
    while True:
        ready, _, _ = select.select([main], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the other end closed
                chunk = b""
            if chunk:
                seen += chunk
                continue
        if process.poll() is not None and not ready:
            break
        if ready and not chunk:
            break
    if process.stdout is not None:
        piped = process.stdout.read()
    process.wait(timeout=300)
    os.close(main)
    return seen.decode("utf-8", "replace").replace("\r\n", "\n"), piped.decode(), process


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bad")
    for name, text in BAD.items():
        (folder / name).write_text(text)
    return folder


def test_each_error_is_said_once_when_piped(bad_files):
    result = cli("evaluate", str(bad_files / "range.yaml"), str(EXAMPLES / "offline-backup.yaml"))
    assert result.returncode == 1
    assert result.stderr.count("range.yaml:3") == 1
    assert "range.yaml" not in result.stdout
    assert "offline backup" in result.stdout  # the good file was still evaluated


def test_each_error_is_said_once_on_a_terminal(bad_files):
    seen, _, process = on_terminal(
        "evaluate", str(bad_files / "range.yaml"), str(EXAMPLES / "offline-backup.yaml"),
        stdout_too=True,
    )  # fmt: skip
    assert process.returncode == 1
    assert seen.count("range.yaml:3") == 1, seen
    assert "offline backup" in seen


def test_messages_use_a_requirements_files_words(bad_files):
    result = cli("evaluate", *(str(bad_files / name) for name in BAD), "-f", "json")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("cnadvisor: error:")]
    assert len(lines) == len(BAD)
    for line in lines:
        assert not any(word in line for word in PYDANTIC_WORDS), line
    said = "\n".join(lines)
    assert "range.yaml:3: workload.traffic.inter_host: expected at most 1 (got 2)" in said
    assert "message_size: expected a whole number (got a section with keys a)" in said
    assert "environment.underlay: expected a section of keys" in said
    assert "priorities: at least one priority must be above 0" in said
    assert "nic_gbps: expected a number (got 'fast')" in said


def _width(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_plugins_at_80_columns_keep_words_whole():
    result = cli("plugins", env={"COLUMNS": "80"})
    assert result.returncode == 0
    assert _width(result.stdout) <= 80
    listed = json.loads(cli("plugins", "-f", "json").stdout)
    ids = {s for plugin in listed["plugins"] for s in plugin["solutions"]}
    cells = {cell.strip() for line in result.stdout.splitlines() for cell in line.split("│")}
    assert ids <= cells, f"broken or missing: {sorted(ids - cells)[:5]}"
    header = next(line for line in result.stdout.splitlines() if "solution" in line)
    assert "distribution" not in header and "sources" not in header
    wide = cli("plugins", env={"COLUMNS": "130"})
    assert "distribution" in wide.stdout and "sources" in wide.stdout
    assert _width(wide.stdout) <= 130


def test_piped_output_honours_columns():
    example = str(EXAMPLES / "trading-gateway.yaml")
    narrow = cli("evaluate", example, env={"COLUMNS": "80"})
    default = cli("evaluate", example, env={"COLUMNS": ""})
    assert narrow.returncode == default.returncode == 0
    assert _width(narrow.stdout) <= 80 < _width(default.stdout)


def test_estimate_column_names_the_main_scenario():
    mostly_local = cli("evaluate", str(EXAMPLES / "trading-gateway.yaml"), env={"COLUMNS": "140"})
    mostly_remote = cli("evaluate", str(EXAMPLES / "offline-backup.yaml"), env={"COLUMNS": "140"})
    assert "intra-host estimate" in mostly_local.stdout
    assert "inter-host estimate" not in mostly_local.stdout
    assert "inter-host estimate" in mostly_remote.stdout


def test_first_training_is_announced_on_a_terminal_only(tmp_path):
    cache = {"CNADVISOR_CACHE_DIR": str(tmp_path / "cache")}
    example = str(EXAMPLES / "trading-gateway.yaml")
    seen, stdout, process = on_terminal("evaluate", example, "-f", "json", stdout_too=False,
                                        env=cache)  # fmt: skip
    assert process.returncode == 0, seen
    notices = re.findall(r"cnadvisor: training the performance model once, .*; cached in (\S+)",
                         seen)  # fmt: skip
    assert len(notices) == 1, seen
    assert Path(notices[0]).is_file()  # it says where, truly
    assert json.loads(stdout)["results"][0]["system"]  # stdout is the JSON and nothing else
    again, _, _ = on_terminal("evaluate", example, "-f", "json", stdout_too=False, env=cache)
    assert "training the performance model" not in again  # cached: nothing to say
    piped = cli("evaluate", example, "-f", "json",
                env={"CNADVISOR_CACHE_DIR": str(tmp_path / "other")})  # fmt: skip
    assert "training the performance model" not in piped.stderr + piped.stdout


def test_model_info_is_a_table_with_json_behind_a_flag():
    trained = cli("model", "train")
    assert trained.returncode == 0, trained.stderr
    raw = json.loads(cli("model", "info", "-f", "json").stdout)
    shown = cli("model", "info", env={"COLUMNS": "100"})
    assert shown.returncode == 0
    assert not shown.stdout.lstrip().startswith("{")
    assert f"{raw['observations']} observations" in shown.stdout
    assert f"from {len(raw['studies'])} sources" in shown.stdout
    assert re.search(r"throughput ×/÷ \d+\.\d\d", shown.stdout)
    assert "0000000" not in shown.stdout  # no raw float noise such as 0.5800000000000001
    assert _width(shown.stdout) <= 100
