"""Profile files parsed once: the cached data always equals a fresh parse, and a damaged,
foreign or unusable cache only means parsing again."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
import yaml
from cnadvisor import parsed_cache
from cnadvisor.model.cache import CACHE_ENV
from cnadvisor.plugins import load_plugins

TEXT = "profiles:\n  - id: demo\n    speed: 1.0\n    count: 1\n    enabled: true\n    tags: [a]\n"


class Counted:
    """A YAML parse that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, text: str):
        self.calls += 1
        return yaml.safe_load(text)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    return tmp_path / parsed_cache.FOLDER


def test_a_text_parsed_before_is_read_back_equal_and_typed_alike(cache: Path):
    parse = Counted()
    first = parsed_cache.parsed(TEXT, "profiles", parse)
    again = parsed_cache.parsed(TEXT, "profiles", parse)
    assert parse.calls == 1
    assert again == first == yaml.safe_load(TEXT)
    entry = again["profiles"][0]
    assert [type(entry[k]) for k in ("speed", "count", "enabled")] == [float, int, bool]
    assert len(list(cache.iterdir())) == 1
    edited = TEXT.replace("count: 1", "count: 2")
    assert parsed_cache.parsed(edited, "profiles", parse)["profiles"][0]["count"] == 2
    assert parse.calls == 2  # another text, another key


@pytest.mark.parametrize(
    "text",
    ["when: 2024-01-01\n", "1: one\n", "x: .nan\n", "on: 1\n"],
    ids=["date", "int key", "nan", "YAML 1.1 bool key"],
)
def test_data_json_would_change_is_never_kept(cache: Path, text: str):
    parse = Counted()
    assert parsed_cache.parsed(text, "profiles", parse) == yaml.safe_load(text) or (
        text.startswith("x")  # nan is not equal to itself
    )
    parsed_cache.parsed(text, "profiles", parse)
    assert parse.calls == 2
    assert not cache.exists() or not list(cache.iterdir())
    assert isinstance(parsed_cache.parsed("when: 2024-01-01\n", "p", yaml.safe_load)["when"],
                      datetime.date)  # fmt: skip


@pytest.mark.parametrize(
    "damage",
    ["not json", "", "[1, 2", "[1, 2]", '{"profiles": []}', '{"sha256": "0", "data": {}}',
     "\xff\xfe", " " * (parsed_cache.MAX_BYTES + 1)],
    ids=["text", "empty", "cut", "a list", "bare data", "another key", "not UTF-8", "huge"],
)  # fmt: skip
def test_a_damaged_or_foreign_entry_is_parsed_again_and_replaced(cache: Path, damage: str):
    parse = Counted()
    parsed_cache.parsed(TEXT, "profiles", parse)
    (entry,) = cache.iterdir()
    entry.write_bytes(damage.encode("latin-1"))
    assert parsed_cache.parsed(TEXT, "profiles", parse) == yaml.safe_load(TEXT)
    assert parse.calls == 2
    assert json.loads(entry.read_text())["data"] == yaml.safe_load(TEXT)


def test_a_folder_at_the_entry_only_means_parsing_each_time(cache: Path):
    parse = Counted()
    parsed_cache.parsed(TEXT, "profiles", parse)
    (entry,) = cache.iterdir()
    entry.unlink()
    entry.mkdir()
    for _ in range(2):
        assert parsed_cache.parsed(TEXT, "profiles", parse) == yaml.safe_load(TEXT)
    assert parse.calls == 3


def test_a_link_at_the_entry_is_not_followed(cache: Path, tmp_path: Path):
    parse = Counted()
    parsed_cache.parsed(TEXT, "profiles", parse)
    (entry,) = cache.iterdir()
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text('{"profiles": []}')
    entry.unlink()
    entry.symlink_to(elsewhere)
    assert parsed_cache.parsed(TEXT, "profiles", parse) == yaml.safe_load(TEXT)


def test_a_text_that_fails_to_parse_fails_alike_and_is_not_kept(cache: Path):
    with pytest.raises(yaml.YAMLError):
        parsed_cache.parsed("a: [unclosed\n", "profiles", yaml.safe_load)
    with pytest.raises(yaml.YAMLError):
        parsed_cache.parsed("a: [unclosed\n", "profiles", yaml.safe_load)
    assert not cache.exists() or not list(cache.iterdir())


def test_no_usable_cache_folder_means_parsing_each_time(tmp_path: Path, monkeypatch):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "missing"))
    parse = Counted()
    for _ in range(2):
        assert parsed_cache.parsed(TEXT, "profiles", parse) == yaml.safe_load(TEXT)
    assert parse.calls == 2
    read_only = tmp_path / "read-only"
    read_only.mkdir(mode=0o500)
    monkeypatch.setenv(CACHE_ENV, str(read_only / "cache"))
    assert parsed_cache.parsed(TEXT, "profiles", parse) == yaml.safe_load(TEXT)


def test_the_built_in_profiles_load_the_same_from_the_cache(cache: Path):
    """Cold (parsing every file) and warm (reading every file back) give the same
    profiles, field for field."""
    cold = {i: s.profile.model_dump_json() for i, s in load_plugins().solutions.items()}
    assert cache.is_dir() and len(list(cache.iterdir())) >= 20
    warm = {i: s.profile.model_dump_json() for i, s in load_plugins().solutions.items()}
    assert warm == cold
