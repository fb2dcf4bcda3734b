"""Causal linear convolution of a batch of signals with a batch of kernels, by FFT."""

import tensorflow as tf


def causal_convolution(audio: tf.Tensor, kernels: tf.Tensor) -> tf.Tensor:
    """Convolves every signal with its own kernel, keeping the signal's length.

    Output sample ``t`` is ``sum_n kernels[n] * audio[t - n]``: it depends on samples up to
    ``t`` only, so the result is causal; the kernel's tail past the end is cut off.

    Args:
        audio: Signals, shape ``(batch, samples)`` with ``samples`` known, float32.
        kernels: Impulse responses, shape ``(batch, taps)``, float32.

    Returns:
        Shape ``(batch, samples)``, float32.
    """
    samples = audio.shape[-1]
    taps = kernels.shape[-1]
    # A power of two at least as long as the linear convolution: no circular wrap-around.
    fft_length = 1 << (samples + taps - 2).bit_length()
    spectrum = tf.signal.rfft(audio, [fft_length]) * tf.signal.rfft(kernels, [fft_length])
    return tf.signal.irfft(spectrum, [fft_length])[:, :samples]
