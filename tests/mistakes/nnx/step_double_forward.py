"""Runs the model once for the loss and once more inside the differentiated function: the batch statistics and
the dropout RNG advance twice per step."""
TASK = "nnx.train_step"
EXPECT = "the model ran twice per step"


def train_step(model, optimizer, x, y):
    loss = optax.softmax_cross_entropy_with_integer_labels(model(x), y).mean()
    grads = nnx.grad(lambda m: optax.softmax_cross_entropy_with_integer_labels(m(x), y).mean())(model)
    optimizer.update(model, grads)
    return loss
