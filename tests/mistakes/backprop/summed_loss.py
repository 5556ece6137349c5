"""The sum over the batch instead of the mean: the loss grows with the batch size."""
TASK = "backprop.cross_entropy"
EXPECT = 'the sum over the batch'


def cross_entropy(logits, labels):
    log_probs = log_softmax(logits)
    return -jnp.sum(jnp.take_along_axis(log_probs, jnp.asarray(labels)[:, None], axis=1))
