"""The CLI package: one documented set of exit codes, only the chosen command's module
imported (`model report`'s progress on stderr only is checked in test_model_cli)."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cnadvisor.cli import exit_codes
from cnadvisor.cli.app import COMMANDS, parser

from .conftest import cli

ROOT = Path(__file__).resolve().parent.parent


def test_readme_and_help_document_the_same_exit_codes():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(code) for code in re.findall(r"^\| `(\d+)` \|", section, re.MULTILINE)}
    defined = {
        value
        for name, value in vars(exit_codes).items()
        if name.isupper() and isinstance(value, int) and name != "SIGNAL"
    }
    assert documented == defined
    assert "`128+N`" in section
    top_help = " ".join(cli("--help").stdout.split())
    assert " ".join(exit_codes.EPILOG.split()) in top_help


def test_every_command_has_a_module_with_a_full_parser():
    full = parser(None)  # every command's arguments
    words = full._subparsers._group_actions[0].choices  # argparse has no public API
    assert set(words) == set(COMMANDS)
    for word in ("model", "plugins", "bench"):  # sub-actions are subcommands, not choices
        sub = words[word]._subparsers
        assert sub is not None, word
    assert cli("model", "trian").returncode == exit_codes.USAGE
    assert "invalid choice" in cli("plugins", "shwo").stderr


def test_only_the_chosen_command_module_is_imported():
    code = (
        "import sys, io, contextlib\n"
        "from cnadvisor.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['schema']) == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith('cnadvisor.cli.')))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    modules = set(eval(loaded.stdout))  # a list of names printed by the child
    assert modules == {"cnadvisor.cli.app", "cnadvisor.cli.common", "cnadvisor.cli.exit_codes",
                       "cnadvisor.cli.schema"}  # fmt: skip


def test_message_size_is_parsed_one_way_everywhere():
    for command in (["predict", "calico-vxlan"], ["import", "sockperf", "x", "--solution", "y"]):
        bad = cli(*command, "--message-size", "big")
        assert bad.returncode == exit_codes.USAGE
        assert "whole numbers of bytes" in bad.stderr and bad.stdout == ""


def test_every_modelled_factor_reaches_the_workload_point():
    from dataclasses import fields

    from cnadvisor.cli.predict import FACTORS, workload
    from cnadvisor.performance import WorkloadPoint

    given = ["--scenario", "intra-host", "--protocol", "udp", "--virtualization", "vm",
             "--containers-per-host", "4", "--cpu-pinning", "--streams", "3", "--cores", "2",
             "--via-service", "--packet-io", "--nic-gbps", "25", "--mtu", "9000"]  # fmt: skip
    args = parser("predict").parse_args(["predict", "x", *given])
    point = workload(args, 64)
    default = WorkloadPoint()
    set_here = {"message_size", "scenario", *FACTORS}
    assert {f.name for f in fields(WorkloadPoint)} - set_here == {"ip_family"}
    for name in set_here:  # each option moved its field off the default
        assert getattr(point, name) != getattr(default, name), name
    assert (point.underlay_mtu, point.streams, point.message_size) == (9000, 3, 64)


def test_shared_options_are_spelled_alike_in_every_command():
    full = parser(None)
    commands = full._subparsers._group_actions[0].choices  # argparse has no public API

    def option(command, flag):
        (action,) = [a for a in command._actions if flag in a.option_strings]
        return action

    scenario = {option(commands[name], "--scenario").choices for name in ("predict", "import")}
    assert len(scenario) == 1
    formats = [commands["evaluate"], commands["predict"], commands["plugins"]]
    formats.append(commands["model"]._subparsers._group_actions[0].choices["info"])
    for command in formats:
        assert option(command, "--format").option_strings == ["--format", "-f"]
        assert option(command, "--format").help, command.prog
    for command in (["predict", "x"], ["import", "iperf3", "x", "--solution", "y"]):
        bad = cli(*command, "--scenario", "same-host")
        assert bad.returncode == exit_codes.USAGE
        assert "--scenario: invalid choice: 'same-host'" in bad.stderr


def _helps(full: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Every command's and sub-action's parser by its prog, the bench's left to its tests."""
    found, todo = {}, [full]
    while todo:
        parser_ = todo.pop()
        found[parser_.prog] = parser_
        if parser_._subparsers is not None:  # argparse has no public API for this
            for action in parser_._subparsers._group_actions:
                todo.extend(action.choices.values())
    return {prog: p for prog, p in found.items() if not prog.startswith("cnadvisor bench")}


def test_help_reads_at_80_columns(monkeypatch: pytest.MonkeyPatch):
    """Each argument says what it is, and no option's row is so long that its help starts
    on the next line for want of room (as `--format {...}, -f {...}` did)."""
    monkeypatch.setenv("COLUMNS", "80")
    commands = _helps(parser(None))
    assert {"cnadvisor predict", "cnadvisor plan", "cnadvisor plugins new"} <= set(commands)
    for prog, command in commands.items():
        for action in command._actions:
            if not isinstance(action, argparse._SubParsersAction):  # its actions have help
                assert action.help, f"{prog}: {action.dest} has no help"
        for line in command.format_help().splitlines():
            assert len(line) <= 80, f"{prog}: {line!r}"
            row = re.match(r"  (-\S.*?)(?:  +\S|$)", line)
            if row:
                assert len(row.group(1)) <= 40, f"{prog}: {row.group(1)!r}"


def test_usage_errors_found_after_parsing_are_labelled_like_argparse_ones():
    for command in (
        ["import", "knb", "x", "--solution", "calcio-bgp"],
        ["plugins", "show", "calcio-bgp"],
    ):
        bad = cli(*command)
        assert bad.returncode == exit_codes.USAGE and bad.stdout == ""
        assert bad.stderr.startswith("cnadvisor: error: "), bad.stderr
        assert "calico-bgp" in bad.stderr  # the "did you mean"


def test_every_command_that_loads_plugins_honours_strict_plugins(install_plugin, tmp_path: Path):
    """`import` and `plan` load plugins through the same loader as `evaluate`: a broken
    plugin is a warning, and under --strict-plugins exit code 3 before any work."""
    site = install_plugin("broken", {"plugin.py": "raise RuntimeError('vendor bug')\n"})
    env = {"PYTHONPATH": str(site), "CNADVISOR_DATA_DIR": str(tmp_path / "data")}
    saas = ROOT / "examples" / "requirements" / "multi-tenant-saas.yaml"
    knb = ROOT / "tests" / "fixtures" / "imports" / "knb-doc-cilium-run1.json"
    commands = {
        "plan": ["plan", str(saas), "-o", str(tmp_path / "plan")],
        "import": ["import", "knb", str(knb), "--solution", "cilium-vxlan"],
    }
    for name, command in commands.items():
        strict = cli("--strict-plugins", *command, env=env)
        assert strict.returncode == exit_codes.PLUGIN, (name, strict.stderr)
        assert "plugin 'broken'" in strict.stderr, name
    assert not (tmp_path / "plan").exists() and not (tmp_path / "data").exists()
    relaxed = cli(*commands["import"], env=env)
    assert relaxed.returncode == exit_codes.OK, relaxed.stderr
    assert "cnadvisor: warning: plugin 'broken'" in relaxed.stderr
    assert list((tmp_path / "data").rglob("*.csv"))  # the import ran


def test_predict_table_shows_every_figure_in_full_at_80_columns():
    """No estimate or interval is cut short (each cell had been ellipsised at 80 columns);
    the figures are the JSON output's, rounded as the table rounds them."""
    import json

    asked = ("predict", "swarm-overlay-encrypted", "calico-bgp", "--message-size", "64,1400")
    table = cli(*asked, env={"COLUMNS": "80"})
    assert table.returncode == 0, table.stderr
    assert "…" not in table.stdout
    assert max(len(line) for line in table.stdout.splitlines()) <= 80
    rows = json.loads(cli(*asked, "-f", "json").stdout)
    assert len(rows) == 4
    digits = {"throughput_ratio": 2, "throughput_gbps": 2, "packet_rate_mpps": 3,
              "added_latency_us": 1}  # fmt: skip
    for row in rows:
        for name, n in digits.items():
            estimate = row[name]
            assert f"{estimate['value']:.{n}f}" in table.stdout, (name, estimate)
            interval = f"[{estimate['low']:.{n}f}–{estimate['high']:.{n}f}]"
            assert interval in table.stdout, (name, interval)


def test_the_collector_is_quiet_only_while_the_process_loads(tmp_path: Path, capsys):
    """`main` collects garbage rarely until the advisor is loaded, then freezes what was
    loaded and restores the usual thresholds; a command that loads no advisor restores
    them too (an in-process caller keeps its collector as it was)."""
    import gc

    from cnadvisor.cli import app, common

    usual = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []
    real_settle = common.settle_heap

    def settle() -> None:
        seen.append(gc.get_threshold())  # while loading
        real_settle()

    example = ROOT / "examples" / "requirements" / "multi-tenant-saas.yaml"
    try:
        common.settle_heap = settle
        assert app.main(["evaluate", str(example), "-f", "json", "-o", str(tmp_path / "o")]) == 0
        frozen = gc.get_freeze_count()
    finally:
        common.settle_heap = real_settle
        gc.unfreeze()
    assert seen and seen[0][0] == common.STARTUP_COLLECTION_THRESHOLD
    assert frozen > 0
    assert gc.get_threshold() == usual
    assert app.main(["schema"]) == 0
    capsys.readouterr()
    assert gc.get_threshold() == usual
    import threading  # the TUI loads in a thread: its screens must stay collectable

    common.quiet_collector()
    frozen = gc.get_freeze_count()
    loader = threading.Thread(target=common.settle_heap)
    loader.start()
    loader.join()
    assert gc.get_freeze_count() == frozen and gc.get_threshold() == usual
    gc.unfreeze()
