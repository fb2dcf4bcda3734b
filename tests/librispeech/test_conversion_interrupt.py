"""Ctrl-C inside the converter's own process, at points a test can name.

The press is sent to the test's own process from inside the conversion (through a wrapped
step), so where it lands is certain; the subprocess stress test covers a terminal's Ctrl-C.
"""

import signal
import time

import pytest

from librispeech import split_converter
from librispeech.manifest import read_manifest
from librispeech.split_converter import ConversionConfig, convert_split


def _config(root, output_dir) -> ConversionConfig:
    return ConversionConfig(root, "dev-clean", output_dir=output_dir, shards=3, workers=2, show_progress=False)


def test_a_press_while_the_manifest_is_written_lets_it_finish_then_interrupts(
    tiny_corpus, tmp_path, monkeypatch, ctrl_c
):
    root, samples_by_id = tiny_corpus
    write_manifest = split_converter.write_manifest

    def pressed_while_writing(output_dir, manifest):
        ctrl_c()
        write_manifest(output_dir, manifest)

    monkeypatch.setattr(split_converter, "write_manifest", pressed_while_writing)
    with pytest.raises(KeyboardInterrupt):
        convert_split(_config(root, tmp_path / "records"))

    manifest = read_manifest(tmp_path / "records")
    assert manifest.num_records == len(samples_by_id) and len(manifest.shards) == 3
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    monkeypatch.setattr(split_converter, "write_manifest", write_manifest)
    assert convert_split(_config(root, tmp_path / "records")).shards_converted == 0


def test_a_press_mid_run_stops_the_workers_and_keeps_no_partial_file(tiny_corpus, tmp_path, monkeypatch, ctrl_c):
    root, samples_by_id = tiny_corpus
    drain, presses = split_converter._drain, []

    def pressed_at_first_progress(progress_queue, bar):
        if not presses:
            presses.append(time.monotonic())
            ctrl_c()
        drain(progress_queue, bar)

    monkeypatch.setattr(split_converter, "_drain", pressed_at_first_progress)
    output_dir = tmp_path / "records"
    with pytest.raises(KeyboardInterrupt):
        convert_split(_config(root, output_dir))

    assert presses and not (output_dir / "manifest.json").exists()
    assert not list(output_dir.glob("*.tmp")) and not list((output_dir / ".progress").glob("*.tmp"))
    monkeypatch.setattr(split_converter, "_drain", drain)
    reference = convert_split(_config(root, tmp_path / "reference"))
    rerun = convert_split(_config(root, output_dir))
    assert rerun.manifest.shards == reference.manifest.shards
    for shard in reference.manifest.shards:
        assert (output_dir / shard.file).read_bytes() == (tmp_path / "reference" / shard.file).read_bytes()
