"""The trained overhead model: benchmark data, features, training, evaluation, cache."""
