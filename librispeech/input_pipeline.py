"""The tf.data input pipeline that feeds CPC training with windows of converted audio.

per split: shard files → (per-worker file shard) → interleaved reads → batched parsing →
crops of ``window`` samples (in training ``crops_per_utterance`` at random offsets from each
utterance read, in validation one fixed crop), kept as int16; then (several splits: in
training each window drawn from split i with probability hours_i / total hours, in
validation the splits one after the other) → shuffle → (groups of ``windows_per_speaker``
windows of one speaker) → batch → optional normalisation by each utterance's own statistics
(stored in its record) → (in training, augmentation of the past: pairs of augmented and clean
batches) → prefetch.

Utterances shorter than the window are left out; ``Manifest.count_shorter_than`` counts
them without reading the shards.
"""

import dataclasses
import functools
import pathlib
from collections.abc import Callable, Sequence

import tensorflow as tf

from librispeech.audio_file import INT16_FULL_SCALE, PEAK_FLOOR
from librispeech.corpus_error import CorpusError
from librispeech.manifest import Manifest, read_manifest
from librispeech.record_schema import BYTES_PER_SAMPLE, tf_feature_spec
from librispeech.split_weights import split_weights

SPLIT_SPEAKER_OFFSET = 2**32
"""Added once per split to the speaker numbers of the splits after the first, so that speakers of
different splits never share a group: each split numbers its own speakers (LibriSpeech's are
below 10^4, other corpora's are counted from 0), so two splits' numbers may be the same."""


@dataclasses.dataclass
class PipelineConfig:
    """How windows are cut and batched.

    Attributes:
        window: Samples per training window (20480 = 1.28 s at 16 kHz, as the reference).
        batch_size: Windows per batch over all replicas; each input pipeline gets its share.
        normalize: Remove each utterance's mean and divide by its peak (the reference does
            both); otherwise scale int16 to [-1, 1).
        shuffle_buffer: Windows held by the shuffle buffer in training.
        crops_per_utterance: Windows cut in training from each utterance read, each at its
            own uniformly random offset. Reading an utterance costs far more than cutting a
            window from it (a LibriSpeech utterance averages 12.7 s, a window is 1.28 s): 4
            crops per read halve the pipeline's CPU time per batch (``BENCHMARKS.md``), which
            on a few cores competes with training. The stream then passes over the corpus 4 times
            more slowly, with the same number of random windows per utterance in the long
            run; 1 reads every utterance once for each of its windows, as the reference.
            Validation always cuts one fixed window per utterance.
        parse_batch: Records parsed and cropped together in one vectorised step.
        cycle_length: Shard files read at once.
        repeat: Repeat without end: training streams on across passes, validation repeats
            identical passes of whole batches; otherwise one pass is the whole dataset.
        seed: Seed of the file order, the crops, the shuffle and the augmentation; None for a
            fresh one.
        windows_per_speaker: Every batch is made of consecutive groups of this many windows
            of one speaker each (for negatives drawn within the speaker); 1 batches windows
            in shuffled order. Windows wait in the grouping until their speaker has enough,
            so in one pass a speaker's last ``< windows_per_speaker`` windows are left out.
        augment: Augmentation of the past in training, a map of ``(batch number, batch)`` to
            the pair ``(augmented, clean)`` of the same windows (an
            `augmentation.past_augmentation.PastAugmentation`); None leaves training batches
            plain. The pipeline takes it ready-made, so that data reading knows no effect.
    """

    window: int = 20480
    batch_size: int = 64
    normalize: bool = True
    shuffle_buffer: int = 4096
    crops_per_utterance: int = 4
    parse_batch: int = 128
    cycle_length: int = 8
    repeat: bool = False
    seed: int | None = None
    windows_per_speaker: int = 1
    augment: Callable[[tf.Tensor, tf.Tensor], tuple[tf.Tensor, tf.Tensor]] | None = None


def audio_windows(
    tfrecord_dirs: pathlib.Path | str | Sequence[pathlib.Path | str],
    config: PipelineConfig,
    training: bool,
    input_context: tf.distribute.InputContext | None = None,
) -> tf.data.Dataset:
    """Builds the dataset of audio windows from one converted split or several.

    Args:
        tfrecord_dirs: The split's TFRecord folder (with ``manifest.json``), or a list of
            them: in training each window is then drawn from split i with probability
            ``split_weights`` (its share of the hours), in validation the splits come one
            after the other. Windows of one speaker group come from one split.
        config: Window, batch and shuffle settings.
        training: Random crops and shuffling if True; fixed crops in file order if False.
        input_context: Given by ``tf.distribute`` (``distribute_datasets_from_function``):
            this pipeline reads only its share of each split's shard files, and its batches
            are one replica's share of ``config.batch_size``.

    Returns:
        Batches of shape ``(batch, window)``, float32, or in training with ``config.augment``
        pairs of them ``(augmented, clean)``. The last incomplete batch is dropped.

    Raises:
        CorpusError: No complete conversion in a folder, fewer shard files in one than input
            pipelines, a split without an utterance as long as the window, or fewer such
            utterances in all than one batch.
    """
    directories = [tfrecord_dirs] if isinstance(tfrecord_dirs, (str, pathlib.Path)) else list(tfrecord_dirs)
    named = ", ".join(map(str, directories))
    manifests = [read_manifest(directory) for directory in directories]
    pipelines, pipeline_id = 1, 0
    if input_context is not None:
        pipelines, pipeline_id = input_context.num_input_pipelines, input_context.input_pipeline_id
    streams, usable = [], 0
    for index, (directory, manifest) in enumerate(zip(directories, manifests, strict=True)):
        split_config = config if config.seed is None else dataclasses.replace(config, seed=config.seed + index)
        streams.append(_split_windows(directory, manifest, split_config, training, pipelines, pipeline_id, index))
        usable += sum(
            length >= config.window for shard in manifest.shards[pipeline_id::pipelines] for length in shard.num_samples
        )
    batch_size = config.batch_size
    if input_context is not None:
        batch_size = input_context.get_per_replica_batch_size(config.batch_size)
    if usable < batch_size:
        raise CorpusError(
            f"{named}: {usable} utterances hold a {config.window}-sample window, fewer than a batch of {batch_size}"
        )
    group = config.windows_per_speaker
    if batch_size % group:
        raise CorpusError(f"{named}: a batch of {batch_size} windows cannot hold whole groups of {group} per speaker")
    if group > 1 and not training:
        grouped = sum(manifest.grouped_windows(config.window, group) for manifest in manifests)
        if grouped < batch_size:
            raise CorpusError(
                f"{named}: its speakers' utterances make {grouped // group} groups of {group} windows of one "
                f"speaker, fewer than a batch of {batch_size}"
            )
    if len(streams) == 1:
        dataset = streams[0]
    elif training:
        # Drawn window by window, so that the mixture holds at every step; once a split runs
        # out (without repeat) the others go on, so that one pass still holds every window.
        dataset = tf.data.Dataset.sample_from_datasets(
            streams, weights=split_weights(manifests), seed=config.seed, stop_on_empty_dataset=False
        )
    else:
        dataset = functools.reduce(tf.data.Dataset.concatenate, streams)
    if training:
        dataset = dataset.shuffle(config.shuffle_buffer, seed=config.seed, reshuffle_each_iteration=True)
    if group > 1:
        dataset = dataset.group_by_window(
            key_func=lambda samples, dc_offset, peak, speaker: speaker,
            reduce_func=lambda speaker, windows: windows.batch(group, drop_remainder=True),
            window_size=group,
        )
        dataset = dataset.batch(batch_size // group, drop_remainder=True).map(
            _flatten_groups, num_parallel_calls=tf.data.AUTOTUNE
        )
    else:
        dataset = dataset.batch(batch_size, drop_remainder=True)
    if not config.repeat:
        if group == 1:
            # A known length gives Keras a complete progress bar and a clean end of each epoch.
            crops = config.crops_per_utterance if training else 1
            dataset = dataset.apply(tf.data.experimental.assert_cardinality(usable * crops // batch_size))
    elif not training:
        # Repeating whole passes of batches makes every validation pass the same windows.
        dataset = dataset.repeat()
    scale = _normalize if config.normalize else _to_unit_range
    dataset = dataset.map(scale, num_parallel_calls=tf.data.AUTOTUNE)
    if training and config.augment is not None:
        dataset = dataset.enumerate().map(config.augment, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def _split_windows(
    directory: pathlib.Path | str,
    manifest: Manifest,
    config: PipelineConfig,
    training: bool,
    pipelines: int,
    pipeline_id: int,
    split_index: int,
) -> tf.data.Dataset:
    """One split's windows ``(samples, dc_offset, peak, speaker)``, not yet shuffled: this input pipeline's share.

    Args:
        directory: The split's TFRecord folder.
        manifest: Its manifest.
        config: Window and read settings, with the split's own seed.
        training: Shuffled files, repeated if ``config.repeat``, and random crops if True.
        pipelines: Input pipelines sharing the shard files.
        pipeline_id: This pipeline's number among them.
        split_index: The split's place in the list: its speakers are numbered from
            ``split_index * SPLIT_SPEAKER_OFFSET``.

    Raises:
        CorpusError: No utterance as long as the window, or fewer shard files than pipelines.
    """
    files = manifest.shard_paths(directory)
    if manifest.count_shorter_than(config.window) == manifest.num_records:
        raise CorpusError(f"{directory}: no utterance has the {config.window} samples of a window")
    if len(files) < pipelines:
        raise CorpusError(
            f"{directory}: {len(files)} shard files cannot be shared by {pipelines} input pipelines "
            "(convert with more --shards)"
        )
    dataset = tf.data.Dataset.from_tensor_slices(files).shard(pipelines, pipeline_id)
    if training:
        dataset = dataset.shuffle(len(files), seed=config.seed, reshuffle_each_iteration=True)
        if config.repeat:
            dataset = dataset.repeat()
    dataset = dataset.interleave(
        # TensorFlow's default read buffer (256 KiB) fits a Zen 3 core's L2 cache; a 1 MiB
        # one cost about 20 % more CPU per record here.
        tf.data.TFRecordDataset,
        cycle_length=min(config.cycle_length, len(files)),
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=not training,
    )
    crop = _crop_function(config, training, split_index * SPLIT_SPEAKER_OFFSET)
    dataset = dataset.batch(config.parse_batch).map(
        crop, num_parallel_calls=tf.data.AUTOTUNE, deterministic=not training
    )
    return dataset.unbatch()


def _flatten_groups(samples: tf.Tensor, dc_offset: tf.Tensor, peak: tf.Tensor, speaker: tf.Tensor):
    """``(groups, windows_per_speaker, ...)`` → ``(batch, ...)``, each group's windows in a row."""
    del speaker  # Grouping is done; the model finds the groups by their position.
    return tf.reshape(samples, (-1, samples.shape[-1])), tf.reshape(dc_offset, [-1]), tf.reshape(peak, [-1])


def _crop_function(config: PipelineConfig, training: bool, speaker_offset: int):
    """Parses serialized records and cuts windows from them, all vectorised.

    Only the features a window needs are parsed. Every record is cropped first and the
    windows of utterances shorter than ``window`` are dropped afterwards, so that the
    utterances' whole audio is copied once (by the parser) rather than again by a mask.
    Windows stay int16 until a whole batch is scaled at once: the shuffle buffer then holds
    a quarter of the float32 bytes. ``speaker_offset`` is added to the records' speaker numbers.
    """
    needed = ("audio", "num_samples", "dc_offset", "peak", "speaker_id") + (() if training else ("utterance_id",))
    spec = {name: feature for name, feature in tf_feature_spec().items() if name in needed}
    window = config.window
    crops = config.crops_per_utterance if training else 1

    def crop(serialized: tf.Tensor) -> tuple[tf.Tensor, ...]:
        features = tf.io.parse_example(serialized, spec)
        num_offsets = tf.maximum(features["num_samples"] - window + 1, 1)[:, None]
        if training:
            uniform = tf.random.uniform((tf.shape(num_offsets)[0], crops), dtype=tf.float64, seed=config.seed)
            offsets = tf.minimum(tf.cast(uniform * tf.cast(num_offsets, tf.float64), tf.int64), num_offsets - 1)
        else:
            # A fixed offset per utterance, spread over the utterance rather than always at its start.
            offsets = tf.strings.to_hash_bucket_fast(features["utterance_id"][:, None], 2**62) % num_offsets
        # (records, crops) windows; substr broadcasts each record's audio over its offsets.
        window_bytes = tf.strings.substr(
            features["audio"][:, None],
            offsets * BYTES_PER_SAMPLE,
            tf.fill(tf.shape(offsets), tf.cast(window * BYTES_PER_SAMPLE, tf.int64)),
        )
        long_enough = features["num_samples"] >= window
        kept = (window_bytes, features["dc_offset"], features["peak"], features["speaker_id"] + speaker_offset)
        # Masking copies every window once more, so it is skipped for the usual parse batch
        # of speech, in which every utterance holds a window.
        window_bytes, dc_offset, peak, speaker = tf.cond(
            tf.reduce_all(long_enough),
            lambda: kept,
            lambda: tuple(tf.boolean_mask(part, long_enough) for part in kept),
        )
        # A fixed length keeps the shape (0, window) when no utterance of the parse batch is long enough.
        samples = tf.io.decode_raw(
            tf.reshape(window_bytes, [-1]), tf.int16, little_endian=True, fixed_length=window * BYTES_PER_SAMPLE
        )
        windows = tf.ensure_shape(samples, [None, window])
        return windows, tf.repeat(dc_offset, crops), tf.repeat(peak, crops), tf.repeat(speaker, crops)

    return crop


def _normalize(samples: tf.Tensor, dc_offset: tf.Tensor, peak: tf.Tensor, *speaker: tf.Tensor) -> tf.Tensor:
    """Removes each utterance's mean and divides by its peak: ``(batch, window)`` float32."""
    scale = 1.0 / tf.maximum(peak, PEAK_FLOOR)
    return tf.cast(samples, tf.float32) * scale[:, None] - (dc_offset * scale)[:, None]


def _to_unit_range(samples: tf.Tensor, dc_offset: tf.Tensor, peak: tf.Tensor, *speaker: tf.Tensor) -> tf.Tensor:
    """Scales int16 samples to [-1, 1): ``(batch, window)`` float32."""
    return tf.cast(samples, tf.float32) / INT16_FULL_SCALE
