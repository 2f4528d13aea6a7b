"""What several commands share: argument types, the usage error, "did you mean",
printing problems to stderr, and loading the advisor with its plugins."""

from __future__ import annotations

import argparse
import difflib
import gc
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from . import exit_codes

TCP_LARGEST = 1 << 20  # a TCP application write the model is asked about, bytes
UDP_LARGEST = 65507  # the largest UDP payload over IPv4


class UsageError(Exception):
    """A mistake in the command line found after parsing: printed once, exit code 2."""


def positive(text: str) -> int:
    """An argparse type: a whole number, 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def bounded(kind: type, low: float, high: float) -> Callable[[str], float]:
    """An argparse type: a finite number of ``kind`` within [low, high]."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not (low <= value <= high):  # also refuses NaN
            raise argparse.ArgumentTypeError(f"{text} is outside {low:g}..{high:g}")
        return value

    return parse


def message_sizes(low: int = 1, high: int = TCP_LARGEST, *, many: bool = True):
    """The one ``--message-size`` parser: bytes, comma-separated when ``many`` (a tuple),
    each a whole number in [low, high]; otherwise one number."""

    def parse(text: str) -> tuple[int, ...] | int:
        parts = [part.strip() for part in text.split(",")] if many else [text.strip()]
        try:
            sizes = tuple(int(part) for part in parts)
        except ValueError:
            example = "64,512,1400" if many else "1400"
            raise argparse.ArgumentTypeError(
                f"{text!r}: whole numbers of bytes, e.g. {example}"
            ) from None
        if not sizes or min(sizes) < low or max(sizes) > high:
            raise argparse.ArgumentTypeError(f"{text!r}: each size must be {low}..{high} bytes")
        return sizes if many else sizes[0]

    return parse


SCENARIOS = ("inter-host", "intra-host")  # the peer on another host, or on the same one


def add_scenario_option(
    parser: argparse.ArgumentParser, *, default: str | None, note: str = ""
) -> None:
    """``--scenario``, the same choices and words wherever a command takes it; ``note``
    says which inputs it applies to."""
    suffix = f" (default {default})" if default else ""
    parser.add_argument(
        "--scenario",
        choices=SCENARIOS,
        default=default,
        help=f"{note}client and server on different hosts or on one host{suffix}",
    )


def add_message_size_option(
    parser: argparse.ArgumentParser, *, many: bool, high: int, default=None, help: str
) -> None:
    """``--message-size`` in bytes, parsed by :func:`message_sizes` everywhere."""
    parser.add_argument(
        "--message-size",
        type=message_sizes(1, high, many=many),
        default=default,
        metavar="BYTES[,BYTES...]" if many else "BYTES",
        help=help,
    )


def add_format_option(
    parser: argparse.ArgumentParser, formats: Sequence[str], help: str | None = None,
    *, default: object = "table",
) -> None:  # fmt: skip
    """``--format/-f``, one spelling for every command that prints data several ways. The
    help names the formats, so the option's row says FORMAT once rather than repeating
    the choices after both spellings (which filled an 80-column row)."""
    parser.add_argument(
        "--format", "-f", choices=formats, default=default, metavar="FORMAT", help=help
    )


def add_switch(parser: argparse.ArgumentParser, flag: str, help: str) -> None:
    """``--flag/--no-flag`` that stays None when not given, so "not said" differs from "no"."""
    parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=help)


def did_you_mean(name: str, known: Iterable[str], n: int = 3) -> str:
    """ " (did you mean a, b?)" for the known names closest to a mistyped one, else ""."""
    close = difflib.get_close_matches(name, list(known), n=n)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def print_errors(problems: Iterable[object], label: str = "error") -> None:
    """Each problem on its own stderr line, `cnadvisor: error: ...`."""
    for problem in problems:
        print(f"cnadvisor: {label}: {problem}", file=sys.stderr)


def report_plugin_problems(plugin_set, already: int = 0) -> int:
    """Warn once about each plugin left out (from ``already`` on) and each slow plugin;
    return how many problems have been reported in all."""
    problems = plugin_set.problems if plugin_set else []
    print_errors((f"{problem} (left out)" for problem in problems[already:]), "warning")
    print_errors(plugin_set.unseen_notes() if plugin_set else [], "warning")
    return len(problems)


def load_plugin_set(strict: bool):
    """The installed plugins; a failure under ``--strict-plugins`` ends with exit code 3."""
    from ..plugins import PluginLoadError, load_plugins

    try:
        plugin_set = load_plugins(strict=strict)
    except PluginLoadError as error:
        print_errors(error.problems)
        raise SystemExit(exit_codes.PLUGIN) from None
    report_plugin_problems(plugin_set)
    return plugin_set


def load_advisor(args: argparse.Namespace, *, analytical: bool = False):
    """The advisor over the installed plugins, telling a terminal when the model trains."""
    from ..advisor import Advisor
    from ..performance import AnalyticalModel
    from ..plugins import PluginLoadError

    try:
        model = AnalyticalModel() if analytical else None
        notice = training_notice if sys.stderr is not None and sys.stderr.isatty() else None
        advisor = Advisor.from_plugins(strict=args.strict_plugins, model=model, notice=notice)
    except PluginLoadError as error:
        print_errors(error.problems)
        raise SystemExit(exit_codes.PLUGIN) from None
    report_plugin_problems(advisor.plugins)
    settle_heap()
    return advisor


# Loading (imports, plugins, the model) makes objects that live as long as the process and
# almost no garbage: the collector's automatic passes only walked them again and again,
# about 50 ms of a 600 ms cold start. Until the advisor is loaded, a pass waits for this
# many new objects; then they are frozen out of every later pass.
STARTUP_COLLECTION_THRESHOLD = 100_000
_THRESHOLDS = gc.get_threshold()
_loading = [False]


def quiet_collector() -> None:
    """Collect garbage rarely while the process loads (``main`` calls this first)."""
    _loading[0] = True
    gc.set_threshold(STARTUP_COLLECTION_THRESHOLD, *_THRESHOLDS[1:])


def settle_heap() -> None:
    """The process has loaded: what exists now lives on, so later passes skip it, and
    the collector runs as usual again (only after `quiet_collector`: a program that loads
    an advisor through this module keeps its collector as it set it). The TUI loads in a
    thread while its screens live on the main one: nothing is frozen there, or screens
    closed later could never be collected."""
    if _loading[0]:
        if threading.current_thread() is threading.main_thread():
            gc.freeze()
        usual_collector()


def usual_collector() -> None:
    """The collector's usual thresholds again, if `quiet_collector` changed them (``main``
    ends with this, for commands that load no advisor)."""
    if _loading[0]:
        _loading[0] = False
        gc.set_threshold(*_THRESHOLDS)


def check_solutions(names: Sequence[str], known: Iterable[str], what: str = "solution") -> None:
    """A usage error naming every unknown id, each with its closest known id."""
    known = set(known)
    unknown = [name for name in names if name not in known]
    if unknown:
        hints = "; ".join(f"{name}{did_you_mean(name, known, n=1)}" for name in unknown)
        raise UsageError(f"unknown {what}: {hints}")


def training_notice(target: Path) -> None:
    """One line on a terminal's stderr before the first run trains the model, so the wait
    is explained; the time is the last training's, read from the cache beside it."""
    seconds = _last_training_seconds(target.parent)
    took = f"about {seconds:.0f} s" if seconds else "a few seconds"
    print(f"cnadvisor: training the performance model once, {took}; cached in {target}",
          file=sys.stderr, flush=True)  # fmt: skip


def _last_training_seconds(folder: Path) -> float | None:
    """How long the newest cached model took to train (its metadata says), if any."""
    import json

    import numpy as np

    try:
        newest = max(folder.glob("model-*.npz"), key=lambda p: p.stat().st_mtime, default=None)
        if newest is None:
            return None
        with np.load(newest, allow_pickle=False) as arrays:
            seconds = json.loads(str(arrays["meta"])).get("seconds")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return max(1.0, float(seconds)) if isinstance(seconds, int | float) else None


def write(text: str, output: str | None, *, force: bool = False) -> None:
    """Text to stdout or, safely, to ``--output``."""
    from ..render.output import Output

    sink = Output(output, force=force)
    sink.write(text)
    sink.commit()
