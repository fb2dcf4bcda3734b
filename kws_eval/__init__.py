"""Keyword spotting on Speech Commands to compare audio representations.

`python -m kws_eval` trains the same classifier on log-mel features, on a
random encoder and on a CPC encoder (each frozen, and each trained with the
classifier), and a linear classifier on each frozen front end's mean frame,
and reports train, validation and test accuracy in one table; optionally with
a few training clips per word (label budgets), on test clips mixed with
background noise, and over several seeds.

The saved `<row>.keras` models use two custom layers; importing
`kws_eval.kws_model` registers both, after which `keras.models.load_model`
reads the models.
"""
