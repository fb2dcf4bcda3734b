import numpy as np
import pytest

from models.ar_model import ar_model


def test_gru_returns_one_context_per_frame_and_never_looks_ahead():
    model = ar_model(dim_z=6, dim_c=5, use_cudnn=False)
    gru = model.get_layer("gru")
    assert (gru.units, gru.return_sequences, gru.use_cudnn) == (5, True, False)
    z = np.random.default_rng(0).normal(size=(3, 9, 6)).astype(np.float32)
    changed = z.copy()
    changed[:, 4:] += 1.0
    c, c_changed = np.asarray(model(z)), np.asarray(model(changed))
    assert c.shape == (3, 9, 5)
    np.testing.assert_allclose(c_changed[:, :4], c[:, :4], atol=1e-6)
    assert np.abs(c_changed[:, 4] - c[:, 4]).max() > 1e-4


def test_stacked_lstm_is_causal_and_names_its_layers():
    model = ar_model(dim_z=6, dim_c=5, use_cudnn=False, cell="lstm", layers=2)
    lstms = [model.get_layer("lstm_1"), model.get_layer("lstm_2")]
    assert [type(layer).__name__ for layer in lstms] == ["LSTM", "LSTM"]
    assert [layer.units for layer in lstms] == [5, 5]
    z = np.random.default_rng(0).normal(size=(2, 9, 6)).astype(np.float32)
    changed = z.copy()
    changed[:, 6:] -= 1.0
    c, c_changed = np.asarray(model(z)), np.asarray(model(changed))
    assert c.shape == (2, 9, 5)
    np.testing.assert_allclose(c_changed[:, :6], c[:, :6], atol=1e-6)
    assert np.abs(c_changed[:, 6] - c[:, 6]).max() > 1e-4


def test_unknown_cell_and_no_layer_are_refused():
    with pytest.raises(ValueError, match="cell must be one of gru, lstm, got 'rnn'"):
        ar_model(4, cell="rnn")
    with pytest.raises(ValueError, match="layers must be at least 1, got 0"):
        ar_model(4, layers=0)
