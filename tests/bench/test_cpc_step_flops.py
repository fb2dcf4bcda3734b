from bench.cpc_step import encoder_flops_per_window, forward_flops_per_window
from models.encoder_spec import ConvLayerSpec, EncoderSpec

# One convolution of kernel = stride = 4 into 4 channels: 64 samples give 16 frames of z.
SPEC = EncoderSpec(layers=(ConvLayerSpec(1, 4, 4, 4, 0),), dim_z=4)
CONVOLUTION = 2 * 16 * 4 * 1 * 4
# 16 - t_skip 5 - 2 steps = 9 scored positions: heads c (3) -> z (4), scores against 16 frames.
HEADS_AND_SCORES = 9 * 2 * 2 * 3 * 4 + 9 * 2 * 2 * 4 * 16


def test_the_encoder_counts_two_flops_per_multiply_add():
    assert encoder_flops_per_window(SPEC, 64) == CONVOLUTION


def test_a_gru_counts_three_gates_over_z_and_its_state():
    gru = 16 * 3 * 2 * (4 * 3 + 3 * 3)
    assert forward_flops_per_window(SPEC, 64, dim_c=3, pred_steps=2, num_neg=1) == CONVOLUTION + gru + HEADS_AND_SCORES


def test_stacked_lstm_layers_count_four_gates_each_the_second_over_c():
    lstm = 16 * 4 * 2 * (4 * 3 + 3 * 3) + 16 * 4 * 2 * (3 * 3 + 3 * 3)
    flops = forward_flops_per_window(SPEC, 64, dim_c=3, pred_steps=2, num_neg=1, cell="lstm", ar_layers=2)
    assert flops == CONVOLUTION + lstm + HEADS_AND_SCORES
