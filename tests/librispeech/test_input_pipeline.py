import numpy as np
import pytest
import soundfile
import tensorflow as tf

from augmentation.augmentation_config import AugmentConfig
from augmentation.past_augmentation import PastAugmentation
from librispeech.corpus_error import CorpusError
from librispeech.input_pipeline import PipelineConfig, audio_windows
from librispeech.manifest import Manifest, ShardEntry, read_manifest, write_manifest
from librispeech.record_schema import SCHEMA_VERSION, UtteranceRecord, serialize
from librispeech.split_converter import ConversionConfig, convert_split
from librispeech.split_weights import split_weights
from librispeech.tfrecord_file import TFRecordFileWriter

WINDOW = 4000


@pytest.fixture
def ramp_split(tmp_path):
    """A converted split whose every sample value occurs once, so a crop shows its origin.

    The utterances hold consecutive pieces of one int16 ramp.
    """
    root = tmp_path / "LibriSpeech"
    lengths = [5000, 8000, 3999, 4000, 6000, 12000, 7000, 2000]
    utterances = {}
    ramp = np.arange(-32768, -32768 + sum(lengths)).astype(np.int16)
    for index in range(len(lengths)):
        chapter_dir = root / "dev-clean" / str(10 + index % 2) / "100"
        chapter_dir.mkdir(parents=True, exist_ok=True)
        utterance_id = f"{10 + index % 2}-100-{index:04d}"
        samples = ramp[sum(lengths[:index]) : sum(lengths[: index + 1])]
        soundfile.write(chapter_dir / f"{utterance_id}.flac", samples, 16000, subtype="PCM_16")
        with open(chapter_dir / f"{10 + index % 2}-100.trans.txt", "a") as transcript:
            transcript.write(f"{utterance_id} X\n")
        utterances[utterance_id] = samples
    summary = convert_split(ConversionConfig(root, "dev-clean", shards=4, workers=1, show_progress=False))
    return summary.output_dir, utterances


def _windows(dataset):
    return np.concatenate([batch.numpy() for batch in dataset])


def _locate(window_int16, utterances):
    """The utterance and offset a raw window was cut from."""
    for utterance_id, samples in utterances.items():
        starts = np.flatnonzero(samples[: len(samples) - WINDOW + 1] == window_int16[0])
        for start in starts:
            if np.array_equal(samples[start : start + WINDOW], window_int16):
                return utterance_id, int(start)
    raise AssertionError("window is not a contiguous crop of any utterance")


def _is_crop(window_int16, samples):
    starts = np.flatnonzero(samples[: len(samples) - WINDOW + 1] == window_int16[0])
    return any(np.array_equal(samples[start : start + WINDOW], window_int16) for start in starts)


# A parse batch of 1 record holds either only a long utterance or only a short one; one of
# 128 records holds the whole split, short utterances among long ones.
@pytest.mark.parametrize("crops,parse_batch", [(1, 128), (3, 128), (3, 1)])
def test_windows_are_in_bounds_crops_of_long_enough_utterances(ramp_split, crops, parse_batch):
    directory, utterances = ramp_split
    config = PipelineConfig(
        window=WINDOW, batch_size=2, normalize=False, seed=7, crops_per_utterance=crops, parse_batch=parse_batch
    )
    dataset = audio_windows(directory, config, training=True)
    assert dataset.element_spec == tf.TensorSpec((2, WINDOW), tf.float32)

    windows = _windows(dataset)
    long_enough = {u for u, s in utterances.items() if len(s) >= WINDOW}
    assert len(windows) == 6 * crops  # 6 utterances of >= 4000 samples, batches of 2
    assert dataset.cardinality() == 3 * crops
    sources = [_locate(np.round(w * 32768).astype(np.int16), utterances) for w in windows]
    for utterance in long_enough:
        assert [source for source, _ in sources].count(utterance) == crops
    for utterance, start in sources:
        assert 0 <= start <= len(utterances[utterance]) - WINDOW
    if crops > 1:
        longest = max(utterances, key=lambda utterance: len(utterances[utterance]))
        assert len({start for utterance, start in sources if utterance == longest}) > 1


def test_each_crop_is_normalised_by_its_own_utterance(ramp_split):
    directory, utterances = ramp_split
    config = PipelineConfig(window=WINDOW, batch_size=3, seed=5, crops_per_utterance=3)
    windows = _windows(audio_windows(directory, config, training=True))
    assert len(windows) == 18
    for window in windows:
        sources = []
        for utterance, samples in utterances.items():
            samples = samples.astype(np.float64)
            mean = samples.mean()
            raw = np.round(window * np.max(np.abs(samples - mean)) + mean)
            if np.all(np.abs(raw) <= 32768) and _is_crop(raw.astype(np.int16), samples.astype(np.int16)):
                sources.append(utterance)
        assert len(sources) == 1


def test_training_crops_change_between_epochs_and_validation_crops_do_not(ramp_split):
    directory, utterances = ramp_split
    config = PipelineConfig(window=WINDOW, batch_size=1, normalize=False, seed=3)

    def crops(training):
        dataset = audio_windows(directory, config, training=training)
        first = sorted(_locate(np.round(w * 32768).astype(np.int16), utterances) for w in _windows(dataset))
        second = sorted(_locate(np.round(w * 32768).astype(np.int16), utterances) for w in _windows(dataset))
        return first, second

    first, second = crops(training=False)
    assert first == second
    assert len({start for _, start in first}) > 1, "validation crops should not all start at 0"
    first, second = crops(training=True)
    assert first != second


def test_normalisation_removes_the_utterance_mean_and_divides_by_its_peak(ramp_split):
    directory, utterances = ramp_split
    raw = _windows(audio_windows(directory, PipelineConfig(window=WINDOW, batch_size=1, normalize=False), False))
    normalized = _windows(audio_windows(directory, PipelineConfig(window=WINDOW, batch_size=1), False))
    for raw_window, window in zip(raw, normalized):
        utterance, _ = _locate(np.round(raw_window * 32768).astype(np.int16), utterances)
        samples = utterances[utterance].astype(np.float64)
        mean = samples.mean()
        expected = (raw_window.astype(np.float64) * 32768 - mean) / np.max(np.abs(samples - mean))
        np.testing.assert_allclose(window, expected, atol=1e-5)
        assert np.max(np.abs(window)) <= 1.0 + 1e-6


def test_input_context_shards_files_and_splits_the_batch(ramp_split):
    directory, utterances = ramp_split
    config = PipelineConfig(window=WINDOW, batch_size=2, normalize=False)
    seen = []
    for pipeline in range(2):
        context = tf.distribute.InputContext(num_input_pipelines=2, input_pipeline_id=pipeline, num_replicas_in_sync=2)
        dataset = audio_windows(directory, config, training=False, input_context=context)
        assert dataset.element_spec.shape == (1, WINDOW)
        seen += [_locate(np.round(w * 32768).astype(np.int16), utterances)[0] for w in _windows(dataset)]
    assert sorted(seen) == sorted(u for u, s in utterances.items() if len(s) >= WINDOW)

    context = tf.distribute.InputContext(num_input_pipelines=5, input_pipeline_id=0, num_replicas_in_sync=5)
    with pytest.raises(CorpusError, match="4 shard files cannot be shared by 5 input pipelines"):
        audio_windows(directory, config, training=True, input_context=context)


def test_window_longer_than_every_utterance_and_missing_conversion(ramp_split, tmp_path):
    directory, _ = ramp_split
    with pytest.raises(CorpusError, match="no utterance has the 20000 samples of a window"):
        audio_windows(directory, PipelineConfig(window=20000), training=True)
    with pytest.raises(CorpusError, match="no manifest.json, not a complete conversion"):
        audio_windows(tmp_path, PipelineConfig(), training=True)


def test_repeat_keeps_producing_windows(ramp_split):
    directory, _ = ramp_split
    dataset = audio_windows(directory, PipelineConfig(window=WINDOW, batch_size=4, repeat=True), training=True)
    assert len(list(dataset.take(10))) == 10


def test_repeated_validation_passes_are_identical(ramp_split):
    directory, _ = ramp_split
    config = PipelineConfig(window=WINDOW, batch_size=4, normalize=False, repeat=True)
    batches = [batch.numpy() for batch in audio_windows(directory, config, training=False).take(3)]
    np.testing.assert_array_equal(batches[0], batches[1])
    np.testing.assert_array_equal(batches[1], batches[2])


def _speakers_of_batches(dataset, utterances):
    """The speaker (utterance id prefix) of every window, batch by batch."""
    return [
        [_locate(np.round(w * 32768).astype(np.int16), utterances)[0].split("-")[0] for w in batch.numpy()]
        for batch in dataset
    ]


@pytest.mark.parametrize("training", [True, False])
def test_speaker_groups_fill_each_batch_with_whole_groups_of_one_speaker(ramp_split, training):
    directory, utterances = ramp_split
    config = PipelineConfig(
        window=WINDOW, batch_size=4, normalize=False, seed=2, crops_per_utterance=3, windows_per_speaker=2
    )
    batches = _speakers_of_batches(audio_windows(directory, config, training=training), utterances)
    # 3 usable utterances per speaker: 9 training crops each make 4 groups of 2 (4 batches in
    # all); one validation crop each makes 1 group, with the third window left out.
    assert len(batches) == (4 if training else 1)
    for speakers in batches:
        assert speakers[0] == speakers[1] and speakers[2] == speakers[3]
    assert {speaker for speakers in batches for speaker in speakers} == {"10", "11"}


def test_speaker_groups_that_cannot_fill_a_batch_are_one_line_errors(ramp_split):
    directory, _ = ramp_split
    with pytest.raises(CorpusError, match=r"a batch of 4 windows cannot hold whole groups of 3 per speaker$"):
        audio_windows(directory, PipelineConfig(window=WINDOW, batch_size=4, windows_per_speaker=3), training=True)
    with pytest.raises(CorpusError) as error:
        audio_windows(directory, PipelineConfig(window=WINDOW, batch_size=6, windows_per_speaker=2), training=False)
    assert str(error.value) == (
        f"{directory}: its speakers' utterances make 2 groups of 2 windows of one speaker, fewer than a batch of 6"
    )


def test_grouped_windows_counts_whole_groups_per_speaker_from_the_manifest(ramp_split):
    directory, _ = ramp_split
    manifest = read_manifest(directory)
    assert manifest.grouped_windows(WINDOW, 1) == 6
    assert manifest.grouped_windows(WINDOW, 2) == 4
    assert manifest.grouped_windows(WINDOW, 3) == 6
    assert manifest.grouped_windows(7000, 2) == 2  # speaker 10 has 1 such utterance, speaker 11 has 2


def test_augmented_training_yields_pairs_of_augmented_and_clean_windows(ramp_split):
    directory, utterances = ramp_split
    config = PipelineConfig(
        window=WINDOW,
        batch_size=2,
        normalize=False,
        seed=4,
        crops_per_utterance=1,
        augment=PastAugmentation(AugmentConfig(noise=1.0), seed=4),
    )
    pairs = list(audio_windows(directory, config, training=True))
    assert len(pairs) == 3
    for augmented, clean in pairs:
        assert augmented.shape == clean.shape == (2, WINDOW)
        for window in clean.numpy():
            _locate(np.round(window * 32768).astype(np.int16), utterances)  # clean: crops as they are
        assert np.all(np.abs(augmented.numpy() - clean.numpy()).max(axis=1) > 0)
    validation = audio_windows(directory, config, training=False)
    assert validation.element_spec == tf.TensorSpec((2, WINDOW), tf.float32)


@pytest.fixture
def two_splits(tmp_path):
    """Two converted splits whose speakers have the same numbers, 10 and 11, and 3 : 1 hours of audio.

    Every sample tells its origin: its sign the split (+ train-a, - train-b), its magnitude // 1000
    the speaker (1 for 10, 2 for 11).
    """
    root = tmp_path / "LibriSpeech"
    for split, sign, utterances in (("train-a", 1, 6), ("train-b", -1, 2)):
        for speaker in (10, 11):
            chapter_dir = root / split / str(speaker) / "100"
            chapter_dir.mkdir(parents=True)
            lines = []
            for index in range(utterances):
                utterance_id = f"{speaker}-100-{index:04d}"
                samples = sign * (1000 * (speaker - 9) + np.arange(8000) % 500)
                soundfile.write(chapter_dir / f"{utterance_id}.flac", samples.astype(np.int16), 16000)
                lines.append(f"{utterance_id} X")
            (chapter_dir / f"{speaker}-100.trans.txt").write_text("\n".join(lines) + "\n")
        convert_split(ConversionConfig(root, split, shards=2, workers=1, show_progress=False))
    return [tmp_path / "tfrecords" / split for split in ("train-a", "train-b")]


def _origins(batch):
    """``(split, speaker)`` of every raw window of a batch: ``("a" or "b", 1 or 2)``."""
    samples = np.round(batch.numpy() * 32768)
    return [("a" if window[0] > 0 else "b", int(abs(window[0]) // 1000)) for window in samples]


def test_split_weights_are_the_shares_of_the_hours(two_splits):
    assert split_weights([read_manifest(directory) for directory in two_splits]) == pytest.approx([0.75, 0.25])


def test_training_draws_each_window_from_a_split_with_its_weight(two_splits):
    config = PipelineConfig(window=WINDOW, batch_size=8, normalize=False, seed=1, repeat=True)
    splits = [
        split for batch in audio_windows(two_splits, config, training=True).take(250) for split, _ in _origins(batch)
    ]
    draws, share = len(splits), splits.count("a") / len(splits)
    # Four standard deviations of the binomial share.
    assert abs(share - 0.75) < 4 * np.sqrt(0.75 * 0.25 / draws)


def test_the_draws_of_splits_are_the_same_at_a_fixed_seed(two_splits):
    def draws(seed):
        config = PipelineConfig(window=WINDOW, batch_size=8, normalize=False, seed=seed, repeat=True)
        return [
            origin
            for batch in audio_windows(two_splits, config, training=True).take(20)
            for origin, _ in _origins(batch)
        ]

    assert draws(5) == draws(5)
    assert draws(5) != draws(6)


def test_one_pass_over_two_splits_holds_every_window_once_per_crop(two_splits):
    config = PipelineConfig(window=WINDOW, batch_size=4, normalize=False, seed=3, crops_per_utterance=2)
    dataset = audio_windows(two_splits, config, training=True)
    # 12 + 4 utterances of 8000 samples, 2 crops each.
    assert dataset.cardinality() == 8
    origins = [origin for batch in dataset for origin in _origins(batch)]
    assert sorted(set(origins)) == [("a", 1), ("a", 2), ("b", 1), ("b", 2)]
    assert [split for split, _ in origins].count("a") == 24


def test_validation_of_two_splits_reads_one_then_the_other(two_splits):
    config = PipelineConfig(window=WINDOW, batch_size=2, normalize=False)
    splits = [split for batch in audio_windows(two_splits, config, training=False) for split, _ in _origins(batch)]
    assert splits == ["a"] * 12 + ["b"] * 4


@pytest.mark.parametrize("training", [True, False])
def test_speaker_groups_never_mix_the_speakers_of_two_splits(two_splits, training):
    config = PipelineConfig(
        window=WINDOW, batch_size=4, normalize=False, seed=2, windows_per_speaker=2, repeat=training
    )
    batches = audio_windows(two_splits, config, training=training)
    groups = [
        origins[start : start + 2] for batch in batches.take(100) for origins in [_origins(batch)] for start in (0, 2)
    ]
    # Speaker 10 of train-a and speaker 10 of train-b share a number but are two speakers.
    assert all(first == second for first, second in groups)
    assert {first for first, _ in groups} == {("a", 1), ("a", 2), ("b", 1), ("b", 2)}


def test_a_split_of_any_corpus_groups_its_speakers_by_their_numbers(tmp_path):
    """Utterance ids that are paths, not LibriSpeech's numbers: speakers come from the records and the manifest."""
    directory = tmp_path / "my-corpus"
    directory.mkdir()
    # Read as LibriSpeech ids, Anna's would be two speakers and Bob's one named "bob".
    ids = ["anna/book 1/part 1", "anna/book 1/part 2", "bob-smith/take 1", "bob-smith/take 2"]
    speakers = [0, 0, 1, 1]
    file = "my-corpus-00000-of-00001.tfrecord"
    with TFRecordFileWriter(directory / file) as writer:
        for utterance_id, speaker in zip(ids, speakers, strict=True):
            samples = np.full(WINDOW, 1000 * (speaker + 1), np.int16)
            writer.write(serialize(UtteranceRecord(utterance_id, speaker, 0, "", samples, 16000)))
    entry = ShardEntry(file, (directory / file).stat().st_size, ids, [WINDOW] * 4, [0, 1], speakers)
    write_manifest(directory, Manifest(SCHEMA_VERSION, "my-corpus", "/audio", 16000, [entry], []))
    assert read_manifest(directory).grouped_windows(WINDOW, 2) == 4
    config = PipelineConfig(window=WINDOW, batch_size=4, normalize=False, crops_per_utterance=1, windows_per_speaker=2)
    for training in (True, False):
        (batch,) = list(audio_windows(directory, config, training=training))
        speakers_of_windows = np.round(batch.numpy()[:, 0] * 32768) // 1000
        assert speakers_of_windows[0] == speakers_of_windows[1] and speakers_of_windows[2] == speakers_of_windows[3]
