"""`plugins check` names the contributed rows training would drop (issue 12, High 4)."""

from __future__ import annotations

import types

from cnadvisor import hookimpl
from cnadvisor.dataset.contributed import TRUST_VARIABLE
from cnadvisor.plugincheck import check, render
from cnadvisor.plugins import load_plugins

ROW = {
    "source_id": "vendor-2025", "locator": "Table 2", "solution_id": "calico-vxlan",
    "scenario": "inter-host", "virtualization": "bare-metal", "protocol": "tcp",
    "encryption": "none", "metric": "throughput", "unit": "Gbps", "value": "8.1",
    "baseline_value": "9.4", "baseline_label": "host row",
}  # fmt: skip


def _report(monkeypatch, trust: str | None):
    if trust is None:
        monkeypatch.delenv(TRUST_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(TRUST_VARIABLE, trust)
    module = types.ModuleType("hostile_rows")
    module.cnadvisor_benchmarks = hookimpl(lambda: [ROW, ROW | {"value": "1e-9"}])
    plugin_set = load_plugins(extra=[("hostile", module)])
    (report,) = [r for r in check(plugin_set) if r.name == "hostile"]
    return report


def test_rows_about_a_competitor_and_absurd_rows_are_reported(monkeypatch):
    report = _report(monkeypatch, None)
    drops = [w for w in report.warnings if "training would drop" in w]
    assert drops == [
        "cnadvisor_benchmarks: training would drop plugin hostile, row 1: solution "
        "'calico-vxlan' is not one of plugin 'hostile''s own; set "
        f"{TRUST_VARIABLE}=hostile to let it describe other solutions",
        "cnadvisor_benchmarks: training would drop plugin hostile, row 2: throughput ratio to "
        "its reference 1.06e-10 is outside the physical range 0.001-1.5",
    ]
    assert report.problems == []
    text, code = render([report], strict=True)
    assert code == 1 and "training would drop" in text
    assert render([report], strict=False)[1] == 0


def test_a_trusted_plugin_still_loses_its_absurd_rows(monkeypatch):
    report = _report(monkeypatch, "hostile")
    drops = [w for w in report.warnings if "training would drop" in w]
    assert len(drops) == 1 and "row 2: throughput ratio" in drops[0]
