"""A long batch through worker processes: the same bytes, errors and exit code as one
process, and workers only where that is guaranteed."""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path

import pytest
import yaml
from cnadvisor.advisor import Advisor
from cnadvisor.cli import app, evaluate, parallel
from cnadvisor.performance import AnalyticalModel

TWO_CORES = len(os.sched_getaffinity(0)) >= 2 if hasattr(os, "sched_getaffinity") else False


def _advisor(plugin_set, invariant: bool = True) -> Advisor:
    """The analytical model predicts each option on its own: batch-invariant as it is."""
    model = AnalyticalModel()
    model.batch_invariant = invariant  # type: ignore[attr-defined]
    return Advisor(plugin_set.solutions.values(), plugins=plugin_set, model=model)


def _args(*argv: str, strict: bool = False) -> argparse.Namespace:
    options = ["--strict-plugins"] if strict else []
    return app.parser("evaluate").parse_args([*options, "evaluate", *argv])


def _batch(folder: Path, count: int) -> Path:
    """``count`` systems varied across the keys the ranking reads, with unreadable files
    first, in the middle and last."""
    folder.mkdir()
    for index in range(count):
        system = {
            "name": f"system {index}",
            "workload": {
                "traffic": {"intra_host": (index % 5) / 5, "inter_host": 1 - (index % 5) / 5},
                "protocol": ("tcp", "udp")[index % 2],
                "message_size": (64, 512, 1400, 9000)[index % 4],
                "separate_data_plane": index % 11 == 0,
            },
            "environment": {
                "orchestrator": ("kubernetes", "docker", "standalone")[index % 3],
                "platform": ("on-premises", "aws", "eks")[index % 3 - 1],
                "containers_per_host": 1 + index,
                "underlay": {"mtu": (1500, 9000)[index % 2], "l2_adjacent": index % 4 == 0},
            },
            "security": {"network_policy": {"value": "l3-l4", "need": "preferred"}},
            "priorities": {"performance": 1 + index % 5, "security": 3},
        }
        (folder / f"s{index:03d}.yaml").write_text(yaml.safe_dump(system))
    (folder / "s000a.yaml").write_text("name: [unclosed\n")  # the first file: unreadable
    (folder / f"s{count // 2:03d}a.yaml").write_text("workload:\n  message_size: -5\n")
    (folder / "s999.yaml").write_text("")
    return folder


def test_workers_only_where_the_output_cannot_change(plugin_set, install_plugin):
    invariant, plain = _advisor(plugin_set), _advisor(plugin_set, invariant=False)
    enough = [f"f{i}.yaml" for i in range(parallel.MIN_FILES)]
    if TWO_CORES:
        assert parallel.workers_for(invariant, _args("x", "-f", "json"), enough) >= 2
    assert parallel.workers_for(invariant, _args("x", "-f", "json"), enough[1:]) == 0
    assert parallel.workers_for(plain, _args("x", "-f", "json"), enough) == 0
    assert parallel.workers_for(invariant, _args("x", "-f", "html"), enough) == 0
    assert parallel.workers_for(invariant, _args("x", "-f", "json"), [*enough, "-"]) == 0
    assert parallel.workers_for(invariant, _args("x", strict=True), enough) == 0
    install_plugin(
        "checker",
        {"plugin.py": "from cnadvisor import hookimpl\n\n@hookimpl\n"
         "def cnadvisor_check(solution, requirements):\n    return []\n"},
    )  # fmt: skip
    from cnadvisor.plugins import load_plugins

    third_party = _advisor(load_plugins())
    checks = third_party.plugins.manager.hook.cnadvisor_check.get_hookimpls()
    assert "checker" in {impl.plugin_name for impl in checks}
    assert parallel.workers_for(third_party, _args("x", "-f", "json"), enough) == 0


@pytest.mark.skipif(not TWO_CORES, reason="workers need two cores")
@pytest.mark.parametrize("fmt", parallel.FORMATS)
def test_a_batch_through_workers_equals_one_process(fmt, plugin_set, tmp_path, monkeypatch,
                                                    capsys):  # fmt: skip
    count = parallel.MIN_FILES + 10
    folder = _batch(tmp_path / "in", count)
    used: list[int] = []
    choose = parallel.workers_for
    monkeypatch.setattr(parallel, "workers_for", lambda *a: used.append(choose(*a)) or used[-1])
    results = {}
    for invariant in (False, True):
        advisor = _advisor(plugin_set, invariant)
        monkeypatch.setattr(evaluate, "load_advisor", lambda args, advisor=advisor: advisor)
        target = tmp_path / f"out-{invariant}.{fmt}"
        code = evaluate.run(_args(str(folder), "-f", fmt, "-o", str(target), "--show-excluded"))
        results[invariant] = (code, target.read_bytes(), capsys.readouterr().err)
    assert used[0] == 0 and used[1] >= 2  # one process, then workers
    assert results[True] == results[False]
    code, text, errors = results[True]
    assert code == 1  # some inputs could not be read; the rest were all evaluated
    bad = ["s000a.yaml", f"s{count // 2:03d}a.yaml", "s999.yaml"]
    assert re.findall(r"s\d{3}a?\.yaml", errors) == bad
    if fmt == "json":
        document = json.loads(text)
        assert [r["system"] for r in document["results"]] == [f"system {i}" for i in range(count)]
        assert [e["source"].rsplit("/", 1)[-1] for e in document["errors"]] == bad


@pytest.mark.parametrize("to_file", [True, False])
def test_a_workers_bytes_and_this_processs_text_are_written_in_order(tmp_path, monkeypatch,
                                                                     to_file):  # fmt: skip
    """Workers hand their results over as UTF-8 bytes; the sink writes them between the
    text around them, to a file or to a stdout that only takes text (no ``buffer``)."""
    import io

    from cnadvisor.render.output import Output

    pieces = ["{start → ", "one → ".encode(), "two ✓ ".encode(), "end}"]
    stream = io.StringIO()
    if not to_file:
        monkeypatch.setattr("sys.stdout", stream)
    target = tmp_path / "out.txt"
    sink = Output(str(target) if to_file else None)
    for piece in pieces:
        sink.write(piece)
    sink.commit()
    written = target.read_text(encoding="utf-8") if to_file else stream.getvalue()
    assert written == "{start → one → two ✓ end}"


@pytest.mark.parametrize("sink_kind", ["file", "pipe", "text-only", "no-descriptor"])
def test_spooled_pieces_are_copied_in_order_to_every_kind_of_output(tmp_path, monkeypatch,
                                                                    sink_kind):  # fmt: skip
    """A worker's spooled result lands between the text around it: by sendfile into a file
    or a pipe, through this process where the stream has no descriptor or no bytes."""
    import io
    import os
    import sys
    import threading

    from cnadvisor.render.output import Output, Spooled

    spool = tmp_path / "spool"
    spool.write_bytes("xx one → ✓ two ✓".encode())
    descriptor = os.open(spool, os.O_RDONLY)
    one = Spooled(descriptor, 3, len("one → ✓ ".encode()))
    two = Spooled(descriptor, 3 + one.length, len("two ✓".encode()))
    pieces = ["{start → ", one, b"| ", two, "}"]
    target, reader, got = tmp_path / "out.txt", None, bytearray()
    if sink_kind == "pipe":
        reader, writer = os.pipe()
        monkeypatch.setattr("sys.stdout", io.TextIOWrapper(os.fdopen(writer, "wb"), "utf-8"))

        def read_all() -> None:
            while chunk := os.read(reader, 4096):
                got.extend(chunk)

        drain = threading.Thread(target=read_all)
        drain.start()
    elif sink_kind == "text-only":
        monkeypatch.setattr("sys.stdout", io.StringIO())
    elif sink_kind == "no-descriptor":
        monkeypatch.setattr("sys.stdout", io.TextIOWrapper(io.BytesIO(), "utf-8"))
    sink = Output(str(target) if sink_kind == "file" else None)
    try:
        for piece in pieces:
            sink.write(piece)
        sink.commit()
    finally:
        os.close(descriptor)
    expected = "{start → one → ✓ | two ✓}"
    if sink_kind == "file":
        assert target.read_text(encoding="utf-8") == expected
    elif sink_kind == "pipe":
        sys.stdout.close()
        drain.join(timeout=10)
        os.close(reader)
        assert got.decode("utf-8") == expected
    elif sink_kind == "text-only":
        assert sys.stdout.getvalue() == expected
    else:
        sys.stdout.flush()
        assert sys.stdout.buffer.getvalue().decode("utf-8") == expected


@pytest.mark.skipif(not TWO_CORES, reason="workers need two cores")
def test_the_spool_is_removed_after_a_batch_and_when_it_stops_early(plugin_set, tmp_path,
                                                                    monkeypatch):  # fmt: skip
    import tempfile

    spools = tmp_path / "tmp"
    spools.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spools))
    folder = _batch(tmp_path / "in", parallel.MIN_FILES + 10)
    advisor = _advisor(plugin_set)
    items = sorted(str(p) for p in folder.glob("*.yaml"))
    renderer = _json_renderer(advisor)
    whole = list(parallel.outcomes(items, advisor, renderer, 2))
    assert len(whole) == len(items) and not any(spools.iterdir())
    stopped = parallel.outcomes(items, advisor, renderer, 2)
    _, piece, _ = next(o for o in stopped if o[0] == "text")
    assert piece.length > 0 and len(list(spools.iterdir())) == 1  # the live spool
    stopped.close()  # the consumer gives up (an error, Ctrl-C) after one result
    assert not any(spools.iterdir())


def _json_renderer(advisor):
    from cnadvisor.render import renderer
    from cnadvisor.render.common import Batch

    chosen = renderer(Batch(top=None, show_excluded=False), "json", advisor)
    chosen.start()
    chosen.count = 1
    return chosen


@pytest.mark.parametrize("fmt", ["json", "csv", "markdown"])
@pytest.mark.parametrize("top", [None, 2])
def test_a_result_as_bytes_is_its_text_encoded(advisor, fmt, top):
    """What a worker hands over (``add_encoded``) is ``add``'s text as UTF-8, first result
    and later ones, whole or cut to ``--top``."""
    from cnadvisor.render import renderer
    from cnadvisor.render.common import Batch

    from .conftest import make_requirements

    requirements = make_requirements(name="bytes → text ✓")
    evaluation = advisor.evaluate(requirements)
    as_text, as_bytes = (renderer(Batch(top=top), fmt, advisor) for _ in range(2))
    for _ in range(2):
        assert as_bytes.add_encoded(evaluation, requirements) == as_text.add(
            evaluation, requirements
        ).encode("utf-8")


@pytest.mark.skipif(not TWO_CORES, reason="workers need two cores")
def test_a_spool_that_cannot_be_made_fails_the_output_cleanly(plugin_set, tmp_path, monkeypatch,
                                                             capsys):  # fmt: skip
    import tempfile

    from cnadvisor.cli import exit_codes

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-folder"))
    folder = _batch(tmp_path / "in", parallel.MIN_FILES + 10)
    advisor = _advisor(plugin_set)
    monkeypatch.setattr(evaluate, "load_advisor", lambda args: advisor)
    target = tmp_path / "out.json"
    code = app.main(["evaluate", str(folder), "-f", "json", "-o", str(target)])
    assert code == exit_codes.OUTPUT
    assert "could not create the batch's spool folder" in capsys.readouterr().err
    assert not target.exists() and [p.name for p in tmp_path.iterdir()] == ["in"]


def test_a_spool_file_shorter_than_its_piece_fails_the_output_and_keeps_the_old_file(tmp_path):
    """A spool file cut short (a full disk, a process that died writing it) is an output
    failure naming the file, and the file that was there stays as it was."""
    import os

    from cnadvisor.render.output import Output, OutputFailed, Spooled

    spool = tmp_path / "spool"
    spool.write_bytes(b"only ten b")
    target = tmp_path / "out.json"
    target.write_text("the old report")
    descriptor = os.open(spool, os.O_RDONLY)
    sink = Output(str(target), force=True)
    try:
        sink.write("{")
        with pytest.raises(OutputFailed, match=r"out\.json"):
            sink.write(Spooled(descriptor, 0, 100))
    finally:
        os.close(descriptor)
    assert target.read_text() == "the old report"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_an_evaluation_leaves_no_reference_cycles(trained_advisor, tmp_path):
    """Batch workers leave the collector off between chunks (``parallel._evaluate_chunk``):
    that is sound only while reading, ranking and rendering a file, unreadable ones
    included, free everything they made without the collector."""
    import gc

    from cnadvisor.render import renderer
    from cnadvisor.render.common import Batch

    folder = _batch(tmp_path / "batch", 40)
    chosen = renderer(Batch(), "json", trained_advisor)
    chosen.start()
    files = sorted(str(path) for path in folder.iterdir())
    parallel.evaluate_one(files[1], trained_advisor, chosen.add_encoded)  # warm the memos
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        outcomes = [parallel.evaluate_one(f, trained_advisor, chosen.add_encoded) for f in files]
        gc.collect()
        left = [type(item).__name__ for item in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert {kind for kind, _, _ in outcomes} == {"text", "problems"}
    assert left == []
