"""The prediction-accuracy figure reaches TensorBoard as an image per epoch, read back with TensorBoard's reader."""

import keras
import numpy as np
import tensorflow as tf
from tensorboard.backend.event_processing import event_accumulator

from pretraining.prediction_accuracy_image import IMAGE_TAG, PredictionAccuracyImage
from pretraining.training_plots import plot_prediction_accuracy

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _accumulator(folder):
    accumulator = event_accumulator.EventAccumulator(str(folder), size_guidance={event_accumulator.TENSORS: 0})
    accumulator.Reload()
    return accumulator


def test_every_epoch_writes_the_figure_as_an_image_beside_kerass_scalars(tmp_path, fit_tiny_model):
    logs = tmp_path / "logs"
    history = fit_tiny_model([keras.callbacks.TensorBoard(logs), PredictionAccuracyImage(logs, 2, 1 / 11)], epochs=3)
    assert len(history["val_accuracy_1"]) == 3

    figures = _accumulator(logs / "figures")
    assert figures.Tags()["tensors"] == [IMAGE_TAG]
    assert figures.SummaryMetadata(IMAGE_TAG).plugin_data.plugin_name == "images"
    events = figures.Tensors(IMAGE_TAG)
    assert [event.step for event in events] == [0, 1, 2]
    for event in events:
        width, height, png = event.tensor_proto.string_val
        assert (int(width), int(height)) == (768, 504)  # 6.4 x 4.2 inches at 120 dpi, as plots/prediction_accuracy.png
        assert png.startswith(PNG_SIGNATURE)
    assert len({event.tensor_proto.string_val[2] for event in events}) == 3  # each epoch adds a point

    validation = _accumulator(logs / "validation")
    assert "epoch_accuracy_1" in validation.Tags()["tensors"]


def test_the_image_is_the_figure_of_the_epochs_so_far(tmp_path):
    callback = PredictionAccuracyImage(tmp_path, pred_steps=2, chance=0.5)
    callback.on_train_begin()
    callback.on_epoch_end(0, {"loss": 1.0, "accuracy_1": 0.6, "val_accuracy_1": 0.7, "val_accuracy_2": 0.55})
    callback.on_epoch_end(1, {"loss": 0.9, "accuracy_1": 0.7, "val_accuracy_1": 0.8, "val_accuracy_2": 0.6})
    callback.on_train_end()
    image = callback.render().numpy()
    assert image.shape == (504, 768, 4)
    history = {"accuracy_1": [0.6, 0.7], "val_accuracy_1": [0.7, 0.8], "val_accuracy_2": [0.55, 0.6]}
    assert callback.history() == history
    plot_prediction_accuracy(history, 2, 0.5, tmp_path / "expected.png")
    expected = tf.image.decode_png((tmp_path / "expected.png").read_bytes(), channels=4).numpy()
    np.testing.assert_array_equal(image, expected)
    plot_prediction_accuracy({**history, "val_accuracy_1": [0.7, 0.9]}, 2, 0.5, tmp_path / "other.png")
    other = tf.image.decode_png((tmp_path / "other.png").read_bytes(), channels=4).numpy()
    assert not np.array_equal(image, other)
    steps = [event.step for event in _accumulator(tmp_path / "figures").Tensors(IMAGE_TAG)]
    assert steps == [0, 1]


def test_epochs_without_accuracy_logs_write_no_image(tmp_path):
    callback = PredictionAccuracyImage(tmp_path, pred_steps=2, chance=0.5)
    callback.on_train_begin()
    callback.on_epoch_end(0, {"loss": 1.0})
    callback.on_train_end()
    assert IMAGE_TAG not in _accumulator(tmp_path / "figures").Tags()["tensors"]


def test_a_resumed_run_draws_every_epoch_across_processes_and_fit_calls(tmp_path):
    before = {"loss": [2.0, 1.8], "val_accuracy_1": [0.3, 0.4], "val_accuracy_2": [0.2, 0.25]}
    callback = PredictionAccuracyImage(tmp_path, pred_steps=2, chance=0.1, initial_history=before)
    for epoch, accuracy in ((2, 0.5), (3, 0.6)):  # the rest of epoch 2, then a second fit for epoch 3
        callback.on_train_begin()
        callback.on_epoch_end(epoch, {"loss": 1.5, "val_accuracy_1": accuracy, "val_accuracy_2": accuracy / 2})
        callback.on_train_end()
    assert callback.history() == {"val_accuracy_1": [0.3, 0.4, 0.5, 0.6], "val_accuracy_2": [0.2, 0.25, 0.25, 0.3]}
    steps = [event.step for event in _accumulator(tmp_path / "figures").Tensors(IMAGE_TAG)]
    assert steps == [2, 3]


def test_a_missing_epoch_is_a_gap(tmp_path):
    callback = PredictionAccuracyImage(tmp_path, pred_steps=1, chance=0.1, initial_history={"val_accuracy_1": [0.3]})
    callback.on_train_begin()
    callback.on_epoch_end(2, {"val_accuracy_1": 0.5})
    callback.on_train_end()
    first, gap, last = callback.history()["val_accuracy_1"]
    assert (first, last) == (0.3, 0.5) and np.isnan(gap)
