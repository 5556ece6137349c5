"""exp(z) / sum(exp(z)) without the max shift: inf / inf at logits of 1000."""
TASK = "backprop.cross_entropy_backward"
EXPECT = 'inf or nan'


def cross_entropy_backward(logits, labels):
    n, k = logits.shape
    e = jnp.exp(logits)
    return (e / e.sum(axis=1, keepdims=True) - jax.nn.one_hot(labels, k, dtype=logits.dtype)) / n
