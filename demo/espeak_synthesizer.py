"""ctypes wrapper around the espeak-ng speech synthesizer library.

The shared library and its data come from the PyPI package `espeakng-loader`,
so nothing has to be installed system-wide. The wrapper drives espeak-ng's C
API in synchronous mode: `espeak_Synth` returns only after the whole text has
been rendered through the registered callback, which hands over int16 samples
at the library's native rate (22050 Hz) together with event records.

Facts about the event records that this module relies on (checked against
espeak-ng 1.52 as shipped by espeakng-loader 0.2.4):

* `sample` counts native-rate samples from the start of the current
  `espeak_Synth` call; `audio_position` is the same position in milliseconds.
* A phoneme event (type 7) is reported at the first sample of its phoneme and
  carries the phoneme mnemonic, stress marks included (e.g. `'a`, `@2`), in
  the 8-byte `id.string` field. Pauses are the mnemonics `_`, `_:` and `_!`;
  the final event of an utterance is a `_` at the last sample.

espeak-ng keeps hidden state between calls in one process (e.g. the phase of
its pitch jitter), so a given text is rendered slightly differently depending
on what the process synthesized before. Output is reproducible for the same
sequence of calls made by a fresh process; callers that need byte-identical
results run each unit of work in a new process.
"""

from __future__ import annotations

import ctypes
import dataclasses
import math

import espeakng_loader
import numpy as np
import scipy.signal

from cli.user_error import UserError

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_PHONEME_EVENTS = 0x0001
# Without this flag espeak-ng calls exit() on a fatal initialization error,
# which would kill the Python process instead of raising.
_INITIALIZE_DONT_EXIT = 0x8000
_CHARS_UTF8 = 1
_POSITION_CHARACTER = 1
_EVENT_LIST_TERMINATED = 0
_EVENT_PHONEME = 7
_PARAMETER_RATE = 1
_PARAMETER_PITCH = 3
_PARAMETER_RANGE = 4
_NATIVE_SAMPLE_RATE = 22050
_RANDOM_SEED = 1

PAUSE_MNEMONICS = frozenset({"_", "_:", "_!", "_!_"})
"""Phoneme mnemonics espeak-ng uses for pauses rather than speech sounds."""


class EspeakError(UserError):
    """The espeak-ng library could not be loaded or refused a request."""


class _EventId(ctypes.Union):
    _fields_ = [
        ("number", ctypes.c_int),
        ("name", ctypes.c_char_p),
        ("string", ctypes.c_char * 8),
    ]


class _Event(ctypes.Structure):
    """Mirror of `espeak_EVENT` from speak_lib.h."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


@dataclasses.dataclass(frozen=True)
class PhonemeEvent:
    """One phoneme of a synthesized utterance.

    Attributes:
        mnemonic: espeak-ng's phoneme mnemonic, with any stress mark
            (e.g. `'oU`, `@2`, `_:` for a pause).
        start_sample: Index of the phoneme's first sample in the output audio,
            at the synthesizer's output sample rate.
    """

    mnemonic: str
    start_sample: int


@dataclasses.dataclass(frozen=True)
class Synthesis:
    """Audio and phoneme timing of one synthesized text.

    Attributes:
        samples: Float32 waveform in [-1, 1], shape `(samples,)`.
        phonemes: The phonemes in order of time, pauses included; the last one
            is the final pause `_` starting at (or near) the last sample.
    """

    samples: np.ndarray
    phonemes: tuple[PhonemeEvent, ...]


class _Library:
    """The process-wide espeak-ng instance (the C library is a singleton)."""

    def __init__(self):
        try:
            self.handle = ctypes.CDLL(espeakng_loader.get_library_path())
        except OSError as error:
            raise EspeakError(f"cannot load the espeak-ng library: {error}") from error
        self.handle.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self.handle.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.handle.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self.handle.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        self.handle.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        self.handle.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        self.handle.espeak_ng_SetRandSeed.restype = None
        sample_rate = self.handle.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS,
            0,
            espeakng_loader.get_data_path().encode(),
            _INITIALIZE_PHONEME_EVENTS | _INITIALIZE_DONT_EXIT,
        )
        if sample_rate != _NATIVE_SAMPLE_RATE:
            raise EspeakError(
                f"espeak-ng initialization returned {sample_rate}, expected a sample rate of {_NATIVE_SAMPLE_RATE} Hz"
            )
        # Initialization seeds the generator behind breathy voices from the
        # clock; a fixed seed makes those voices reproducible too.
        self.handle.espeak_ng_SetRandSeed(_RANDOM_SEED)
        self.audio_chunks: list[np.ndarray] = []
        self.phonemes: list[PhonemeEvent] = []
        # The C library keeps only a raw pointer, so the ctypes callback object
        # must stay referenced for as long as the library may call it.
        self._callback = _SynthCallback(self._receive)
        self.handle.espeak_SetSynthCallback(self._callback)

    def _receive(self, samples, num_samples, events) -> int:
        if num_samples > 0:
            self.audio_chunks.append(np.ctypeslib.as_array(samples, (num_samples,)).copy())
        index = 0
        while events[index].type != _EVENT_LIST_TERMINATED:
            event = events[index]
            if event.type == _EVENT_PHONEME:
                mnemonic = event.id.string.decode("utf-8", errors="replace")
                self.phonemes.append(PhonemeEvent(mnemonic, event.sample))
            index += 1
        return 0


_library: _Library | None = None


def _shared_library() -> _Library:
    global _library
    if _library is None:
        _library = _Library()
    return _library


class EspeakSynthesizer:
    """Text-to-speech with phoneme timings through espeak-ng.

    All instances in a process share the one espeak-ng engine, which is not
    thread-safe: synthesize from one thread only. See the module docstring for
    what determinism to expect.

    Args:
        sample_rate: Sample rate of the returned audio in Hz; espeak-ng's
            native 22050 Hz output is resampled to it.
    """

    def __init__(self, sample_rate: int = 16000):
        self.sample_rate = sample_rate
        divisor = math.gcd(sample_rate, _NATIVE_SAMPLE_RATE)
        self._upsampling = sample_rate // divisor
        self._downsampling = _NATIVE_SAMPLE_RATE // divisor
        self._library = _shared_library()

    def synthesize(self, text: str, voice: str, rate: int = 175, pitch: int = 50, pitch_range: int = 50) -> Synthesis:
        """Speaks `text` and reports where each phoneme starts.

        Args:
            text: UTF-8 text; punctuation shapes pauses and intonation.
            voice: espeak-ng voice name, optionally with a variant from
                `espeak-ng-data/voices/!v`, e.g. `"en-us+m3"`.
            rate: Speaking rate in words per minute (espeak-ng accepts 80-450).
            pitch: Base pitch, 0-100 (50 is the voice's normal pitch).
            pitch_range: Intonation range, 0-100 (0 is monotone, 50 normal).

        Returns:
            The audio at `sample_rate` and its phoneme events.

        Raises:
            EspeakError: If espeak-ng rejects the voice, a parameter or the text.
        """
        library = self._library
        handle = library.handle
        if handle.espeak_SetVoiceByName(voice.encode()) != 0:
            raise EspeakError(f"espeak-ng has no voice named {voice!r}")
        for parameter, value in ((_PARAMETER_RATE, rate), (_PARAMETER_PITCH, pitch), (_PARAMETER_RANGE, pitch_range)):
            if handle.espeak_SetParameter(parameter, value, 0) != 0:
                raise EspeakError(f"espeak-ng rejected parameter {parameter} = {value}")
        library.audio_chunks.clear()
        library.phonemes.clear()
        encoded = text.encode("utf-8")
        status = handle.espeak_Synth(encoded, len(encoded) + 1, 0, _POSITION_CHARACTER, 0, _CHARS_UTF8, None, None)
        if status != 0:
            raise EspeakError(f"espeak-ng failed with status {status} on text {text!r}")
        native = np.concatenate(library.audio_chunks) if library.audio_chunks else np.zeros(0, np.int16)
        samples = scipy.signal.resample_poly(native.astype(np.float32) / 32768.0, self._upsampling, self._downsampling)
        phonemes = tuple(
            PhonemeEvent(event.mnemonic, self._to_output_position(event.start_sample)) for event in library.phonemes
        )
        return Synthesis(samples.astype(np.float32), phonemes)

    def _to_output_position(self, native_position: int) -> int:
        return round(native_position * self._upsampling / self._downsampling)
