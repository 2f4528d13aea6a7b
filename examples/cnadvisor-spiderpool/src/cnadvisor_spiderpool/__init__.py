"""A third-party cnadvisor plugin for the SR-IOV CNI, written against the public API only."""
