import pytest

from pretraining.step_decay import StepDecay


def test_reference_schedule_divides_by_three_from_epochs_10_15_20():
    schedule = StepDecay(1e-3, (10, 15, 20), 3.0)
    expected = [1e-3] * 10 + [1e-3 / 3] * 5 + [1e-3 / 9] * 5 + [1e-3 / 27] * 5
    assert [schedule(epoch) for epoch in range(25)] == pytest.approx(expected)


def test_no_milestones_keeps_the_rate():
    assert StepDecay(0.01, (), 3.0)(100, 0.5) == 0.01
