"""The one error of loading a model file as an audio → features model."""

from cli.user_error import UserError


class ModelFileError(UserError):
    """A model file is missing, unreadable, or not the audio → features model a command needs.

    The message is ``"<subject>: <problem><detail>"`` in one line, where the subject names the
    file the way the command's user gave it (``"--model outputs/gar.keras"``, ``"encoder
    outputs/genc.h5"``). Each command rewords the problem with `reworded` where its users know
    another wording.

    Args:
        subject: The file as the message names it.
        problem: What is wrong, one of the class constants below or a one-line phrase.
        detail: Text after the problem, e.g. ``" (OSError: ...)"``.

    Attributes:
        subject: As given.
        problem: As given.
        detail: As given.
    """

    MISSING = "no such model file"
    UNLOADABLE = "not a loadable Keras model"
    NOT_AUDIO_TO_FEATURES = "not an audio → features model"

    def __init__(self, subject: str, problem: str, detail: str = ""):
        super().__init__(f"{subject}: {problem}{detail}")
        self.subject = subject
        self.problem = problem
        self.detail = detail

    def reworded(self, subject: str | None = None, problems: dict[str, str] | None = None) -> "ModelFileError":
        """The same error with another subject, or a problem said in a command's own words.

        Args:
            subject: The new subject; None keeps it.
            problems: New wording of some problems, e.g. ``{ModelFileError.UNLOADABLE: "cannot
                load a Keras model"}``; the others keep theirs.

        Returns:
            A new `ModelFileError`, to raise ``from None``.
        """
        problem = (problems or {}).get(self.problem, self.problem)
        return ModelFileError(self.subject if subject is None else subject, problem, self.detail)
