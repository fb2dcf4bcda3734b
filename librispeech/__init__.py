"""LibriSpeech: reading the corpus, converting it to TFRecords and feeding training.

The corpus layout is LibriSpeech's own: ``<root>/<split>/<speaker>/<chapter>/`` holding
``<speaker>-<chapter>-<utt>.flac`` files and one ``<speaker>-<chapter>.trans.txt``,
with ``SPEAKERS.TXT`` at the root.
"""
