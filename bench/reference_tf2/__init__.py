"""A port of the reference TF2 CPC implementation's training model, for benchmarking only.

Written anew from the facts of the reference (pat-coady/contrast-pred-code, `replearn/`) and
its README (`/work/shared/reference/tf2_cpc_readme.txt` in the issue's workplace), not copied
from its code, and not part of the library: nothing outside `bench/` imports it. It keeps
the reference's computational structure, deliberately without our optimisations: a
`keras.Sequential` of 4 causal `Conv1D` (`genc_model`, the geometry of our `seed` preset);
a `keras.Sequential` of a `GRU`, a `Conv2DTranspose` that makes all K predictions at once
and a `Cropping2D` (`ar_model`); every candidate vector gathered from the stopped encoder
output, with one vector of negative indices shared by the batch (`GenTargets`); logits as an
elementwise product and a sum (`ARLoss`); a Functional model whose output is the loss of
each window, compiled with ``loss="mae"`` and Adam at 1e-3 and fit on (audio, zeros). With
our settings (10 future steps, 10 negatives, ``dim_c=dim_z=40``) and ``t_skip=4`` it scores
the same 65 positions per window as our `CPCModel`.

    # one process: windows/s of 2 timed runs of 20 steps after 20 warm-up steps
    TF_ENABLE_ONEDNN_OPTS=1 python -m bench.reference_tf2 --batch-size 64 --window 20480 --steps 20 --repeats 2
    # the port with oneDNN off and on against ours, fresh processes interleaved per round
    python -m bench.reference_peer --rounds 3 --steps 15 --repeats 2
"""
