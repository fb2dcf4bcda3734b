"""Fixed audio front ends with the same contract as a learned encoder.

Each maps audio ``(batch, samples)`` to features ``(batch, frames, features)`` and declares its
``hop`` (samples between frames) and ``receptive_field`` (samples per frame), like the CPC
encoders do, so that downstream code treats learned and fixed features alike.
"""
