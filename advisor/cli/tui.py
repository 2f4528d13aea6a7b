"""``cnadvisor tui`` (and ``cnadvisor`` alone on a terminal): the questionnaire."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import exit_codes
from .common import UsageError, load_advisor, print_errors


def add_parser(commands: argparse._SubParsersAction, help_text: str) -> None:
    tui = commands.add_parser("tui", help=help_text)
    tui.add_argument(
        "file", nargs="?", metavar="FILE", help="requirements YAML to start from (opens results)"
    )


def run(args: argparse.Namespace) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "the questionnaire needs a terminal; in scripts use `cnadvisor evaluate FILE`"
        )
    requirements = None
    if args.file:  # only then: reading files needs pydantic, the empty questionnaire not
        from ..loading import RequirementsError, load_file

        try:
            requirements = load_file(args.file).requirements
        except RequirementsError as error:
            print_errors(error.problems)
            return exit_codes.PROBLEMS
    from ..tui.app import run as run_app

    # the Advisor loads in a thread behind the painted questionnaire (issue 16: first paint)
    advisor = lambda: load_advisor(args)  # noqa: E731
    return run_app(advisor, requirements, Path(args.file) if args.file else None)
