"""``cnadvisor schema``: the JSON Schema of requirement files (or of profile files), for
editors to complete and check them."""

from __future__ import annotations

import argparse
import json

from . import exit_codes


def add_parser(commands: argparse._SubParsersAction, help_text: str) -> None:
    schema = commands.add_parser("schema", help=help_text)
    schema.add_argument(
        "--profile",
        action="store_true",
        help="print the JSON Schema of a plugin's profile file (profiles/*.yaml) instead",
    )


def run(args: argparse.Namespace) -> int:
    if args.profile:
        from ..profile_files import profile_file_schema as json_schema
    else:
        from ..requirements import json_schema

    print(json.dumps(json_schema(), indent=2))
    return exit_codes.OK
