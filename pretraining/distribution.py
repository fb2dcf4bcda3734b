"""tf.distribute strategies for pretraining on several GPUs or machines."""

import tensorflow as tf


def make_strategy(mode: str) -> tf.distribute.Strategy:
    """The strategy of a ``--distribute`` mode.

    Args:
        mode: ``"none"`` (TensorFlow places the work on one device, the GPU if there is
            one), ``"mirrored"`` (every local GPU) or ``"multiworker"`` (every worker of
            ``TF_CONFIG``, each with its local devices).
    """
    if mode == "mirrored":
        return tf.distribute.MirroredStrategy()
    if mode == "multiworker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    return tf.distribute.get_strategy()


def is_chief(strategy: tf.distribute.Strategy) -> bool:
    """Whether this process writes the run's artefacts: the chief, or worker 0 without one."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return resolver.task_type == "worker" and resolver.task_id == 0 and not has_chief
