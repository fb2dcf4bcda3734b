"""Reverberation by synthetic room impulse responses."""

import tensorflow as tf

RIR_SECONDS = 0.5
"""Length of every impulse response: the tail past it is below -60 dB for RT60 up to 0.5 s."""


def room_impulse_responses(
    seed: tf.Tensor, batch: tf.Tensor, rt60_s: tf.Tensor, drr_db: tf.Tensor, sample_rate: int = 16000
) -> tf.Tensor:
    """Draws impulse responses of unit energy: a direct path, then an exponential noise tail.

    Unit energy keeps the level of a signal convolved with it (for a signal without long-range
    correlation).

    Args:
        seed: Stateless seed, shape ``(2,)``.
        batch: Responses to draw.
        rt60_s: Time for each tail to decay by 60 dB, shape ``(batch,)``, seconds.
        drr_db: Energy of the direct path over the tail's, shape ``(batch,)``, dB.
        sample_rate: In Hz.

    Returns:
        Shape ``(batch, taps)``, float32; tap 0 is the direct path.
    """
    taps = int(RIR_SECONDS * sample_rate)
    time = tf.range(1, taps, dtype=tf.float32)[None, :] / sample_rate
    # Amplitude falls by 60 dB (a factor 1000, ln 1000 = 6.9) in rt60 seconds.
    tail = tf.random.stateless_normal((batch, taps - 1), seed) * tf.exp(-6.9078 * time / rt60_s[:, None])
    tail_energy = tf.reduce_sum(tf.square(tail), axis=1, keepdims=True)
    tail = tail * tf.sqrt(tf.pow(10.0, -drr_db[:, None] / 10.0) / tail_energy)
    response = tf.concat([tf.ones_like(tail[:, :1]), tail], axis=1)
    return response * tf.math.rsqrt(tf.reduce_sum(tf.square(response), axis=1, keepdims=True))
