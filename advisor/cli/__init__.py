"""The ``cnadvisor`` command line: one module per command, loaded only when chosen.

``app`` builds the parser and dispatches; the exit codes are in ``exit_codes``.
"""

from .app import main

__all__ = ["main"]
