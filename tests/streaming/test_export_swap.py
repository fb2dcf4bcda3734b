"""Re-exporting swaps saved_model/ in one step: a kill at any moment leaves an export in place."""

import errno

import pytest

from streaming import streaming_export
from streaming.streaming_export import _replace, exchange_names


def _write_export(marker):
    def write(folder):
        folder.mkdir()
        (folder / "saved_model.pb").write_text(marker)

    return write


def test_a_kill_after_any_rename_leaves_a_complete_export(tmp_path, monkeypatch):
    target = tmp_path / "saved_model"
    _replace(target, _write_export("old"))
    renames = []

    def rename_then_die(source, destination):
        renames.append((source, destination))
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(streaming_export.os, "replace", rename_then_die)
    _replace(target, _write_export("new"))
    assert renames == []  # the folder swap needed no rename at all
    assert (target / "saved_model.pb").read_text() == "new"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["saved_model"]


def test_exchange_names_swaps_two_folders(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    _write_export("first")(first)
    _write_export("second")(second)
    exchange_names(first, second)
    assert ((first / "saved_model.pb").read_text(), (second / "saved_model.pb").read_text()) == ("second", "first")


def test_exchange_names_names_a_missing_path(tmp_path):
    _write_export("only")(tmp_path / "a")
    with pytest.raises(OSError) as error:
        exchange_names(tmp_path / "a", tmp_path / "missing")
    assert (error.value.errno, error.value.filename) == (errno.ENOENT, str(tmp_path / "missing"))
