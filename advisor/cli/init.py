"""``cnadvisor init``: a commented requirements template to fill in."""

from __future__ import annotations

import argparse

from . import exit_codes
from .common import write


def add_parser(commands: argparse._SubParsersAction, help_text: str) -> None:
    init = commands.add_parser("init", help=help_text)
    init.add_argument("--output", "-o", metavar="PATH", help="write the template here")
    init.add_argument("--force", action="store_true", help="allow --output to replace a file")


def run(args: argparse.Namespace) -> int:
    from ..template import TEMPLATE

    write(TEMPLATE, args.output, force=args.force)
    return exit_codes.OK
