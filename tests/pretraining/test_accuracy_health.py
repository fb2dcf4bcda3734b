from pretraining.accuracy_health import AccuracyHealth


def _warnings(logs, pred_steps=4, chance=0.1):
    health = AccuracyHealth(pred_steps, chance, warn=lambda message: None)
    health.on_epoch_end(2, logs)
    return health.warnings


def test_names_the_steps_at_chance():
    logs = {"accuracy_1": 0.6, "accuracy_2": 0.3, "accuracy_3": 0.104, "accuracy_4": 0.09}
    assert _warnings(logs) == ["warning: epoch 3: training accuracy of step(s) 3, 4 sat at chance (0.100)"]


def test_names_the_steps_at_one():
    logs = {"accuracy_1": 1.0, "accuracy_2": 0.9995, "accuracy_3": 0.5, "accuracy_4": 0.4}
    assert _warnings(logs) == [
        "warning: epoch 3: training accuracy of step(s) 1, 2 sat at 1.0: the future leaks into the context"
    ]


def test_healthy_epoch_is_silent():
    assert _warnings({"accuracy_1": 0.7, "accuracy_2": 0.5, "accuracy_3": 0.3, "accuracy_4": 0.2}) == []
