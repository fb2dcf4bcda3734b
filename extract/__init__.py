"""Feature extraction for downstream users: a folder of audio → one `.npy` of CPC features per file.

`python -m extract AUDIO_DIR OUT_DIR --model outputs/gar.keras` writes c_t (or z_t with
`--features z`) for every audio file, batched, with the real-time factor at the end.
"""
