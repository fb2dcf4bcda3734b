"""A PyTorch reference of the CPC training step, to measure ours against.

Written anew after the description of facebookresearch/CPC_audio (Rivière et al., 2020,
"Unsupervised pretraining transfers well across languages"): causal convolutions with an
optional channel norm, a GRU or LSTM, one linear predictor per future step and the InfoNCE
loss, trained with Adam. It is sized and scored like our training model (`models.cpc_model`)
for a preset: the same convolutions, context size, recurrent cell and layers, prediction
steps, unscored first steps, negatives drawn within the window (per context step and future
step, as `losses.gen_targets` draws them) and targets under stop-gradient, so both do the
same arithmetic per window.

It runs in a virtual environment of its own, ``.venv-torch/`` with CPU ``torch`` from
``requirements-bench-torch.txt`` (`environment.torch_python` creates it), never in the
toolkit's: the worker modules (``channel_norm``, ``cpc_encoder``, ``cpc_model``,
``__main__``) import only torch, numpy and the standard library. ``architecture`` and
``environment`` run on our side, without TensorFlow, and hand the worker its architecture
as JSON. ``python -m bench.pytorch_peer`` runs both implementations in fresh processes,
interleaved, and prints the table::

    .venv/bin/python -m bench.pytorch_peer --preset paper --batch-size 32 --rounds 3

The worker alone, with ``ARCHITECTURE`` the JSON of ``architecture("paper")``, prints last the
windows per second of each timed run::

    .venv-torch/bin/python -m bench.pytorch_cpc --architecture "$ARCHITECTURE" --batch-size 32 --steps 20 --repeats 2
"""
