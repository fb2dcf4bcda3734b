"""Time-domain augmentation of the past for CPC pretraining (Kharitonov et al., 2020)."""
