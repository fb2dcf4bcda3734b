"""The rows of the keyword-spotting table: which front end, frozen or trained, under which head."""

import dataclasses


@dataclasses.dataclass(frozen=True)
class KwsRow:
    """One representation compared in the table.

    Attributes:
        name: Short name used by `--rows` and in file names, e.g. "cpc_ft".
        representation: The row's label in the table.
        front_end: "logmel", "random" (the encoder's architecture, freshly
            initialised) or "cpc" (the encoder as loaded from `--encoder`).
        trainable: Whether the front end is trained together with the
            classifier; a frozen one keeps its weights.
        head: "cnn", the convolutional classifier of the recipe over the
            frames, or "linear", a linear softmax on the clip's frames
            averaged (SUPERB's keyword-spotting protocol, simplified), which
            measures how linearly separable the frozen features are.
    """

    name: str
    representation: str
    front_end: str
    trainable: bool
    head: str = "cnn"

    @property
    def needs_encoder(self) -> bool:
        """Whether the row needs the `--encoder` file."""
        return self.front_end != "logmel"


ROWS = {
    row.name: row
    for row in (
        KwsRow("logmel", "Log-mel spectrogram", "logmel", False),
        KwsRow("random", "Random encoder (frozen)", "random", False),
        KwsRow("random_ft", "Random encoder (trained with the classifier)", "random", True),
        KwsRow("cpc", "CPC encoder (frozen)", "cpc", False),
        KwsRow("cpc_ft", "CPC encoder (trained with the classifier)", "cpc", True),
        KwsRow("logmel_linear", "Log-mel spectrogram, linear on the mean frame", "logmel", False, "linear"),
        KwsRow("random_linear", "Random encoder, linear on the mean frame", "random", False, "linear"),
        KwsRow("cpc_linear", "CPC encoder, linear on the mean frame", "cpc", False, "linear"),
    )
}
"""Every known row by name: the reference table's five, then the linear rows."""
