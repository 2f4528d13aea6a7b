"""The exit codes of every ``cnadvisor`` command, in one place (README "Exit codes" and
``cnadvisor --help`` show the same text), so scripts can rely on them."""

OK = 0
PROBLEMS = 1  # the command ran but found a problem: an input was invalid (the rest were
# still evaluated), `plugins check` found problems, nothing was measured or imported
USAGE = 2  # the command line or an option's value was wrong, or the output is refused
PLUGIN = 3  # a plugin failed under --strict-plugins
OUTPUT = 4  # the output could not be written part-way (disk full, device error)
SIGNAL = 128  # bench: stopped by signal N, exit 128 + N (everything created is removed)

EPILOG = (
    "exit codes: 0 done; 1 done, but a problem was found (an invalid input, a plugin "
    "check problem, nothing measured or imported); 2 usage error; 3 a plugin failed "
    "under --strict-plugins; 4 the output could not be written; 128+N bench stopped "
    "by signal N."
)
