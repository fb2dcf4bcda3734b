"""The recordings under tests/data/real_speech: documented, at their stated rates, small, and aligned."""

import json
import pathlib

import pytest
import soundfile

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "real_speech"
RATES = {
    "librivox": 16000,
    "codec2/8khz": 8000,
    "codec2/16khz": 16000,
    "pocketsphinx/16khz": 16000,
    "pocketsphinx/stereo-11khz": 11025,
}
CHANNELS = {"pocketsphinx/stereo-11khz": 2}


def _files():
    return sorted(path for path in DATA.rglob("*") if path.is_file())


def test_every_recording_lies_in_a_folder_of_known_rate():
    assert {path.parent.relative_to(DATA).as_posix() for path in DATA.rglob("*.flac")} == set(RATES)


def test_every_file_is_named_in_the_readme_and_the_folder_stays_small():
    readme = (DATA / "README.md").read_text()
    files = [path for path in _files() if path.name != "README.md"]
    assert len(files) >= 30
    recordings = {path.name.removesuffix(".flac") for path in files if path.suffix == ".flac"}

    def documented(name):
        # A recording's own text files are described once, as `<name>.json` and so on.
        stem = next((stem for stem in recordings if name.startswith(stem + ".")), None)
        return name in readme or (stem is not None and f"`<name>{name[len(stem) :]}`" in readme)

    assert [path.name for path in files if not documented(path.name)] == []
    # A few MB at most: the repository carries them.
    assert sum(path.stat().st_size for path in files) < 4 * 2**20


@pytest.mark.parametrize("folder", list(RATES))
def test_the_recordings_are_16_bit_flac_at_the_folders_rate_and_channels(folder):
    recordings = sorted((DATA / folder).glob("*.flac"))
    assert len(recordings) >= 1
    for path in recordings:
        info = soundfile.info(path)
        expected = ("FLAC", "PCM_16", CHANNELS.get(folder, 1), RATES[folder])
        assert (info.format, info.subtype, info.channels, info.samplerate) == expected
        assert info.frames >= info.samplerate  # at least a second of speech


def test_the_librivox_phone_alignments_tile_each_recording_in_10_ms_steps():
    recordings = sorted((DATA / "librivox").glob("*.flac"))
    assert len(recordings) == 5
    phone_set = set()
    for path in recordings:
        stem = path.name.removesuffix(".flac")
        utterance = json.loads((path.parent / f"{stem}.phone.json").read_text())
        words = " ".join((path.parent / f"{stem}.txt").read_text().split())
        assert utterance["t"] == words == json.loads((path.parent / f"{stem}.json").read_text())["t"]
        # The utterance spans the whole file; its phones follow each other without gap or overlap.
        assert round(utterance["d"] * 16000) == soundfile.info(path).frames
        phones = [phone for word in utterance["w"] for phone in word["w"]]
        end = 0
        for phone in phones:
            begin, length = round(phone["b"] * 100), round(phone["d"] * 100)
            assert (begin, length > 0) == (end, True) and abs(phone["b"] * 100 - begin) < 1e-6
            end = begin + length
        # The last 10 ms frame of each file is left unlabelled.
        assert end == round(utterance["d"] * 100) - 1
        phone_set |= {phone["t"] for phone in phones}
    assert "SIL" in phone_set and len(phone_set) >= 30
