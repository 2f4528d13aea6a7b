"""Bounds on a bench run, kept apart so the CLI parser can show them without importing
the measurement machinery (which every other cnadvisor command would then pay for)."""

MAX_REPEAT = 10
MAX_DURATION = 30  # seconds per test
MAX_STREAMS = 16
MAX_PAIRS = 8  # concurrent container pairs per topology (density)

# The ports the measurement tools listen on; NAT port mapping forwards exactly these.
IPERF_PORT = 5201
SOCKPERF_PORT = 11111
