import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import soundfile

from librispeech.split_converter import ConversionConfig, convert_split, plan_shards
from librispeech.split_scan import scan_split

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_conversion_round_trips_every_sample_and_field(tiny_corpus, tmp_path, records_of):
    root, samples_by_id = tiny_corpus
    summary = convert_split(ConversionConfig(root, "dev-clean", shards=3, workers=2, show_progress=False))

    assert summary.output_dir == root.parent / "tfrecords" / "dev-clean"
    records = records_of(summary.output_dir)
    assert set(records) == set(samples_by_id)
    for utterance_id, (samples, features) in records.items():
        np.testing.assert_array_equal(samples, samples_by_id[utterance_id])
        speaker, chapter, index = utterance_id.split("-")
        assert features["speaker_id"].numpy() == int(speaker)
        assert features["chapter_id"].numpy() == int(chapter)
        assert features["transcript"].numpy().decode() == f"WORDS OF {speaker} NUMBER {int(index)}"
        assert features["num_samples"].numpy() == len(samples_by_id[utterance_id])
        assert features["sample_rate"].numpy() == 16000

    manifest = summary.manifest
    assert manifest.num_records == 12 and len(manifest.shards) == 3
    assert manifest.speakers == [19, 26]
    total = sum(len(s) for s in samples_by_id.values())
    assert manifest.total_hours == pytest.approx(total / 16000 / 3600)
    assert manifest.skipped == []
    on_disk = json.loads((summary.output_dir / "manifest.json").read_text())
    assert [shard["num_bytes"] for shard in on_disk["shards"]] == [
        (summary.output_dir / shard["file"]).stat().st_size for shard in on_disk["shards"]
    ]


def test_plan_shards_is_contiguous_non_empty_and_balanced(tiny_corpus):
    root, _ = tiny_corpus
    utterances = scan_split(root, "dev-clean").utterances
    for count in (1, 2, 5, 12, 40):
        plan = plan_shards(utterances, count)
        assert len(plan) == min(count, 12)
        assert all(plan) and [u for shard in plan for u in shard] == utterances
    sizes = [sum(u.path.stat().st_size for u in shard) for shard in plan_shards(utterances, 3)]
    assert max(sizes) < 2 * min(sizes)


def test_rerun_skips_complete_shards_and_changed_shard_count_replaces_them(tiny_corpus, records_of):
    root, samples_by_id = tiny_corpus
    config = ConversionConfig(root, "dev-clean", shards=4, workers=1, show_progress=False)
    assert convert_split(config).shards_converted == 4
    assert convert_split(config).shards_converted == 0
    config.shards = 2
    summary = convert_split(config)
    assert summary.shards_converted == 2
    assert sorted(p.name for p in summary.output_dir.glob("*.tfrecord")) == [
        "dev-clean-00000-of-00002.tfrecord",
        "dev-clean-00001-of-00002.tfrecord",
    ]
    assert set(records_of(summary.output_dir)) == set(samples_by_id)


def test_skip_mode_lists_bad_files_in_the_manifest(tiny_corpus, records_of):
    root, samples_by_id = tiny_corpus
    (root / "dev-clean" / "19" / "198" / "19-198-0001.flac").write_bytes(b"not audio at all")
    (root / "dev-clean" / "26" / "227" / "26-227-0000.flac").unlink()
    summary = convert_split(ConversionConfig(root, "dev-clean", on_error="skip", show_progress=False))

    reasons = {os.path.basename(item["path"]): item["reason"] for item in summary.manifest.skipped}
    assert reasons == {
        "19-198-0001.flac": "unreadable or corrupt audio (Format not recognised.)",
        "26-227.trans.txt": "transcript line for 26-227-0000 but 26-227-0000.flac is missing",
    }
    assert set(records_of(summary.output_dir)) == set(samples_by_id) - {"19-198-0001", "26-227-0000"}
    assert "2 files skipped" in summary.final_line()


def test_cli_converts_and_prints_one_final_line(tiny_corpus, run_tfrecords):
    root, _ = tiny_corpus
    result = run_tfrecords("dev-clean", "--librispeech-dir", root, "--workers", 2)
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert "12 utterances" in line and "h of audio per minute" in line and "s wall" in line


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (
            lambda root: (root / "dev-clean/26/227/26-227-0001.flac").write_bytes(b""),
            "26-227-0001.flac: zero-length file",
        ),
        (
            lambda root: (root / "dev-clean/19/198/19-198.trans.txt").write_text("19-198-0000 ONLY ONE\n"),
            "19-198-0001.flac: no transcript line in 19-198.trans.txt",
        ),
        (
            lambda root: (root / "dev-clean/19/227/19-227-0002.flac").write_bytes(b"fLaC" + bytes(300)),
            "19-227-0002.flac: unreadable or corrupt audio",
        ),
    ],
)
def test_cli_bad_input_fails_with_one_line_and_no_manifest(tiny_corpus, damage, message, run_tfrecords):
    root, _ = tiny_corpus
    damage(root)
    result = run_tfrecords("dev-clean", "--librispeech-dir", root, "--shards", 3)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and message in line
    output_dir = root.parent / "tfrecords" / "dev-clean"
    assert not (output_dir / "manifest.json").exists()
    assert not list(output_dir.glob("*.tmp"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "unknown split 'nope' (splits found: dev-clean)"),
        (["dev-clean.tar.gz"], "dev-clean.tar.gz: an archive, which is not read; extract it first"),
        (["dev-clean", "--shards", "0"], "argument --shards: must be at least 1, got 0"),
        (["dev-clean", "--on-error", "ignore"], "argument --on-error: invalid choice"),
    ],
)
def test_cli_bad_arguments(tiny_corpus, args, message, run_tfrecords):
    root, _ = tiny_corpus
    result = run_tfrecords(*args, "--librispeech-dir", root)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_librispeech_dir_is_one_line(tmp_path, run_tfrecords):
    result = run_tfrecords("dev-clean", "--librispeech-dir", tmp_path / "absent")
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: {tmp_path / 'absent'}: LibriSpeech directory does not exist"


@pytest.mark.parametrize("complete_before_kill", [1, 3])
def test_killed_conversion_rerun_holds_every_utterance_once(tmp_path, corpus_writer, complete_before_kill, records_of):
    root = tmp_path / "LibriSpeech"
    samples_by_id = corpus_writer(
        root, speakers=(19, 26), chapters=(198, 227), utterances_per_chapter=4, seconds=(8.0, 6.0, 10.0), seed=3
    )
    output_dir = tmp_path / "records"
    command = [
        sys.executable,
        os.path.join(REPO, "tfrecords.py"),
        "dev-clean",
        "--librispeech-dir",
        str(root),
        "--output-dir",
        str(output_dir),
        "--shards",
        "16",
        "--workers",
        "1",
        "--quiet",
    ]
    process = subprocess.Popen(
        command, cwd=REPO, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while len(list((output_dir / ".progress").glob("*.json"))) < complete_before_kill:
        assert process.poll() is None, "conversion finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert not (output_dir / "manifest.json").exists()

    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    records = records_of(output_dir)
    assert set(records) == set(samples_by_id)
    for utterance_id, (samples, _) in records.items():
        np.testing.assert_array_equal(samples, samples_by_id[utterance_id])
    assert not list(output_dir.glob("*.tmp"))


def test_a_rerun_reconverts_exactly_the_shards_whose_sources_changed(tiny_corpus, records_of):
    root, samples_by_id = tiny_corpus
    # One utterance per shard: the plan cannot move when a file's size changes.
    config = ConversionConfig(root, "dev-clean", shards=12, workers=1, show_progress=False)
    convert_split(config)
    transcripts = root / "dev-clean" / "19" / "198" / "19-198.trans.txt"
    transcripts.write_text(transcripts.read_text().replace("19-198-0001 WORDS OF 19 NUMBER 1", "19-198-0001 NEW WORDS"))
    summary = convert_split(config)
    assert (summary.shards_converted, summary.shards_changed) == (1, 1)
    assert "1 of them reconverted because their audio or transcripts changed" in summary.final_line()
    assert records_of(summary.output_dir)["19-198-0001"][1]["transcript"].numpy() == b"NEW WORDS"

    flac = root / "dev-clean" / "26" / "227" / "26-227-0002.flac"
    replacement = samples_by_id["26-227-0002"][::-1].copy()
    soundfile.write(flac, replacement, 16000, subtype="PCM_16", format="FLAC")
    summary = convert_split(config)
    assert (summary.shards_converted, summary.shards_changed) == (1, 1)
    records = records_of(summary.output_dir)
    np.testing.assert_array_equal(records["26-227-0002"][0], replacement)
    assert set(records) == set(samples_by_id)
    assert convert_split(config).shards_converted == 0


def test_a_conversion_worker_starts_without_the_resampler():
    # scipy.signal takes half a second to import: every spawned worker of a 16 kHz corpus
    # (LibriSpeech) would pay it before its first file, though it resamples none.
    code = "import sys, librispeech.split_converter; print('scipy.signal' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
