"""One-hot minus softmax: the gradient with its sign flipped."""
TASK = "backprop.cross_entropy_backward"
EXPECT = 'sign flipped'


def cross_entropy_backward(logits, labels):
    n, k = logits.shape
    return (jax.nn.one_hot(labels, k, dtype=logits.dtype) - jnp.exp(log_softmax(logits))) / n
