"""The benchmark dataset as a layer of its own, shared by the model and ``cnadvisor bench``.

``schema`` declares the columns and rules (pure Python), ``files`` reads the shipped CSVs,
``contributed`` vets plugin and local rows, ``load`` builds the validated pandas DataFrame
for training and reports, and ``card`` regenerates the data card's counts. Only ``load``
and ``card`` import pandas, so the cold ``evaluate`` path stays free of it.
"""
