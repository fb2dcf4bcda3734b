import numpy as np
import pytest
import soundfile
import tensorflow as tf

from augmentation.augmentation_config import AugmentConfig
from augmentation.past_augmentation import PastAugmentation
from librispeech.corpus_error import CorpusError
from librispeech.input_pipeline import PipelineConfig, audio_windows
from librispeech.manifest import read_manifest
from librispeech.split_converter import ConversionConfig, convert_split

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
