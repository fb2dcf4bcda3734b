import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.cpc_model_file import CpcModelFile
from models.streaming_context_model import StreamingContextModel
from models.streaming_error import StreamingError

# Samples per test signal: several receptive fields, and not a multiple of the hop.
LENGTHS = {"seed": 256 * 14 + 77, "paper": 160 * 9 + 33, "dilated": 203, "odd": 157}


def _assert_close(actual, expected):
    assert actual.shape == expected.shape
    scale = max(float(np.abs(expected).max()), 1.0)
    np.testing.assert_allclose(actual, expected, rtol=0, atol=2e-5 * scale)


@pytest.mark.parametrize("name", ["seed", "paper", "dilated", "odd"])
def test_streamed_z_and_c_equal_the_offline_models_for_random_chunkings(name, models_for, chunk_lengths):
    spec, encoder, context = models_for(name)
    model_file = CpcModelFile.from_model(context, name)
    streaming_c = StreamingContextModel.from_model_file(model_file, "c")
    streaming_z = StreamingContextModel.from_model_file(model_file, "z")
    rng = np.random.default_rng(7)
    # Two streams side by side, with different DC and scale.
    audio = (rng.uniform(-1, 1, (2, LENGTHS[name])) * [[1.0], [0.3]] + [[0.0], [0.2]]).astype(np.float32)
    z, c = np.asarray(encoder(audio)), np.asarray(context(audio))
    assert z.shape[1] == spec.num_frames(LENGTHS[name]) > 3
    for _ in range(2 if name == "paper" else 3):
        lengths = chunk_lengths(rng, audio.shape[1], spec.hop)
        assert 0 in lengths and any(0 < length < spec.hop for length in lengths)
        _assert_close(streaming_z.stream(audio, lengths), z)
        _assert_close(streaming_c.stream(audio, lengths), c)


@settings(max_examples=20, deadline=None)
@given(cuts=st.lists(st.integers(0, 120), max_size=12))
def test_any_chunking_of_the_dilated_encoder_gives_the_offline_context(cuts, dilated_pair):
    streaming, audio, expected = dilated_pair
    bounds = [0, *sorted(cuts), 120]
    lengths = [end - start for start, end in zip(bounds, bounds[1:])]
    _assert_close(streaming.stream(audio, lengths), expected)


def test_a_frame_comes_out_as_soon_as_its_last_sample_is_in(models_for):
    spec, _, context = models_for("seed")
    model = StreamingContextModel.from_model_file(CpcModelFile.from_model(context, "seed"))
    state = model.initial_state()
    produced = []
    # Frame j of the seed encoder ends at sample (j + 1) * 256 - 1.
    for length in (255, 1, 256, 100, 156, 512):
        features, state = model(np.zeros((1, length), np.float32), state)
        produced.append(features.shape[1])
    assert produced == [0, 1, 1, 0, 1, 2]
    assert features.shape[2] == 6 == model.dim and model.hop == spec.hop == 256


def test_state_holds_the_buffers_of_the_derived_lengths(models_for):
    _, _, context = models_for("seed")
    model = StreamingContextModel.from_model_file(CpcModelFile.from_model(context, "seed"))
    state = model.initial_state(batch_size=3)
    # kernel - stride (at least the padding, at least 1) input frames per layer, then the GRU.
    shapes = {name: tuple(tensor.shape) for name, tensor in state.items()}
    assert shapes == {
        "conv_1_buffer": (3, 7, 1),
        "conv_1_offset": (),
        "conv_2_buffer": (3, 3, 64),
        "conv_2_offset": (),
        "conv_3_buffer": (3, 3, 64),
        "conv_3_offset": (),
        "conv_4_buffer": (3, 3, 64),
        "conv_4_offset": (),
        "gru_state": (3, 6),
    }
    # The first output starts at the first padding zero: buffer length minus padding.
    assert [int(state[f"conv_{n}_offset"]) for n in range(1, 5)] == [7, 3, 3, 1]


def test_weights_come_from_the_saved_files(models_for, tmp_path):
    _, encoder, context = models_for("seed", seed=5)
    context.save(tmp_path / "gar.keras")
    encoder.save(tmp_path / "genc.h5")
    audio = np.random.default_rng(0).uniform(-1, 1, (1, 3000)).astype(np.float32)
    from_gar = StreamingContextModel.from_model_file(CpcModelFile.load(tmp_path / "gar.keras"))
    from_genc = StreamingContextModel.from_model_file(CpcModelFile.load(tmp_path / "genc.h5"))
    assert (from_gar.features, from_genc.features) == ("c", "z")
    _assert_close(from_gar.stream(audio, [1000, 7, 1993]), np.asarray(context(audio)))
    _assert_close(from_genc.stream(audio, [3000]), np.asarray(encoder(audio)))


def test_saved_and_reloaded_streaming_model_gives_the_same_frames(models_for, tmp_path):
    _, _, context = models_for("dilated")
    model = StreamingContextModel.from_model_file(CpcModelFile.from_model(context, "dilated"))
    model.save(tmp_path / "streaming.keras")
    reloaded = keras.models.load_model(tmp_path / "streaming.keras")
    audio = np.random.default_rng(1).normal(size=(1, 90)).astype(np.float32)
    assert reloaded.get_config()["convolutions"] == model.get_config()["convolutions"]
    np.testing.assert_array_equal(reloaded.stream(audio, [3, 40, 47]), model.stream(audio, [3, 40, 47]))


def test_bad_requests_are_refused(models_for):
    _, _, context = models_for("dilated")
    model = StreamingContextModel.from_model_file(CpcModelFile.from_model(context, "dilated"))
    state = model.initial_state()
    del state["gru_state"]
    with pytest.raises(StreamingError, match="lacks gru_state"):
        model(np.zeros((1, 10), np.float32), state)
    with pytest.raises(StreamingError, match="sum to 9, not the 10 samples"):
        model.stream(np.zeros((1, 10), np.float32), [4, 5])
    with pytest.raises(StreamingError, match="features 'c' need a GRU"):
        StreamingContextModel(model.convolutions, None, "c")
