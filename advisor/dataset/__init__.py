"""The benchmark dataset as a layer of its own, shared by the model and ``cnadvisor bench``.

- ``schema``: the declarative table of columns, units per metric and cross-column rules;
- ``files``: the shipped CSVs and ``sources.csv``, through importlib.resources;
- ``conditions``: which rows were measured in the same test (per-source rules), MTUs;
- ``contributed``: lenient loading and vetting of plugin and local rows;
- ``priors``: the checks of ``stage_priors.csv`` (documented per-stage figures);
- ``load``: the validated rows as one pandas DataFrame with derived columns;
- ``card``: the data card's generated counts; ``anchor``: InfraBuilder 2024's baselines.

Only ``load`` and ``card`` import pandas, so the cold ``evaluate`` path stays free of it.
"""
