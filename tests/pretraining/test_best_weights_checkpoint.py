import keras
import numpy as np

from pretraining.best_weights_checkpoint import BestWeightsCheckpoint


def test_keeps_the_weights_of_the_lowest_finite_validation_loss(tmp_path):
    inputs = keras.Input((2,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    checkpoint = BestWeightsCheckpoint(tmp_path / "best.weights.h5")
    checkpoint.set_model(model)
    saved = {}
    for epoch, val_loss in enumerate([3.0, 2.0, 5.0, float("nan"), 1.5, 1.5]):
        model.set_weights([np.full((2, 1), epoch, np.float32), np.full((1,), epoch, np.float32)])
        checkpoint.on_epoch_end(epoch, {"val_loss": val_loss})
        saved[epoch] = keras.Model(inputs, keras.layers.Dense(1)(inputs))
        saved[epoch].load_weights(tmp_path / "best.weights.h5")
    assert [float(saved[epoch].get_weights()[1][0]) for epoch in range(6)] == [0, 1, 1, 1, 4, 4]
    assert checkpoint.best == 1.5
    assert sorted(path.name for path in tmp_path.iterdir()) == ["best.weights.h5"]
