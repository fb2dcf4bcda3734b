"""Modified CPC's prediction network: causal self-attention over c_t, then one head per step."""

import keras


@keras.saving.register_keras_serializable(package="cpc")
class TransformerPredictor(keras.layers.Layer):
    """Predicts z_{t+1} .. z_{t+K} from the contexts up to t with one transformer layer.

    A post-norm transformer encoder layer (causal multi-head self-attention, then a
    feed-forward block, each with a residual connection and `LayerNormalization`) reads the
    context sequence, and K affine heads map its output at frame t to the K predictions.
    The attention mask lets frame t attend to frames 0..t only, so the predictions stay
    causal. No positional encoding is added: the recurrent contexts already carry their
    position, and the causal mask itself breaks the symmetry between frames.

    Args:
        pred_steps: Number of predicted future frames K.
        dim_z: Dimension of the predicted encoder frames.
        num_heads: Attention heads; must divide the context size.
        feedforward_dim: Hidden units of the feed-forward block; None for 4 × the context
            size.
        dropout: Dropout rate inside the attention and feed-forward blocks.
        **kwargs: Base `keras.layers.Layer` arguments.

    Call arguments:
        context: `(batch, frames, dim_c)` context vectors.
        training: Whether dropout is active.

    Returns:
        `(batch, frames, pred_steps, dim_z)`: for every frame t, the predictions of
        z_{t+1} .. z_{t+K}.
    """

    def __init__(self, pred_steps, dim_z, num_heads=8, feedforward_dim=None, dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        self.pred_steps = pred_steps
        self.dim_z = dim_z
        self.num_heads = num_heads
        self.feedforward_dim = feedforward_dim
        self.dropout = dropout

    def build(self, input_shape):
        dim_c = input_shape[-1]
        if dim_c % self.num_heads:
            raise ValueError(f"TransformerPredictor: {self.num_heads} heads do not divide the context size {dim_c}")
        self.attention = keras.layers.MultiHeadAttention(
            self.num_heads, dim_c // self.num_heads, dropout=self.dropout, name="attention"
        )
        self.attention.build(input_shape, input_shape)
        self.attention_norm = keras.layers.LayerNormalization(epsilon=1e-5, name="attention_norm")
        self.attention_norm.build(input_shape)
        hidden = self.feedforward_dim or 4 * dim_c
        self.feedforward_in = keras.layers.Dense(hidden, activation="relu", name="feedforward_in")
        self.feedforward_in.build(input_shape)
        self.feedforward_out = keras.layers.Dense(dim_c, name="feedforward_out")
        self.feedforward_out.build((*input_shape[:-1], hidden))
        self.feedforward_dropout = keras.layers.Dropout(self.dropout)
        self.feedforward_norm = keras.layers.LayerNormalization(epsilon=1e-5, name="feedforward_norm")
        self.feedforward_norm.build(input_shape)
        self.heads = keras.layers.EinsumDense(
            "btc,ckd->btkd", output_shape=(None, self.pred_steps, self.dim_z), bias_axes="kd", name="heads"
        )
        self.heads.build(input_shape)

    def call(self, context, training=None):
        attended = self.attention(context, context, use_causal_mask=True, training=training)
        x = self.attention_norm(context + attended)
        update = self.feedforward_dropout(self.feedforward_out(self.feedforward_in(x)), training=training)
        x = self.feedforward_norm(x + update)
        return self.heads(x)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.pred_steps, self.dim_z)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "pred_steps": self.pred_steps,
                "dim_z": self.dim_z,
                "num_heads": self.num_heads,
                "feedforward_dim": self.feedforward_dim,
                "dropout": self.dropout,
            }
        )
        return config
