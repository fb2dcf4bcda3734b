"""Experiment tracking: a ``run.json`` beside every output, and TensorBoard, MLflow and Azure ML trackers."""
