"""``cnadvisor evaluate``: rank options for requirement files, streamed file by file."""

from __future__ import annotations

import argparse

from . import exit_codes, parallel
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
    flat in the number of files. The output is checked before any work starts. A long
    batch may be spread over worker processes (`parallel`); what is written, and in what
    order, is the same."""
    from ..loading import STDIN, expand_inputs
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
        workers = parallel.workers_for(advisor, args, items)
        done = 0
        while done < len(items) and not (workers and chosen.count):  # the first result here
            outcome = parallel.evaluate_one(items[done], advisor, chosen.add)
            done += 1
            seen_problems = _handle(outcome, advisor, batch, sink, seen_problems, args)
            if seen_problems < 0:  # a plugin failed under --strict-plugins
                sink.abort()
                return exit_codes.PLUGIN
        if done < len(items):
            for outcome in parallel.outcomes(items[done:], advisor, chosen, workers):
                seen_problems = _handle(outcome, advisor, batch, sink, seen_problems, args)
        sink.write(chosen.finish(batch.problems))
        sink.commit()
    except BaseException:
        sink.abort()
        raise
    return exit_codes.PROBLEMS if batch.problems else exit_codes.OK


def _handle(outcome: parallel.Outcome, advisor, batch, sink, seen: int, args) -> int:
    """Write one input's result, or report why it could not be read; warn about plugins
    that failed on it. Returns how many plugin problems have been reported, or -1 when one
    was and ``--strict-plugins`` is on (nothing of this input is written then)."""
    kind, value, raised = outcome
    if kind == "problems":
        print_errors(value)
        batch.problems.extend(value)
        return seen
    if advisor.plugins is not None:
        for problem in raised:  # from a worker: this process has not seen them yet
            if problem not in advisor.plugins.problems:
                advisor.plugins.problems.append(problem)
    seen = report_plugin_problems(advisor.plugins, seen)
    if args.strict_plugins and seen:
        return -1
    sink.write(value)
    return seen
