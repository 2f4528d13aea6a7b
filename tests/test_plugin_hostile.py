"""Hostile plugins: one real package per misbehaviour, pip-installed into one virtual
environment for the session, each enabled on its own through ``CNADVISOR_PLUGINS``.

Each test runs the real ``cnadvisor`` command in that environment and asserts that the
plugin is named, left out or held to its limits, and that cnadvisor's own output and
exit code are what they would be without it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path

import pytest
from cnadvisor.plugins import DISABLE_AUTOLOAD_ENV, SELECT_ENV, load_plugins

PROFILE = """
PROFILE = {
    "id": "%(id)s",
    "name": "Hostile-test CNI",
    "family": "kubernetes-cni",
    "summary": "A profile used only by the hostile-plugin tests.",
    "references": [{"id": "d", "title": "docs page", "url": "https://example.org/"}],
    "datapath": {"intra_host": ["veth"], "inter_host": ["veth", "vxlan"], "cite": ["d"]},
    "security": {"isolation": "namespace", "cite": ["d"]},
    "mobility": {"cite": ["d"]},
    "operations": {"orchestrators": ["kubernetes"], "underlay": "ip", "cite": ["d"]},
}
"""

HEAD = "import itertools, os, sys, time\nfrom cnadvisor import hookimpl\n"

# entry-point name -> (distribution name, module source)
HOSTILE: dict[str, tuple[str, str]] = {
    "exit-at-import": ("cnadvisor-exit-at-import", "import sys\nsys.exit(0)\n"),
    "exit-in-solutions": (
        "cnadvisor-exit-in-solutions",
        HEAD + "@hookimpl\ndef cnadvisor_solutions():\n    sys.exit(0)\n",
    ),
    "exit-in-check": (
        "cnadvisor-exit-in-check",
        HEAD + "@hookimpl\ndef cnadvisor_check(solution):\n    sys.exit(0)\n",
    ),
    "os-exit": (
        "cnadvisor-os-exit",
        HEAD + "@hookimpl\ndef cnadvisor_solutions():\n    os._exit(7)\n",
    ),
    "keyboard-interrupt": (
        "cnadvisor-keyboard-interrupt",
        HEAD + "@hookimpl\ndef cnadvisor_solutions():\n    raise KeyboardInterrupt\n",
    ),
    "sleeper": (
        "cnadvisor-sleeper",
        HEAD + "@hookimpl\ndef cnadvisor_solutions():\n"
        "    print('sleeper started', file=sys.stderr, flush=True)\n"
        "    time.sleep(3600)\n    return []\n",
    ),
    "slow-check": (
        "cnadvisor-slow-check",
        HEAD + "@hookimpl\ndef cnadvisor_check(solution):\n    time.sleep(0.3)\n    return []\n",
    ),
    "slow-import": (
        "cnadvisor-slow-import",
        HEAD + "time.sleep(1.5)\n@hookimpl\ndef cnadvisor_check(solution):\n    return []\n",
    ),
    "endless": (
        "cnadvisor-endless",
        HEAD + "@hookimpl\ndef cnadvisor_solutions():\n    return itertools.repeat(42)\n",
    ),
    "printer": (
        "cnadvisor-printer",
        HEAD + "print('noise at import')\n"
        "@hookimpl\ndef cnadvisor_check(solution):\n"
        "    print('noise in check', solution.id)\n"
        "    if not hasattr(sys, 'noisy'):\n"
        "        sys.noisy = os.system('echo noise from a shell')\n"
        "    os.write(1, b'raw noise\\n')\n"
        "    yield from ()\n",
    ),
    "returns-str": (
        "cnadvisor-returns-str",
        HEAD + "@hookimpl\ndef cnadvisor_check(solution):\n    return 'x' * 2000\n",
    ),
    "mutator": (
        "cnadvisor-mutator",
        HEAD + "@hookimpl\ndef cnadvisor_check(solution, requirements):\n"
        "    solution.operations.orchestrators.clear()\n"
        "    solution.datapath.inter_host.append('wireguard')\n"
        "    requirements.environment.platform = 'azure'\n"
        "    return []\n",
    ),
    # named like the built-in plugin `calico`
    "calico": (
        "cnadvisor-calico-lookalike",
        HEAD
        + PROFILE % {"id": "calico-lookalike"}
        + "@hookimpl\ndef cnadvisor_solutions():\n    return [PROFILE]\n",
    ),
    # a distribution that calls itself cnadvisor and claims a built-in's solution id
    "aaa-takeover": (
        "cnadvisor",
        HEAD
        + PROFILE % {"id": "calico-vxlan"}
        + "@hookimpl\ndef cnadvisor_solutions():\n    return [PROFILE]\n",
    ),
}

SYSTEM = "workload: {traffic: {inter_host: 1.0}}\nenvironment: {orchestrator: kubernetes}\n"


def _module(entry: str) -> str:
    return "hostile_" + entry.replace("-", "_")


def _build_wheel(root: Path, entry: str, dist: str, source: str) -> Path:
    """A pure-Python wheel for one hostile module, built by hand so that installing it
    needs neither the network nor a build backend; pip installs it like any other."""
    version = "9.9" if dist == "cnadvisor" else "0.1"
    stem = f"{dist.replace('-', '_')}-{version}"
    files = {
        f"{_module(entry)}.py": source,
        f"{stem}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n",
        f"{stem}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: cnadvisor-tests\n"
        "Root-Is-Purelib: true\nTag: py3-none-any\n",
        f"{stem}.dist-info/entry_points.txt": f"[cnadvisor]\n{entry} = {_module(entry)}\n",
    }
    record = [
        f"{name},sha256={_digest(text.encode())},{len(text.encode())}"
        for name, text in files.items()
    ]
    files[f"{stem}.dist-info/RECORD"] = "\n".join([*record, f"{stem}.dist-info/RECORD,,"]) + "\n"
    wheel = root / f"{stem}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return wheel


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


@pytest.fixture(scope="session")
def hostile_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One venv with every hostile package pip-installed; cnadvisor and its dependencies
    come from the interpreter running the tests (its site folders, .pth files included)."""
    work = tmp_path_factory.mktemp("hostile")
    environment = work / "venv"
    venv.create(environment, with_pip=True)  # pip: the installer under test
    python = environment / "bin" / "python"
    site_dir = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    )  # fmt: skip
    parents = [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))]
    (site_dir / "_cnadvisor_test_parent.pth").write_text(
        "import site; " + "; ".join(f"site.addsitedir({p!r})" for p in parents) + "\n"
    )
    wheels = [str(_build_wheel(work, entry, dist, src)) for entry, (dist, src) in HOSTILE.items()]
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", *wheels],
        check=True, capture_output=True, cwd=work,
    )  # fmt: skip
    return environment


@pytest.fixture(scope="session")
def builtin_names() -> list[str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DISABLE_AUTOLOAD_ENV, "1")
        patch.delenv(SELECT_ENV, raising=False)
        return sorted(name for name, info in load_plugins().plugins.items() if info.builtin)


def _env(builtins: list[str], *enabled: str, **extra: str) -> dict[str, str]:
    """The user's environment with the built-ins and the named hostile plugins enabled.

    The same solutions in every run (no hostile plugin here adds one that survives), so
    the trained model is trained once for the session. The look-alike `calico` package
    is always selected with the built-in of its name, and always refused."""
    env = {k: v for k, v in os.environ.items() if k != DISABLE_AUTOLOAD_ENV}
    env[SELECT_ENV] = ",".join(dict.fromkeys([*builtins, *enabled]))
    env.update(extra)
    return env


def _run(
    environment: Path, env: dict[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(environment / "bin" / "python"), "-m", "cnadvisor.cli", *args],
        capture_output=True, text=True, env=env, cwd=environment.parent, timeout=timeout,
    )  # fmt: skip


@pytest.fixture
def system(tmp_path: Path) -> Path:
    path = tmp_path / "system.yaml"
    path.write_text(SYSTEM)
    return path


def _ranked(stdout: str) -> list[tuple[list[str], list[str]]]:
    document = json.loads(stdout)
    return [
        ([o["id"] for o in r["ranked"]], [o["id"] for o in r["excluded"]])
        for r in document["results"]
    ]


@pytest.mark.parametrize("entry", ["exit-at-import", "exit-in-solutions", "keyboard-interrupt"])
def test_exit_or_interrupt_in_plugin_code_is_reported_not_obeyed(
    hostile_venv, builtin_names, system, entry
):
    env = _env(builtin_names, entry)
    result = _run(hostile_venv, env, "evaluate", str(system), "-f", "json")
    assert result.returncode == 0, result.stderr
    assert _ranked(result.stdout)[0][0], "the built-ins must still be ranked"
    assert f"plugin {entry!r}" in result.stderr and "Traceback" not in result.stderr
    strict = _run(hostile_venv, env, "--strict-plugins", "evaluate", str(system), "-f", "json")
    assert strict.returncode == 3 and f"plugin {entry!r}" in strict.stderr
    checked = _run(hostile_venv, env, "plugins", "check", entry)
    assert checked.returncode == 1 and "FAILED" in checked.stdout, checked.stdout
    assert "sys.exit" in checked.stdout or "KeyboardInterrupt" in checked.stdout


def test_exit_in_check_hook_is_reported_by_evaluate_and_by_plugins_check(
    hostile_venv, builtin_names, system
):
    env = _env(builtin_names, "exit-in-check")
    result = _run(hostile_venv, env, "evaluate", str(system), "-f", "json")
    assert result.returncode == 0 and _ranked(result.stdout)[0][0], result.stderr
    assert "plugin 'exit-in-check'" in result.stderr and "sys.exit(0)" in result.stderr
    checked = _run(hostile_venv, env, "plugins", "check", "exit-in-check")
    assert checked.returncode == 1
    assert "cnadvisor_check: called sys.exit(0)" in checked.stdout


def test_plugins_check_names_a_plugin_that_ends_the_process(hostile_venv, builtin_names):
    env = _env(builtin_names, "os-exit", "printer")
    result = _run(hostile_venv, env, "plugins", "check")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    (line,) = [i for i, text in enumerate(lines) if text.startswith("os-exit (")]
    assert "cnadvisor-os-exit" in lines[line] and "FAILED" in lines[line]
    assert "exit code 7" in lines[line + 1] and "os._exit()" in lines[line + 1]
    assert any(text.startswith("calico (cnadvisor 0.1.0): ok") for text in lines)
    assert "noise" not in result.stdout and "noise in check" in result.stderr


def test_a_hook_that_never_returns_meets_a_deadline(hostile_venv, builtin_names, system):
    env = _env(builtin_names, "sleeper", CNADVISOR_PLUGIN_TIMEOUT="2")
    started = time.monotonic()
    result = _run(hostile_venv, env, "evaluate", str(system), "-f", "json", timeout=60)
    assert time.monotonic() - started < 30
    assert result.returncode == 0 and _ranked(result.stdout)[0][0], result.stderr
    assert "plugin 'sleeper'" in result.stderr and "no answer within 2 s" in result.stderr


def test_a_slow_check_hook_is_cut_off_by_its_budget_and_named(
    hostile_venv, builtin_names, tmp_path
):
    files = []
    for index in range(3):
        files.append(tmp_path / f"system-{index}.yaml")
        files[-1].write_text(SYSTEM)
    env = _env(builtin_names, "slow-check", CNADVISOR_PLUGIN_TIMEOUT="1")
    started = time.monotonic()
    result = _run(hostile_venv, env, "evaluate", *map(str, files), "-f", "json", timeout=120)
    elapsed = time.monotonic() - started
    # unguarded: 3 files x every option x 0.3 s; the budget (3 x 1 s) stops it early
    assert elapsed < 0.3 * len(files) * 20, elapsed
    assert result.returncode == 0, result.stderr
    assert len(_ranked(result.stdout)) == 3
    assert "plugin 'slow-check'" in result.stderr and "disabled for the rest" in result.stderr


def test_a_slow_import_is_named(hostile_venv, builtin_names, system):
    env = _env(builtin_names, "slow-import")
    result = _run(hostile_venv, env, "evaluate", str(system), "-f", "json")
    assert result.returncode == 0, result.stderr
    assert "plugin 'slow-import'" in result.stderr and "to import" in result.stderr
    listed = json.loads(_run(hostile_venv, env, "plugins", "-f", "json").stdout)
    assert "slow-import" in {p["name"] for p in listed["plugins"]}  # slow, but not left out
    assert not [p for p in listed["problems"] if "slow-import" in p]


def test_an_endless_generator_meets_the_item_cap(hostile_venv, builtin_names, system):
    env = _env(builtin_names, "endless")
    result = _run(hostile_venv, env, "evaluate", str(system), "-f", "json", timeout=60)
    assert result.returncode == 0 and _ranked(result.stdout)[0][0], result.stderr
    assert "plugin 'endless'" in result.stderr and "more than 10,000 items" in result.stderr


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_plugin_output_never_reaches_stdout(hostile_venv, builtin_names, system, fmt):
    env = _env(builtin_names, "printer")
    result = _run(hostile_venv, env, "evaluate", str(system), "-f", fmt)
    assert result.returncode == 0, result.stderr
    assert "noise" not in result.stdout
    for noise in ("noise at import", "noise in check", "noise from a shell", "raw noise"):
        assert noise in result.stderr
    if fmt == "json":
        assert _ranked(result.stdout)[0][0]
    listed = _run(hostile_venv, env, "plugins", "-f", "json")
    assert "noise" not in listed.stdout and json.loads(listed.stdout)["plugins"]


def test_a_check_returning_a_string_is_one_problem(hostile_venv, builtin_names, system):
    env = _env(builtin_names, "returns-str")
    result = _run(hostile_venv, env, "evaluate", str(system), "-f", "json")
    assert result.returncode == 0 and _ranked(result.stdout)[0][0]
    lines = [line for line in result.stderr.splitlines() if "returns-str" in line]
    assert len(lines) == 1, result.stderr[:2000]
    assert "returned str; expected a list" in lines[0]


def test_a_check_that_mutates_its_arguments_changes_nothing(hostile_venv, builtin_names, tmp_path):
    files = []
    for index in range(2):
        files.append(tmp_path / f"system-{index}.yaml")
        files[-1].write_text(SYSTEM)
    args = ("evaluate", *map(str, files), "-f", "json")
    baseline = _run(hostile_venv, _env(builtin_names), *args)
    mutated = _run(hostile_venv, _env(builtin_names, "mutator"), *args)
    assert baseline.returncode == 0 and mutated.returncode == 0, mutated.stderr
    assert _ranked(mutated.stdout) == _ranked(baseline.stdout)
    assert json.loads(mutated.stdout)["results"] == json.loads(baseline.stdout)["results"]
    checked = _run(hostile_venv, _env(builtin_names, "mutator"), "plugins", "check", "mutator")
    assert checked.returncode == 1 and "changed the solution" in checked.stdout


def test_a_plugin_named_like_a_builtin_cannot_take_its_identity(hostile_venv, builtin_names):
    env = _env(builtin_names, "calico")
    listing = json.loads(_run(hostile_venv, env, "plugins", "-f", "json").stdout)
    (calico,) = [p for p in listing["plugins"] if p["name"] == "calico"]
    assert calico["distribution"] == "cnadvisor" and calico["builtin"] is True
    assert "calico-vxlan" in calico["solutions"]
    assert any("cnadvisor-calico-lookalike" in p for p in listing["problems"])
    shown = json.loads(_run(hostile_venv, env, "plugins", "show", "calico-vxlan", "-f", "json")
                       .stdout)  # fmt: skip
    assert shown["plugin"] == "calico" and shown["distribution"] == "cnadvisor"
    checked = _run(hostile_venv, env, "plugins", "check", "calico")
    assert "calico (cnadvisor 0.1.0): ok" in checked.stdout
    assert "calico (cnadvisor-calico-lookalike): FAILED" in checked.stdout
    assert not any("calico-lookalike" in p["solutions"] for p in listing["plugins"])


def test_a_distribution_named_cnadvisor_is_not_builtin(hostile_venv, builtin_names, system):
    env = _env(builtin_names, "aaa-takeover")
    listing = json.loads(_run(hostile_venv, env, "plugins", "-f", "json").stdout)
    plugins = {p["name"]: p for p in listing["plugins"]}
    assert plugins["aaa-takeover"]["builtin"] is False
    assert "calico-vxlan" in plugins["calico"]["solutions"]
    assert "calico-vxlan" not in plugins["aaa-takeover"]["solutions"]
    assert sorted(n for n, p in plugins.items() if p["builtin"]) == builtin_names
    env[DISABLE_AUTOLOAD_ENV] = "1"
    only_builtins = json.loads(_run(hostile_venv, env, "plugins", "-f", "json").stdout)
    assert sorted(p["name"] for p in only_builtins["plugins"]) == builtin_names
    assert only_builtins["problems"] == []


def _default_interrupt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_a_real_ctrl_c_still_stops_cnadvisor(hostile_venv, builtin_names, system):
    env = _env(builtin_names, "sleeper", CNADVISOR_PLUGIN_TIMEOUT="60")
    process = subprocess.Popen(
        [str(hostile_venv / "bin" / "python"), "-m", "cnadvisor.cli", "evaluate", str(system)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        # as at a terminal: a suite started in the background (`cmd &` in a script, nohup)
        # hands its children SIGINT ignored, and Python then keeps ignoring it
        preexec_fn=_default_interrupt,
    )  # fmt: skip
    try:
        seen = ""
        while "sleeper started" not in seen:  # wait until cnadvisor is inside the hook
            line = process.stderr.readline()
            assert line, f"ended before the hook ran: {seen}"
            seen += line
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode != 0
    assert "plugin 'sleeper'" not in stderr  # the user's Ctrl-C is not blamed on the plugin
