import keras
import numpy as np
import pytest

from models.ar_model import ar_model
from models.context_model import context_model
from models.encoder_spec import resolve_encoder_spec
from models.genc_model import genc_model

TINY_YAML = "conv_dims:\n  - [1, 4, 4, 2, 1, 1]\n  - [4, 4, 3, 1, 4, 2]\n  - [4, 3, 2, 2, 0, 1]\n  - 3\n"


@pytest.mark.parametrize(
    "name, num_samples, cut",
    [("seed", 256 * 10, 256 * 6 - 40), ("paper", 160 * 10, 160 * 4 + 7), ("yaml", 80, 37)],
)
def test_changing_the_future_changes_no_past_frame_or_context(tmp_path, name, num_samples, cut):
    if name == "yaml":
        path = tmp_path / "tiny.yaml"
        path.write_text(TINY_YAML)
        spec = resolve_encoder_spec(str(path))
    else:
        spec = resolve_encoder_spec(name)
    keras.utils.set_random_seed(3)
    encoder = genc_model(spec)
    context = context_model(encoder, ar_model(spec.dim_z, dim_c=8))
    rng = np.random.default_rng(1)
    audio = rng.normal(size=(2, num_samples)).astype(np.float32)
    changed = audio.copy()
    changed[:, cut:] = rng.normal(size=(2, num_samples - cut))
    frames = spec.num_frames(num_samples)
    # First frame whose receptive field reaches the changed samples.
    first = next(j for j in range(frames) if spec.last_sample(j) >= cut)
    z, z_changed = np.asarray(encoder(audio)), np.asarray(encoder(changed))
    c, c_changed = np.asarray(context(audio)), np.asarray(context(changed))
    assert z.shape == (2, frames, spec.dim_z) and c.shape == (2, frames, 8)
    np.testing.assert_allclose(z_changed[:, :first], z[:, :first], atol=1e-5)
    np.testing.assert_allclose(c_changed[:, :first], c[:, :first], atol=1e-5)
    assert np.abs(z_changed[:, first] - z[:, first]).max() > 1e-4
    assert np.abs(c_changed[:, first] - c[:, first]).max() > 1e-4
