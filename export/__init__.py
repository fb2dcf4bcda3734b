"""Exporting a trained model: the preset folder (config, weights, preprocessing, metadata)."""
