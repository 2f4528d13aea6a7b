"""``cnadvisor plan REQUIREMENTS``: what to measure on a cluster to confirm the ranking
(a plan and a k8s-netperf configuration; runs nothing)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import exit_codes
from .common import UsageError, load_advisor, positive, print_errors


def add_parser(commands: argparse._SubParsersAction, help_text: str) -> None:
    plan = commands.add_parser("plan", help=help_text)
    plan.add_argument("requirements", metavar="REQUIREMENTS.yaml", help="the system's requirements")
    plan.add_argument(
        "--top",
        type=positive,
        default=3,
        metavar="N",
        help="plan for the first N options (default 3)",
    )
    plan.add_argument(
        "--output", "-o", default="cnadvisor-plan", metavar="DIR",
        help="folder for the plan files (default cnadvisor-plan)",
    )  # fmt: skip
    plan.add_argument(
        "--cluster", default="my-cluster", metavar="NAME",
        help="the name import commands use (default my-cluster)",
    )  # fmt: skip
    plan.add_argument("--force", action="store_true", help="replace files in DIR")


def run(args: argparse.Namespace) -> int:
    from ..importers.plan import is_kubernetes, k8s_netperf_config, render, sensitivities
    from ..loading import RequirementsError, load_file

    try:
        loaded = load_file(args.requirements)
    except RequirementsError as error:
        print_errors(error.problems)
        return exit_codes.PROBLEMS
    folder = Path(args.output)
    targets = {"plan.md": folder / "plan.md"}
    if is_kubernetes(loaded.requirements):
        targets["k8s-netperf.yml"] = folder / "k8s-netperf.yml"
    clash = [str(p) for p in targets.values() if p.exists()]
    if clash and not args.force:
        raise UsageError(f"{', '.join(clash)} exist; pass --force to replace them")
    advisor = load_advisor(args)
    requirements = loaded.requirements
    evaluation = advisor.evaluate(requirements, source=loaded.source)
    if not evaluation.ranked:
        print_errors(["no option is feasible; nothing to measure"])
        return exit_codes.PROBLEMS
    found = sensitivities(advisor, requirements, evaluation, args.top)
    text = render(requirements, evaluation, found, args.cluster)
    folder.mkdir(parents=True, exist_ok=True)
    if "k8s-netperf.yml" in targets:
        config = k8s_netperf_config(requirements)
        targets["k8s-netperf.yml"].write_text(config, encoding="utf-8")
    targets["plan.md"].write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    print(f"\nwrote {' and '.join(map(str, targets.values()))}", file=sys.stderr)
    return exit_codes.OK
