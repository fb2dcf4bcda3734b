"""Streaming CPC: the encoder (and GRU) over audio arriving in chunks of any length.

`models.streaming_context_model.StreamingContextModel` carries the convolution buffers and
the GRU state from chunk to chunk, so its output equals the offline model's for the whole
audio. `python -m streaming export` writes it as a SavedModel and a TFLite file that serve
chunk by chunk.
"""
