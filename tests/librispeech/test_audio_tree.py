"""Converting any tree of audio files (and LibriSpeech without transcripts): rates, channels, pieces, speakers."""

import json

import numpy as np
import pytest
import soundfile

from librispeech.audio_file import AudioReader
from librispeech.audio_pieces import AudioPieces
from librispeech.audio_tree_config import AudioTreeConfig
from librispeech.audio_tree_scan import scan_audio_tree, speaker_numbers
from librispeech.input_pipeline import PipelineConfig, audio_windows
from librispeech.manifest import MANIFEST_NAME, read_manifest
from librispeech.shard_check import find_damaged_shard
from librispeech.split_converter import ConversionConfig, convert_split
from librispeech.split_scan import scan_split


def _noise(seconds: float, rate: int, seed: int, channels: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    shape = (round(seconds * rate),) if channels == 1 else (round(seconds * rate), channels)
    return (rng.standard_normal(shape) * 4000).clip(-32768, 32767).astype(np.int16)


def _write(path, samples, rate) -> np.ndarray:
    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(path, samples, rate, subtype="PCM_16")
    return samples


def _tree(tmp_path, **options) -> AudioTreeConfig:
    options = {"workers": 1, "show_progress": False, **options}
    return AudioTreeConfig(audio_dir=tmp_path / "audio", output_dir=tmp_path / "out" / "my-corpus", **options)


def test_a_librispeech_split_without_transcripts_converts_with_empty_ones(tiny_corpus, records_of):
    root, samples_by_id = tiny_corpus
    for transcript in root.glob("dev-clean/*/*/*.trans.txt"):
        transcript.unlink()
    summary = convert_split(ConversionConfig(root, "dev-clean", shards=2, workers=1, show_progress=False))

    assert summary.manifest.transcripts is False and summary.manifest.skipped == []
    assert json.loads((summary.output_dir / MANIFEST_NAME).read_text())["transcripts"] is False
    records = records_of(summary.output_dir)
    assert set(records) == set(samples_by_id)
    for utterance_id, (samples, features) in records.items():
        np.testing.assert_array_equal(samples, samples_by_id[utterance_id])
        assert features["transcript"].numpy() == b""
        assert features["speaker_id"].numpy() == int(utterance_id.split("-")[0])


def test_a_split_with_one_transcript_file_keeps_every_check(tiny_corpus):
    root, _ = tiny_corpus
    for transcript in sorted(root.glob("dev-clean/*/*/*.trans.txt"))[1:]:
        transcript.unlink()
    scan = scan_split(root, "dev-clean")
    assert scan.transcripts is True and [u.utterance_id for u in scan.utterances] == [
        f"19-198-000{i}" for i in range(3)
    ]
    assert len(scan.problems) == 9 and all(p.reason.startswith("no transcript file") for p in scan.problems)


def test_a_transcribed_split_says_so_and_an_old_manifest_reads_as_transcribed(tiny_corpus):
    root, _ = tiny_corpus
    summary = convert_split(ConversionConfig(root, "dev-clean", shards=2, workers=1, show_progress=False))
    assert summary.manifest.transcripts is True
    path = summary.output_dir / MANIFEST_NAME
    old = json.loads(path.read_text())
    for key in ("transcripts", "speaker_names", "resampled_from", "too_short"):
        del old[key]
    for shard in old["shards"]:
        del shard["speaker_ids"]
    path.write_text(json.dumps(old))
    manifest = read_manifest(summary.output_dir)
    assert manifest.transcripts is True and manifest.resampled_from == {} and manifest.too_short == 0
    assert manifest.grouped_windows(1, 3) == 12


def test_a_tree_round_trips_every_sample_with_odd_names_kept(tmp_path, records_of):
    names = {
        "103/1240/103-1240-0000.flac": 1.2,
        "103/1240/with space & ünïcødé.wav": 0.7,
        "103/book two/#hash%percent'quote.ogg": 0.5,
        "1034/121119/a.b.c.FLAC": 0.9,
    }
    samples = {}
    for index, (name, seconds) in enumerate(names.items()):
        path = tmp_path / "audio" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        # Ogg holds Vorbis, which is lossy: the records hold what the file decodes to.
        soundfile.write(path, _noise(seconds, 16000, index), 16000, subtype=None if name.endswith("ogg") else "PCM_16")
        samples[name.rsplit(".", 1)[0]] = soundfile.read(path, dtype="int16")[0]
    (tmp_path / "audio" / "103" / "notes.txt").write_text("not audio")
    _write(tmp_path / "audio" / "103" / "._hidden.flac", _noise(0.1, 16000, 9), 16000)

    summary = convert_split(_tree(tmp_path, shards=2, name="my corpus/ü"))

    records = records_of(summary.output_dir)
    assert set(records) == set(samples)
    for utterance_id, (audio, features) in records.items():
        np.testing.assert_array_equal(audio, samples[utterance_id])
        assert features["speaker_id"].numpy() == int(utterance_id.split("/")[0])
        assert features["transcript"].numpy() == b"" and features["sample_rate"].numpy() == 16000
    manifest = summary.manifest
    assert manifest.split == "my corpus/ü" and manifest.transcripts is False
    assert manifest.speaker_names == {"103": 103, "1034": 1034} and manifest.speakers == [103, 1034]
    assert manifest.resampled_from == {} and manifest.too_short == 0
    assert sorted(path.name for path in summary.output_dir.glob("*.tfrecord")) == [
        "my_corpus_-00000-of-00002.tfrecord",
        "my_corpus_-00001-of-00002.tfrecord",
    ]
    assert "4 utterances" in summary.final_line()


@pytest.mark.parametrize("rate", [44100, 48000, 8000, 22050])
def test_other_rates_are_resampled_exactly_as_resample_poly_does(tmp_path, rate, resampled_to_16khz, records_of):
    source = _write(tmp_path / "audio" / "spk" / "talk.wav", _noise(1.3, rate, 1), rate)
    summary = convert_split(_tree(tmp_path))

    ((record_id, (audio, _)),) = records_of(summary.output_dir).items()
    assert record_id == "spk/talk"
    np.testing.assert_array_equal(audio, resampled_to_16khz(source, rate))
    assert len(audio) == int(np.ceil(len(source) * 16000 / rate))
    assert summary.manifest.resampled_from == {"spk/talk": rate}


def test_a_long_file_becomes_consecutive_pieces_each_resampled_on_its_own(tmp_path, resampled_to_16khz, records_of):
    source = _write(tmp_path / "audio" / "spk" / "long.flac", _noise(2.5, 44100, 2), 44100)
    _write(tmp_path / "audio" / "spk" / "short.flac", _noise(0.8, 16000, 3), 16000)
    summary = convert_split(_tree(tmp_path, max_seconds=1.0))

    records = records_of(summary.output_dir)
    assert sorted(records) == ["spk/long#0000", "spk/long#0001", "spk/long#0002", "spk/short"]
    for index in range(3):
        piece = source[index * 44100 : (index + 1) * 44100]
        np.testing.assert_array_equal(records[f"spk/long#{index:04d}"][0], resampled_to_16khz(piece, 44100))
    assert [len(records[f"spk/long#{index:04d}"][0]) for index in range(3)] == [16000, 16000, 8000]
    assert summary.manifest.resampled_from == {f"spk/long#{index:04d}": 44100 for index in range(3)}


def test_a_16khz_long_file_splits_into_pieces_that_join_to_the_file(tmp_path, records_of):
    source = _write(tmp_path / "audio" / "spk" / "long.flac", _noise(3.3, 16000, 4), 16000)
    summary = convert_split(_tree(tmp_path, max_seconds=1.5))
    records = records_of(summary.output_dir)
    pieces = [records[f"spk/long#{index:04d}"][0] for index in range(3)]
    assert [len(piece) for piece in pieces] == [24000, 24000, 4800]
    np.testing.assert_array_equal(np.concatenate(pieces), source)


def test_stereo_is_refused_with_one_line_and_averaged_with_downmix(
    tmp_path, run_tfrecords, resampled_to_16khz, records_of
):
    source = _write(tmp_path / "audio" / "spk" / "stereo.wav", _noise(0.6, 48000, 5, channels=2), 48000)
    out = tmp_path / "out" / "stereo"

    refused = run_tfrecords("--audio-dir", tmp_path / "audio", "--output-dir", out)
    assert refused.returncode == 2
    assert refused.stderr == f"error: {tmp_path / 'audio' / 'spk' / 'stereo.wav'}: has 2 channels, expected mono\n"
    assert not (out / MANIFEST_NAME).exists()

    converted = run_tfrecords("--audio-dir", tmp_path / "audio", "--output-dir", out, "--downmix")
    assert converted.returncode == 0, converted.stderr
    ((audio, _),) = records_of(out).values()
    np.testing.assert_array_equal(audio, resampled_to_16khz(source, 48000))


def test_short_files_are_dropped_and_counted(tmp_path, records_of):
    for index, seconds in enumerate((0.2, 0.4, 1.0, 2.0)):
        _write(tmp_path / "audio" / "spk" / f"f{index}.flac", _noise(seconds, 16000, index), 16000)
    _write(tmp_path / "audio" / "spk" / "f9.wav", _noise(0.3, 8000, 9), 8000)
    summary = convert_split(_tree(tmp_path, min_seconds=0.5))

    assert sorted(records_of(summary.output_dir)) == ["spk/f2", "spk/f3"]
    assert summary.manifest.too_short == 3
    assert "3 files shorter than the minimum left out" in summary.final_line()


def test_speaker_levels_name_the_speakers(tmp_path):
    for name in ("s1/alice/a.flac", "s1/bob/b.flac", "s2/alice/c.flac", "top.flac"):
        _write(tmp_path / "audio" / name, _noise(0.1, 16000, 0), 16000)

    by_first = scan_audio_tree(tmp_path / "audio")
    assert {u.utterance_id: u.speaker_id for u in by_first.utterances} == {
        "s1/alice/a": 0,
        "s1/bob/b": 0,
        "s2/alice/c": 1,
    }
    assert by_first.speaker_names == {"s1": 0, "s2": 1}
    assert [(p.path.rsplit("/", 1)[1], p.reason) for p in by_first.problems] == [
        ("top.flac", "lies in fewer than 1 folders, so names no speaker")
    ]

    by_second = scan_audio_tree(tmp_path / "audio", speaker_level=2)
    assert {u.utterance_id: u.speaker_id for u in by_second.utterances} == {
        "s1/alice/a": 0,
        "s1/bob/b": 1,
        "s2/alice/c": 0,
    }
    assert by_second.speaker_names == {"alice": 0, "bob": 1} and len(by_second.problems) == 1

    one_speaker = scan_audio_tree(tmp_path / "audio", speaker_level=0)
    assert {u.speaker_id for u in one_speaker.utterances} == {0} and len(one_speaker.utterances) == 4
    assert one_speaker.problems == [] and one_speaker.speaker_names == {}


def test_speaker_numbers_keep_decimal_names_and_number_the_others_in_order():
    assert speaker_numbers({"103", "27"}) == {"103": 103, "27": 27}
    assert speaker_numbers({"7", "07"}) == {"07": 0, "7": 1}
    assert speaker_numbers({"bob", "alice", "12"}) == {"12": 0, "alice": 1, "bob": 2}
    assert speaker_numbers({str(2**63)}) == {str(2**63): 0}


def test_extensions_choose_the_files_and_a_repeated_id_is_a_problem(tmp_path):
    _write(tmp_path / "audio" / "spk" / "a.flac", _noise(0.1, 16000, 0), 16000)
    _write(tmp_path / "audio" / "spk" / "a.wav", _noise(0.1, 16000, 1), 16000)
    _write(tmp_path / "audio" / "spk" / "b.wav", _noise(0.1, 16000, 2), 16000)
    assert [u.utterance_id for u in scan_audio_tree(tmp_path / "audio", ("wav",)).utterances] == ["spk/a", "spk/b"]
    scan = scan_audio_tree(tmp_path / "audio")
    assert [u.path.name for u in scan.utterances] == ["a.flac", "b.wav"]
    assert [p.reason for p in scan.problems] == [
        f"same utterance id 'spk/a' as {tmp_path / 'audio' / 'spk' / 'a.flac'}"
    ]


def test_a_rerun_converts_only_what_is_missing_or_changed(tmp_path, records_of):
    for index in range(6):
        _write(tmp_path / "audio" / f"{10 + index % 2}" / f"u{index}.flac", _noise(1.2, 16000, index), 16000)
    config = _tree(tmp_path, shards=3, max_seconds=1.0)
    first = convert_split(config)
    (first.output_dir / first.manifest.shards[1].file).unlink()

    assert convert_split(config).shards_converted == 1
    assert convert_split(config).shards_converted == 0
    # Other rules for the pieces make other records: every shard is converted again.
    assert convert_split(_tree(tmp_path, shards=3, max_seconds=2.0)).shards_converted == 3
    # A speaker folder whose name is no number renumbers the others: their shards are converted again.
    _write(tmp_path / "audio" / "zoe" / "new.flac", _noise(1.2, 16000, 9), 16000)
    renumbered = convert_split(_tree(tmp_path, shards=3, max_seconds=2.0))
    assert renumbered.manifest.speaker_names == {"10": 0, "11": 1, "zoe": 2}
    assert {features["speaker_id"].numpy() for _, features in records_of(renumbered.output_dir).values()} == {0, 1, 2}


def test_a_file_failing_after_some_pieces_leaves_none_of_them_when_skipped(tmp_path, records_of):
    _write(tmp_path / "audio" / "spk" / "good.wav", _noise(0.5, 16000, 0), 16000)
    bad = tmp_path / "audio" / "spk" / "cut.flac"
    _write(bad, _noise(3.0, 16000, 1), 16000)
    bad.write_bytes(bad.read_bytes()[: bad.stat().st_size * 2 // 3])
    summary = convert_split(_tree(tmp_path, max_seconds=0.5, on_error="skip"))

    assert list(records_of(summary.output_dir)) == ["spk/good"]
    (skipped,) = summary.manifest.skipped
    assert skipped["path"] == str(bad) and skipped["reason"].startswith(("truncated", "unreadable or corrupt"))


def test_the_output_is_a_split_the_training_pipeline_reads(tmp_path):
    for speaker in ("alice", "bob"):
        for index in range(4):
            _write(tmp_path / "audio" / speaker / f"{index}.wav", _noise(0.6, 48000, index), 48000)
    summary = convert_split(_tree(tmp_path, shards=2))
    manifest = read_manifest(tmp_path / "out" / "my-corpus")
    assert manifest.grouped_windows(4000, 2) == 8

    config = PipelineConfig(window=4000, batch_size=4, normalize=False, windows_per_speaker=2, seed=0)
    batches = list(audio_windows(summary.output_dir, config, training=False))
    assert len(batches) == 2 and all(batch.shape == (4, 4000) for batch in batches)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give either a SPLIT of --librispeech-dir or --audio-dir, not both or neither"),
        (["dev-clean", "--audio-dir", "{audio}"], "give either a SPLIT of --librispeech-dir or --audio-dir"),
        (["dev-clean", "--downmix"], "--downmix goes with --audio-dir, not with a LibriSpeech split"),
        (["--audio-dir", "{audio}"], "--audio-dir needs --output-dir"),
        (["--audio-dir", "{audio}", "--output-dir", "{out}", "--max-seconds", "0"], "must be a positive number"),
        (["--audio-dir", "{audio}", "--output-dir", "{out}", "--speaker-level", "-1"], "must be 0 or more"),
        (["--audio-dir", "{audio}", "--output-dir", "{audio}/spk/out"], "the output folder lies inside the corpus"),
        (["--audio-dir", "{audio}/none", "--output-dir", "{out}"], "none: audio directory does not exist"),
        (["--audio-dir", "{audio}", "--output-dir", "{out}", "--extensions", "mp3"], "no audio files found (.mp3"),
        (["--audio-dir", "{audio}", "--output-dir", "{out}", "--speaker-level", "3"], "lies in fewer than 3 folders"),
        (["--audio-dir", "{audio}", "--output-dir", "{out}", "--extensions", "wav,bin"], "bad.bin: unreadable or"),
    ],
)
def test_cli_bad_input_is_one_line(tmp_path, args, message, run_tfrecords):
    _write(tmp_path / "audio" / "spk" / "ok.wav", _noise(0.2, 16000, 0), 16000)
    (tmp_path / "audio" / "spk" / "bad.bin").write_bytes(b"no audio here")
    result = run_tfrecords(*(arg.format(audio=tmp_path / "audio", out=tmp_path / "out") for arg in args))
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and message in line, line


def test_cli_converts_a_tree_and_prints_one_final_line(tmp_path, run_tfrecords):
    for index in range(3):
        _write(tmp_path / "audio" / "spk" / f"{index}.flac", _noise(0.5, 16000, index), 16000)
    out = tmp_path / "out" / "mine"
    result = run_tfrecords("--audio-dir", tmp_path / "audio", "--output-dir", out, "--workers", 2)
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert line.startswith(f"{out}: 3 utterances")
    assert read_manifest(out).split == "mine"


def test_a_rate_in_no_simple_ratio_to_16khz_is_cut_into_pieces_no_longer_than_the_maximum(tmp_path, resampled_to_16khz):
    path = tmp_path / "odd.wav"
    source = _write(path, _noise(1.2, 44101, 6), 44101)
    rules = AudioPieces(resample=True, max_seconds=0.5)
    with AudioReader(path) as audio:
        header = rules.check(audio)
        pieces = list(rules.pieces(audio))
    assert len(pieces) == rules.piece_count(header) == 3
    assert all(len(piece) <= 8000 for piece in pieces)
    np.testing.assert_array_equal(pieces[0], resampled_to_16khz(source[:22050], 44101))


def test_a_damaged_shard_of_a_tree_names_the_command_that_converts_it_again(tmp_path):
    for index in range(4):
        _write(tmp_path / "audio" / "spk" / f"{index}.flac", _noise(0.5, 16000, index), 16000)
    summary = convert_split(_tree(tmp_path, shards=2))
    shard = summary.output_dir / summary.manifest.shards[1].file
    size = shard.stat().st_size
    shard.write_bytes(shard.read_bytes()[:-100])

    assert str(find_damaged_shard(summary.output_dir)) == (
        f"{shard}: {size - 100} bytes, manifest.json records {size}; delete it and rerun tfrecords.py "
        f"--audio-dir {tmp_path / 'audio'} --output-dir {summary.output_dir} to convert it again"
    )
