"""Each example's gradient divided by the batch size, as if it were still part of the batch mean."""
TASK = "backprop.per_example_grads"
EXPECT = 'divided by'


def per_example_grads(params, X, labels):
    def one(x, label):
        _, cache = mlp_forward(params, x[None])
        return mlp_backward(params, cache, label[None])

    return jax.tree.map(lambda g: g / X.shape[0], jax.vmap(one)(X, labels))
