"""`plugins check --strict` on every built-in profile: nothing may be reported except facts
left unknown (issue 14: each new profile passes the strict check, unknown facts aside)."""

from __future__ import annotations

import re
import subprocess
import sys

from cnadvisor.plugincheck import check, unknown_facts
from cnadvisor.plugins import load_plugins

BUILT_IN = "cnadvisor"  # the distribution that ships the built-in plugins
UNKNOWN_ONLY = re.compile(r"^[a-z0-9-]+: unknown facts: [a-z_.]+(, [a-z_.]+)*$")


def _built_in_reports():
    return [r for r in check(load_plugins()) if r.distribution == BUILT_IN]


def test_every_built_in_plugin_is_checked():
    reports = _built_in_reports()
    profiles = {sid for r in reports for sid in r.solutions}
    # the options issue 14 added, so a plugin dropped from the entry points is noticed
    for wanted in ("aws-vpc-cni", "azure-cni-cilium", "gke-dataplane-v2", "sriov", "sriov-rdma",
                   "rdma-shared", "ovs-dpdk", "calico-vpp", "cilium-netkit", "cilium-eni",
                   "netavark-bridge"):  # fmt: skip
        assert wanted in profiles, wanted


def test_strict_check_reports_nothing_but_unknown_facts():
    for report in _built_in_reports():
        assert report.problems == [], f"{report.name}: {report.problems}"
        others = [w for w in report.warnings if not UNKNOWN_ONLY.match(w)]
        assert others == [], f"{report.name}: {others}"


def test_unknown_facts_in_the_warnings_are_the_profiles_unknown_fields():
    plugin_set = load_plugins()
    warned = {
        w.split(":", 1)[0]: w.split(": unknown facts: ", 1)[1].split(", ")
        for r in check(plugin_set)
        if r.distribution == BUILT_IN
        for w in r.warnings
    }
    for solution_id, item in plugin_set.solutions.items():
        if plugin_set.info(item.plugin).distribution != BUILT_IN:
            continue
        assert warned.get(solution_id, []) == unknown_facts(item.profile), solution_id


def test_the_strict_command_fails_only_on_unknown_facts():
    """The command line reports the same thing: every warning line is an unknown-facts line."""
    done = subprocess.run(
        [sys.executable, "-m", "cnadvisor.cli", "plugins", "check", "--strict"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    lines = [line.strip() for line in done.stdout.splitlines()]
    problems = [line for line in lines if line.startswith("problem")]
    warnings = [line.removeprefix("warning: ") for line in lines if line.startswith("warning:")]
    assert problems == [], problems
    assert warnings, done.stdout  # strict mode lists the unknown facts it fails on
    assert all(UNKNOWN_ONLY.match(w) for w in warnings), [
        w for w in warnings if not UNKNOWN_ONLY.match(w)
    ]
    assert re.search(r"\b0 problems\b", done.stdout), done.stdout
