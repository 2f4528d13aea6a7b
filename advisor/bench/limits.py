"""Bounds on a bench run, kept apart so the CLI parser can show them without importing
the measurement machinery (which every other cnadvisor command would then pay for)."""

MAX_REPEAT = 10
MAX_DURATION = 30  # seconds per test
MAX_STREAMS = 16
