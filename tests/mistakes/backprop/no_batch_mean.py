"""Forgetting the mean's 1/n: the gradient of the summed loss."""
TASK = "backprop.cross_entropy_backward"
EXPECT = "the mean's 1/n is missing"


def cross_entropy_backward(logits, labels):
    return jnp.exp(log_softmax(logits)) - jax.nn.one_hot(labels, logits.shape[1], dtype=logits.dtype)
