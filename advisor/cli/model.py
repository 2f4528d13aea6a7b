"""``cnadvisor model train|info|report``: train the performance model, show what is
cached, or cross-validate it and write its card. Kept apart so ``evaluate`` never
imports it."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from . import exit_codes
from .common import add_format_option, add_switch, load_advisor

Progress = Callable[[str], None]


def add_parser(commands: argparse._SubParsersAction, help_text: str) -> None:
    model = commands.add_parser("model", help=help_text)
    actions = model.add_subparsers(dest="action", metavar="ACTION", required=True)
    train = actions.add_parser("train", help="train on the published data and cache the model")
    report = actions.add_parser(
        "report", help="cross-validate the model and write its card (model-card.md and a plot)"
    )
    for parser in (train, report):
        parser.add_argument(
            "--with-local",
            action="store_true",
            help="train on published rows plus this host's `cnadvisor bench` measurements",
        )
    info = actions.add_parser("info", help="what the cached model was trained on")
    add_format_option(
        info, ("table", "json"), "a readable table (default) or the cached metadata as JSON"
    )
    report.add_argument(
        "--output",
        "-o",
        default="model-report",
        metavar="DIR",
        help="folder for model-card.md and its plot; default ./model-report",
    )
    report.add_argument(
        "--readme",
        metavar="FILE",
        help="also replace FILE's generated model-headline block (README.md)",
    )
    add_switch(
        report, "--progress", "one line per phase on stderr (default: when stderr is a terminal)"
    )


def run(args: argparse.Namespace) -> int:
    advisor = load_advisor(args)
    if args.action == "info":
        return info(advisor, args.format)
    from ..model.trained import cache_key, training_data, use_local

    profiles = {item.profile.id: item.profile for item in advisor.solutions}
    with_local = args.with_local or (args.action != "train" and use_local())
    load_rows, fingerprint = training_data(advisor.plugins, with_local=with_local)
    if args.action == "train":
        return train(profiles, load_rows, cache_key(fingerprint, profiles), args.with_local)
    show = sys.stderr.isatty() if args.progress is None else args.progress
    return report(profiles, load_rows, args, progress if show else None)


def progress(line: str) -> None:
    """A phase of a long command, on stderr only: stdout stays the same with or without."""
    print(f"cnadvisor: {line}", file=sys.stderr, flush=True)


def train(profiles: dict, load_rows: Callable[[], list], key: str, with_local: bool) -> int:
    from ..model import cache
    from ..model.trained import set_use_local
    from ..model.trained import train as fit
    from ..render.model import training_summary

    started = time.perf_counter()
    model, meta = fit(profiles, load_rows())
    path = cache.save(key, {"costs": model.costs.table}, meta)
    set_use_local(with_local)
    sys.stdout.write(training_summary(meta, path, time.perf_counter() - started, with_local))
    return exit_codes.OK


def info(advisor, fmt: str) -> int:
    import json

    from ..model import cache
    from ..model.trained import cache_key, training_data, use_local
    from ..render.model import info_table

    profiles = {item.profile.id: item.profile for item in advisor.solutions}
    _, fingerprint = training_data(advisor.plugins, with_local=use_local())
    key = cache_key(fingerprint, profiles)
    cached = cache.load(key)
    if cached is None:
        print(f"no trained model cached for this data yet ({cache.path_for(key)}); "
              "`cnadvisor model train` makes one")  # fmt: skip
        return exit_codes.OK
    meta = cached[1]
    if fmt == "json":
        print(json.dumps({"cache": str(cache.path_for(key))} | meta, indent=2))
    else:
        sys.stdout.write(info_table(meta, cache.path_for(key), advisor.model))
    return exit_codes.OK


def report(profiles: dict, load_rows: Callable[[], list], args, show: Progress | None) -> int:
    """Train, cross-validate both ways and write the card; ``show`` hears each phase."""
    from ..dataset.load import underlay_mtus
    from ..model.card import update_readme, write_card
    from ..model.observations import build
    from ..model.trained import train as fit

    say = show or (lambda line: None)
    say("training the model on every row…")
    rows = load_rows()
    model, meta = fit(profiles, rows)
    observations = build(rows, profiles, underlay_mtus())
    folder = Path(args.output)
    card, figures = write_card(observations, model, meta, folder, progress=show)
    print(f"model card: {card}")
    for line in figures["summary"]:
        print(line)
    if args.readme:
        if update_readme(Path(args.readme), folder):
            print(f"updated the model headline in {args.readme}")
        else:
            print(f"{args.readme} has no generated model-headline block", file=sys.stderr)
            return exit_codes.PROBLEMS
    return exit_codes.OK
