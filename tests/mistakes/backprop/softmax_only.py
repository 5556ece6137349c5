"""The softmax without subtracting the one-hot labels."""
TASK = "backprop.cross_entropy_backward"
EXPECT = 'one-hot labels were not subtracted'


def cross_entropy_backward(logits, labels):
    return jnp.exp(log_softmax(logits)) / logits.shape[0]
