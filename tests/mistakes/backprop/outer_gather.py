"""log_probs[:, labels]: an n x n matrix (every row at every label), whose mean is not the loss."""
TASK = "backprop.cross_entropy"
EXPECT = 'n x n matrix'


def cross_entropy(logits, labels):
    return -jnp.mean(log_softmax(logits)[:, labels])
