"""tfrecords.py on real recorded speech in the LibriSpeech layout: every sample comes back exactly."""

import json

import numpy as np
import pytest

# Seconds of speech in each split of the real corpus (see conftest.SPLITS).
SPLIT_SECONDS = {"librivox-train": 7.1 + 5.3 + 6.05, "librivox-dev": 2.99 + 3.29}


def _in_split(real_utterances, split):
    return {key: utterance for key, utterance in real_utterances.items() if utterance.split == split}


def test_the_corpus_is_five_read_sentences_with_their_words(real_utterances):
    assert {utterance.split for utterance in real_utterances.values()} == set(SPLIT_SECONDS)
    by_number = {key.rsplit("-", 1)[1]: utterance for key, utterance in real_utterances.items()}
    assert by_number["0880"].transcript == "HE WAS NOT AN ILL DISPOSED YOUNG MAN"
    lengths = {number: len(utterance.samples) for number, utterance in by_number.items()}
    assert lengths == {"0870": 113600, "0890": 84800, "0920": 96800, "0880": 47840, "0930": 52640}


@pytest.mark.slow
@pytest.mark.parametrize("split", list(SPLIT_SECONDS))
def test_every_real_sample_and_transcript_round_trips_through_the_records(
    split, real_tfrecords, real_utterances, split_records
):
    records = split_records(real_tfrecords / split)
    expected = _in_split(real_utterances, split)
    assert sorted(records) == sorted(expected) and len(records) >= 2
    for utterance_id, record in records.items():
        utterance = expected[utterance_id]
        np.testing.assert_array_equal(np.frombuffer(record["audio"], dtype="<i2"), utterance.samples)
        assert (record["sample_rate"], record["num_samples"]) == (16000, len(utterance.samples))
        assert (record["speaker_id"], record["chapter_id"]) == (utterance.speaker_id, utterance.chapter_id)
        assert record["transcript"].decode() == utterance.transcript
        # The statistics training normalises by must be those of the whole real utterance.
        mean = utterance.samples.mean(dtype=np.float64)
        peak = np.abs(utterance.samples.astype(np.float64) - mean).max()
        assert record["dc_offset"] == pytest.approx(mean, abs=1e-3)
        assert record["peak"] == pytest.approx(peak, rel=1e-6)
        assert 1000 < peak < 32768


@pytest.mark.slow
@pytest.mark.parametrize("split", list(SPLIT_SECONDS))
def test_the_manifest_counts_the_real_utterances_and_their_hours(split, real_tfrecords, real_utterances):
    manifest = json.loads((real_tfrecords / split / "manifest.json").read_text())
    lengths = {key: len(utterance.samples) for key, utterance in _in_split(real_utterances, split).items()}
    listed = {
        utterance_id: num_samples
        for shard in manifest["shards"]
        for utterance_id, num_samples in zip(shard["utterance_ids"], shard["num_samples"], strict=True)
    }
    assert listed == lengths
    assert (manifest["split"], manifest["sample_rate"], manifest["num_records"]) == (split, 16000, len(lengths))
    assert manifest["total_hours"] == pytest.approx(SPLIT_SECONDS[split] / 3600, rel=1e-9)
    assert manifest["skipped"] == []
    for shard in manifest["shards"]:
        assert (real_tfrecords / split / shard["file"]).stat().st_size == shard["num_bytes"]
