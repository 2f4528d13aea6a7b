"""Bench topologies declared by plugins: a real entry-point distribution says which
topology emulates its own profile, and the bench measures it under that id.

The third-party plugin is a dist-info folder on sys.path with a ``cnadvisor`` entry
point, as pip would install it. The bench itself names no solution: every id on a
local row comes from a plugin's ``cnadvisor_bench_topologies``.
"""

from __future__ import annotations

import csv
import importlib
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cnadvisor.bench import emulations, store
from cnadvisor.bench.runner import order
from cnadvisor.bench.topologies import RENAMED, TOPOLOGIES
from cnadvisor.plugins import DISABLE_AUTOLOAD_ENV, load_plugins

ROOT = Path(__file__).resolve().parent.parent

PLUGIN = textwrap.dedent(
    """
    from cnadvisor import hookimpl

    PROFILE = {
        "id": "acme-overlay",
        "name": "Acme overlay CNI",
        "family": "kubernetes-cni",
        "summary": "A profile used only by the bench plugin tests.",
        "references": [{"id": "d", "title": "docs page", "url": "https://example.org/"}],
        "datapath": {"intra_host": ["veth", "linux-bridge"],
                     "inter_host": ["veth", "linux-bridge", "vxlan"], "cite": ["d"]},
        "security": {"isolation": "namespace", "cite": ["d"]},
        "mobility": {"cite": ["d"]},
        "operations": {"orchestrators": ["kubernetes"], "underlay": "ip", "cite": ["d"]},
    }

    @hookimpl
    def cnadvisor_solutions():
        return [PROFILE]

    @hookimpl
    def cnadvisor_bench_topologies():
        return [
            {"solution_id": "acme-overlay", "topology": "vxlan"},
            {"solution_id": "overlay-geneve", "topology": "geneve"},
            {"solution_id": "acme-overlay", "topology": "no-such-topology"},
            {"solution_id": "acme-overlay", "topology": "vxlan", "mtu": 1400},
        ]
    """
)


@pytest.fixture
def acme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The third-party distribution installed onto sys.path (and PYTHONPATH, for the
    CLI subprocess), with entry-point autoload on."""
    (tmp_path / "cnadvisor_acme_bench.py").write_text(PLUGIN)
    dist_info = tmp_path / "cnadvisor_acme_bench-0.1.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: cnadvisor-acme-bench\nVersion: 0.1\n"
    )
    (dist_info / "entry_points.txt").write_text("[cnadvisor]\nacme = cnadvisor_acme_bench\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv(DISABLE_AUTOLOAD_ENV, raising=False)
    importlib.invalidate_caches()
    yield tmp_path
    sys.modules.pop("cnadvisor_acme_bench", None)


def test_a_plugin_declares_the_topology_of_its_own_profile_only(acme) -> None:
    plugin_set = load_plugins()
    assert plugin_set.plugins["acme"].distribution == "cnadvisor-acme-bench"
    found = emulations.declared(plugin_set)
    assert emulations.Emulation("acme-overlay", "vxlan", "acme") in found
    # the built-ins' own declarations come first, so the bench's default label stays theirs
    assert emulations.solutions_of("vxlan", found) == ["overlay-vxlan", "acme-overlay"]
    assert emulations.solutions_of("geneve", found) == ["overlay-geneve"]
    problems = [str(p) for p in plugin_set.problems if p.plugin == "acme"]
    assert len(problems) == 3, problems
    text = " ".join(problems)
    assert "'overlay-geneve' (topology 'geneve') is registered by plugin 'geneve'" in text
    assert "item 2: topology 'no-such-topology' is not a bench topology" in text
    assert "item 3: expected exactly the keys ['solution_id', 'topology']; unknown ['mtu']" in text
    assert all("cnadvisor-acme-bench" in p for p in problems)


def test_run_by_solution_id_labels_the_topology_with_it(acme) -> None:
    found = emulations.declared(load_plugins())
    topologies = {t.name: t for t in order(["acme-overlay", "veth"], found)}
    assert list(topologies) == ["host-loopback", "host-wire", "vxlan", "veth"]
    assert topologies["vxlan"].solution_id == "acme-overlay"
    assert topologies["vxlan"].also_emulates == ("overlay-vxlan",)
    assert topologies["host-wire"].solution_id == "host"
    assert topologies["veth"].solution_id == ""  # no plugin declares a bare veth pair
    default = {t.name: t for t in order(["vxlan"], found)}["vxlan"]
    assert (default.solution_id, default.also_emulates) == ("overlay-vxlan", ("acme-overlay",))
    with pytest.raises(ValueError, match="same topology 'vxlan'"):
        order(["acme-overlay", "overlay-vxlan"], found)
    with pytest.raises(ValueError, match="unknown topology or solution \\['acme-nothing'\\]"):
        order(["acme-nothing"], found)


def test_every_builtin_topology_label_comes_from_a_builtin_plugin() -> None:
    plugin_set = load_plugins()
    found = emulations.declared(plugin_set)
    assert not [p for p in plugin_set.problems if p.step == emulations.HOOK]
    assert all(plugin_set.info(e.plugin).builtin for e in found)
    unlabelled = {name for name in TOPOLOGIES if not emulations.solutions_of(name, found)}
    assert unlabelled == {"veth", "wireguard"}  # no built-in profile is exactly these
    # and the bench's own code names no solution that is not also a datapath's name
    source = " ".join(path.read_text() for path in (ROOT / "advisor" / "bench").glob("*.py"))
    quoted = set(re.findall(r"\"([a-z0-9-]+)\"", source))
    assert not {i for i in plugin_set.solutions if i in TOPOLOGIES}  # no topology is an id
    named = {i for i in plugin_set.solutions if i in quoted}
    # "none": the dataset's encryption value, not the mode; RENAMED: the old names
    # (the kernel's own words "bridge" and "l2" among them), read and mapped on load
    assert named <= {"none", *RENAMED}, named


def test_old_topology_names_still_run_the_same_topology() -> None:
    """The names used up to 0.1.0 equalled solution ids: as ids they measure the topology
    the plugin declares; without such a declaration they map by name, with a warning."""
    found = emulations.declared(load_plugins())
    for old, new in RENAMED.items():
        topologies = {t.name: t for t in order([old], found)}
        assert new in topologies, (old, list(topologies))
        assert topologies[new].solution_id == old  # labelled with the id asked for
    with pytest.warns(FutureWarning, match="'ipvlan-l3' is now called 'ipvlan-pair-l3'"):
        (baseline, ipvlan) = order(["ipvlan-l3"], [])  # no plugin declarations at all
    assert [baseline.name, ipvlan.name] == ["host-loopback", "ipvlan-pair-l3"]
    assert ipvlan.solution_id == ""


@pytest.mark.skipif(shutil.which("iperf3") is None, reason="iperf3 missing")
def test_a_plugin_topology_measured_for_real_carries_the_plugins_id(acme, tmp_path) -> None:
    """`bench run acme-overlay` through the CLI: VXLAN with its host-wire baseline, 1 s of
    64 B UDP; the rows say acme-overlay, the provenance says which topology."""
    env = {
        **os.environ,
        store.DATA_ENV: str(tmp_path / "data"),
        "PYTHONPATH": os.pathsep.join([str(acme), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop(DISABLE_AUTOLOAD_ENV, None)
    done = subprocess.run(
        [sys.executable, "-m", "cnadvisor.cli.bench", "bench", "run", "acme-overlay",
         "--tests", "udp", "--message-size", "64", "--duration", "1", "--repeat", "1",
         "--no-progress"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "'overlay-geneve' (topology 'geneve') is registered by" in done.stderr
    folder = tmp_path / "data" / "bench"
    (saved,) = [p for p in folder.glob("*.csv") if not p.name.endswith(store.STAGES_SUFFIX)]
    rows = list(csv.DictReader(saved.open()))
    labels = {(r["solution_id"], r["scenario"]) for r in rows}
    assert labels == {("acme-overlay", "inter-host"), ("host", "inter-host")}
    acme_rows = [r for r in rows if r["solution_id"] == "acme-overlay"]
    assert all("topology vxlan (also emulates overlay-vxlan" in r["notes"] for r in acme_rows)
    meta = store.provenance_path(saved).read_text()
    assert '"solution_id": "acme-overlay"' in meta
