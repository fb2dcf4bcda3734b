"""A warning when prediction accuracy shows collapse or leakage."""

import keras


class AccuracyHealth(keras.callbacks.Callback):
    """Warns at an epoch's end about steps whose accuracy sat at chance or at 1.0.

    Accuracy at chance for a whole epoch means the model learnt nothing for that step
    (collapsed features, a broken input); accuracy of 1.0 means the answer leaks into the
    context (a non-causal encoder, candidates that give the positive away).

    Args:
        pred_steps: Number of prediction steps K.
        chance: Accuracy of guessing, ``1 / (num_neg + 1)``.
        chance_margin: Accuracy up to ``chance * (1 + chance_margin)`` counts as chance.
        warn: Where warnings go; ``print`` to stdout by default.
    """

    def __init__(self, pred_steps: int, chance: float, chance_margin: float = 0.05, warn=print):
        super().__init__()
        self.pred_steps = pred_steps
        self.chance = chance
        self.chance_margin = chance_margin
        self.warn = warn
        self.warnings: list[str] = []

    def on_epoch_end(self, epoch, logs=None):
        accuracies = {k: float((logs or {}).get(f"accuracy_{k}", float("nan"))) for k in range(1, self.pred_steps + 1)}
        at_chance = [k for k, value in accuracies.items() if value <= self.chance * (1 + self.chance_margin)]
        perfect = [k for k, value in accuracies.items() if value >= 0.999]
        for steps, problem in (
            (at_chance, f"at chance ({self.chance:.3f})"),
            (perfect, "at 1.0: the future leaks into the context"),
        ):
            if steps:
                listed = ", ".join(map(str, steps))
                message = f"warning: epoch {epoch + 1}: training accuracy of step(s) {listed} sat {problem}"
                self.warnings.append(message)
                self.warn(message)
