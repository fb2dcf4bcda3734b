"""The augmentation of the past inside tf.data: pairs of augmented and clean windows."""

import tensorflow as tf

from augmentation import band_reject
from augmentation.additive_noise import add_noise, bank_segments, coloured_noise, load_noise_bank
from augmentation.augmentation_config import EFFECTS, AugmentConfig
from augmentation.fft_convolution import causal_convolution
from augmentation.pitch_shift import max_lag, pitch_shift
from augmentation.room_reverb import room_impulse_responses


class PastAugmentation:
    """Augments batches of windows for the context side of CPC; the targets stay clean.

    Each effect is applied to each window with its probability, drawn per window, in the
    order pitch → reverb → band reject → noise: noise comes last, as a microphone adds it,
    unreverberated. Every effect is causal, so the augmented window at sample ``t`` depends
    on clean samples up to ``t`` only. All randomness is stateless, from ``(seed,
    batch_index)``: a batch is augmented the same way in every run, and each effect draws from
    its own stream, so turning one effect on or off leaves the others' draws as they were.

    Used as ``dataset.enumerate().map(PastAugmentation(config), num_parallel_calls=AUTOTUNE)``.

    Args:
        config: Which effects, how often and how strongly.
        seed: Seed of every draw.

    Raises:
        AugmentationError: ``config.noise_dir`` is missing or holds no audio file.
        CorpusError: A noise file is unreadable or at another rate.
    """

    def __init__(self, config: AugmentConfig, seed: int = 0):
        self.config = config
        self.seed = seed
        self._bank = None
        if config.noise > 0 and config.noise_dir is not None:
            self._bank = tf.constant(load_noise_bank(config.noise_dir, config.sample_rate))

    @property
    def max_delay(self) -> int:
        """The most samples the augmented window can lag the clean one, over the enabled effects.

        The band-reject filter lags by a fixed ``band_reject.DELAY``; the pitch shift by a lag
        that sweeps within each grain up to ``pitch_shift.max_lag``; reverberation and noise
        keep the direct sound in place.
        """
        delay = band_reject.DELAY if self.config.band_reject > 0 else 0
        if self.config.pitch > 0:
            delay += max_lag(self.config.pitch_cents)
        return delay

    def __call__(self, batch_index: tf.Tensor, audio: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        """``(augmented, clean)`` windows, each ``(batch, samples)``, for one batch of the stream."""
        seed = tf.stack([tf.constant(self.seed, tf.int64), tf.cast(batch_index, tf.int64)])
        return self.augment(audio, seed), audio

    def augment(self, audio: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
        """Applies the enabled effects.

        Args:
            audio: Windows, shape ``(batch, samples)`` with ``samples`` known, float32.
            seed: Stateless seed, shape ``(2,)``, int32 or int64.

        Returns:
            Shape ``(batch, samples)``, float32.
        """
        config = self.config
        batch, samples = tf.shape(audio)[0], audio.shape[-1]
        seed = tf.cast(seed, tf.int64)
        if config.pitch > 0:
            seeds = _effect_seeds(seed, "pitch")
            cents = _uniform(next(seeds), batch, (-config.pitch_cents, config.pitch_cents))
            audio = _where_applied(next(seeds), config.pitch, pitch_shift(audio, cents), audio)
        if config.reverb > 0:
            seeds = _effect_seeds(seed, "reverb")
            rt60_s = _uniform(next(seeds), batch, config.reverb_rt60_s)
            drr_db = _uniform(next(seeds), batch, config.reverb_drr_db)
            responses = room_impulse_responses(next(seeds), batch, rt60_s, drr_db, config.sample_rate)
            audio = _where_applied(next(seeds), config.reverb, causal_convolution(audio, responses), audio)
        if config.band_reject > 0:
            seeds = _effect_seeds(seed, "band_reject")
            centre_hz = _uniform(next(seeds), batch, config.band_reject_hz)
            width_hz = _uniform(next(seeds), batch, config.band_reject_width_hz)
            filters = band_reject.band_reject_filters(centre_hz, width_hz, config.sample_rate)
            audio = _where_applied(next(seeds), config.band_reject, causal_convolution(audio, filters), audio)
        if config.noise > 0:
            seeds = _effect_seeds(seed, "noise")
            if self._bank is None:
                noise = coloured_noise(next(seeds), batch, samples, _uniform(next(seeds), batch, (0.0, 2.0)))
            else:
                room = max(int(self._bank.shape[0]) - samples, 1)
                offsets = tf.random.stateless_uniform((batch,), next(seeds), 0, room, dtype=tf.int32)
                noise = bank_segments(self._bank, offsets, samples)
            noisy = add_noise(audio, noise, _uniform(next(seeds), batch, config.noise_snr_db))
            audio = _where_applied(next(seeds), config.noise, noisy, audio)
        return audio


_SEEDS_PER_EFFECT = 4
"""As many seeds as reverberation and noise, the effects with the most draws, take."""


def _effect_seeds(seed: tf.Tensor, effect: str):
    """An effect's own seeds, each shape ``(2,)``: the batch's ``seed`` folded with the effect."""
    folded = tf.random.experimental.stateless_fold_in(seed, EFFECTS.index(effect))
    return iter(tf.unstack(tf.random.experimental.stateless_split(folded, _SEEDS_PER_EFFECT)))


def _uniform(seed: tf.Tensor, batch: tf.Tensor, bounds: tuple[float, float]) -> tf.Tensor:
    """One value per window, uniform in ``bounds``, shape ``(batch,)``."""
    return tf.random.stateless_uniform((batch,), seed, bounds[0], bounds[1])


def _where_applied(seed: tf.Tensor, probability: float, changed: tf.Tensor, unchanged: tf.Tensor) -> tf.Tensor:
    """``changed`` for the windows that draw the effect, ``unchanged`` for the rest, ``(batch, samples)``."""
    applied = tf.random.stateless_uniform(tf.shape(changed)[:1], seed) < probability
    return tf.where(applied[:, None], changed, unchanged)
