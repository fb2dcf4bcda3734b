"""Keyword spotting on Speech Commands to compare audio representations.

`python -m kws_eval` trains the same small CNN classifier on log-mel features,
on a random encoder and on a CPC encoder (each frozen, and each trained with
the classifier) and reports train, validation and test accuracy in one table.

The saved `<row>.keras` models use two custom layers; importing
`kws_eval.kws_model` registers both, after which `keras.models.load_model`
reads the models.
"""
