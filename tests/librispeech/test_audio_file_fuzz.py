"""Random bytes, headers, shapes and cuts fed to the audio reader: it reads or refuses, nothing else."""

import io

import numpy as np
import pytest
import soundfile
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from librispeech.audio_file import read_pcm16
from librispeech.corpus_error import CorpusError

# (format, subtype, file suffix) that libsndfile writes and LibriSpeech-like inputs use.
_ENCODINGS = [
    ("FLAC", "PCM_16", ".flac"),
    ("FLAC", "PCM_24", ".flac"),
    ("FLAC", "PCM_S8", ".flac"),
    ("WAV", "PCM_16", ".wav"),
    ("WAV", "PCM_32", ".wav"),
    ("WAV", "PCM_U8", ".wav"),
    ("WAV", "FLOAT", ".wav"),
    ("WAV", "DOUBLE", ".wav"),
    ("WAV", "ULAW", ".wav"),
    ("AIFF", "FLOAT", ".aiff"),
]
_STORED = {"FLOAT": np.float32, "DOUBLE": np.float64}
"""What the float subtypes store: a float64 too large for float32 becomes Inf in a FLOAT file."""
_FLOAT_SUBTYPES = set(_STORED)
_RATES = st.one_of(st.sampled_from([16000, 8000, 15999, 16001, 44100]), st.integers(1, 655350))
_VALUES = {
    "int16": st.integers(-(2**15), 2**15 - 1),
    "int32": st.integers(-(2**31), 2**31 - 1),
    "float32": st.floats(width=32),
    "float64": st.floats(),
}


def _encoded(samples: np.ndarray, rate: int, file_format: str, subtype: str) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format=file_format, subtype=subtype)
    return buffer.getvalue()


def _header_prefixes() -> list[bytes]:
    """Starts of valid files, so that random tails reach past the format detection."""
    one_second = (np.sin(np.arange(16000) / 7) * 8000).astype(np.int16)
    return [
        b"",
        b"fLaC",
        b"RIFF",
        _encoded(one_second, 16000, "FLAC", "PCM_16")[:42],
        _encoded(one_second, 16000, "WAV", "PCM_16")[:44],
        _encoded(one_second.astype(np.float32) / 32768, 16000, "WAV", "FLOAT")[:58],
    ]


_PREFIXES = _header_prefixes()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A folder each example overwrites its file in."""
    return tmp_path_factory.mktemp("audio_fuzz")


def _read_or_refuse(path) -> np.ndarray | None:
    """The samples if the reader accepts the file, None if it refuses it in one line naming it."""
    try:
        samples = read_pcm16(path)
    except CorpusError as error:
        message = str(error)
        assert message.startswith(f"{path}: ") and "\n" not in message, message
        return None
    assert isinstance(samples, np.ndarray) and samples.dtype == np.int16 and samples.ndim == 1
    assert len(samples) > 0
    info = soundfile.info(str(path))
    assert info.samplerate == 16000 and info.channels == 1
    return samples


@settings(max_examples=400, deadline=None)
@given(prefix=st.sampled_from(_PREFIXES), tail=st.binary(max_size=3000), suffix=st.sampled_from([".flac", ".wav"]))
def test_random_bytes_are_read_as_16khz_mono_or_refused(scratch, prefix, tail, suffix):
    path = scratch / f"random{suffix}"
    path.write_bytes(prefix + tail)
    _read_or_refuse(path)


@st.composite
def _written_files(draw):
    file_format, subtype, suffix = draw(st.sampled_from(_ENCODINGS))
    rate = draw(_RATES)
    if file_format == "FLAC" and rate > 65535:
        rate -= rate % 10  # FLAC frame headers hold such rates in tens of Hz.
    channels = draw(st.integers(1, 3))
    frames = draw(st.integers(0, 600))
    dtype = draw(st.sampled_from(sorted(_VALUES)))
    shape = (frames,) if channels == 1 and draw(st.booleans()) else (frames, channels)
    elements = _VALUES[dtype]
    if dtype.startswith("float") and subtype not in _FLOAT_SUBTYPES:
        # libsndfile refuses to encode NaN as an integer; beyond ±1 it clips.
        elements = st.floats(-2, 2, width=int(dtype[5:]))
    samples = draw(hnp.arrays(dtype, shape, elements=elements))
    return file_format, subtype, suffix, rate, samples


@settings(max_examples=400, deadline=None)
@given(written=_written_files())
def test_any_written_array_is_read_or_refused_for_its_own_reason(scratch, written):
    file_format, subtype, suffix, rate, samples = written
    path = scratch / f"written{suffix}"
    path.write_bytes(_encoded(samples, rate, file_format, subtype))
    channels = 1 if samples.ndim == 1 else samples.shape[1]

    if len(samples) == 0 and file_format == "FLAC":
        expected = "zero-length file"  # libsndfile writes no FLAC header without samples.
    elif rate != 16000:
        expected = f"sample rate is {rate} Hz, expected 16000 Hz"
    elif channels != 1:
        expected = f"has {channels} channels, expected mono"
    elif len(samples) == 0:
        expected = "empty audio (0 samples)"
    elif subtype in _FLOAT_SUBTYPES and not _finite_once_stored(samples, subtype):
        expected = "holds NaN or Inf samples"
    else:
        expected = None
    if expected is not None:
        with pytest.raises(CorpusError) as error:
            read_pcm16(path)
        assert str(error.value) == f"{path}: {expected}"
        return
    read = _read_or_refuse(path)
    assert read is not None and len(read) == len(samples)
    if subtype == "PCM_16" and samples.dtype == np.int16:
        np.testing.assert_array_equal(read, samples.reshape(-1))


@st.composite
def _damaged_files(draw):
    file_format, subtype, suffix = draw(st.sampled_from([e for e in _ENCODINGS if e[1] in ("PCM_16", "FLOAT")]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    samples = (rng.standard_normal(draw(st.integers(1, 9000))) * 4000).clip(-32768, 32767).astype(np.int16)
    stored = samples if subtype == "PCM_16" else samples.astype(np.float32) / 32768
    data = bytearray(_encoded(stored, 16000, file_format, subtype))
    cut = draw(st.integers(0, len(data)))
    # Half the flips land in the header, where a single byte can change the declared length.
    positions = st.one_of(st.integers(0, min(len(data), 64) - 1), st.integers(0, len(data) - 1))
    flips = draw(st.lists(st.tuples(positions, st.integers(1, 255)), max_size=3))
    for position, mask in flips:
        data[position] ^= mask
    return suffix, samples, bytes(data[:cut]), not flips


@settings(max_examples=400, deadline=None)
@given(damaged=_damaged_files())
def test_truncated_or_flipped_files_are_refused_or_read_without_invented_samples(scratch, damaged):
    suffix, original, data, only_cut = damaged
    path = scratch / f"damaged{suffix}"
    path.write_bytes(data)
    read = _read_or_refuse(path)
    if read is not None and only_cut:
        # A cut file may lose its end (WAV carries no checksum), never gain or change samples;
        # int16 / 32768 is exact in float32, so the FLOAT files read back exactly too.
        np.testing.assert_array_equal(read, original[: len(read)])


def test_a_header_declaring_billions_of_samples_is_refused_without_allocating_them(scratch):
    data = bytearray(_encoded(np.zeros(1000, np.int16), 16000, "FLAC", "PCM_16"))
    # STREAMINFO's total sample count is the low 36 bits of bytes 21 to 25; 2**36 - 1 int16
    # samples would take 128 GiB.
    data[21] |= 0x0F
    data[22:26] = b"\xff\xff\xff\xff"
    path = scratch / "huge.flac"
    path.write_bytes(data)
    with pytest.raises(CorpusError, match=r"huge\.flac: (truncated|unreadable or corrupt)"):
        read_pcm16(path)


def test_missing_file_is_refused_in_one_line(scratch):
    path = scratch / "absent.flac"
    with pytest.raises(CorpusError) as error:
        read_pcm16(path)
    assert str(error.value) == f"{path}: no such file"


def _finite_once_stored(samples, subtype) -> bool:
    """Whether the samples stay finite in the file's float type (float64 beyond float32's range does not)."""
    with np.errstate(over="ignore"):
        return bool(np.all(np.isfinite(samples.astype(_STORED[subtype]))))
