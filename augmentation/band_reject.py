"""Band-reject (notch) filters: causal windowed-sinc FIR filters."""

import math

import tensorflow as tf

TAPS = 257
"""Filter length: transition bands of about 200 Hz at 16 kHz; the delay is (TAPS - 1) / 2
samples, 8 ms, less than one frame of the paper's encoder."""

DELAY = (TAPS - 1) // 2
"""Samples by which a filtered signal lags the input (a linear-phase FIR filter, kept causal)."""


def band_reject_filters(centre_hz: tf.Tensor, width_hz: tf.Tensor, sample_rate: int = 16000) -> tf.Tensor:
    """Designs one band-stop filter per signal: a delayed impulse minus a band-pass.

    Args:
        centre_hz: Centre of each rejected band, shape ``(batch,)``.
        width_hz: Width of each band, shape ``(batch,)``.
        sample_rate: In Hz.

    Returns:
        Taps, shape ``(batch, TAPS)``, float32.
    """
    n = tf.range(TAPS, dtype=tf.float32)[None, :] - DELAY
    window = tf.signal.hamming_window(TAPS, periodic=False)[None, :]
    low = (centre_hz - width_hz / 2)[:, None] / sample_rate
    high = (centre_hz + width_hz / 2)[:, None] / sample_rate
    band_pass = (_low_pass(high, n) - _low_pass(low, n)) * window
    impulse = tf.cast(tf.equal(n, 0.0), tf.float32)
    return impulse - band_pass


def _low_pass(cutoff: tf.Tensor, n: tf.Tensor) -> tf.Tensor:
    """Ideal low-pass impulse response, cutoff in cycles per sample, at offsets ``n``."""
    centre = tf.equal(n, 0.0)
    # sin(x) / x at the centre tap is its limit, 2 * cutoff; a stand-in n avoids 0 / 0 there.
    nonzero_n = tf.where(centre, 1.0, n)
    return tf.where(centre, 2.0 * cutoff, tf.sin(2.0 * math.pi * cutoff * nonzero_n) / (math.pi * nonzero_n))
