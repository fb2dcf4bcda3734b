"""The augmentation of the past inside tf.data: pairs of augmented and clean windows."""


import tensorflow as tf

from augmentation import band_reject
from augmentation.additive_noise import add_noise, bank_segments, coloured_noise, load_noise_bank
from augmentation.augmentation_config import AugmentConfig
from augmentation.fft_convolution import causal_convolution
from augmentation.pitch_shift import pitch_shift
from augmentation.room_reverb import room_impulse_responses


class PastAugmentation:
    """Augments batches of windows for the context side of CPC; the targets stay clean.

    Each effect is applied to each window with its probability, drawn per window, in the
    order pitch → reverb → band reject → noise: noise comes last, as a microphone adds it,
    unreverberated. Every effect is causal, so the augmented window at sample ``t`` depends
    on clean samples up to ``t`` only. All randomness is stateless, from ``(seed,
    batch_index)``: a batch is augmented the same way in every run.

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
        """Samples by which an enabled effect can lag the clean window: the band-reject filter's."""
        return band_reject.DELAY if self.config.band_reject > 0 else 0

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
        seeds = iter(tf.unstack(tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), 16)))

        def uniform(bounds):
            return tf.random.stateless_uniform((batch,), next(seeds), bounds[0], bounds[1])

        def where_drawn(probability, changed, unchanged):
            drawn = tf.random.stateless_uniform((batch,), next(seeds)) < probability
            return tf.where(drawn[:, None], changed, unchanged)

        if config.pitch > 0:
            cents = uniform((-config.pitch_cents, config.pitch_cents))
            audio = where_drawn(config.pitch, pitch_shift(audio, cents), audio)
        if config.reverb > 0:
            responses = room_impulse_responses(
                next(seeds), batch, uniform(config.reverb_rt60_s), uniform(config.reverb_drr_db), config.sample_rate
            )
            audio = where_drawn(config.reverb, causal_convolution(audio, responses), audio)
        if config.band_reject > 0:
            filters = band_reject.band_reject_filters(
                uniform(config.band_reject_hz), uniform(config.band_reject_width_hz), config.sample_rate
            )
            audio = where_drawn(config.band_reject, causal_convolution(audio, filters), audio)
        if config.noise > 0:
            if self._bank is None:
                noise = coloured_noise(next(seeds), batch, samples, uniform((0.0, 2.0)))
            else:
                room = max(int(self._bank.shape[0]) - samples, 1)
                offsets = tf.random.stateless_uniform((batch,), next(seeds), 0, room, dtype=tf.int32)
                noise = bank_segments(self._bank, offsets, samples)
            audio = where_drawn(config.noise, add_noise(audio, noise, uniform(config.noise_snr_db)), audio)
        return audio
