"""Fixed audio front ends with the same contract as a learned encoder.

Each maps audio ``(batch, samples)`` to features ``(batch, frames, features)`` and declares its
``geometry``, a `models.frame_geometry.FrameGeometry` (``hop``, ``receptive_field`` and the first
frame's ``first_sample``), as a loaded encoder does (`models.audio_feature_model`), so that
downstream code treats learned and fixed features alike.
"""
