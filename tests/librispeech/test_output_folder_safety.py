"""The converter deletes only what it wrote for this split, and refuses folders it could damage."""

import os
import subprocess
import sys

import pytest

from librispeech.corpus_error import CorpusError
from librispeech.split_converter import ConversionConfig, convert_split

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _tree(folder):
    """Every file under ``folder`` with its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()
    }


def test_files_not_written_for_this_split_survive_a_conversion(tiny_corpus, tmp_path):
    root, _ = tiny_corpus
    output = tmp_path / "shards"
    (output / ".progress").mkdir(parents=True)
    users = {
        "notes.tmp": b"mine",
        "model-00000-of-00002.tfrecord": b"another corpus",
        "dev-clean-extra.tfrecord": b"not a shard name",
        "dev-clean-00000-of-00002.tfrecord.bak": b"a copy",
        ".progress/thing.json.tmp": b"{}",
        ".progress/.thing.json.tmp": b"{}",
    }
    for name, content in users.items():
        (output / name).write_bytes(content)
    # What an earlier run of this split with --shards 9 left: a shard of another plan and a partial one.
    stale = [
        "dev-clean-00003-of-00009.tfrecord",
        "dev-clean-00004-of-00009.tfrecord.tmp",
        ".progress/dev-clean-00003-of-00009.tfrecord.json",
        ".progress/.dev-clean-00005-of-00009.tfrecord.json.tmp",
    ]
    for name in stale:
        (output / name).write_bytes(b"stale")

    convert_split(ConversionConfig(root, "dev-clean", output_dir=output, shards=2, workers=1, show_progress=False))

    tree = _tree(output)
    assert {name: tree.get(name) for name in users} == users
    assert not set(stale) & set(tree)
    assert sorted(name for name in tree if name.startswith("dev-clean-0")) == [
        "dev-clean-00000-of-00002.tfrecord",
        "dev-clean-00000-of-00002.tfrecord.bak",
        "dev-clean-00001-of-00002.tfrecord",
    ]


@pytest.mark.parametrize("inside", ["", "dev-clean", "dev-clean/19/shards"])
def test_an_output_folder_in_the_corpus_is_refused_and_nothing_is_touched(tiny_corpus, inside):
    root, _ = tiny_corpus
    before = _tree(root)
    output = root / inside
    with pytest.raises(CorpusError, match="the output folder lies inside the corpus"):
        convert_split(ConversionConfig(root, "dev-clean", output_dir=output, workers=1, show_progress=False))
    assert _tree(root) == before
    assert not (root / "dev-clean" / "19" / "shards").exists()


def test_one_folder_for_two_splits_is_refused_on_the_cli_and_the_first_is_kept(tiny_corpus, corpus_writer, tmp_path):
    root, _ = tiny_corpus
    corpus_writer(root, split="test-clean", speakers=(61,), seed=1)
    output = tmp_path / "tfrecords"
    convert_split(ConversionConfig(root, "dev-clean", output_dir=output, shards=2, workers=1, show_progress=False))
    first = _tree(output)

    result = subprocess.run(
        [
            sys.executable,
            "tfrecords.py",
            "test-clean",
            "--librispeech-dir",
            str(root),
            "--output-dir",
            str(output),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"error: {output}: the output folder holds the manifest of split 'dev-clean'; "
        "give each split a folder of its own\n"
    )
    assert _tree(output) == first


def test_a_manifest_json_of_unknown_kind_is_refused(tiny_corpus, tmp_path):
    root, _ = tiny_corpus
    output = tmp_path / "out"
    output.mkdir()
    (output / "manifest.json").write_text("[1, 2]")
    with pytest.raises(CorpusError, match="holds a manifest.json of unknown kind"):
        convert_split(ConversionConfig(root, "dev-clean", output_dir=output, workers=1, show_progress=False))
    assert (output / "manifest.json").read_text() == "[1, 2]"


def test_a_trailing_slash_from_tab_completion_names_the_shards_after_the_split(tiny_corpus):
    root, _ = tiny_corpus
    summary = convert_split(ConversionConfig(root, "dev-clean/", shards=2, workers=1, show_progress=False))
    assert summary.manifest.split == "dev-clean"
    assert sorted(path.name for path in summary.output_dir.glob("*.tfrecord")) == [
        "dev-clean-00000-of-00002.tfrecord",
        "dev-clean-00001-of-00002.tfrecord",
    ]
    assert summary.output_dir == root.parent / "tfrecords" / "dev-clean"


def test_a_path_as_the_split_is_one_line(tiny_corpus):
    root, _ = tiny_corpus
    result = subprocess.run(
        [sys.executable, "tfrecords.py", "LibriSpeech/dev-clean", "--librispeech-dir", str(root)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"error: split 'LibriSpeech/dev-clean': give the name of a folder in {root} (e.g. dev-clean), not a path\n"
    )


def test_a_second_conversion_into_a_folder_in_use_stops_with_one_line(tiny_corpus, lock_holder):
    root, _ = tiny_corpus
    output = root.parent / "tfrecords" / "dev-clean"
    holder = lock_holder(output)
    result = subprocess.run(
        [sys.executable, "tfrecords.py", "dev-clean", "--librispeech-dir", str(root), "--quiet"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 2
    assert result.stderr == (
        f"error: {output}: in use by another run (process {holder.pid}); wait for it to end or give another folder\n"
    )
    assert sorted(path.name for path in output.iterdir()) == [".lock"]


def test_a_full_disk_is_one_line_and_leaves_no_partial_shard(tiny_corpus, tmp_path, small_disk):
    root, _ = tiny_corpus
    output = tmp_path / "shards"
    returncode, _, stderr, left = small_disk(
        output,
        64,
        [
            sys.executable,
            "tfrecords.py",
            "dev-clean",
            "--librispeech-dir",
            str(root),
            "--output-dir",
            str(output),
            "--shards",
            "3",
            "--workers",
            "2",
            "--quiet",
        ],
    )
    assert returncode == 2, stderr
    assert stderr.count("\n") == 1 and "No space left on device" in stderr and str(output) in stderr, stderr
    assert not [name for name in left if name.endswith(".tmp")] and "manifest.json" not in left, left
