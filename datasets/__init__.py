"""Published benchmark figures with provenance, shipped as package data (``cnadvisor_datasets``).

See README.md in this folder for the data card.
"""
