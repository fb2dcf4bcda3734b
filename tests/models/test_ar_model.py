import numpy as np

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
