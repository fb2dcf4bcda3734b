"""Serving a streaming TFLite file chunk by chunk, and comparing its features with others."""

import numpy as np


def run_in_chunks(interpreter, state: dict[str, np.ndarray], audio: np.ndarray, lengths: list[int]) -> np.ndarray:
    """Feeds `audio` to the file's `serving_default` signature in chunks, carrying the state.

    Args:
        interpreter: A `tf.lite.Interpreter` or `ai_edge_litert.interpreter.Interpreter`
            of `streaming.tflite` or `streaming_int8.tflite`.
        state: The initial state tensors by name (`streaming.json` lists them).
        audio: `(samples,)` float32, at least `sum(lengths)` samples.
        lengths: Samples of each chunk, in order.

    Returns:
        `(frames, dim)` features of all the chunks.
    """
    run = interpreter.get_signature_runner("serving_default")
    outputs, start = [], 0
    for length in lengths:
        result = run(chunk=audio[start : start + length], **state)
        outputs.append(result.pop("features"))
        state = result
        start += length
    return np.concatenate(outputs)


def cosine_similarities(actual: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Cosine similarity of each frame of `actual` to the same frame of `expected`.

    A frame that is zero in both counts as equal (1) and zero in one only as unrelated (0),
    so that silence neither divides by zero nor hides a difference.
    """
    dot = np.sum(actual * expected, axis=-1, dtype=np.float64)
    norms = np.linalg.norm(actual, axis=-1) * np.linalg.norm(expected, axis=-1)
    both_zero = (np.abs(actual).max(axis=-1) == 0) & (np.abs(expected).max(axis=-1) == 0)
    return np.where(both_zero, 1.0, np.divide(dot, norms, out=np.zeros_like(dot), where=norms > 0))
