"""``cnadvisor plugins [list|show|check|new]``: what is loaded, one profile, a check of
every installed plugin, or a new plugin package to start from."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import exit_codes
from .common import UsageError, add_format_option, did_you_mean, load_plugin_set

FORMATS = ("table", "json")
HELP = "a readable table (default) or JSON for programs"


def add_parser(commands: argparse._SubParsersAction, help_text: str) -> None:
    plugins = commands.add_parser(
        "plugins",
        help=help_text,
        description="list (the default): what is loaded; show ID: one profile; check: "
        "validate every installed plugin (exit 1 on problems); new NAME: write a plugin package",
    )
    add_format_option(plugins, FORMATS, HELP)
    plugins.set_defaults(action="list")
    actions = plugins.add_subparsers(dest="action", metavar="ACTION")
    # the sub-actions' --format leaves the value given before them alone (`plugins -f json`)
    listing = actions.add_parser("list", help="every loaded plugin and its solutions")
    add_format_option(listing, FORMATS, HELP, default=argparse.SUPPRESS)
    show = actions.add_parser("show", help="one solution's profile with its sources")
    show.add_argument("name", metavar="ID", help="a solution id")
    add_format_option(show, FORMATS, HELP, default=argparse.SUPPRESS)
    check = actions.add_parser("check", help="validate every installed plugin; exit 1 on problems")
    check.add_argument("name", nargs="?", metavar="PLUGIN", help="only this plugin")
    check.add_argument("--strict", action="store_true", help="warnings fail too")
    new = actions.add_parser("new", help="write a plugin package to start from")
    new.add_argument("name", metavar="NAME", help="the new plugin's name")
    new.add_argument(
        "--directory", "-d", default=".", metavar="DIR", help="where to write the package"
    )


def run(args: argparse.Namespace) -> int:
    if args.action == "new":
        from ..scaffold import ScaffoldError, write_plugin

        try:
            folder = write_plugin(args.name, Path(args.directory))
        except ScaffoldError as error:
            raise UsageError(str(error)) from None
        print(f"wrote {folder}; next: pip install {folder} && cnadvisor plugins check")
        return exit_codes.OK
    if args.action == "check":  # in a child process, so that even os._exit is reported
        from ..plugincheck import run_isolated

        return run_isolated(args.name, strict=args.strict)
    plugin_set = load_plugin_set(args.strict_plugins)
    from ..render.plugins import profile_json, render_list, render_profile

    if args.action == "show":
        item = plugin_set.solutions.get(args.name)
        if item is None:
            raise UsageError(
                f"no solution {args.name!r}{did_you_mean(args.name, plugin_set.solutions)}"
            )
        info = plugin_set.info(item.plugin)
        if args.format == "json":
            print(json.dumps(profile_json(item, info), indent=2))
        else:
            sys.stdout.write(render_profile(item, info))
        return exit_codes.OK
    sys.stdout.write(render_list(plugin_set, args.format))
    return exit_codes.OK
