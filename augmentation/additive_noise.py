"""Noise added at a signal-to-noise ratio measured on the past only."""

import pathlib

import numpy as np
import tensorflow as tf

from augmentation.noise_folder import noise_files
from librispeech.audio_file import INT16_FULL_SCALE, read_pcm16

MAX_BANK_SAMPLES = 1 << 22
"""Noise kept in memory, about 4.4 minutes at 16 kHz (16 MiB of float32)."""

_LEVEL_FLOOR = 1e-4
"""Level below which the past counts as silence: noise is not scaled up from nothing."""


def load_noise_bank(noise_dir: pathlib.Path, sample_rate: int = 16000) -> np.ndarray:
    """Reads every audio file of a folder into one signal, in file-name order.

    Args:
        noise_dir: Folder of noise recordings at ``sample_rate``, mono.
        sample_rate: The rate every file must have.

    Returns:
        Float32 samples in [-1, 1), shape ``(samples,)``, at most ``MAX_BANK_SAMPLES``.

    Raises:
        AugmentationError: The folder is missing or holds no audio file.
        CorpusError: A file is unreadable, not mono or at another rate (named).
    """
    pieces, kept = [], 0
    for path in noise_files(noise_dir):
        samples = read_pcm16(path, sample_rate)[: MAX_BANK_SAMPLES - kept]
        pieces.append(samples.astype(np.float32) / INT16_FULL_SCALE)
        kept += samples.size
        if kept == MAX_BANK_SAMPLES:
            break
    return np.concatenate(pieces)


def bank_segments(bank: tf.Tensor, offsets: tf.Tensor, samples: int) -> tf.Tensor:
    """Stretches of the noise bank, wrapping around its end.

    Args:
        bank: Noise, shape ``(bank_samples,)``.
        offsets: First sample of each stretch, shape ``(batch,)``, int32.
        samples: Samples per stretch.

    Returns:
        Shape ``(batch, samples)``.
    """
    index = (offsets[:, None] + tf.range(samples)[None, :]) % tf.shape(bank)[0]
    return tf.gather(bank, index)


def coloured_noise(seed: tf.Tensor, batch: tf.Tensor, samples: int, slope: tf.Tensor) -> tf.Tensor:
    """Gaussian noise with a power spectrum falling as ``1 / f ** slope``.

    Args:
        seed: Stateless seed, shape ``(2,)``.
        batch: Signals to draw.
        samples: Samples per signal.
        slope: Spectral slope of each signal, shape ``(batch,)``: 0 white, 1 pink, 2 brown.

    Returns:
        Shape ``(batch, samples)``, float32.
    """
    white = tf.random.stateless_normal((batch, samples), seed)
    spectrum = tf.signal.rfft(white)
    frequency = tf.maximum(tf.range(samples // 2 + 1, dtype=tf.float32), 1.0)
    # exp(log) rather than tf.pow: Grappler rewrites a pow by a constant exponent (a constant
    # slope) to rsqrt or ones of the base's shape, losing the batch dimension.
    gain = tf.exp(-slope[:, None] / 2.0 * tf.math.log(frequency)[None, :])
    gain = tf.concat([tf.zeros_like(gain[:, :1]), gain[:, 1:]], axis=1)  # no DC offset
    return tf.signal.irfft(spectrum * tf.cast(gain, tf.complex64), [samples])


def add_noise(audio: tf.Tensor, noise: tf.Tensor, snr_db: tf.Tensor) -> tf.Tensor:
    """Adds noise at a signal-to-noise ratio relative to the level of the audio so far.

    The level at sample ``t`` is the RMS of samples ``0 .. t``, so the noise added there
    tells nothing of what follows: the mix is causal. The noise is first scaled to unit RMS
    over its whole stretch, which is independent of the audio.

    Args:
        audio: Signals, shape ``(batch, samples)``.
        noise: Noise, shape ``(batch, samples)``.
        snr_db: Ratio of each signal, shape ``(batch,)``, in dB.

    Returns:
        Shape ``(batch, samples)``, float32.
    """
    noise = noise * tf.math.rsqrt(tf.reduce_mean(tf.square(noise), axis=1, keepdims=True) + 1e-12)
    count = tf.range(1, tf.shape(audio)[1] + 1, dtype=tf.float32)[None, :]
    level = tf.sqrt(tf.cumsum(tf.square(audio), axis=1) / count)
    level = tf.where(level > _LEVEL_FLOOR, level, 0.0)
    return audio + noise * level * tf.pow(10.0, -snr_db[:, None] / 20.0)
