"""The failure of a pretraining run whose loss stopped being finite."""


class TrainingDivergedError(RuntimeError):
    """The loss became NaN or infinite; no model was saved from the run."""
