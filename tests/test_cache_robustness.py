"""The model cache never costs the user the trained model and never hangs: unwritable or
missing folders fall back to a private temporary folder, and anything at the cache path
that is not a sound cache file (FIFO, folder, link, NaN arrays) is set aside and rebuilt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from cnadvisor.model import cache

EXAMPLE = (
    Path(__file__).resolve().parent.parent
    / "examples"
    / "requirements"
    / "cross-dc-microservices.yaml"
)
KEY = "k" * 64


@pytest.fixture
def cache_at(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(folder))
    return folder


def _arrays() -> dict[str, np.ndarray]:
    return {"costs": np.arange(6, dtype=float).reshape(3, 2)}


def test_save_and_load_round_trip(cache_at):
    assert cache.save(KEY, _arrays(), {"widths": 0.1}) is not None
    arrays, meta = cache.load(KEY)
    assert np.array_equal(arrays["costs"], _arrays()["costs"]) and meta["widths"] == 0.1


def test_nan_in_a_cached_array_is_damage(cache_at):
    cache.save(KEY, {"costs": np.array([1.0, np.nan])}, {})
    with pytest.warns(UserWarning, match="NaN"):
        assert cache.load(KEY) is None
    assert list(cache_at.glob("*.bad-*"))


def test_nan_in_metadata_is_damage(cache_at):
    cache.save(KEY, _arrays(), {"widths": float("nan")})
    with pytest.warns(UserWarning, match="NaN"):
        assert cache.load(KEY) is None


def test_folder_at_the_cache_path_with_an_old_bad_entry_is_replaced(cache_at):
    target = cache.path_for(KEY)
    target.mkdir(parents=True)
    target.with_suffix(".bad").mkdir()  # what an earlier set-aside left, as a folder
    (target.with_suffix(".bad") / "x").write_text("x")
    with pytest.warns(UserWarning):
        assert cache.load(KEY) is None
    assert cache.save(KEY, _arrays(), {}) == target
    assert cache.load(KEY) is not None


def test_folder_at_the_cache_path_is_moved_aside_on_save(cache_at):
    target = cache.path_for(KEY)
    target.mkdir(parents=True)
    assert cache.save(KEY, _arrays(), {}) == target and target.is_file()


def test_fifo_at_the_cache_path_is_refused_without_hanging(cache_at):
    cache_at.mkdir()
    os.mkfifo(cache.path_for(KEY))
    code = (
        "import warnings; from cnadvisor.model import cache\n"
        "warnings.simplefilter('ignore')\n"
        f"print(cache.load({KEY!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "None", result.stderr
    assert not cache.path_for(KEY).exists()


def test_symlink_at_the_cache_path_is_not_followed(cache_at, tmp_path):
    elsewhere = tmp_path / "elsewhere.npz"
    cache.save(KEY, _arrays(), {})
    cache.path_for(KEY).rename(elsewhere)
    cache.path_for(KEY).symlink_to(elsewhere)
    with pytest.warns(UserWarning):
        assert cache.load(KEY) is None
    assert elsewhere.exists()


def test_unwritable_cache_folder_falls_back_and_save_never_raises(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker / "cache"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        saved = cache.save(KEY, _arrays(), {})
        again = cache.load(KEY)
    assert saved is not None and not str(saved).startswith(str(blocker))
    assert again is not None
    assert any("cannot be written" in str(w.message) for w in caught)


@pytest.mark.parametrize("home", ["/nonexistent", "under-a-file"])
def test_without_a_usable_home_the_trained_model_stays_in_use(home, tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("HOME", "XDG_CACHE_HOME", cache.CACHE_ENV)}  # fmt: skip
    env["TMPDIR"] = str(tmp_path)  # the fallback folder is this test's own
    if home == "under-a-file":
        (tmp_path / "file").write_text("x")
        home = str(tmp_path / "file" / "home")
    env["HOME"] = home
    command = [sys.executable, "-m", "cnadvisor.cli", "evaluate", str(EXAMPLE), "-f", "json"]
    runs = [subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
            for _ in range(2)]  # fmt: skip
    for result in runs:
        assert result.returncode == 0, result.stderr
        document = json.loads(result.stdout)
        assert document["results"][0]["model"]["name"] != "analytical"
        assert result.stderr.count("model cache:") <= 1
    assert "analytical" not in runs[0].stderr
    assert list(tmp_path.glob("cnadvisor-cache-*/model-*.npz"))  # the second run reused it
    assert not Path("/nonexistent").exists()


def test_fifo_at_the_data_fingerprint_memo_does_not_hang(cache_at):
    cache_at.mkdir()
    os.mkfifo(cache_at / "data-fingerprint.json")
    code = "from cnadvisor.model.data import shipped_fingerprint; print(len(shipped_fingerprint()))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.stdout.strip() == "64", result.stderr
