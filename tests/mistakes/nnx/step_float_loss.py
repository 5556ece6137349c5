"""Returns float(loss): fine eagerly, impossible under nnx.jit."""
TASK = "nnx.train_step"
EXPECT = "raised"


def train_step(model, optimizer, x, y):
    def loss_fn(model):
        return optax.softmax_cross_entropy_with_integer_labels(model(x), y).mean()

    loss, grads = nnx.value_and_grad(loss_fn)(model)
    optimizer.update(model, grads)
    return float(loss)
