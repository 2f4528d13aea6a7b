"""The ``cnadvisor`` command line. Data goes to stdout, diagnostics to stderr.

Exit codes: 0 every input evaluated; 1 some input invalid (the rest were still
evaluated); 2 usage error; 3 a plugin failed under ``--strict-plugins``; 4 the output
could not be written (disk full, device error).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_OK, EXIT_INVALID_INPUT, EXIT_USAGE, EXIT_PLUGIN, EXIT_OUTPUT = 0, 1, 2, 3, 4
FORMATS = ("table", "json", "csv", "markdown", "html")


def _bounded(kind: type, low: float, high: float):
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cnadvisor",
        description="Rank container-network options against a system's requirements.",
        epilog="Exit codes: 0 all evaluated, 1 some input invalid, 2 usage error, "
        "3 plugin failure with --strict-plugins, 4 output could not be written.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument(
        "--strict-plugins", action="store_true", help="a broken plugin is an error, not a warning"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    evaluate = commands.add_parser("evaluate", help="rank options for requirement files")
    evaluate.add_argument("inputs", nargs="+", metavar="FILE", help="YAML files, folders, or -")
    evaluate.add_argument(
        "--format", "-f", choices=FORMATS, default="table",
        help="table (default); json or csv for programs; markdown for a decision record; html "
        "for one self-contained page to share",
    )  # fmt: skip
    evaluate.add_argument("--output", "-o", metavar="PATH", help="write here instead of stdout")
    evaluate.add_argument("--force", action="store_true", help="allow --output to replace a file")
    evaluate.add_argument("--top", type=_positive, metavar="N", help="show the first N options")
    evaluate.add_argument(
        "--show-excluded", action="store_true", help="list excluded options with reasons"
    )

    plugins = commands.add_parser(
        "plugins",
        help="list, show, check or scaffold plugins",
        description="list: what is loaded; show ID: one profile; check: validate every "
        "installed plugin (exit 1 on problems); new NAME: write a plugin package",
    )
    plugins.add_argument(
        "action", nargs="?", choices=("list", "show", "check", "new"), default="list"
    )
    plugins.add_argument(
        "name",
        nargs="?",
        help="show: a solution id; check: only this plugin; new: the new plugin's name",
    )
    plugins.add_argument("--format", "-f", choices=("table", "json"), default="table")
    plugins.add_argument("--strict", action="store_true", help="check: warnings fail too")
    plugins.add_argument("--directory", "-d", default=".", help="new: where to write the package")

    init = commands.add_parser("init", help="print a commented requirements template")
    init.add_argument("--output", "-o", metavar="PATH", help="write the template here")
    init.add_argument("--force", action="store_true", help="allow --output to replace a file")

    schema = commands.add_parser("schema", help="print the requirements JSON Schema")
    schema.add_argument(
        "--profile",
        action="store_true",
        help="print the JSON Schema of a plugin's profile file (profiles/*.yaml) instead",
    )

    from .bench import add_parser as add_bench_parser

    add_bench_parser(commands)

    from .imports import add_parsers as add_import_parsers

    add_import_parsers(commands)

    tui = commands.add_parser("tui", help="the questionnaire (also: cnadvisor with no command)")
    tui.add_argument("file", nargs="?", help="requirements YAML to start from (opens results)")

    model = commands.add_parser("model", help="train, inspect and evaluate the performance model")
    model.add_argument("action", choices=("train", "info", "report"))
    model.add_argument(
        "--with-local",
        action="store_true",
        help="train on published rows plus this host's `cnadvisor bench` measurements",
    )
    model.add_argument(
        "--output",
        "-o",
        default="model-report",
        metavar="DIR",
        help="folder for `report` (model-card.md and its plot); default ./model-report",
    )
    model.add_argument(
        "--readme",
        metavar="FILE",
        help="`report`: also replace FILE's generated model-headline block (README.md)",
    )
    model.add_argument(
        "--format",
        "-f",
        choices=("table", "json"),
        default="table",
        help="info: a readable table (default) or the cached metadata as JSON",
    )

    predict = commands.add_parser(
        "predict",
        help="what-if: predicted throughput, packet rate and latency of options",
        description="Predict what each option costs under one workload, with 80 % intervals.",
    )
    predict.add_argument("solutions", nargs="+", metavar="SOLUTION", help="option ids")
    predict.add_argument(
        "--message-size",
        default="1400",
        help="application write or datagram size in bytes, comma-separated (TCP up to 1 MiB, "
        "UDP up to 65507)",
    )
    predict.add_argument("--protocol", choices=("tcp", "udp"), default="tcp", help="default tcp")
    predict.add_argument(
        "--scenario",
        choices=("inter-host", "intra-host"),
        default="inter-host",
        help="peer on another host (default) or on the same host",
    )
    predict.add_argument(
        "--virtualization",
        choices=("bare-metal", "vm"),
        default="bare-metal",
        help="containers on bare metal or inside VMs (a virtio/vhost stage on every path)",
    )
    predict.add_argument(
        "--containers-per-host", type=_positive, default=1, help="density (not modelled yet)"
    )
    predict.add_argument("--cpu-pinning", action="store_true", help="(not modelled yet)")
    predict.add_argument("--streams", type=_positive, default=1, help="parallel flows")
    predict.add_argument(
        "--cores", type=_positive, default=1, help="cores the flows may use (one per flow at most)"
    )
    predict.add_argument(
        "--via-service",
        action="store_true",
        help="through a Kubernetes Service (kube-proxy DNAT, or the CNI's eBPF load balancer)",
    )
    predict.add_argument(
        "--packet-io",
        action="store_true",
        help="the application uses DPDK or AF_XDP where the option gives the pod such an interface",
    )
    predict.add_argument(
        "--nic-gbps", type=_bounded(float, 0.001, 1600), default=10.0, help="NIC speed, Gbit/s"
    )
    predict.add_argument(
        "--mtu", type=_bounded(int, 576, 65535), default=1500, help="underlay MTU, bytes"
    )
    predict.add_argument(
        "--model",
        choices=("trained", "analytical"),
        default="trained",
        help="trained (default) or header arithmetic at line rate only",
    )
    predict.add_argument(
        "--format", "-f", choices=("table", "json", "csv"), default="table",
        help="table (default), json or csv, every estimate with its interval",
    )  # fmt: skip
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.version:
        from .. import __version__

        print(f"cnadvisor {__version__}")
        return EXIT_OK
    if args.command is None:
        args.command, args.file = "tui", None
        if not sys.stdin.isatty() or not sys.stdout.isatty():
            parser.print_help()
            return EXIT_USAGE
    handler = {
        "evaluate": _evaluate,
        "plugins": _plugins,
        "init": _init,
        "schema": _schema,
        "model": _model,
        "tui": _tui,
        "bench": _bench,
        "predict": _predict,
        "import": _importers,
        "plan": _importers,
    }[args.command]
    from ..render.output import OutputFailed, OutputRefused

    try:
        return handler(args)
    except (_UsageError, OutputRefused) as error:
        print(f"cnadvisor: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OutputFailed as error:
        print(f"cnadvisor: error: {error}", file=sys.stderr)
        return EXIT_OUTPUT
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_OK


def _quiet_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the interpreter's final flush
    does not print a second BrokenPipeError (Python's documented recipe, `signal` docs)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass


class _UsageError(Exception):
    pass


def _advisor(args: argparse.Namespace, *, analytical: bool = False):
    from ..advisor import Advisor
    from ..performance import AnalyticalModel
    from ..plugins import PluginLoadError

    try:
        model = AnalyticalModel() if analytical else None
        notice = _training_notice if sys.stderr is not None and sys.stderr.isatty() else None
        advisor = Advisor.from_plugins(strict=args.strict_plugins, model=model, notice=notice)
    except PluginLoadError as error:
        for problem in error.problems:
            print(f"cnadvisor: error: {problem}", file=sys.stderr)
        raise SystemExit(EXIT_PLUGIN) from None
    _report_plugin_problems(advisor)
    return advisor


def _training_notice(target: Path) -> None:
    """One line on a terminal's stderr before the first run trains the model, so the wait
    is explained; the time is the last training's, read from the cache beside it."""
    seconds = _last_training_seconds(target.parent)
    took = f"about {seconds:.0f} s" if seconds else "a few seconds"
    print(f"cnadvisor: training the performance model once, {took}; cached in {target}",
          file=sys.stderr, flush=True)  # fmt: skip


def _last_training_seconds(folder: Path) -> float | None:
    """How long the newest cached model took to train (its metadata says), if any."""
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


def _report_plugin_problems(advisor, already: int = 0) -> int:
    problems = advisor.plugins.problems if advisor.plugins else []
    for problem in problems[already:]:
        print(f"cnadvisor: warning: {problem} (left out)", file=sys.stderr)
    for note in advisor.plugins.unseen_notes() if advisor.plugins else []:  # slow plugins
        print(f"cnadvisor: warning: {note}", file=sys.stderr)
    return len(problems)


def _write(text: str, output: str | None, *, force: bool = False) -> None:
    from ..render.output import Output

    sink = Output(output, force=force)
    sink.write(text)
    sink.commit()


def _evaluate(args: argparse.Namespace) -> int:
    """Evaluate file by file and write each result as soon as it is ready: memory stays
    flat in the number of files. The output is checked before any work starts."""
    from ..loading import STDIN, InputProblem, RequirementsError, expand_inputs, load_file
    from ..render import renderer
    from ..render.common import Batch
    from ..render.output import Output, identity, stdin_identity

    items = list(expand_inputs(args.inputs))  # names only; files are read one at a time
    protect = [stdin_identity() if i == STDIN else identity(i) for i in items if isinstance(i, str)]
    sink = Output(args.output, force=args.force, protect=protect)
    try:
        advisor = _advisor(args)
        batch = Batch(top=args.top, show_excluded=args.show_excluded)
        chosen = renderer(batch, args.format, advisor)
        seen_problems = len(advisor.plugins.problems) if advisor.plugins else 0
        sink.write(chosen.start())
        for item in items:
            if isinstance(item, InputProblem):
                problems = [item]
            else:
                try:
                    loaded = load_file(item)
                except RequirementsError as error:
                    problems = error.problems
                else:
                    evaluation = advisor.evaluate(loaded.requirements, source=loaded.source)
                    seen_problems = _report_plugin_problems(advisor, seen_problems)
                    if args.strict_plugins and seen_problems:
                        sink.abort()
                        return EXIT_PLUGIN
                    sink.write(chosen.add(evaluation, loaded.requirements))
                    continue
            for problem in problems:
                print(f"cnadvisor: error: {problem}", file=sys.stderr)
            batch.problems.extend(problems)
        sink.write(chosen.finish(batch.problems))
        sink.commit()
    except BaseException:
        sink.abort()
        raise
    return EXIT_INVALID_INPUT if batch.problems else EXIT_OK


def _plugins(args: argparse.Namespace) -> int:
    from ..plugins import PluginLoadError, load_plugins

    if args.action == "new":
        from ..scaffold import ScaffoldError, write_plugin

        if not args.name:
            raise _UsageError("plugins new needs a name, e.g. `cnadvisor plugins new mycni`")
        try:
            folder = write_plugin(args.name, Path(args.directory))
        except ScaffoldError as error:
            raise _UsageError(str(error)) from None
        print(f"wrote {folder}; next: pip install {folder} && cnadvisor plugins check")
        return EXIT_OK
    if args.action == "check":  # in a child process, so that even os._exit is reported
        from ..plugincheck import run_isolated

        return run_isolated(args.name, strict=args.strict)
    try:
        plugin_set = load_plugins(strict=args.strict_plugins)
    except PluginLoadError as error:
        for problem in error.problems:
            print(f"cnadvisor: error: {problem}", file=sys.stderr)
        return EXIT_PLUGIN
    for problem in plugin_set.problems:
        print(f"cnadvisor: warning: {problem} (left out)", file=sys.stderr)
    for note in plugin_set.unseen_notes():
        print(f"cnadvisor: warning: {note}", file=sys.stderr)
    from ..render.plugins import profile_json, render_list, render_profile

    if args.action == "show":
        if not args.name:
            raise _UsageError("plugins show needs a solution id")
        item = plugin_set.solutions.get(args.name)
        if item is None:
            import difflib

            close = difflib.get_close_matches(args.name, plugin_set.solutions, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise _UsageError(f"no solution {args.name!r}{hint}")
        info = plugin_set.info(item.plugin)
        if args.format == "json":
            print(json.dumps(profile_json(item, info), indent=2))
        else:
            sys.stdout.write(render_profile(item, info))
        return EXIT_OK
    sys.stdout.write(render_list(plugin_set, args.format))
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    from ..template import TEMPLATE

    _write(TEMPLATE, args.output, force=args.force)
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    if args.profile:
        from ..profile_files import profile_file_schema as json_schema
    else:
        from ..requirements import json_schema

    print(json.dumps(json_schema(), indent=2))
    return EXIT_OK


def _bench(args: argparse.Namespace) -> int:
    from .bench import run_command

    return run_command(args)


def _importers(args: argparse.Namespace) -> int:
    from .imports import run

    return run(args)


def _tui(args: argparse.Namespace) -> int:
    from ..loading import RequirementsError, load_file

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise _UsageError(
            "the questionnaire needs a terminal; in scripts use `cnadvisor evaluate FILE`"
        )

    requirements = None
    if args.file:
        try:
            requirements = load_file(args.file).requirements
        except RequirementsError as error:
            for problem in error.problems:
                print(f"cnadvisor: error: {problem}", file=sys.stderr)
            return EXIT_INVALID_INPUT
    from ..tui.app import run

    return run(_advisor(args), requirements, Path(args.file) if args.file else None)


def _model(args: argparse.Namespace) -> int:
    from .model import model_command

    return model_command(args, _advisor(args))


def _predict(args: argparse.Namespace) -> int:
    from .model import predict_command

    try:
        sizes = [int(part) for part in args.message_size.split(",")]
    except ValueError:
        raise _UsageError("--message-size takes whole numbers, e.g. 64,512,1400") from None
    largest = 65507 if args.protocol == "udp" else 1 << 20
    if not sizes or min(sizes) < 1 or max(sizes) > largest:
        raise _UsageError(f"--message-size values must be 1..{largest} bytes for "
                          f"{args.protocol.upper()}")  # fmt: skip
    advisor = _advisor(args, analytical=args.model == "analytical")
    known = {item.profile.id for item in advisor.solutions}
    unknown = [s for s in args.solutions if s not in known]
    if unknown:
        import difflib

        hints = [difflib.get_close_matches(u, known, n=1) for u in unknown]
        hint = "; ".join(
            f"{u} (did you mean {h[0]}?)" if h else u for u, h in zip(unknown, hints, strict=True)
        )
        raise _UsageError(f"unknown solution: {hint}")
    sys.stdout.write(predict_command(args, advisor, sizes))
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
