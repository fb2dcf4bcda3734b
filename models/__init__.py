"""Keras models of Contrastive Predictive Coding: encoder, GRU, training model, their streaming form,
and the one contract saved models are loaded by (`audio_feature_model`)."""
