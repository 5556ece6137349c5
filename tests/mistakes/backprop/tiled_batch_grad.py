"""The batch gradient repeated n times: its mean is right, the per-example entries are not."""
TASK = "backprop.per_example_grads"
EXPECT = 'is the batch gradient'


def per_example_grads(params, X, labels):
    _, cache = mlp_forward(params, X)
    grads = mlp_backward(params, cache, labels)
    return jax.tree.map(lambda g: jnp.broadcast_to(g, (X.shape[0],) + g.shape), grads)
