"""Duration-preserving pitch shift that only ever reads the past."""

import math

import tensorflow as tf

GRAIN = 1024
"""Samples per grain (64 ms at 16 kHz): long enough to hold a few pitch periods, short
enough that a grain's spectrum changes little within it."""


def pitch_shift(audio: tf.Tensor, cents: tf.Tensor, grain: int = GRAIN) -> tf.Tensor:
    """Shifts each signal's pitch by its own number of cents, keeping its length.

    Granular overlap-add: Hann grains of ``grain`` samples, half a grain apart, each read
    from the input at ``r = 2 ** (cents / 1200)`` samples per output sample (linear
    interpolation). A grain of a higher pitch (``r > 1``) reads a stretch that ends where the
    grain ends; one of a lower pitch reads a stretch that starts where the grain starts. Either
    way every output sample is made of input samples at or before it: the shift is causal,
    with no delay.

    Args:
        audio: Signals, shape ``(batch, samples)`` with ``samples`` known, float32.
        cents: Shift of each signal, shape ``(batch,)``; 0 returns the signal.
        grain: Samples per grain, even.

    Returns:
        Shape ``(batch, samples)``, float32.
    """
    samples = audio.shape[-1]
    hop = grain // 2
    grains = math.ceil(samples / hop) + 1
    rate = tf.pow(2.0, tf.cast(cents, tf.float32) / 1200.0)[:, None, None]
    anchor = tf.cast(rate >= 1.0, tf.float32) * grain
    # Grain g covers output samples (g - 1) * hop + i, i < grain; the first starts before 0.
    within = tf.range(grain, dtype=tf.float32)[None, None, :]
    starts = tf.cast(tf.range(grains) - 1, tf.float32)[None, :, None] * hop
    read = starts + within + (rate - 1.0) * (within - anchor)
    read = tf.clip_by_value(read, 0.0, samples - 1.0)
    below = tf.floor(read)
    fraction = read - below
    below = tf.cast(below, tf.int32)
    above = tf.minimum(below + 1, samples - 1)
    lower, upper = _samples_at(audio, below), _samples_at(audio, above)
    # Where the read position is exact, the next sample gets weight 0: it may lie ahead.
    frames = (lower + fraction * (upper - lower)) * tf.signal.hann_window(grain, periodic=True)
    return tf.signal.overlap_and_add(frames, hop)[:, hop : hop + samples]


def _samples_at(audio: tf.Tensor, index: tf.Tensor) -> tf.Tensor:
    """``audio[b, index[b, g, i]]``: ``(batch, samples)`` read at ``(batch, grains, grain)``."""
    return tf.gather(audio, index, batch_dims=1)
