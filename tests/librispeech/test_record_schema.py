import numpy as np
import tensorflow as tf

from librispeech.record_schema import FEATURE_KINDS, UtteranceRecord, serialize, serialized_pieces, tf_feature_spec
from librispeech.tfrecord_file import TFRecordFileWriter, read_records


def _record(samples):
    return UtteranceRecord("19-198-0007", 19, 198, "SOME WORDS ÄND UNICODE", samples, 16000)


def test_serialized_example_parses_back_exactly_with_tensorflow(tmp_path):
    samples = np.array([0, 1, -1, 32767, -32768, 1234, -4321, 7], dtype=np.int16)
    path = tmp_path / "one.tfrecord"
    with TFRecordFileWriter(path) as writer:
        writer.write(serialize(_record(samples)))

    (serialized,) = list(tf.data.TFRecordDataset(str(path)))
    features = tf.io.parse_example(serialized, tf_feature_spec())

    np.testing.assert_array_equal(np.frombuffer(features["audio"].numpy(), "<i2"), samples)
    assert features["utterance_id"].numpy() == b"19-198-0007"
    assert features["speaker_id"].numpy() == 19
    assert features["chapter_id"].numpy() == 198
    assert features["sample_rate"].numpy() == 16000
    assert features["num_samples"].numpy() == 8
    assert features["transcript"].numpy().decode() == "SOME WORDS ÄND UNICODE"
    assert features["dc_offset"].numpy() == np.float32(samples.mean(dtype=np.float64))
    assert features["peak"].numpy() == np.float32(np.max(np.abs(samples - samples.mean(dtype=np.float64))))


def test_serialization_matches_tensorflow_example_parsing_of_every_feature():
    samples = np.arange(-300, 300, dtype=np.int16)
    ours = tf.io.parse_example(tf.constant(serialize(_record(samples))), tf_feature_spec())
    reference = tf.train.Example(
        features=tf.train.Features(
            feature={
                "audio": tf.train.Feature(bytes_list=tf.train.BytesList(value=[samples.astype("<i2").tobytes()])),
                "sample_rate": tf.train.Feature(int64_list=tf.train.Int64List(value=[16000])),
                "num_samples": tf.train.Feature(int64_list=tf.train.Int64List(value=[600])),
                "speaker_id": tf.train.Feature(int64_list=tf.train.Int64List(value=[19])),
                "chapter_id": tf.train.Feature(int64_list=tf.train.Int64List(value=[198])),
                "utterance_id": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"19-198-0007"])),
                "transcript": tf.train.Feature(
                    bytes_list=tf.train.BytesList(value=["SOME WORDS ÄND UNICODE".encode()])
                ),
                "dc_offset": tf.train.Feature(float_list=tf.train.FloatList(value=[-0.5])),
                "peak": tf.train.Feature(float_list=tf.train.FloatList(value=[299.5])),
            }
        )
    ).SerializeToString()
    expected = tf.io.parse_example(tf.constant(reference), tf_feature_spec())
    assert set(FEATURE_KINDS) == set(ours)
    for name in FEATURE_KINDS:
        assert ours[name].numpy() == expected[name].numpy(), name


def test_large_ids_and_empty_transcript_survive():
    record = UtteranceRecord("8014-112586-0001", 8014, 112586, "", np.zeros(3, np.int16), 16000)
    features = tf.io.parse_example(tf.constant(serialize(record)), tf_feature_spec())
    assert features["chapter_id"].numpy() == 112586
    assert features["transcript"].numpy() == b""
    assert features["peak"].numpy() == 0.0


def test_read_records_returns_what_was_written(tmp_path):
    payloads = [b"", b"a", bytes(range(256)) * 100]
    path = tmp_path / "many.tfrecord"
    with TFRecordFileWriter(path) as writer:
        for payload in payloads:
            writer.write(payload)
    assert list(read_records(path)) == payloads
    assert [record.numpy() for record in tf.data.TFRecordDataset(str(path))] == payloads


def test_a_record_written_in_pieces_is_the_record_written_whole(tmp_path):
    samples = np.random.default_rng(4).integers(-32768, 32768, 5000).astype(np.int16)
    record = _record(samples)
    pieces = serialized_pieces(record)
    assert b"".join(pieces) == serialize(record)
    assert samples.tobytes() in pieces
    whole, pieced = tmp_path / "whole.tfrecord", tmp_path / "pieced.tfrecord"
    with TFRecordFileWriter(whole) as writer:
        writer.write(serialize(record))
    with TFRecordFileWriter(pieced) as writer:
        writer.write(pieces)
        writer.write([b"ab", b"", b"c"])
    assert pieced.read_bytes().startswith(whole.read_bytes())
    assert list(read_records(pieced)) == [serialize(record), b"abc"]
    assert [record.numpy() for record in tf.data.TFRecordDataset(str(pieced))] == [serialize(record), b"abc"]
