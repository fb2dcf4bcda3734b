"""Linear probes of frozen speech features on LibriSpeech: the CPC paper's evaluation protocol.

A linear softmax classifier is trained on frozen features (CPC's c_t or z_t, a randomly
initialised copy of the same network, MFCCs, log-mels) and, for comparison, the same network is
trained end to end on the labels. Two tasks: phone classification per 10 ms frame with the
paper's forced alignments (``converted_aligned_phones.txt`` and its train/test split), and
speaker classification of 1.28 s windows.
"""
