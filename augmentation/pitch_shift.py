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
    way every output sample is made of input samples at or before it: the shift is causal.
    Within a grain the lag behind the input sweeps from 0 to at most ``max_lag(cents)``
    samples (about half that on average), so there is no fixed delay to undo.

    A sine comes out as lines ``sample_rate / hop`` apart (31.25 Hz at 16 kHz for the default
    grain) under a peak at the shifted frequency, since each grain restarts its phase.

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


def max_lag(cents: float, grain: int = GRAIN) -> int:
    """The most samples a shift of up to ``cents`` (either way) lags behind its input.

    A grain read at rate ``r`` ends (``r > 1``) or starts (``r < 1``) level with its input and
    drifts ``|r - 1|`` samples per sample from there; ``r = 2 ** (cents / 1200)`` drifts the
    most, since ``2 ** x - 1 >= 1 - 2 ** -x``.

    Args:
        cents: Largest shift, in cents.
        grain: Samples per grain.

    Returns:
        Samples.
    """
    return math.ceil((2.0 ** (abs(cents) / 1200.0) - 1.0) * grain)


def _samples_at(audio: tf.Tensor, index: tf.Tensor) -> tf.Tensor:
    """``audio[b, index[b, g, i]]``: ``(batch, samples)`` read at ``(batch, grains, grain)``."""
    return tf.gather(audio, index, batch_dims=1)
