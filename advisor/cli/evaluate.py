"""``cnadvisor evaluate``: rank options for requirement files, streamed file by file."""

from __future__ import annotations

import argparse

from . import exit_codes
from .common import add_format_option, load_advisor, positive, print_errors, report_plugin_problems

FORMATS = ("table", "json", "csv", "markdown", "html")


def add_parser(commands: argparse._SubParsersAction, help_text: str) -> None:
    evaluate = commands.add_parser("evaluate", help=help_text)
    evaluate.add_argument("inputs", nargs="+", metavar="FILE", help="YAML files, folders, or -")
    add_format_option(
        evaluate, FORMATS, "table (default); json or csv for programs; markdown for a decision "
        "record; html for one self-contained page to share",
    )  # fmt: skip
    evaluate.add_argument("--output", "-o", metavar="PATH", help="write here instead of stdout")
    evaluate.add_argument("--force", action="store_true", help="allow --output to replace a file")
    evaluate.add_argument("--top", type=positive, metavar="N", help="show the first N options")
    evaluate.add_argument(
        "--show-excluded", action="store_true", help="list excluded options with reasons"
    )


def run(args: argparse.Namespace) -> int:
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
        advisor = load_advisor(args)
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
                    seen_problems = report_plugin_problems(advisor.plugins, seen_problems)
                    if args.strict_plugins and seen_problems:
                        sink.abort()
                        return exit_codes.PLUGIN
                    sink.write(chosen.add(evaluation, loaded.requirements))
                    continue
            print_errors(problems)
            batch.problems.extend(problems)
        sink.write(chosen.finish(batch.problems))
        sink.commit()
    except BaseException:
        sink.abort()
        raise
    return exit_codes.PROBLEMS if batch.problems else exit_codes.OK
