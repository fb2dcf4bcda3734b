"""CPC pretraining: settings, the training run and the artefacts it leaves in ``outputs/``."""
