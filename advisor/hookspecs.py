"""The plugin hooks: the whole public contract between cnadvisor and a plugin.

A plugin is a module (or object) with functions marked ``@hookimpl`` and named
like the specs below, registered through the ``cnadvisor`` entry-point group.
Implementations may take fewer arguments than a spec names; new arguments can
be added to a spec without breaking existing plugins.

Third-party hook code runs under limits: a deadline per call (per file for
``cnadvisor_check``), an item cap, stdout sent to stderr, and copies of the
arguments. ``docs/security.md`` lists them and what they cannot cover.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from .findings import Finding
    from .profile import SolutionProfile
    from .requirements import Requirements

PROJECT = "cnadvisor"
API_VERSION = 1

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def cnadvisor_stages() -> Iterable[dict[str, Any]]:
    """Return datapath stages this plugin adds to the shared vocabulary.

    Each item is a dict with ``name`` (lower-case, dashes), ``kind`` (one of
    :class:`cnadvisor.stages.StageKind`), ``header_bytes`` (added in front of the inner
    IPv4 packet, 0-200), ``description``, ``reference`` (where the header size and
    behaviour are specified) and optional ``priors``: documented costs, a mapping from
    ``ns_per_packet``, ``ns_per_byte`` or ``delay_us`` to ``{value, source, locator}``
    (and optional ``conditions``). Stages are registered before any profile is loaded,
    so your profiles (and other plugins') can name them. A name that is built in or
    that another plugin registered first is reported and that stage left out.
    """


@hookspec
def cnadvisor_solutions() -> Iterable[SolutionProfile | dict[str, Any]]:
    """Return the solution profiles this plugin offers.

    Each item is a :class:`cnadvisor.SolutionProfile` or a dict of the same
    shape. Ids must be unique across all plugins; a duplicate is reported and
    left out.
    """


@hookspec
def cnadvisor_check(
    solution: SolutionProfile, requirements: Requirements
) -> Iterable[Finding | dict[str, Any]]:
    """Return extra findings about one solution under one set of requirements.

    Use it for knowledge the declarative profile cannot carry: a cloud that
    drops a protocol, a version that lacks a feature. A finding of severity
    ``exclude`` removes the option from the ranking, with your message as the
    reason. Return an empty list when there is nothing to say. It runs once per option
    for every file, on your own copies of both arguments: keep it to simple lookups.
    """


@hookspec
def cnadvisor_benchmarks() -> Iterable[dict[str, Any]]:
    """Return benchmark rows this plugin ships, e.g. a CNI vendor's own measurements.

    Each row is a dict with the columns of ``datasets/published/*.csv`` (see
    ``datasets/README.md``): ``source_id``, ``locator`` (where in your source the
    figure is), ``solution_id`` (one of your profiles), the test conditions, the
    ``metric``, ``unit`` and ``value``, and the host ``baseline_value`` measured
    in the same test. Valid rows join the training data; invalid ones are
    reported with the plugin's name and left out.
    """


@hookspec
def cnadvisor_bench_topologies() -> Iterable[dict[str, Any]]:
    """Say which ``cnadvisor bench`` topology emulates the datapath of your solutions.

    Each item is a dict ``{"solution_id": ..., "topology": ...}``: the id of one of your
    own profiles and the name of a topology ``cnadvisor bench list`` shows. The bench
    labels that topology's local rows with your id (``cnadvisor bench run <your id>``),
    so measurements on the user's host calibrate your option. Invalid items, and items
    about another plugin's solutions, are reported with the plugin's name and left out.
    """
