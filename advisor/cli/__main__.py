"""``python -m cnadvisor.cli``: the same as the ``cnadvisor`` script."""

from . import main

raise SystemExit(main())
