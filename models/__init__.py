"""Keras models of Contrastive Predictive Coding: encoder, GRU, training model."""
