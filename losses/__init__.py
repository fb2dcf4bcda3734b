"""Target sampling and the InfoNCE loss of Contrastive Predictive Coding."""
