"""The ``cnadvisor`` parser and dispatch. Data goes to stdout, diagnostics to stderr.

Each command lives in its own module here with ``add_parser(commands)`` and
``run(args)``. Only the chosen command's module is imported (``--help`` lists the others
by their one-line help), so a cold ``evaluate`` pays for nothing else.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import exit_codes
from .common import UsageError, quiet_collector, usual_collector

# command → (module in this package, one-line help); the module adds the full parser
COMMANDS: dict[str, tuple[str, str]] = {
    "evaluate": ("evaluate", "rank options for requirement files"),
    "plugins": ("plugins", "list, show, check or scaffold plugins"),
    "init": ("init", "print a commented requirements template"),
    "schema": ("schema", "print the requirements JSON Schema"),
    "bench": ("bench", "measure network modes on this host in namespaces (root)"),
    "import": ("imports", "import cluster measurements (knb, k8s-netperf, iperf3, netperf, "
               "sockperf)"),
    "plan": ("plan", "what to measure on your cluster to confirm the ranking (runs nothing)"),
    "tui": ("tui", "the questionnaire (also: cnadvisor with no command)"),
    "model": ("model", "train, inspect and evaluate the performance model"),
    "predict": ("predict", "what-if: predicted throughput, packet rate and latency of options"),
}  # fmt: skip


def chosen_command(argv: Sequence[str]) -> str | None:
    """The command word: the first argument that is not an option (the top-level options
    take no values)."""
    for word in argv:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The full parser of ``command`` (every command's, when None is given, for tests and
    docs); the other commands are there by name and help only."""
    top = argparse.ArgumentParser(
        prog="cnadvisor",
        description="Rank container-network options against a system's requirements.",
        epilog=exit_codes.EPILOG,
    )
    top.add_argument("--version", action="store_true", help="print the version and exit")
    top.add_argument(
        "--strict-plugins", action="store_true", help="a broken plugin is an error, not a warning"
    )
    commands = top.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        if command is None or name == command:
            module(name).add_parser(commands, help_text)
        else:
            commands.add_parser(name, help=help_text)
    return top


def module(command: str):
    """The module that implements ``command``, imported now."""
    return importlib.import_module(f".{COMMANDS[command][0]}", __package__)


def main(argv: Sequence[str] | None = None) -> int:
    quiet_collector()  # until the advisor is loaded (`common.settle_heap`)
    try:
        return _run(argv)
    finally:
        usual_collector()


def _run(argv: Sequence[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command = chosen_command(argv)
    full = parser(command or "")
    args = full.parse_args(argv)
    if args.version:
        from .. import __version__

        print(f"cnadvisor {__version__}")
        return exit_codes.OK
    if args.command is None:
        if not sys.stdin.isatty() or not sys.stdout.isatty():
            full.print_help()
            return exit_codes.USAGE
        args.command, args.file = "tui", None
    from ..render.output import OutputFailed, OutputRefused

    try:
        return module(args.command).run(args)
    except (UsageError, OutputRefused) as error:  # labelled as argparse labels its own
        print(f"cnadvisor: error: {error}", file=sys.stderr)
        return exit_codes.USAGE
    except OutputFailed as error:
        print(f"cnadvisor: error: {error}", file=sys.stderr)
        return exit_codes.OUTPUT
    except BrokenPipeError:
        _quiet_stdout()
        return exit_codes.OK


def _quiet_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the interpreter's final flush
    does not print a second BrokenPipeError (Python's documented recipe, `signal` docs)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
