"""bench.train_ablation's GPU variants: their models' dtypes and strategy, and the variants bench/gpu.sh names."""

import dataclasses
import pathlib
import re

import keras
import pytest
import tensorflow as tf

from bench.train_ablation import VARIANTS, variant_model

BY_NAME = {variant.name: variant for variant in VARIANTS}
GPU_SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "bench" / "gpu.sh"


@pytest.fixture
def float32_afterwards():
    yield
    keras.mixed_precision.set_dtype_policy("float32")


def _on_cpu(name):
    """The variant without its cuDNN requirement, which this machine cannot meet."""
    return dataclasses.replace(BY_NAME[name], gpu=False)


def test_mixed_precision_computes_in_float16_and_keeps_weights_and_loss_in_float32(float32_afterwards):
    model = variant_model(_on_cpu("gpu-mixed"))
    audio = tf.random.stateless_uniform((2, 4096), seed=(0, 1), minval=-1.0, maxval=1.0)
    assert model.encoder(audio).dtype == tf.float16
    assert {variable.dtype for variable in model.trainable_variables} == {"float32"}
    assert model(audio)["loss"].dtype == tf.float32


def test_float32_stays_float32(float32_afterwards):
    model = variant_model(_on_cpu("gpu-float32"))
    audio = tf.zeros((2, 4096))
    assert model.encoder(audio).dtype == tf.float32
    assert isinstance(model.distribute_strategy, type(tf.distribute.get_strategy()))


def test_mirrored_builds_the_model_under_a_mirrored_strategy(float32_afterwards):
    model = variant_model(BY_NAME["gpu-mirrored"], encoder="paper")
    assert isinstance(model.distribute_strategy, tf.distribute.MirroredStrategy)
    assert model.ar.layers[-1].use_cudnn is True


def test_a_gpu_variant_refuses_to_run_its_gru_without_cudnn(float32_afterwards):
    model = variant_model(BY_NAME["gpu-float32"])
    with pytest.raises(ValueError, match="use_cudnn=True"):
        model(tf.zeros((2, 4096)))


def test_the_gpu_variants_need_naming_and_are_those_bench_gpu_sh_runs():
    gpu = [variant.name for variant in VARIANTS if variant.gpu]
    (named,) = re.findall(r"^variants=(\S+)$", GPU_SCRIPT.read_text(), flags=re.MULTILINE)
    assert named.split(",") == gpu == ["gpu-float32", "gpu-mixed", "gpu-mirrored"]
