"""Golden values at fixed seeds: a refactor that changes the numbers fails here.

The values were recorded from this code (TensorFlow and Keras as pinned in requirements.txt);
a deliberate change of the model, the sampler or their seeding updates them, with the reason
in the commit message.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from losses.gen_targets import GenTargets
from models.ar_model import ar_model
from models.cpc_model import CPCModel
from models.encoder_spec import ConvLayerSpec, EncoderSpec
from models.genc_model import genc_model

# hop 16, 8-dim z, as in test_cpc_model.
TINY_SPEC = EncoderSpec(layers=(ConvLayerSpec(1, 16, 8, 4, 4), ConvLayerSpec(16, 8, 4, 4, 0)), dim_z=8)


def test_gen_targets_indices_at_a_fixed_seed():
    _, indices = GenTargets(pred_steps=2, num_neg=3, t_skip=1, seed=7)(tf.zeros((2, 6, 4)))
    expected = [
        [[[2, 5, 0, 0], [3, 4, 5, 3]], [[3, 4, 5, 1], [4, 5, 4, 1]], [[4, 3, 1, 2], [5, 3, 0, 3]]],
        [[[2, 5, 3, 4], [3, 4, 1, 1]], [[3, 5, 2, 5], [4, 5, 4, 0]], [[4, 5, 1, 4], [5, 5, 3, 4]]],
    ]
    np.testing.assert_array_equal(indices.numpy(), expected)


def test_cpc_model_loss_accuracy_and_features_at_a_fixed_seed():
    keras.utils.set_random_seed(3)
    model = CPCModel(genc_model(TINY_SPEC), ar_model(8, 16), pred_steps=3, num_neg=5, t_skip=2, seed=0)
    audio = (0.5 * np.sin(np.arange(2 * 160, dtype=np.float32) / 7)).reshape(2, 160)
    outputs = model(audio)
    assert float(outputs["loss"]) == pytest.approx(1.7987114191055298, rel=1e-5)
    np.testing.assert_allclose(outputs["accuracy"].numpy(), [0.1, 0.3, 0.3], atol=1e-6)
    z = model.encoder(audio).numpy()
    assert z.shape == (2, 10, 8)
    expected_z = [
        [0.14539939, 0.20293914, 0.8467802],
        [0.3456835, -0.08153564, 0.34950295],
        [0.2623211, 1.1266466, -0.35046548],
    ]
    np.testing.assert_allclose(z[0, :3, :3], expected_z, rtol=1e-5, atol=1e-6)
