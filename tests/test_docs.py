"""The docs' claims are run, so they cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cnadvisor.loading import load_file

ROOT = Path(__file__).resolve().parent.parent
ROWS = re.findall(
    r"^\| `([\w-]+\.yaml)` \| `([\w-]+)` \| `([\w-]+)` \|$",
    (ROOT / "docs" / "examples.md").read_text(),
    flags=re.MULTILINE,
)


def test_every_example_is_documented():
    documented = {row[0] for row in ROWS}
    shipped = {p.name for p in (ROOT / "examples" / "requirements").glob("*.yaml")}
    assert documented == shipped and len(shipped) >= 6


@pytest.mark.parametrize(("name", "leader", "runner_up"), ROWS)
def test_documented_leader_still_leads(trained_advisor, name, leader, runner_up):
    loaded = load_file(str(ROOT / "examples" / "requirements" / name))
    ranked = [o.id for o in trained_advisor.evaluate(loaded.requirements).ranked]
    assert ranked[:2] == [leader, runner_up]


def test_readme_python_api_example_runs(tmp_path, monkeypatch, capsys):
    readme = (ROOT / "README.md").read_text()
    (code,) = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    example = ROOT / "examples" / "requirements" / "trading-gateway.yaml"
    (tmp_path / "my-system.yaml").write_text(example.read_text())
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert out.startswith("1 ") and '"schema_version":1' in out
