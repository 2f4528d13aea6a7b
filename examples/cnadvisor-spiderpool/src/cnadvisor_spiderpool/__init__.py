"""A third-party cnadvisor plugin for Spiderpool, written against the public API only."""
