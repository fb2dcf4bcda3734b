"""The reference's learning-rate schedule: divide by a constant at milestone epochs."""

import bisect


class StepDecay:
    """Learning rate for an epoch, for ``keras.callbacks.LearningRateScheduler``.

    Args:
        initial_lr: Rate before the first milestone.
        milestones: Epochs, counted from 0, from which the rate is divided once more.
        divisor: Division applied at each milestone.
    """

    def __init__(self, initial_lr: float, milestones: tuple[int, ...], divisor: float):
        self.initial_lr = initial_lr
        self.milestones = tuple(milestones)
        self.divisor = divisor

    def __call__(self, epoch: int, lr: float | None = None) -> float:
        """The rate of 0-based ``epoch``; the scheduler's current ``lr`` is ignored."""
        return self.initial_lr / self.divisor ** bisect.bisect_right(self.milestones, epoch)
