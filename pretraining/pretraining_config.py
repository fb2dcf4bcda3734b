"""Every setting of a CPC pretraining run, in five groups. Defaults are the reference implementation's."""

from __future__ import annotations

import dataclasses

from pretraining.data_config import DataConfig
from pretraining.loss_config import LossConfig
from pretraining.model_config import ModelConfig
from pretraining.optimisation_config import OptimisationConfig
from pretraining.runtime_config import RuntimeConfig


@dataclasses.dataclass(frozen=True)
class PretrainingConfig:
    """A CPC pretraining run, as ``config.json`` records it and ``train.py --config`` reads it.

    Field names are unique across the groups, so each names one flag (``--lr``) and one
    setting (``config.replace(lr=0.01)``).

    Attributes:
        data: The splits and how their utterances become windows.
        model: Encoder, autoregressive net and predictor.
        loss: Negatives and scored steps of the contrastive loss.
        optimisation: Epochs, learning rate, batches and seed.
        runtime: Distribution, precision, backups, time budget and output folder.
    """

    data: DataConfig = dataclasses.field(default_factory=DataConfig, metadata={"title": "data"})
    model: ModelConfig = dataclasses.field(default_factory=ModelConfig, metadata={"title": "model"})
    loss: LossConfig = dataclasses.field(default_factory=LossConfig, metadata={"title": "contrastive loss"})
    optimisation: OptimisationConfig = dataclasses.field(
        default_factory=OptimisationConfig, metadata={"title": "optimisation"}
    )
    runtime: RuntimeConfig = dataclasses.field(default_factory=RuntimeConfig, metadata={"title": "runtime"})

    @staticmethod
    def groups() -> tuple[dataclasses.Field, ...]:
        """The group fields, in order; each one's ``default_factory`` is its settings class."""
        return dataclasses.fields(PretrainingConfig)

    @staticmethod
    def group_of(name: str) -> str:
        """The group holding the setting ``name``: ``"optimisation"`` for ``"lr"``.

        Raises:
            KeyError: No group holds such a setting.
        """
        for group in PretrainingConfig.groups():
            if name in {field.name for field in dataclasses.fields(group.default_factory)}:
                return group.name
        raise KeyError(name)

    def replace(self, **changes) -> PretrainingConfig:
        """A copy with the named settings changed, each in its group: ``config.replace(lr=0.01, window=8192)``.

        Raises:
            KeyError: No group holds one of the settings.
        """
        grouped: dict[str, dict] = {}
        for name, value in changes.items():
            grouped.setdefault(self.group_of(name), {})[name] = value
        return dataclasses.replace(
            self, **{group: dataclasses.replace(getattr(self, group), **values) for group, values in grouped.items()}
        )
