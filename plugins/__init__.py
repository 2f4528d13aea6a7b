"""Built-in cnadvisor plugins; each module is registered through the `cnadvisor` entry-point group."""
