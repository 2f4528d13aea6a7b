"""Bounds on a bench run, kept apart so the CLI parser can show them without importing
the measurement machinery (which every other cnadvisor command would then pay for)."""

MAX_REPEAT = 10
MAX_DURATION = 30  # seconds per test
MAX_STREAMS = 16
MAX_PAIRS = 8  # concurrent container pairs per topology (density)
MIN_SIZE = 16  # bytes per write or datagram
MAX_TCP_SIZE = 1 << 20  # a TCP write (iperf3's own default is 128 KiB)
MAX_DATAGRAM = 65000  # a UDP datagram's payload (IPv4 allows 65507); latency tests too

# The ports the measurement tools listen on; NAT port mapping forwards exactly these.
IPERF_PORT = 5201
SOCKPERF_PORT = 11111
