"""Built-in cnadvisor plugins.

Each module is registered through the `cnadvisor` entry-point group, like any third party's.
"""
